//! The app's port to the engine: open a registry (a `session::Session`, which crawls,
//! reads findings, policies and deletion targets) and run the doctor. Production wires it
//! to `crate::session` (`engine.rs`); tests plug in sessions over fakes
//! (`Session::with_driver`) without a network.

use crate::config::RegistrySettings;
use crate::registry::Target;
use crate::session::Session;
use futures::future::BoxFuture;

pub trait Backend: Send + Sync + 'static {
    /// Opens one registry: its kind settled (config, address, probe), its source and
    /// clients ready to be built on first use.
    fn open(&self, target: Target, settings: RegistrySettings) -> BoxFuture<'static, Session>;

    /// Walks the pull path of `reference` (`doctor::diagnose`, the engine behind
    /// `regscope doctor`), telling `progress` about each step as it completes.
    fn doctor(
        &self,
        reference: crate::registry::Reference,
        options: crate::doctor::DoctorOptions,
        progress: Box<dyn Fn(&crate::doctor::Step) + Send + Sync>,
    ) -> BoxFuture<'static, crate::doctor::Report>;
}
