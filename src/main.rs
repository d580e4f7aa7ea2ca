//! Entry point: error handling, logging, config, then the TUI or a CLI command.

fn main() {
    restore_default_sigpipe();
    std::process::exit(regscope::cli::run());
}

/// Rust ignores SIGPIPE, so `regscope images ... | head` would make every later write fail
/// and `println!` panic. A command-line tool should end quietly when its reader goes away,
/// as `cat` does. The TUI writes to the terminal, where this never fires.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; it only resets one
    // signal disposition to the system default.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
