//! The console's first card: the company's day at a glance ([`store::dashboard`]), counted in
//! Tehran days, and shipments per day over the last [`CHART_DAYS`] days.

use domain::jalali::{day_start, tehran_day};
use store::dashboard::{self, Figures, Since};

use crate::error::AppError;
use crate::state::AppState;

/// Days the chart covers, today included.
pub const CHART_DAYS: i64 = 30;
/// "This week": today and the six days before it.
pub const WEEK_DAYS: i64 = 7;

/// The figures and the chart's bars (one per day, oldest first, days without shipments as 0).
pub struct Day {
    pub figures: Figures,
    /// (day number, shipments created that day).
    pub per_day: Vec<(i64, i64)>,
    /// When the oldest waiting support conversation last moved, as seconds ago.
    pub oldest_wait_secs: Option<i64>,
    /// The first day of the week the figures count (day number).
    pub week_first: i64,
}

pub async fn day(state: &AppState) -> Result<Day, AppError> {
    let now = state.now();
    let today = tehran_day(now);
    let since = Since {
        today: day_start(today),
        week: day_start(today - WEEK_DAYS + 1),
        day: today,
    };
    let figures = dashboard::figures(&state.db, since).await?;
    let first = today - (CHART_DAYS - 1);
    let counted = dashboard::per_day(&state.db, first).await?;
    let per_day = (first..=today)
        .map(|day| {
            let n = counted
                .iter()
                .find(|(d, _)| *d == day)
                .map_or(0, |(_, n)| *n);
            (day, n)
        })
        .collect();
    Ok(Day {
        oldest_wait_secs: figures.support_waiting.1.map(|at| now - at),
        figures,
        per_day,
        week_first: today - WEEK_DAYS + 1,
    })
}
