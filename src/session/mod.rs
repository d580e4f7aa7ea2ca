//! The front door to one registry. [`open`] settles the registry's [`Kind`] (the config's
//! `kind`, else the address, else a probe) and returns a [`Session`] that owns the
//! registry's source, API clients and caches, and offers what both front ends need:
//! crawl, findings, the registry's own lifecycle policy, deletion and restore targets,
//! and [`Caps`], pure facts about the kind. `app/` and `cli/` call this and never name a
//! kind; what a kind does differently lives in its [`Driver`] (`session/<kind>.rs`).

mod access_settings;
mod acr;
mod caps;
mod dockerhub;
pub mod driver;
mod ecr;
mod ecr_drift;
mod ecr_settings;
mod gar;
mod gar_settings;
mod ghcr;
mod harbor;
mod harbor_settings;
mod kind;
pub mod plan;
pub mod probe;
pub mod settings;
mod short_digest;

pub use caps::Caps;
pub use driver::{Driver, FindingsQuery, OwnPolicy};
pub use kind::Kind;
pub use settings::{RepoSettings, Setting};
pub use short_digest::known_in;

use crate::config::RegistrySettings;
use crate::inventory::{CrawlOptions, InventoryEvent};
use crate::policy::execute::DeletionTarget;
use crate::policy::restore::RestoreTarget;
use crate::registry::{ManifestSource, Place, RegistryError, Target};
use crate::scan::ImageFindings;
use std::sync::{Arc, OnceLock};
use tokio::sync::mpsc::Sender;

/// One repository read again by [`Session::crawl_repository`].
#[derive(Debug)]
pub struct RepositoryRead {
    /// The registry as its inventory events name it.
    pub registry: String,
    /// `None` when the registry no longer lists the repository.
    pub images: Option<Vec<crate::model::Image>>,
    pub issues: Vec<crate::model::InventoryIssue>,
}

/// One registry, opened. Cheap to clone; clones share the source, clients and caches.
#[derive(Clone)]
pub struct Session(Arc<Inner>);

struct Inner {
    target: Target,
    settings: RegistrySettings,
    kind: Kind,
    driver: Arc<dyn Driver>,
    source: OnceLock<Result<Arc<dyn ManifestSource>, RegistryError>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("target", &self.0.target)
            .field("kind", &self.0.kind)
            .finish_non_exhaustive()
    }
}

/// Opens `target` with its settings. Never fails: a registry that cannot be reached or
/// read says so on first use (the crawl's `fatal`, a findings error), with its own words.
/// Probes the registry only when neither the settings nor the address tell its kind.
pub async fn open(target: &Target, settings: &RegistrySettings) -> Session {
    let kind = match settings.kind.filter(|k| k.fits(target).is_ok()) {
        Some(k) => k,
        None => match (Kind::from_address(target), target) {
            (Some(k), _) => k,
            (None, Target::Distribution { host, .. }) => probe::probe(host, settings).await,
            (None, _) => Kind::Distribution,
        },
    };
    Session::with_kind(target, settings, kind)
}

/// The kind `open` would use without probing: the settings' `kind`, else the address's,
/// else `Distribution`. What a front end shows before the session is open.
pub fn kind_without_probe(target: &Target, settings: &RegistrySettings) -> Kind {
    settings
        .kind
        .filter(|k| k.fits(target).is_ok())
        .or_else(|| Kind::from_address(target))
        .unwrap_or(Kind::Distribution)
}

/// The kind the address alone says, else plain OCI (no settings, no probe).
pub fn kind_of_address(target: &Target) -> Kind {
    Kind::from_address(target).unwrap_or(Kind::Distribution)
}

/// The driver of `kind`: its native one where it has landed, else plain OCI.
fn driver_for(kind: Kind) -> Arc<dyn Driver> {
    match kind {
        Kind::Ecr => Arc::new(ecr::Ecr::default()),
        Kind::Harbor => Arc::new(harbor::Harbor::default()),
        Kind::Acr => Arc::new(acr::Acr::default()),
        Kind::Gar => Arc::new(gar::Gar::default()),
        Kind::DockerHub => Arc::new(dockerhub::DockerHub::default()),
        Kind::Ghcr => Arc::new(ghcr::Ghcr::default()),
        Kind::Distribution | Kind::Layout => Arc::new(driver::Oci),
    }
}

impl Session {
    /// A session of a known kind, without probing.
    pub fn with_kind(target: &Target, settings: &RegistrySettings, kind: Kind) -> Session {
        Session::with_driver(target, settings, kind, driver_for(kind))
    }

    /// A session whose kind-specific work is done by `driver` (tests plug fakes in here).
    pub fn with_driver(
        target: &Target,
        settings: &RegistrySettings,
        kind: Kind,
        driver: Arc<dyn Driver>,
    ) -> Session {
        Session(Arc::new(Inner {
            target: target.clone(),
            settings: settings.clone(),
            kind,
            driver,
            source: OnceLock::new(),
        }))
    }

    /// A session over an already opened source, as plain OCI (tests and benchmarks that
    /// hold a source; the session's source is `source`).
    pub fn with_source(
        target: &Target,
        settings: &RegistrySettings,
        kind: Kind,
        source: Arc<dyn ManifestSource>,
    ) -> Session {
        let s = Session::with_driver(target, settings, kind, Arc::new(driver::Oci));
        let _ = s.0.source.set(Ok(source));
        s
    }

    pub fn target(&self) -> &Target {
        &self.0.target
    }
    pub fn settings(&self) -> &RegistrySettings {
        &self.0.settings
    }
    pub fn kind(&self) -> Kind {
        self.0.kind
    }
    pub fn caps(&self) -> Caps {
        self.0.kind.caps()
    }
    /// The registry's name as inventories and errors show it.
    pub fn name(&self) -> String {
        self.0.target.display_name()
    }

    /// Where in this registry, for errors.
    pub fn place(&self, repository: Option<&str>) -> Place {
        Place {
            registry: self.name(),
            repository: repository.map(str::to_string),
            reference: None,
        }
    }

    /// The sentence to show before opening an image where reading its manifest counts as
    /// a pull; `None` where reading is free.
    pub fn opening_note(&self) -> Option<String> {
        self.caps().opening_note(self.kind())
    }

    /// Manifests and blobs of this registry (opened once, shared by every caller).
    pub fn source(&self) -> Result<Arc<dyn ManifestSource>, RegistryError> {
        self.0
            .source
            .get_or_init(|| self.0.driver.open_source(self))
            .clone()
    }

    /// How a crawl of this registry behaves by default (HEAD first where GETs are metered).
    pub fn crawl_options(&self) -> CrawlOptions {
        let mut o = CrawlOptions::for_settings(&self.0.target, &self.0.settings);
        o.head_first = self.caps().meters_gets;
        o
    }

    /// [`Session::crawl_options`] reading through the local store (every front end's
    /// crawl): `show_cached` asks for the last known inventory first (the TUI). The second
    /// value is the one warning to show when the store cannot be used (corrupt, locked,
    /// newer), returned once per process; the crawl then goes without it.
    pub fn stored_crawl_options(&self, show_cached: bool) -> (CrawlOptions, Option<String>) {
        let mut o = self.crawl_options();
        let (store, warning) = crate::store::open_for_run();
        o.show_cached = show_cached && store.is_some();
        o.store = store;
        (o, warning)
    }

    /// Crawls the registry into `tx` until `InventoryEvent::Finished`; with `opts.store`,
    /// through the store (which records the inventory, tags and a snapshot).
    pub async fn crawl(&self, opts: &CrawlOptions, tx: Sender<InventoryEvent>) {
        match &opts.store {
            Some(store) => crate::inventory::cached::run(self, opts, store.clone(), tx).await,
            None => self.0.driver.crawl(self, opts, tx).await,
        }
    }

    /// The driver's crawl alone (the store's wrapper calls it; a store in `opts` is only
    /// read through by drivers that read manifests).
    pub(crate) async fn crawl_uncached(&self, opts: &CrawlOptions, tx: Sender<InventoryEvent>) {
        self.0.driver.crawl(self, opts, tx).await
    }

    /// Reads one repository again (after a deletion, or when asked): this kind's own
    /// crawl narrowed to the repository, without the store (a partial crawl is not an
    /// inventory of the registry). The repository's images (`None` when the registry no
    /// longer lists it) and the issues met on the way; `Err` when the crawl could not run.
    pub async fn crawl_repository(&self, repository: &str) -> Result<RepositoryRead, String> {
        let mut narrow = self.0.target.clone();
        match &mut narrow {
            Target::Distribution { prefix, .. }
            | Target::Ecr { prefix, .. }
            | Target::Layout { prefix, .. } => *prefix = Some(repository.to_string()),
        }
        let session = Session::with_kind(&narrow, &self.0.settings, self.0.kind);
        let (tx, mut rx) = tokio::sync::mpsc::channel(64);
        let opts = session.crawl_options();
        let crawl = async move { session.crawl(&opts, tx).await };
        let gather = async {
            let mut read = RepositoryRead {
                registry: self.name(),
                images: None,
                issues: Vec::new(),
            };
            let mut fatal = None;
            while let Some(ev) = rx.recv().await {
                match ev {
                    // A kind that cannot narrow (it lists every repository) is read
                    // whole; only this repository is kept.
                    InventoryEvent::RepositoryImages {
                        registry,
                        repository: r,
                        images,
                    } if r == repository => {
                        // The name the registry's events use (what the front end keys on).
                        read.registry = registry;
                        read.images = Some(images);
                    }
                    InventoryEvent::Issue { issue, .. }
                        if issue.repository.as_deref().is_none_or(|r| r == repository) =>
                    {
                        read.issues.push(issue)
                    }
                    InventoryEvent::Finished { fatal: f, .. } => fatal = f,
                    _ => {}
                }
            }
            (read, fatal)
        };
        let ((), (read, fatal)) = tokio::join!(crawl, gather);
        match fatal {
            Some(f) => Err(f),
            None => Ok(read),
        }
    }

    /// One image's vulnerability findings, the same document for every front end.
    pub async fn findings(&self, q: &FindingsQuery) -> Result<ImageFindings, RegistryError> {
        self.0.driver.findings(self, q).await
    }

    /// The lifecycle policy the registry keeps for `repository`: `Ok(None)` when it keeps
    /// none there, or when this kind keeps no policies at all.
    /// What the registry keeps about `repositories` beside their images, one line each.
    pub async fn facts(&self, repositories: &[String]) -> Result<Vec<String>, RegistryError> {
        self.0.driver.facts(self, repositories).await
    }

    pub async fn own_policy(&self, repository: &str) -> Result<Option<OwnPolicy>, RegistryError> {
        if self.caps().own_policy.is_none() {
            return Ok(None);
        }
        self.0.driver.own_policy(self, repository).await
    }

    /// What the registry keeps about `repository` beside its images (scanning, tag
    /// immutability, lifecycle, access, replication), for `regscope audit`.
    pub async fn repo_settings(&self, repository: &str) -> Result<RepoSettings, RegistryError> {
        self.0.driver.repo_settings(self, repository).await
    }

    /// What a reviewed plan is deleted through. Refused for a `read_only` registry.
    pub async fn deletion_target(&self) -> Result<Arc<dyn DeletionTarget>, RegistryError> {
        self.refuse_if_read_only()?;
        self.0.driver.deletion_target(self).await
    }

    /// What `restore` writes through. Refused for a `read_only` registry.
    pub async fn restore_target(&self) -> Result<Arc<dyn RestoreTarget>, RegistryError> {
        self.refuse_if_read_only()?;
        self.0.driver.restore_target(self).await
    }

    fn refuse_if_read_only(&self) -> Result<(), RegistryError> {
        if self.0.settings.read_only {
            return Err(RegistryError::Refused {
                place: self.place(None),
                why: "the registry is marked read_only in the config".into(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
