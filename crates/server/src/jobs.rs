//! Background jobs, hourly: shipments whose other side never answered expire, and the
//! personal data of ended shipments is purged after the retention period.

use std::time::Duration;

use crate::shipments::retention;
use crate::state::AppState;

/// Runs the hourly jobs.
pub fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        loop {
            // A failure is logged where it happens; the next hour tries again.
            if let Ok(expired @ 1..) =
                retention::expire_unanswered(&state.db, &state.keys, state.now()).await
            {
                tracing::info!(expired, "unanswered shipments expired");
            }
            if let Ok(purged @ 1..) = retention::purge_personal_data(
                &state.db,
                &state.keys,
                state.config.retention_days,
                state.now(),
            )
            .await
            {
                tracing::info!(purged, "retention: personal data purged");
            }
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    });
}
