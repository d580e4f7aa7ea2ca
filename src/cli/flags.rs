//! Flags that mean the same in every command (as in crane, regctl, skopeo and oras):
//! `--verbose`, `--quiet`, and for every command that talks to a registry `--ca-file` and
//! `--insecure`. They are parsed once in `cli::run` and read from here, so each command
//! needs no field of its own; a command that has always had its own `--verbose` keeps it
//! (clap gives the command's own flag precedence) and reads [`verbose`] as well.

use crate::config::RegistrySettings;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The global flags as parsed.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct GlobalFlags {
    /// Say more on stderr: the registry's kind, request counts, retries, rate limits.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
    /// Say less on stderr: no progress, no notes; errors and warnings still print.
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Extra PEM CA certificates (or a self-signed server certificate) to trust for the
    /// registry; overrides the config's `ca_file`.
    #[arg(long, value_name = "PEM", global = true)]
    pub ca_file: Option<PathBuf>,
    /// Allow plain HTTP and unverified TLS for the registry (as Docker's insecure-registries).
    #[arg(long, global = true)]
    pub insecure: bool,
}

static FLAGS: OnceLock<GlobalFlags> = OnceLock::new();

/// Records the flags of this run (first call wins; tests that never call it get defaults).
pub fn set(flags: GlobalFlags) {
    let _ = FLAGS.set(flags);
}

fn get() -> &'static GlobalFlags {
    FLAGS.get_or_init(GlobalFlags::default)
}

pub fn verbose() -> bool {
    get().verbose
}

pub fn quiet() -> bool {
    get().quiet
}

/// A registry's settings with `--ca-file` and `--insecure` applied over the config's.
pub fn apply(mut settings: RegistrySettings) -> RegistrySettings {
    let f = get();
    if let Some(ca) = &f.ca_file {
        settings.ca_file = Some(ca.clone());
    }
    settings.insecure |= f.insecure;
    settings
}
