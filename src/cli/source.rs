//! What every command needs before it talks to a registry: the `[[registry]]` entry the
//! config file holds for it (kind, CA file, `insecure`, concurrency, profile, `read_only`),
//! found by the entry's name or by address, and the registry's session
//! (`session::open`) opened with it. One lookup, so a registry's name and settings work
//! for every command alike (`regscope images prod`, `regscope inspect prod/team/api:1`).

use crate::config::{RegistryConfig, RegistrySettings};
use crate::registry::{Reference, Target};
use crate::session::Session;

/// The config entry for `registry` (a target as typed, a registry name, or a host), else the
/// defaults for it. Problems with the config file are printed as warnings; the command goes on
/// with the defaults, as a broken config must never stop a read-only command.
pub fn settings_for(registry: &str) -> RegistrySettings {
    settings_for_any(&[registry])
}

/// As [`settings_for`], trying each name in turn (`docker.io`, then its API host); the
/// defaults are for the first.
pub fn settings_for_any(names: &[&str]) -> RegistrySettings {
    let cfg = config();
    let settings = names
        .iter()
        .find_map(|n| cfg.find(n))
        .unwrap_or_else(|| RegistrySettings::for_address(names.first().copied().unwrap_or("")));
    super::flags::apply(settings)
}

/// The config file, read once per run: a command resolves several names through it, and
/// a broken file is one warning, not one per lookup.
fn config() -> &'static RegistryConfig {
    static CONFIG: std::sync::OnceLock<RegistryConfig> = std::sync::OnceLock::new();
    CONFIG.get_or_init(|| {
        let cfg = RegistryConfig::discover();
        for p in &cfg.problems {
            eprintln!("regscope: warning: {p}");
        }
        cfg
    })
}

/// `NAME` or `NAME/REST` for a `[[registry]]` entry named NAME: its address with REST
/// appended, and the entry. `None` when `arg` does not start with an entry's name.
fn by_name(arg: &str) -> Option<(String, RegistrySettings)> {
    let cfg = config();
    let arg = arg.trim();
    cfg.registries.iter().find_map(|r| {
        let rest = arg.strip_prefix(r.name.as_str())?;
        let rest = match rest {
            "" => "",
            _ => rest.strip_prefix('/')?,
        };
        // An entry named like its own address needs no rewriting.
        let address = if r.name == r.address || rest.is_empty() {
            r.address.clone()
        } else {
            format!("{}/{rest}", r.address.trim_end_matches('/'))
        };
        Some((address, super::flags::apply(r.clone())))
    })
}

/// A TARGET argument (`HOST[/PREFIX]`, `ecr://...`, `oci:DIR`, or a `[[registry]]` name,
/// optionally `NAME/PREFIX`) as a target and the settings that go with it.
pub fn resolve_target(arg: &str) -> Result<(Target, RegistrySettings), String> {
    if let Some((address, settings)) = by_name(arg) {
        let t = Target::parse(&address).map_err(|e| format!("registry {arg:?}: {e}"))?;
        return Ok((t, settings));
    }
    let t = Target::parse(arg).map_err(|e| format!("invalid target {arg:?}: {e}"))?;
    Ok((t, settings_for(arg)))
}

/// An image REFERENCE argument, where the registry part may be a `[[registry]]` name
/// (`prod/team/api:1.2`), as a reference and its registry's settings.
pub fn resolve_reference(arg: &str) -> Result<(Reference, RegistrySettings), String> {
    if let Some((address, settings)) = by_name(arg) {
        let r = Reference::parse(&address).map_err(|e| e.to_string())?;
        return Ok((r, settings));
    }
    let r = Reference::parse(arg).map_err(|e| e.to_string())?;
    let settings = settings_for_any(&[&r.registry, &r.target.display_name()]);
    Ok((r, settings))
}

/// Opens a TARGET argument's registry (see [`resolve_target`]).
pub async fn open_target(arg: &str) -> Result<Session, String> {
    let (t, s) = resolve_target(arg)?;
    Ok(crate::session::open(&t, &s).await)
}

/// Opens the registry of a reference with its settings.
pub async fn open_reference(r: &Reference, settings: &RegistrySettings) -> Session {
    crate::session::open(&r.target, settings).await
}

/// Says, once, that what the command is about to read counts as a pull in this registry.
pub fn note_opening(session: &Session) {
    if super::flags::quiet() {
        return;
    }
    if let Some(note) = session.opening_note() {
        eprintln!("note: {note}");
    }
}

/// `registry NAME: KIND` for `--verbose`.
pub fn kind_line(session: &Session) -> String {
    format!(
        "regscope: registry {}: kind {}",
        session.name(),
        session.kind()
    )
}

/// For commands that read one image's manifests (inspect, layers): the reference resolved,
/// its registry opened, the note said once where reading counts as a pull, and the source.
pub async fn open_for_reading(
    arg: &str,
) -> Result<
    (
        Reference,
        Session,
        std::sync::Arc<dyn crate::registry::ManifestSource>,
    ),
    OpenError,
> {
    let (mut r, settings) = resolve_reference(arg).map_err(OpenError::Usage)?;
    let session = open_reference(&r, &settings).await;
    note_opening(&session);
    let source = session.source().map_err(OpenError::Registry)?;
    resolve_short_digest(&session, &mut r).await?;
    Ok((r, session, source))
}

/// A short digest in `r` (`REF@sha256:0a8b13f7`) made full through the engine: an
/// ambiguous one is the command line's fault (exit 2: type more of it), one that names
/// nothing is an unknown image (exit 1), as a full digest that is not there would be.
pub async fn resolve_short_digest(session: &Session, r: &mut Reference) -> Result<(), OpenError> {
    use crate::model::digest_prefix::ShortDigestError;
    match session.resolve_short_digest(r).await {
        Ok(()) => Ok(()),
        Err(e @ ShortDigestError::Ambiguous { .. }) => Err(OpenError::Usage(e.to_string())),
        Err(e) => Err(OpenError::Unresolved(e.to_string())),
    }
}

/// Why a command could not open what it was given.
#[derive(Debug)]
pub enum OpenError {
    /// The argument itself is wrong (exit 2).
    Usage(String),
    Registry(crate::registry::RegistryError),
    /// A short digest that names no digest of the repository, or whose repository could
    /// not be listed (exit 1).
    Unresolved(String),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Usage(e) | OpenError::Unresolved(e) => f.write_str(e),
            OpenError::Registry(e) => write!(f, "{e} ({})", e.next_step()),
        }
    }
}
