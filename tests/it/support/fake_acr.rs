//! A fake Azure Container Registry written from the ACR data-plane specification
//! (`specification/containerregistry/data-plane/Azure.ContainerRegistry/stable/2021-07-01/
//! containerregistry.json` in Azure/azure-rest-api-specs): `/acr/v1` answered from its own
//! metadata (`fake_acr_meta`), the token endpoints `/oauth2/exchange` (AAD access token ->
//! refresh token) and `/oauth2/token` (POST refresh_token or anonymous password grant; GET
//! with Basic), and `/v2/` passed through to a real docker-registry so manifests and blobs
//! are real. Every unauthorised call gets the Bearer challenge naming the scope that call
//! needs; `/acr/v1` needs `metadata_read`, so a pull token is refused there.
//! Tokens are unsigned JWT-shaped strings (the SDK reads `exp` from them) checked by lookup.

use super::fake_acr_meta::*;
use super::registry::TestRegistry;
use super::seed::Seeder;
use super::stub::{StubRequest, StubServer};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

pub const ADMIN_USER: &str = "acradmin";
pub const ADMIN_PASSWORD: &str = "admin-pass";
pub const AAD_TOKEN: &str = "aad-access-token-for-tests";
pub const REFRESH_USER: &str = "00000000-0000-0000-0000-000000000000";

/// One `(type, name, actions)` grant of an access token.
pub type Grant = (String, String, Vec<String>);

pub struct AcrState {
    pub host: String,
    pub now: DateTime<Utc>,
    pub anonymous_pull: bool,
    pub refresh_tokens: HashSet<String>,
    pub access: HashMap<String, Vec<Grant>>,
    pub repos: BTreeMap<String, RepoMeta>,
    /// Every token request: (endpoint, grant_type or "basic"/"anonymous", scopes asked).
    pub token_log: Vec<(String, String, Vec<String>)>,
    /// Every challenge sent: (path, scope).
    pub challenges: Vec<(String, String)>,
    serial: u64,
}

impl AcrState {
    pub fn issue(&mut self, kind: &str, grants: Vec<Grant>) -> String {
        self.serial += 1;
        let b64 = |v: Value| base64::engine::general_purpose::STANDARD_NO_PAD.encode(v.to_string());
        let access: Vec<Value> = grants
            .iter()
            .map(|(t, n, a)| json!({"type": t, "name": n, "actions": a}))
            .collect();
        let exp = Utc::now().timestamp() + 3 * 3600;
        let t = format!(
            "{}.{}.fake",
            b64(json!({"alg": "none", "typ": "JWT"})),
            b64(json!({"jti": self.serial, "exp": exp, "grant_type": kind, "access": access}))
        );
        if kind == "refresh_token" {
            self.refresh_tokens.insert(t.clone());
        } else {
            self.access.insert(t.clone(), grants);
        }
        t
    }

    /// A token for seeding and test set-up: everything.
    pub fn admin_token(&mut self) -> String {
        let all = vec![
            ("registry".into(), "catalog".into(), vec!["*".into()]),
            ("repository".into(), "*".into(), vec!["*".into()]),
        ];
        self.issue("access_token", all)
    }

    pub fn repo(&mut self, name: &str) -> &mut RepoMeta {
        let now = self.now;
        self.repos
            .entry(name.to_string())
            .or_insert_with(|| RepoMeta::new(now))
    }
}

pub struct FakeAcr {
    pub server: StubServer,
    pub state: Arc<Mutex<AcrState>>,
    pub backing: TestRegistry,
}

impl FakeAcr {
    /// `None` (outside CI) when docker-registry is not installed.
    pub async fn start() -> Option<FakeAcr> {
        let backing = TestRegistry::start()?;
        let upstream = backing.base_url();
        let state = Arc::new(Mutex::new(AcrState {
            host: String::new(),
            now: Utc::now(),
            anonymous_pull: false,
            refresh_tokens: HashSet::new(),
            access: HashMap::new(),
            repos: BTreeMap::new(),
            token_log: Vec::new(),
            challenges: Vec::new(),
            serial: 0,
        }));
        let live = state.clone();
        let http = reqwest::Client::new();
        let server = StubServer::start(move |req: StubRequest| {
            let (state, upstream, http) = (live.clone(), upstream.clone(), http.clone());
            async move { super::fake_acr_routes::answer(req, state, &upstream, &http).await }
        })
        .await;
        state.lock().unwrap().host = server.addr.clone();
        Some(FakeAcr {
            server,
            state,
            backing,
        })
    }

    /// `127.0.0.1:PORT`, the login server name and the token `service`.
    pub fn host(&self) -> &str {
        &self.server.addr
    }

    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// A seeder that pushes through the fake (so the fake records what is pushed).
    pub fn seeder(&self) -> Seeder {
        let token = self.state.lock().unwrap().admin_token();
        Seeder::new(&self.base_url()).with_bearer(&token)
    }

    /// A refresh token as `az acr login --expose-token` would give for this registry.
    pub fn refresh_token(&self) -> String {
        self.state.lock().unwrap().issue("refresh_token", vec![])
    }

    pub fn set_clock(&self, now: DateTime<Utc>) {
        self.state.lock().unwrap().now = now;
    }

    pub fn set_tag(&self, repo: &str, tag: &str, f: impl FnOnce(&mut TagMeta)) {
        let mut s = self.state.lock().unwrap();
        f(s.repo(repo).tags.get_mut(tag).expect("tag pushed"));
    }

    pub fn set_manifest(&self, repo: &str, digest: &str, f: impl FnOnce(&mut ManifestMeta)) {
        let mut s = self.state.lock().unwrap();
        f(s.repo(repo)
            .manifests
            .get_mut(digest)
            .expect("manifest pushed"));
    }

    /// Scopes asked of `/oauth2/token`, in order.
    pub fn scopes_asked(&self) -> Vec<String> {
        let s = self.state.lock().unwrap();
        s.token_log
            .iter()
            .flat_map(|(_, _, sc)| sc.clone())
            .collect()
    }
}
