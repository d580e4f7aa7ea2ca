//! Runs a crawl and turns its events into UI messages off the UI thread: a repository's
//! images become a compact table (and weekly counts) here, and events are read in batches.

use crate::app::msg::{InventoryUpdate, Msg};
use crate::app::tasks::sessions::Opener;
use crate::app::views::fleet::state::Weekly;
use crate::app::views::images::table::ImageTable;
use crate::inventory::InventoryEvent;
use crate::model::{Image, RepositorySummary};
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

const BATCH: usize = 256;

pub fn weekly(images: &[Image]) -> Weekly {
    let week = |t: chrono::DateTime<chrono::Utc>| t.timestamp().div_euclid(7 * 86_400);
    let mut w = Weekly::new();
    for i in images {
        if let Some(c) = i.created_at {
            w.entry(week(c)).or_default().0 += 1;
        }
        if let Some(p) = i.pushed_at {
            w.entry(week(p)).or_default().1 += 1;
        }
    }
    w
}

/// Converts one inventory event.
pub fn convert(ev: InventoryEvent) -> InventoryUpdate {
    match ev {
        InventoryEvent::RepositoriesListed {
            registry,
            repositories,
        } => InventoryUpdate::Listed {
            registry,
            repositories,
        },
        InventoryEvent::RepositoryImages {
            registry,
            repository,
            images,
        } => {
            let summary = RepositorySummary::from_images(&registry, &repository, &images);
            let weekly = weekly(&images);
            let table = Arc::new(ImageTable::from_images(&registry, &repository, &images));
            InventoryUpdate::Loaded {
                registry,
                repository,
                table,
                summary,
                weekly,
            }
        }
        InventoryEvent::CachedSummaries {
            registry,
            summaries,
            as_of,
        } => InventoryUpdate::Summaries {
            registry,
            summaries,
            as_of,
        },
        InventoryEvent::Issue { registry, issue } => InventoryUpdate::Issue { registry, issue },
        InventoryEvent::Cached { registry, as_of } => InventoryUpdate::Cached { registry, as_of },
        InventoryEvent::Changes { registry, changes } => {
            InventoryUpdate::Changes { registry, changes }
        }
        InventoryEvent::History { registry, history } => InventoryUpdate::History {
            registry,
            history: Arc::new(history),
        },
        InventoryEvent::Progress {
            registry,
            repositories_done,
            repositories_total,
            stats,
        } => InventoryUpdate::Progress {
            registry,
            done: repositories_done,
            total: repositories_total,
            stats,
        },
        InventoryEvent::Finished {
            registry,
            stats,
            fatal,
        } => InventoryUpdate::Finished {
            registry,
            stats,
            fatal,
        },
    }
}

/// Reads `repositories` of one registry again, each through the session's own crawl
/// narrowed to it; each arrives as a loaded repository (or as the issue that stopped it).
pub async fn reread(registry: Opener, repositories: Vec<String>, ui: mpsc::UnboundedSender<Msg>) {
    let session = registry.session().await;
    let name = session.name();
    for repository in repositories {
        let msgs: Vec<InventoryEvent> = match session.crawl_repository(&repository).await {
            Ok(read) => {
                let registry = read.registry;
                read.issues
                    .into_iter()
                    .map(|issue| InventoryEvent::Issue {
                        registry: registry.clone(),
                        issue,
                    })
                    .chain(read.images.map(|images| InventoryEvent::RepositoryImages {
                        registry: registry.clone(),
                        repository: repository.clone(),
                        images,
                    }))
                    .collect()
            }
            Err(fatal) => vec![InventoryEvent::Issue {
                registry: name.clone(),
                issue: crate::model::InventoryIssue::new(
                    Some(&repository),
                    None,
                    format!("could not read {repository} again: {fatal}"),
                )
                .with_next_step("ctrl-r crawls the registry again"),
            }],
        };
        for ev in msgs {
            if ui.send(Msg::Inventory(convert(ev))).is_err() {
                return;
            }
        }
    }
}

/// The one warning of a store this process cannot use: on the status line at once, and
/// kept in the errors list as an issue of the registry whose crawl met it.
fn store_warning(ui: &mpsc::UnboundedSender<Msg>, registry: &str, warning: String) {
    // The message already says what happens and what to do (see store::StoreError).
    let issue = crate::model::InventoryIssue::new(None, None, format!("warning: {warning}"));
    let _ = ui.send(Msg::Flash {
        text: format!("warning: {warning}"),
        error: true,
    });
    let _ = ui.send(Msg::Inventory(InventoryUpdate::Issue {
        registry: registry.to_string(),
        issue,
    }));
}

/// Starts crawling one registry (opening its session first, and saying its kind); returns
/// the crawl and the converter tasks.
pub fn spawn(registry: Opener, ui: mpsc::UnboundedSender<Msg>) -> Vec<JoinHandle<()>> {
    let (tx, mut rx) = mpsc::channel::<InventoryEvent>(1024);
    let name = registry.settings.name.clone();
    let opened = ui.clone();
    let crawl = tokio::spawn(async move {
        let session = registry.session().await;
        let _ = opened.send(Msg::Inventory(InventoryUpdate::Opened {
            registry: registry.settings.name.clone(),
            kind: session.kind(),
        }));
        // The last known inventory at once, then the refresh in place. A store that
        // cannot be used (corrupt, locked, newer) is said once, on screen and in the
        // errors list; the screen then works from the registry alone.
        let (opts, warning) = session.stored_crawl_options(true);
        if let Some(warning) = warning {
            store_warning(&opened, &registry.settings.name, warning);
        }
        session.crawl(&opts, tx).await
    });
    let convert_task = tokio::spawn(async move {
        let mut buf = Vec::with_capacity(BATCH);
        let mut finished = false;
        while rx.recv_many(&mut buf, BATCH).await > 0 {
            for ev in buf.drain(..) {
                finished |= matches!(ev, InventoryEvent::Finished { .. });
                let msg = Msg::Inventory(convert(ev));
                if ui.send(msg).is_err() {
                    return;
                }
            }
        }
        if !finished {
            // The crawl ended without saying so (it panicked or was cut off).
            let _ = ui.send(Msg::Inventory(InventoryUpdate::Finished {
                registry: name,
                stats: Default::default(),
                fatal: Some("the crawl stopped unexpectedly (see the log)".into()),
            }));
        }
    });
    vec![crawl, convert_task]
}
