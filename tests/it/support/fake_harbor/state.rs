//! What the fake Harbor knows: projects with their metadata, immutable-tag rules and
//! retention policies, and the artifacts it saw pushed through its `/v2`, with tags, push
//! and pull times, references, accessories and scan overviews.

use chrono::{DateTime, Utc};
use serde_json::Value;

#[derive(Clone, Debug)]
pub struct Project {
    pub id: i64,
    pub name: String,
    pub public: bool,
    pub auto_scan: bool,
    pub retention: Option<(i64, Value)>,
    /// (repository pattern, tag pattern) of each immutable-tag rule.
    pub immutable: Vec<(String, String)>,
    pub quota_hard: i64,
}

#[derive(Clone, Debug)]
pub struct TagRec {
    pub id: i64,
    pub name: String,
    pub push_time: DateTime<Utc>,
    pub pull_time: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug)]
pub struct Art {
    pub id: i64,
    pub repo: String,
    pub digest: String,
    pub manifest_media_type: String,
    pub config_media_type: String,
    pub artifact_type: Option<String>,
    pub size: u64,
    pub push_time: DateTime<Utc>,
    pub pull_time: Option<DateTime<Utc>>,
    pub extra_attrs: Value,
    /// (child digest, platform) of an index.
    pub children: Vec<(String, Value)>,
    pub tags: Vec<TagRec>,
    /// (subject digest, accessory type) of an accessory.
    pub subject: Option<(String, String)>,
    pub scan: Option<Value>,
    /// The `vulnerabilities` of its report (Harbor's `vuln.Report`).
    pub vulns: Option<Value>,
}

#[derive(Default)]
pub struct State {
    pub now: Option<DateTime<Utc>>,
    pub next_id: i64,
    pub projects: Vec<Project>,
    /// (id, full name, creation time)
    pub repos: Vec<(i64, String, DateTime<Utc>)>,
    pub arts: Vec<Art>,
    /// `repo@digest` (and `:tag`) of every manifest GET through `/v2`: Harbor's pulls.
    pub pulls: Vec<String>,
    pub users: Vec<(String, String)>,
    pub tokens: Vec<String>,
    /// Every API request's path and query, in order.
    pub api_calls: Vec<String>,
    /// Replication policies as `GET /replication/policies` lists them (`ReplicationPolicy`).
    pub replication: Vec<Value>,
}

impl State {
    pub fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }
    pub fn now(&self) -> DateTime<Utc> {
        self.now.unwrap_or_else(Utc::now)
    }
    pub fn project(&self, name: &str) -> Option<&Project> {
        self.projects.iter().find(|p| p.name == name)
    }
    pub fn art(&self, repo: &str, digest: &str) -> Option<&Art> {
        self.arts
            .iter()
            .find(|a| a.repo == repo && a.digest == digest)
    }
    pub fn art_mut(&mut self, repo: &str, digest: &str) -> Option<&mut Art> {
        self.arts
            .iter_mut()
            .find(|a| a.repo == repo && a.digest == digest)
    }
    /// The artifact a tag or digest names in `repo`.
    pub fn resolve(&self, repo: &str, reference: &str) -> Option<&Art> {
        if reference.starts_with("sha256:") {
            return self.art(repo, reference);
        }
        self.arts
            .iter()
            .find(|a| a.repo == repo && a.tags.iter().any(|t| t.name == reference))
    }
    pub fn is_immutable(&self, repo: &str, tag: &str) -> bool {
        let Some((project, path)) = repo.split_once('/') else {
            return false;
        };
        self.project(project).is_some_and(|p| {
            p.immutable
                .iter()
                .any(|(rp, tp)| glob(rp, path) && glob(tp, tag))
        })
    }
    pub fn repo_id(&mut self, repo: &str) -> i64 {
        if let Some(r) = self.repos.iter().find(|r| r.1 == repo) {
            return r.0;
        }
        let id = self.id();
        let now = self.now();
        self.repos.push((id, repo.to_string(), now));
        id
    }
    pub fn check_basic(&self, header: Option<&str>) -> Result<Option<String>, ()> {
        use base64::Engine as _;
        let Some(h) = header else { return Ok(None) };
        let Some(b) = h.strip_prefix("Basic ") else {
            return Err(());
        };
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b.trim())
            .map_err(|_| ())?;
        let raw = String::from_utf8(raw).map_err(|_| ())?;
        let (u, p) = raw.split_once(':').ok_or(())?;
        if self.users.iter().any(|(x, y)| x == u && y == p) {
            Ok(Some(u.to_string()))
        } else {
            Err(())
        }
    }
}

/// Doublestar enough for the tests: `*` any run without `/`, `**` anything.
pub fn glob(pattern: &str, s: &str) -> bool {
    fn m(p: &[u8], s: &[u8]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some(b'*') if p.get(1) == Some(&b'*') => (0..=s.len()).any(|i| m(&p[2..], &s[i..])),
            Some(b'*') => (0..=s.len())
                .take_while(|&i| i == 0 || s[i - 1] != b'/')
                .any(|i| m(&p[1..], &s[i..])),
            Some(b'?') => !s.is_empty() && s[0] != b'/' && m(&p[1..], &s[1..]),
            Some(c) => s.first() == Some(c) && m(&p[1..], &s[1..]),
        }
    }
    m(pattern.as_bytes(), s.as_bytes())
}

/// Harbor's time format (`2006-01-02T15:04:05.000Z`); never is Go's zero time.
pub fn time(t: Option<DateTime<Utc>>) -> String {
    match t {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => "0001-01-01T00:00:00.000Z".into(),
    }
}
