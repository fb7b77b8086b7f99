//! Background jobs, hourly: shipments whose other side never answered expire, and the
//! personal data of ended shipments is purged after the retention period.

use std::time::Duration;

use crate::shipments;
use crate::state::AppState;

/// Runs the hourly jobs.
pub fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        loop {
            match shipments::expire_unanswered(&state.db, &state.keys, state.now()).await {
                Ok(0) => {}
                Ok(expired) => tracing::info!(expired, "unanswered shipments expired"),
                Err(cause) => tracing::error!(error = %cause, "expiry job"),
            }
            match shipments::purge_personal_data(
                &state.db,
                &state.keys,
                state.config.retention_days,
                state.now(),
            )
            .await
            {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "retention: personal data purged"),
                Err(cause) => tracing::error!(error = %cause, "retention job"),
            }
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    });
}
