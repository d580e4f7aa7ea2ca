//! Where effects become work: crawls, the filter worker, detail fetches (latest wins,
//! debounced), the clipboard. Results come back to the loop as [`Msg`]s.

pub mod audit;
pub mod clipboard;
pub mod compare;
pub mod delete;
pub mod detail;
pub mod doctor;
pub mod filter;
pub mod findings;
pub mod inventory;
pub mod layers;
pub mod plan;
pub mod sessions;
pub mod sweep;

use super::backend::Backend;
use super::effect::Effect;
use super::msg::{InventoryUpdate, Msg};
use crate::config::RegistrySettings;
use crate::registry::{RegistryError, Target};
use sessions::Opener;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

/// Moving fast through the list should not fetch every image passed over.
const DETAIL_DEBOUNCE: Duration = Duration::from_millis(80);

/// What the loop must do to the terminal itself.
#[derive(Debug, PartialEq, Eq)]
pub enum TerminalOp {
    Mouse(bool),
}

pub struct Runner {
    backend: Arc<dyn Backend>,
    /// One per registry of the fleet, by index.
    registries: Vec<Opener>,
    tx: UnboundedSender<Msg>,
    filter: filter::FilterWorker,
    crawls: Vec<JoinHandle<()>>,
    detail: Option<(JoinHandle<()>, String)>,
    layers: Option<(JoinHandle<()>, String)>,
    plan: Option<JoinHandle<()>>,
    doctor: Option<JoinHandle<()>>,
    findings: Option<(JoinHandle<()>, String)>,
    /// The fleet query's sweep and the visible rows' sweep (latest wins, each).
    sweeps: [Option<JoinHandle<()>>; 2],
    audit: Option<JoinHandle<()>>,
}

impl Runner {
    pub fn new(
        backend: Arc<dyn Backend>,
        targets: Vec<(Target, RegistrySettings)>,
        tx: UnboundedSender<Msg>,
    ) -> Self {
        let ftx = tx.clone();
        let filter = filter::FilterWorker::spawn(move |generation, view| {
            let _ = ftx.send(Msg::ViewReady { generation, view });
        });
        let registries = targets
            .into_iter()
            .map(|(t, s)| Opener::new(backend.clone(), t, s))
            .collect();
        Runner {
            backend,
            registries,
            tx,
            filter,
            crawls: Vec::new(),
            detail: None,
            layers: None,
            plan: None,
            doctor: None,
            findings: None,
            sweeps: [None, None],
            audit: None,
        }
    }

    pub fn start_crawls(&mut self) {
        for h in self.crawls.drain(..) {
            h.abort();
        }
        for r in &self.registries {
            let _ = self.tx.send(Msg::Inventory(InventoryUpdate::Restarted {
                registry: r.settings.name.clone(),
            }));
            self.crawls
                .extend(inventory::spawn(r.clone(), self.tx.clone()));
        }
    }

    pub fn run(&mut self, effect: Effect) -> Option<TerminalOp> {
        match effect {
            Effect::ComputeView(req) => self.filter.submit(req),
            Effect::FetchDetail(req) => self.fetch_detail(req),
            Effect::Copy(text) => {
                tokio::spawn(clipboard::copy(text, self.tx.clone()));
            }
            Effect::SetMouse(on) => return Some(TerminalOp::Mouse(on)),
            Effect::Refresh => self.start_crawls(),
            Effect::RefreshRepositories {
                registry,
                repositories,
            } => {
                if let Ok(opener) = self.opener(registry) {
                    tokio::spawn(inventory::reread(opener, repositories, self.tx.clone()));
                }
            }
            Effect::EvaluatePlan(req) => self.evaluate_plan(req),
            Effect::Doctor(req) => self.doctor(req),
            Effect::DeletePlan(req) => {
                // Not aborted by a newer request: a deletion runs to its end, audited.
                let opener = self.opener(req.registry);
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let writer = match opener {
                        Ok(o) => o
                            .session()
                            .await
                            .deletion_target()
                            .await
                            .map_err(|e| format!("{e} ({})", e.next_step())),
                        Err(e) => Err(e),
                    };
                    delete::run(writer, req, move |ev| {
                        let _ = tx.send(Msg::Delete(ev));
                    })
                    .await
                });
            }
            Effect::FetchFindings(req) => self.fetch_findings(req),
            Effect::SweepFindings(req) => self.sweep(req),
            Effect::MergeScans(req) => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let new = sweep::merge(&req);
                    let _ = tx.send(Msg::ScansMerged {
                        old: req.table,
                        new,
                    });
                });
            }
            Effect::AnalyzeLayers(req) => self.analyze_layers(req),
            Effect::Audit(req) => self.audit(req),
            Effect::Compare(req) => {
                let (oa, ob) = (self.opener(req.a.registry), self.opener(req.b.registry));
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let open = |o: Result<Opener, String>| async move {
                        match o {
                            Ok(o) => o.session().await.source().map_err(|e| e.to_string()),
                            Err(e) => Err(e),
                        }
                    };
                    let r = match (open(oa).await, open(ob).await) {
                        (Ok(a), Ok(b)) => compare::run_diff(a, b, &req).await,
                        (Err(e), _) | (_, Err(e)) => compare::DiffResult {
                            ticket: req.ticket,
                            outcome: Err(e),
                        },
                    };
                    let _ = tx.send(Msg::Compared(r));
                });
            }
            Effect::ReadFile(req) => {
                let opener = self.opener(req.registry);
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let source = match opener {
                        Ok(o) => o.session().await.source().map_err(|e| e.to_string()),
                        Err(e) => Err(e),
                    };
                    let r = match source {
                        Ok(src) => compare::run_file(src, &req).await,
                        Err(e) => compare::FileResult {
                            ticket: req.ticket,
                            outcome: Err(e),
                        },
                    };
                    let _ = tx.send(Msg::FileRead(r));
                });
            }
            Effect::ExportPlan(plan) => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let dir = crate::paths::Paths::discover().plans_dir();
                    let r = plan::export(&plan, &dir, chrono::Utc::now());
                    let _ = tx.send(Msg::PlanExported(r));
                });
            }
        }
        None
    }

    fn opener(&self, registry: usize) -> Result<Opener, String> {
        self.registries
            .get(registry)
            .cloned()
            .ok_or_else(|| format!("no registry #{registry}"))
    }

    /// Latest wins: moving to another image abandons the previous analysis (layers already
    /// indexed stay in the on-disk cache, so coming back is quick).
    fn analyze_layers(&mut self, req: layers::LayersRequest) {
        if let Some((h, digest)) = self.layers.take() {
            if !h.is_finished() {
                h.abort();
                let _ = self.tx.send(Msg::LayersAbandoned(digest));
            }
        }
        let tx = self.tx.clone();
        let digest = req.digest.to_string();
        let opener = self.opener(req.registry);
        let handle = tokio::spawn(async move {
            let source = match opener {
                Ok(o) => o.session().await.source().map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            match source {
                Ok(src) => layers::run(src, req, tx).await,
                Err(why) => {
                    let _ = tx.send(Msg::Layers(layers::LayersResult {
                        ticket: req.ticket,
                        digest: req.digest.clone(),
                        outcome: Err(why),
                    }));
                }
            }
        });
        self.layers = Some((handle, digest));
    }

    /// Latest wins, like detail fetches: moving on abandons the previous image's findings.
    fn fetch_findings(&mut self, req: findings::FindingsRequest) {
        if let Some((h, digest)) = self.findings.take() {
            if !h.is_finished() {
                h.abort();
                let _ = self.tx.send(Msg::FindingsAbandoned(digest));
            }
        }
        let tx = self.tx.clone();
        let digest = req.digest.to_string();
        let opener = self.opener(req.registry);
        let handle = tokio::spawn(async move {
            tokio::time::sleep(DETAIL_DEBOUNCE).await;
            let outcome = match opener {
                Ok(o) => findings::fetch(&o.session().await, &req)
                    .await
                    .map(Arc::new),
                Err(e) => Err(e),
            };
            let _ = tx.send(Msg::Findings(findings::FindingsResult {
                ticket: req.ticket,
                digest: req.digest.clone(),
                outcome,
            }));
        });
        self.findings = Some((handle, digest));
    }

    /// Latest wins per kind: a new fleet query stops the last one's fetches (answers that
    /// arrived stay cached), and so does a new set of visible rows.
    fn sweep(&mut self, req: sweep::SweepRequest) {
        let slot = match req.kind {
            sweep::SweepKind::Fleet => 0,
            sweep::SweepKind::Visible => 1,
        };
        if let Some(h) = self.sweeps[slot].take() {
            h.abort();
        }
        let run = sweep::run(self.registries.clone(), req, self.tx.clone());
        self.sweeps[slot] = Some(tokio::spawn(run));
    }

    /// Latest wins: a new audit replaces one still reading settings.
    fn audit(&mut self, req: audit::AuditRequest) {
        if let Some(h) = self.audit.take() {
            h.abort();
        }
        let tx = self.tx.clone();
        let opener = self.opener(req.registry);
        self.audit = Some(tokio::spawn(async move {
            let result = match opener {
                Ok(o) => audit::run(&o.session().await, &req).await,
                Err(e) => audit::AuditResult {
                    ticket: req.ticket,
                    outcome: Err(e),
                },
            };
            let _ = tx.send(Msg::Audit(result));
        }));
    }

    /// One doctor run at a time: a new one replaces the last.
    fn doctor(&mut self, req: doctor::DoctorRequest) {
        if let Some(h) = self.doctor.take() {
            h.abort();
        }
        let settings = req
            .registry
            .and_then(|i| self.registries.get(i))
            .map(|r| r.settings.clone());
        let options = crate::doctor::DoctorOptions {
            platform: req.platform.clone(),
            settings,
            ..Default::default()
        };
        let tx = self.tx.clone();
        let steps = self.tx.clone();
        let ticket = req.ticket;
        let run = self.backend.doctor(
            req.reference,
            options,
            Box::new(move |step: &crate::doctor::Step| {
                let _ = steps.send(Msg::Doctor(doctor::DoctorEvent::Step {
                    ticket,
                    step: step.clone(),
                }));
            }),
        );
        self.doctor = Some(tokio::spawn(async move {
            let report = run.await;
            let _ = tx.send(Msg::Doctor(doctor::DoctorEvent::Done { ticket, report }));
        }));
    }

    /// Latest wins: a plan re-dated before the last evaluation finished replaces it.
    fn evaluate_plan(&mut self, req: plan::PlanRequest) {
        if let Some(h) = self.plan.take() {
            h.abort();
        }
        let tx = self.tx.clone();
        let policy = match (&req.spec, &req.prepared, self.registries.get(req.registry)) {
            (plan::PlanSpec::RepositoryPolicy(repo), None, Some(r)) => {
                Some((r.clone(), repo.clone()))
            }
            _ => None,
        };
        self.plan = Some(tokio::spawn(async move {
            let text = match policy {
                Some((r, repo)) => match r.session().await.own_policy(&repo).await {
                    Ok(t) => t.map(|p| p.text),
                    Err(e) => {
                        let _ = tx.send(Msg::Plan(plan::PlanResult {
                            ticket: req.ticket,
                            outcome: Err(format!("cannot read the lifecycle policy: {e}")),
                        }));
                        return;
                    }
                },
                None => None,
            };
            if let Ok(r) = tokio::task::spawn_blocking(move || plan::run(&req, text)).await {
                let _ = tx.send(Msg::Plan(r));
            }
        }));
    }

    fn fetch_detail(&mut self, req: detail::DetailRequest) {
        if let Some((h, digest)) = self.detail.take() {
            if !h.is_finished() {
                h.abort();
                let _ = self.tx.send(Msg::DetailAbandoned(digest));
            }
        }
        let tx = self.tx.clone();
        let digest = req.digest.clone();
        let opener = self.opener(req.registry);
        let registry_name = opener
            .as_ref()
            .map(|o| o.settings.name.clone())
            .unwrap_or_default();
        let handle = tokio::spawn(async move {
            tokio::time::sleep(DETAIL_DEBOUNCE).await;
            let source = match opener {
                Ok(o) => o.session().await.source().map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            let outcome = match source {
                Ok(src) => detail::fetch(src, &req).await.map(Arc::new),
                Err(why) => Err(RegistryError::Other {
                    place: crate::registry::Place {
                        registry: registry_name,
                        repository: Some(req.repository.clone()),
                        reference: Some(req.digest.to_string()),
                    },
                    detail: why,
                }),
            };
            let _ = tx.send(Msg::Detail(detail::DetailResult {
                ticket: req.ticket,
                digest: req.digest.clone(),
                outcome,
            }));
        });
        self.detail = Some((handle, digest.to_string()));
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        for h in self.crawls.drain(..) {
            h.abort();
        }
        if let Some((h, _)) = self.detail.take() {
            h.abort();
        }
        if let Some((h, _)) = self.layers.take() {
            h.abort();
        }
        if let Some(h) = self.plan.take() {
            h.abort();
        }
        if let Some(h) = self.doctor.take() {
            h.abort();
        }
        for h in self.sweeps.iter_mut().filter_map(Option::take) {
            h.abort();
        }
    }
}
