//! The command line: clap definitions and one file per non-interactive command.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "regscope",
    version,
    about = "Explore container registries: honest sizes, pull doctor, safe cleanup"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Registries to open in the TUI (HOST[/PREFIX], ecr://REGION, oci:PATH).
    pub targets: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {}

/// Runs the command line; returns the process exit code.
pub fn run() -> i32 {
    let cli = Cli::parse();
    match cli.command {
        None => {
            eprintln!("regscope: the interactive explorer is not built yet; see `regscope --help`");
            2
        }
        Some(c) => match c {},
    }
}
