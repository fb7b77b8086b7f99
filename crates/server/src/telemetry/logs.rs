//! The log. Lines are written by a thread of their own (tracing-appender's non-blocking
//! writer), so a slow sink (journald under load, a full pipe) never holds a request: past
//! [`BUFFERED_LINES`] waiting, a line is dropped and counted (`ersal_log_lines_dropped_total`)
//! rather than making anyone wait. What the request log writes is in `http::request_log`.

use std::io::Write;
use std::sync::OnceLock;

use tracing_appender::non_blocking::{ErrorCounter, NonBlocking, NonBlockingBuilder, WorkerGuard};

/// Lines that may wait for the writer before new ones are dropped.
pub const BUFFERED_LINES: usize = 16_384;

/// The filter when `RUST_LOG` is unset: what the packaged release runs with.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn";

static DROPPED: OnceLock<ErrorCounter> = OnceLock::new();

/// A writer to `sink` that never blocks its caller; keep the guard until exit (it flushes).
pub fn writer<W: Write + Send + 'static>(sink: W) -> (NonBlocking, WorkerGuard) {
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(BUFFERED_LINES)
        .thread_name("ersal-log")
        .finish(sink);
    // The process's writer is the first one made; a test's later ones count on their own.
    let _ = DROPPED.set(writer.error_counter());
    (writer, guard)
}

/// Lines the process's writer dropped since start.
pub fn dropped_lines() -> usize {
    DROPPED.get().map_or(0, ErrorCounter::dropped_lines)
}

/// Installs the process's log on standard output: `RUST_LOG`, else [`DEFAULT_FILTER`];
/// colours only on a terminal. Keep the guard until exit.
pub fn install() -> WorkerGuard {
    let (writer, guard) = writer(std::io::stdout());
    tracing_subscriber::fmt()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| DEFAULT_FILTER.into()),
        )
        .with_writer(writer)
        .init();
    guard
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Barrier};

    /// A sink that takes nothing until the test lets it: the worst a log sink can do.
    struct Stuck(Arc<Barrier>);

    impl Write for Stuck {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.wait();
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_stuck_sink_drops_and_counts_lines_instead_of_blocking() {
        let release = Arc::new(Barrier::new(2));
        let (mut writer, guard) = writer(Stuck(release.clone()));
        let counter = writer.error_counter();
        // Were the writer to block, this loop would never end: the sink is stuck.
        for n in 0..BUFFERED_LINES * 2 {
            writer.write_all(format!("line {n}\n").as_bytes()).unwrap();
        }
        assert!(
            counter.dropped_lines() >= BUFFERED_LINES - 1,
            "{}",
            counter.dropped_lines()
        );
        release.wait();
        drop(guard);
    }
}
