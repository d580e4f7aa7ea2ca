//! Entry point: error handling, logging, config, then the TUI or a CLI command.

fn main() {
    std::process::exit(regscope::cli::run());
}
