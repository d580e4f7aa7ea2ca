//! File logging for the TUI: never to the terminal while it is up. The level comes from
//! `REGSCOPE_LOG` (an `EnvFilter` directive such as `debug` or `regscope=trace`).

use std::path::Path;
use tracing_appender::non_blocking::WorkerGuard;

/// Starts logging to `dir/regscope.log`. Keep the guard alive until exit so the last lines
/// are flushed. Fails softly: without a log file the TUI still runs.
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    std::fs::create_dir_all(dir).ok()?;
    let appender = tracing_appender::rolling::never(dir, "regscope.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("REGSCOPE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}
