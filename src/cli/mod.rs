//! The command line: clap definitions and one file per non-interactive command.
//!
//! Exit codes of every command (README "Exit codes"): 0 success, 1 the command failed
//! (registry unreachable or refusing, image not found, deletion refused or cancelled),
//! 2 bad usage (the command line or a file it names is wrong: `output::UsageError`),
//! 3 partial output (some items failed; each is reported on stderr). `doctor` exits 1
//! when the image cannot be pulled; `findings --fail-on` is a gate with its own 1 and 2;
//! `layers --ci` exits 1 when one of dive's rules fails.

pub mod audit;
pub mod cache;
pub mod cat;
pub mod completion;
mod crawl;
pub mod delete;
pub mod demo;
pub mod diff;
pub mod doctor;
mod examples;
pub mod explore;
pub mod findings;
pub mod findings_fleet;
pub mod flags;
pub mod history;
mod image_files;
pub mod images;
pub mod inspect;
pub mod layers;
mod layers_ci;
pub mod login;
pub mod output;
pub mod plan;
mod plan_render;
mod repo_list;
pub mod repos;
pub mod restore;
mod source;
mod words;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

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
    /// Read everything from the registries: neither read nor record the local store.
    #[arg(long, global = true)]
    pub no_cache: bool,
    #[command(flatten)]
    pub global: flags::GlobalFlags,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Preview a cleanup policy as a reviewable deletion plan.
    Plan(plan::PlanArgs),
    /// Carry out a reviewed deletion plan (typed confirmation, audit log).
    Delete(delete::DeleteArgs),
    /// Re-push what a deletion run removed, from its audit log.
    Restore(restore::RestoreArgs),
    /// What each layer of an image adds and removes, wasted bytes, efficiency.
    Layers(layers::LayersArgs),
    /// Write one file of an image's final filesystem to stdout, straight from the registry.
    Cat(cat::CatArgs),
    /// Compare two images: sizes, layers, files by directory, config, platforms, packages (SBOMs).
    Diff(diff::DiffArgs),
    /// Build a realistic demo fleet (first run only) and explore it.
    Demo(demo::DemoArgs),
    /// Repositories with image and tag counts, total and unique bytes.
    Repos(repos::ReposArgs),
    /// Every manifest of a registry (or of repositories under a prefix), with sizes.
    Images(images::ImagesArgs),
    /// One image or index in full: manifest, config, layers, platforms, referrers.
    Inspect(inspect::InspectArgs),
    /// Why can't this image be pulled? Walks the pull path and names the failing step.
    Doctor(doctor::DoctorArgs),
    /// An image's vulnerability findings, or which images contain a CVE.
    Findings(findings::FindingsArgs),
    /// How a registry grew: one snapshot per completed crawl (images, tags, bytes).
    History(history::HistoryArgs),
    /// Registry hygiene per repository: scanning, lifecycle, immutability, bytes, signatures.
    Audit(audit::AuditArgs),
    /// Manage the local store (prune what no inventory needs, or clear it).
    Cache(cache::CacheArgs),
    /// Log in to a registry: verify the password, then store it as Docker does.
    Login(login::LoginArgs),
    /// Remove a registry's stored credentials (Docker's config.json or its helper).
    Logout(login::LogoutArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completion(completion::CompletionArgs),
}

/// The whole command line as clap sees it, with every command's `Examples:`; what the
/// parser, completion scripts and man pages are made from.
pub fn command() -> clap::Command {
    examples::attach(Cli::command())
}

/// The names of the subcommands (for "did you mean").
fn command_names(cmd: &clap::Command) -> Vec<String> {
    cmd.get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_string())
        .collect()
}

/// Runs the command line; returns the process exit code.
pub fn run() -> i32 {
    // `--version` also says where config, data, cache and the log live (this machine's
    // paths, so not in `command()`, which man pages are generated from).
    let long_version: &'static str = Box::leak(explore::long_version().into_boxed_str());
    let cmd = command().long_version(long_version);
    let names = command_names(&cmd);
    let matches = cmd.get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if cli.no_cache {
        crate::store::disable();
    }
    flags::set(cli.global.clone());
    match cli.command {
        None => explore::run_checked(cli.targets, &names).unwrap_or_else(|e| {
            eprintln!("regscope: {e:#}");
            1
        }),
        Some(c) => {
            // The demo opens the TUI, which logs to a file; stderr logging would draw over it.
            if !matches!(c, Command::Demo(_)) {
                init_stderr_logging();
                crate::registry::credentials::on_warning(output::credential_warning);
            }
            let r = match c {
                Command::Plan(a) => plan::run(a),
                Command::Delete(a) => delete::run(a),
                Command::Restore(a) => restore::run(a),
                Command::Layers(a) => layers::run(a),
                Command::Cat(a) => cat::run(a),
                Command::Diff(a) => diff::run(a),
                Command::Demo(a) => demo::run(a),
                Command::Repos(a) => block_on(repos::run(a)),
                Command::Images(a) => block_on(images::run(a)),
                Command::Inspect(a) => block_on(inspect::run(a)),
                Command::Doctor(a) => block_on(doctor::run(a)),
                Command::Findings(a) => findings::run(a),
                Command::History(a) => history::run(a),
                Command::Audit(a) => block_on(audit::run(a)),
                Command::Cache(a) => cache::run(a),
                Command::Login(a) => login::run_login(a),
                Command::Logout(a) => login::run_logout(a),
                Command::Completion(a) => completion::run(a),
            };
            match r {
                Ok(code) => code,
                Err(e) => {
                    eprintln!("regscope: {e:#}");
                    output::exit_code_for(&e)
                }
            }
        }
    }
}

/// Runs an async command on a fresh multi-threaded runtime.
fn block_on(command: impl std::future::Future<Output = i32>) -> anyhow::Result<i32> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the async runtime: {e}"))?;
    Ok(rt.block_on(command))
}

/// Commands log to stderr, quiet unless `REGSCOPE_LOG` asks (e.g. `REGSCOPE_LOG=debug`).
fn init_stderr_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("REGSCOPE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
