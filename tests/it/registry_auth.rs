//! Authentication against the real registry: htpasswd Basic, and the Bearer token flow
//! with a test token server, with credentials read from a temporary Docker config dir.

use crate::support::fixtures::{tar, Entry, ImageFixture, Layer};
use crate::support::registry::{RegistryAuth, TestRegistry};
use crate::support::seed::Seeder;
use crate::support::token_server::{TokenPolicy, TokenServer};
use base64::Engine as _;
use regscope::config::RegistrySettings;
use regscope::model::Digest;
use regscope::registry::credentials::CredentialSource;
use regscope::registry::{ClientOptions, DistributionClient, ManifestSource, RegistryError};

fn image() -> ImageFixture {
    ImageFixture::new(
        "amd64",
        "2026-01-01T00:00:00Z",
        vec![Layer::gzip(tar(&[Entry::File("a", b"a")]), "COPY a /")],
    )
}

/// A Docker config dir whose `config.json` holds `entry` for `host`.
fn docker_config(host: &str, entry: serde_json::Value) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let cfg = serde_json::json!({"auths": {host: entry}});
    std::fs::write(dir.path().join("config.json"), cfg.to_string()).unwrap();
    dir
}

fn basic_entry(user: &str, pass: &str) -> serde_json::Value {
    serde_json::json!({"auth": base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))})
}

fn client_with(addr: &str, dir: Option<&tempfile::TempDir>) -> DistributionClient {
    let opts = ClientOptions {
        docker_config_dir: Some(match dir {
            Some(d) => d.path().to_path_buf(),
            None => std::env::temp_dir().join("regscope-no-docker-config"),
        }),
        ..ClientOptions::default()
    };
    DistributionClient::with_options(addr, &RegistrySettings::for_address(addr), opts).unwrap()
}

#[tokio::test]
async fn basic_auth_from_docker_config_and_a_wrong_password() {
    let Some(reg) = TestRegistry::start_with(RegistryAuth::Basic {
        user: "alice".into(),
        password: "correct horse".into(),
    }) else {
        return;
    };
    let s = Seeder::new(&reg.base_url()).with_basic("alice", "correct horse");
    let p = image().push(&s, "secure/app", &["v1"]).await;

    let good = docker_config(
        &format!("http://{}", reg.addr),
        basic_entry("alice", "correct horse"),
    );
    let c = client_with(&reg.addr, Some(&good));
    assert_eq!(c.repositories(None).await.unwrap(), vec!["secure/app"]);
    assert_eq!(
        c.head_manifest("secure/app", "v1")
            .await
            .unwrap()
            .digest
            .as_str(),
        p.digest
    );
    assert!(
        matches!(c.auth_info().source, CredentialSource::ConfigFile { .. }),
        "{:?}",
        c.auth_info()
    );

    let bad = docker_config(&reg.addr, basic_entry("alice", "wrong-secret-value"));
    let c = client_with(&reg.addr, Some(&bad));
    let e = c.head_manifest("secure/app", "v1").await.unwrap_err();
    assert!(matches!(e, RegistryError::Unauthorized { .. }), "{e}");
    let text = format!("{e} {e:?} {:?}", c.auth_info());
    assert!(
        !text.contains("wrong-secret-value"),
        "secret leaked: {text}"
    );
    assert!(text.contains("were refused"), "{text}");

    let anon = client_with(&reg.addr, None);
    let e = anon.tags("secure/app").await.unwrap_err();
    assert!(matches!(e, RegistryError::Unauthorized { .. }), "{e}");
    assert!(e.to_string().contains("no credentials found"), "{e}");
    // The files looked in are named, so "why anonymous?" has an answer.
    assert!(e.to_string().contains("config.json (missing)"), "{e}");
}

async fn token_registry(
    policy: &TokenPolicy,
) -> Option<(TokenServer, TestRegistry, crate::support::fixtures::Pushed)> {
    let ts = TokenServer::start(TokenPolicy {
        deny: vec![],
        ..policy.clone()
    })
    .await;
    let reg = TestRegistry::start_with(ts.registry_auth())?;
    let mut pushed = None;
    for repo in ["tok/app", "tok/secret"] {
        let token = ts
            .token_for(policy, &format!("repository:{repo}:pull,push"))
            .await;
        let s = Seeder::new(&reg.base_url()).with_bearer(&token);
        pushed = Some(image().push(&s, repo, &["v1"]).await);
    }
    ts.issued.lock().unwrap().clear();
    ts.policy.lock().unwrap().deny = policy.deny.clone();
    Some((ts, reg, pushed.unwrap()))
}

#[tokio::test]
async fn bearer_flow_asks_the_right_scope_per_call_and_caches_tokens() {
    let policy = TokenPolicy {
        deny: vec!["tok/secret".into()],
        ..TokenPolicy::default()
    };
    let Some((ts, reg, pushed)) = token_registry(&policy).await else {
        return;
    };
    let dir = docker_config(&reg.addr, basic_entry(&policy.user, &policy.password));
    let c = client_with(&reg.addr, Some(&dir));

    let mut repos = c.repositories(None).await.unwrap();
    repos.sort();
    assert_eq!(repos, vec!["tok/app", "tok/secret"]);
    assert_eq!(c.tags("tok/app").await.unwrap(), vec!["v1"]);
    for _ in 0..3 {
        let m = c.manifest("tok/app", "v1").await.unwrap();
        assert_eq!(m.digest.as_str(), pushed.digest);
    }
    let info = c.auth_info();
    assert_eq!(
        info.scope_granted.as_deref(),
        Some("repository:tok/app:pull")
    );
    assert!(info.token_expires_at.is_some());
    assert_eq!(
        ts.scopes_asked(),
        vec![
            "registry:catalog:*".to_string(),
            "repository:tok/app:pull".to_string()
        ],
        "one token per scope, reused"
    );

    // A scope the token server refuses: the registry says insufficient_scope.
    let e = c.manifest("tok/secret", "v1").await.unwrap_err();
    assert!(matches!(e, RegistryError::Forbidden { .. }), "{e}");
    assert_eq!(e.error_code(), Some("insufficient_scope"));
    assert!(e.to_string().contains("tok/secret:v1"), "{e}");

    // Deletion asks for the delete action.
    let d = Digest::parse(&pushed.digest).unwrap();
    c.delete_manifest("tok/app", &d).await.unwrap();
    assert!(
        ts.scopes_asked()
            .contains(&"repository:tok/app:delete".to_string()),
        "{:?}",
        ts.scopes_asked()
    );

    // Anonymous: a token without access, so the registry refuses and says log in.
    let anon = client_with(&reg.addr, None);
    let e = anon.tags("tok/app").await.unwrap_err();
    assert!(matches!(e, RegistryError::Unauthorized { .. }), "{e}");

    // Wrong password: the token server refuses, and the message says whose credentials.
    let bad = docker_config(&reg.addr, basic_entry(&policy.user, "not-the-password"));
    let e = client_with(&reg.addr, Some(&bad))
        .tags("tok/app")
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::Unauthorized { .. }), "{e}");
    assert!(!format!("{e:?}").contains("not-the-password"));
}

#[tokio::test]
async fn identity_tokens_use_the_oauth2_form_and_fall_back_to_get() {
    for oauth_post in [true, false] {
        let policy = TokenPolicy {
            oauth_post,
            ..TokenPolicy::default()
        };
        let Some((ts, reg, pushed)) = token_registry(&policy).await else {
            return;
        };
        let dir = docker_config(
            &reg.addr,
            serde_json::json!({"identitytoken": policy.refresh_token}),
        );
        let c = client_with(&reg.addr, Some(&dir));
        let h = c.head_manifest("tok/app", "v1").await.unwrap();
        assert_eq!(h.digest.as_str(), pushed.digest, "oauth_post={oauth_post}");
        let posts = ts
            .stub
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.method == "POST")
            .count();
        assert_eq!(posts, 1, "oauth_post={oauth_post}");
        assert!(!format!("{c:?}").contains(&policy.refresh_token));
    }
}

#[tokio::test]
async fn traffic_errors_count_real_failures_not_challenges_or_fallbacks() {
    let policy = TokenPolicy::default();
    let Some((_ts, reg, pushed)) = token_registry(&policy).await else {
        return;
    };
    let dir = docker_config(&reg.addr, basic_entry(&policy.user, &policy.password));
    let c = client_with(&reg.addr, Some(&dir));
    let d = Digest::parse(&pushed.digest).unwrap();
    c.tags("tok/app").await.unwrap();
    c.manifest("tok/app", "v1").await.unwrap();
    // The registry has no referrers API (a 404), no fallback tag, no such blob.
    assert!(matches!(
        c.referrers("tok/app", &d).await.unwrap(),
        regscope::registry::Referrers::Unsupported
    ));
    let e = c.manifest("tok/app", &d.fallback_tag()).await.unwrap_err();
    assert!(matches!(e, RegistryError::NotFound { .. }), "{e}");
    let absent = Digest::sha256_of(b"never pushed");
    assert_eq!(c.head_blob("tok/app", &absent).await.unwrap(), None);
    let s = c.stats();
    assert_eq!(s.errors, 0, "{s:?}");
    assert!(s.challenges >= 1, "the first request is challenged: {s:?}");
    assert_eq!(s.fallbacks, 3, "{s:?}");

    // A tag that is not there is a real failure.
    let e = c.manifest("tok/app", "missing").await.unwrap_err();
    assert!(matches!(e, RegistryError::NotFound { .. }), "{e}");
    assert_eq!(c.stats().errors, 1, "{:?}", c.stats());

    // So is a challenge we cannot answer (the token server refuses the password).
    let bad = docker_config(&reg.addr, basic_entry(&policy.user, "not-the-password"));
    let c = client_with(&reg.addr, Some(&bad));
    c.tags("tok/app").await.unwrap_err();
    assert!(c.stats().errors >= 1, "{:?}", c.stats());
}
