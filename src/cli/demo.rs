//! `regscope demo`: builds the demo fleet on first run and opens the explorer on it.

use crate::demo;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Build (or reuse) the fleet, print its `oci:` target and exit.
    #[arg(long)]
    pub build_only: bool,
    /// Rebuild even when a fleet from the same description is already there.
    #[arg(long)]
    pub rebuild: bool,
    /// Where to build it (default: the cache dir; REGSCOPE_DATA / XDG_CACHE_HOME override).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Date the fleet's history ends (RFC 3339); default: Monday of this week. Same epoch,
    /// same bytes.
    #[arg(long, value_name = "RFC3339", env = "REGSCOPE_DEMO_EPOCH")]
    pub epoch: Option<String>,
}

pub fn run(args: DemoArgs) -> anyhow::Result<i32> {
    Ok(match build(&args) {
        Ok(fleet) => {
            let s = &fleet.stamp;
            eprintln!(
                "regscope demo: {} {} {}, {}, {} (history up to {})",
                if fleet.built_now { "built" } else { "reusing" },
                s.repositories,
                crate::text::plural(s.repositories, "repository", "repositories"),
                crate::text::count(s.manifests, "manifest"),
                crate::text::count(s.tags, "tag"),
                s.epoch.format("%Y-%m-%d")
            );
            let target = format!("oci:{}", fleet.path.display());
            if args.build_only {
                println!("{target}");
                return Ok(0);
            }
            open_tui(&target)
        }
        Err(e) => {
            eprintln!("regscope demo: {e}");
            match e {
                // A --epoch that is not a date is a usage mistake; the rest are failures.
                demo::DemoError::Epoch(_) => super::output::EXIT_USAGE,
                _ => super::output::EXIT_ERROR,
            }
        }
    })
}

fn build(args: &DemoArgs) -> Result<demo::DemoFleet, demo::DemoError> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => demo::default_dir()?,
    };
    let epoch = args.epoch.as_deref().map(demo::parse_epoch).transpose()?;
    demo::ensure(&dir, epoch, args.rebuild)
}

/// Opens the explorer on the fleet, like `regscope oci:PATH`, shown as `demo`.
fn open_tui(target: &str) -> i32 {
    match super::explore::run_as(target, "demo") {
        Ok(code) => code,
        Err(e) => {
            eprintln!("regscope demo: {e:#}");
            1
        }
    }
}
