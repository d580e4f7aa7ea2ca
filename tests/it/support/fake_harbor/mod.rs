//! A fake Harbor written from Harbor's published swagger (`api/v2.0/swagger.yaml`): it
//! answers `/api/v2.0` from its own metadata and passes `/v2/` through to a real
//! `docker-registry`, so manifests and blobs are real. Like Harbor, it learns artifacts
//! from the pushes it sees and records every manifest GET through `/v2` as a pull (a test
//! can prove a listing made none). See docs/decisions.md for why it is Rust in-process.

mod api;
pub mod scenario;
pub mod state;
mod v2;

use super::registry::TestRegistry;
use super::stub::{StubReply, StubServer};
use chrono::{DateTime, Utc};
use serde_json::Value;
use state::{Project, State};
use std::sync::{Arc, Mutex};

pub const ADMIN: (&str, &str) = ("admin", "Harbor12345");
pub const ROBOT: (&str, &str) = ("robot$ci", "robot-secret");

pub struct FakeHarbor {
    pub server: StubServer,
    /// `127.0.0.1:PORT`
    pub addr: String,
    pub state: Arc<Mutex<State>>,
    _registry: TestRegistry,
}

impl FakeHarbor {
    /// Starts a `docker-registry` and the fake in front of it, with the admin and one
    /// robot account. `None` (outside CI) when docker-registry is not installed.
    pub async fn start() -> Option<FakeHarbor> {
        let registry = TestRegistry::start()?;
        let backend = registry.addr.clone();
        let state = Arc::new(Mutex::new(State {
            users: vec![
                (ADMIN.0.into(), ADMIN.1.into()),
                (ROBOT.0.into(), ROBOT.1.into()),
            ],
            ..State::default()
        }));
        let http = reqwest::Client::new();
        let st = state.clone();
        let server = StubServer::start(move |req| {
            let (st, http, backend) = (st.clone(), http.clone(), backend.clone());
            async move {
                let path = req.path().to_string();
                if path.starts_with("/api/v2.0/") {
                    api::handle(&mut st.lock().unwrap(), &req)
                } else if path == "/service/token" {
                    v2::token(&st, &req)
                } else if path.starts_with("/v2/") || path == "/v2" {
                    v2::proxy(&st, &backend, &http, req).await
                } else {
                    StubReply::json(
                        404,
                        r#"{"errors":[{"code":"NOT_FOUND","message":"not found"}]}"#,
                    )
                }
            }
        })
        .await;
        Some(FakeHarbor {
            addr: server.addr.clone(),
            server,
            state,
            _registry: registry,
        })
    }

    /// A seeder pushing through the fake's `/v2` as the admin.
    pub fn seeder(&self) -> super::seed::Seeder {
        super::seed::Seeder::new(&format!("http://{}", self.addr)).with_basic(ADMIN.0, ADMIN.1)
    }

    pub fn add_project(&self, name: &str, public: bool, auto_scan: bool) {
        let mut st = self.state.lock().unwrap();
        let id = st.id();
        st.projects.push(Project {
            id,
            name: name.into(),
            public,
            auto_scan,
            retention: None,
            immutable: vec![],
            quota_hard: -1,
        });
    }

    fn project_mut<R>(&self, name: &str, f: impl FnOnce(&mut Project) -> R) -> R {
        let mut st = self.state.lock().unwrap();
        f(st.projects
            .iter_mut()
            .find(|p| p.name == name)
            .expect("project"))
    }

    /// Sets the project's retention policy (`rules` etc. as `POST /retentions` takes them).
    pub fn set_retention(&self, project: &str, mut policy: Value) {
        let id = self.state.lock().unwrap().id();
        self.project_mut(project, |p| {
            policy["id"] = Value::from(id);
            policy["scope"] = serde_json::json!({"level": "project", "ref": p.id});
            p.retention = Some((id, policy));
        });
    }

    pub fn add_immutable_rule(&self, project: &str, repo_pattern: &str, tag_pattern: &str) {
        self.project_mut(project, |p| {
            p.immutable.push((repo_pattern.into(), tag_pattern.into()))
        });
    }

    /// A replication policy between this Harbor ("Local", as Harbor shows itself: registry
    /// id 0) and the remote registry `remote` (name, URL): pushed there when `push`, pulled
    /// from there otherwise. `trigger` is `manual`, `event_based` or `scheduled`; `filters`
    /// are `ReplicationFilter`s (`{"type": "name", "value": "prod/**"}`).
    pub fn add_replication_policy(
        &self,
        name: &str,
        push: bool,
        remote: (&str, &str),
        trigger: &str,
        filters: Value,
        enabled: bool,
    ) {
        let mut st = self.state.lock().unwrap();
        let (id, rid) = (st.id(), st.id());
        let now = state::time(Some(st.now()));
        let zero = state::time(None);
        let local = serde_json::json!({"id": 0, "name": "Local", "type": "harbor", "url": "http://core:8080",
            "credential": {"type": "secret", "access_key": "", "access_secret": "*****"}, "insecure": true,
            "description": "", "status": "healthy", "creation_time": zero, "update_time": zero});
        let other = serde_json::json!({"id": rid, "name": remote.0, "type": "harbor", "url": remote.1,
            "credential": {"type": "basic", "access_key": "robot$replicator", "access_secret": "*****"},
            "insecure": false, "description": "", "status": "healthy", "creation_time": now, "update_time": now});
        let (src, dest) = if push { (local, other) } else { (other, local) };
        let cron = if trigger == "scheduled" {
            "0 0 * * * *"
        } else {
            ""
        };
        st.replication.push(serde_json::json!({"id": id, "name": name, "description": "",
            "src_registry": src, "dest_registry": dest, "dest_namespace": "", "dest_namespace_replace_count": -1,
            "trigger": {"type": trigger, "trigger_settings": {"cron": cron}}, "filters": filters,
            "replicate_deletion": false, "deletion": false, "override": true, "enabled": enabled,
            "creation_time": now, "update_time": now, "speed": -1, "copy_by_chunk": false,
            "single_active_replication": false}));
    }

    pub fn set_quota(&self, project: &str, hard: i64) {
        self.project_mut(project, |p| p.quota_hard = hard);
    }

    /// The clock pushes and pulls are stamped with from now on.
    pub fn set_clock(&self, t: DateTime<Utc>) {
        self.state.lock().unwrap().now = Some(t);
    }

    /// A scan overview (a `NativeReportSummary`) for the artifact `digest` of `repo`.
    pub fn set_scan(&self, repo: &str, digest: &str, summary: Value) {
        self.state
            .lock()
            .unwrap()
            .art_mut(repo, digest)
            .expect("artifact")
            .scan = Some(summary);
    }

    /// The findings of the artifact's report (`additions/vulnerabilities`).
    pub fn set_vulnerabilities(&self, repo: &str, digest: &str, items: Value) {
        self.state
            .lock()
            .unwrap()
            .art_mut(repo, digest)
            .expect("artifact")
            .vulns = Some(items);
    }

    /// Manifest GETs through `/v2` so far: Harbor's pulls.
    pub fn pulls(&self) -> Vec<String> {
        self.state.lock().unwrap().pulls.clone()
    }

    pub fn api_calls(&self) -> Vec<String> {
        self.state.lock().unwrap().api_calls.clone()
    }

    /// The artifact's pull time as the fake's API would report it.
    pub fn pull_time(&self, repo: &str, digest: &str) -> Option<DateTime<Utc>> {
        self.state
            .lock()
            .unwrap()
            .art(repo, digest)
            .and_then(|a| a.pull_time)
    }
}
