//! The command line: clap definitions and one file per non-interactive command.

use clap::{Parser, Subcommand};

pub mod layers;
pub mod demo;
pub mod plan;
mod source;

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
pub enum Command {
    /// Preview a cleanup policy as a reviewable deletion plan.
    Plan(plan::PlanArgs),
    /// What each layer of an image adds and removes, wasted bytes, efficiency.
    Layers(layers::LayersArgs),
    /// Build a realistic demo fleet (first run only) and explore it.
    Demo(demo::DemoArgs),
}

/// Runs the command line; returns the process exit code.
pub fn run() -> i32 {
    let cli = Cli::parse();
    match cli.command {
        None => {
            eprintln!("regscope: the interactive explorer is not built yet; see `regscope --help`");
            2
        }
        Some(c) => {
            let r = match c {
                Command::Plan(a) => plan::run(a),
                Command::Layers(a) => layers::run(a),
                Command::Demo(a) => demo::run(a),
            };
            match r {
                Ok(code) => code,
                Err(e) => {
                    eprintln!("regscope: {e:#}");
                    2
                }
            }
        }
    }
}
