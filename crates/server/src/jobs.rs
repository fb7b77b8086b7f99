//! Background jobs: the retention purge (hourly).

use std::time::Duration;

use crate::shipments;
use crate::state::AppState;

/// Purges the personal data of ended shipments past the retention period, every hour.
pub fn spawn_retention(state: AppState) {
    tokio::spawn(async move {
        loop {
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
