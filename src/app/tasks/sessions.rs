//! One session per registry of the fleet, opened on first use by whichever task needs it
//! first (opening may probe the registry) and shared by every task after: the crawl, detail
//! and layer fetches, findings sweeps, plans and deletions all talk to the same source and
//! API clients.

use crate::app::backend::Backend;
use crate::config::RegistrySettings;
use crate::registry::Target;
use crate::session::Session;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// Opens one registry's session once; cheap to clone into tasks.
#[derive(Clone)]
pub struct Opener {
    backend: Arc<dyn Backend>,
    pub target: Target,
    pub settings: RegistrySettings,
    cell: Arc<OnceCell<Session>>,
}

impl Opener {
    pub fn new(backend: Arc<dyn Backend>, target: Target, settings: RegistrySettings) -> Self {
        Opener {
            backend,
            target,
            settings,
            cell: Arc::new(OnceCell::new()),
        }
    }

    /// The registry's session, opened now if no task opened it yet.
    pub async fn session(&self) -> Session {
        self.cell
            .get_or_init(|| {
                self.backend
                    .open(self.target.clone(), self.settings.clone())
            })
            .await
            .clone()
    }
}
