//! Misbehaving registries (a purpose-built stub server): each failure gets a specific
//! error naming registry, repository and reference, and the retry counters say what
//! happened.

use crate::support::seed::sha256;
use crate::support::stub::{StubReply, StubServer};
use regscope::config::RegistrySettings;
use regscope::registry::transport::{TransportOptions, MANIFEST_LIMIT};
use regscope::registry::{ClientOptions, DistributionClient, ManifestSource, RegistryError};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const OCI: &str = "application/vnd.oci.image.manifest.v1+json";

fn manifest_bytes() -> Vec<u8> {
    let cfg = "sha256:".to_string() + &"a".repeat(64);
    format!(r#"{{"schemaVersion":2,"mediaType":"{OCI}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{cfg}","size":2}},"layers":[]}}"#).into_bytes()
}

fn client(stub: &StubServer, retries: u32) -> DistributionClient {
    let opts = ClientOptions {
        docker_config_dir: Some(std::env::temp_dir().join("regscope-no-docker-config")),
        transport: Some(TransportOptions {
            connect_timeout: Duration::from_secs(2),
            read_timeout: Duration::from_millis(800),
            max_retries: retries,
            backoff_base: Duration::from_millis(10),
            backoff_max: Duration::from_millis(40),
            ..TransportOptions::default()
        }),
        ..ClientOptions::default()
    };
    DistributionClient::with_options(&stub.addr, &RegistrySettings::for_address(&stub.addr), opts)
        .unwrap()
}

/// A stub answering every manifest request with `reply()`.
async fn manifest_stub<F>(reply: F) -> StubServer
where
    F: Fn() -> StubReply + Send + Sync + 'static,
{
    StubServer::start(move |_req| {
        let r = reply();
        async move { r }
    })
    .await
}

#[tokio::test]
async fn malformed_json_wrong_digest_and_oversize_are_named() {
    let stub = manifest_stub(|| {
        StubReply::new(
            200,
            &[("content-type", OCI)],
            r#"{"schemaVersion":2,"config":"#,
        )
    })
    .await;
    let e = client(&stub, 0)
        .manifest("team/app", "v1")
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::Malformed { .. }), "{e}");
    assert!(
        e.to_string()
            .starts_with(&format!("{}/team/app:v1: malformed response", stub.addr)),
        "{e}"
    );

    let good = manifest_bytes();
    let liar = sha256(b"something else");
    let claimed = liar.clone();
    let body = good.clone();
    let stub = manifest_stub(move || {
        StubReply::new(
            200,
            &[("content-type", OCI), ("docker-content-digest", &claimed)],
            body.clone(),
        )
    })
    .await;
    let c = client(&stub, 0);
    let e = c.manifest("team/app", "v1").await.unwrap_err();
    match &e {
        RegistryError::DigestMismatch {
            expected, actual, ..
        } => {
            assert_eq!(expected, &liar);
            assert_eq!(actual, &sha256(&good));
        }
        other => panic!("{other}"),
    }
    // Asked by digest, served other bytes: refused against the digest we asked for.
    let asked = sha256(b"the real one");
    let e = c.manifest("team/app", &asked).await.unwrap_err();
    assert!(matches!(e, RegistryError::DigestMismatch { .. }), "{e}");
    assert!(e.to_string().contains(&format!("team/app@{asked}")), "{e}");

    let stub = manifest_stub(|| {
        StubReply::new(200, &[("content-type", OCI)], vec![b' '; 5 * 1024 * 1024])
    })
    .await;
    let e = client(&stub, 0)
        .manifest("team/app", "big")
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            RegistryError::TooLarge {
                limit: MANIFEST_LIMIT,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("team/app:big"), "{e}");
}

#[tokio::test]
async fn html_pages_and_auth_failures_are_plain_errors_with_codes() {
    let stub = manifest_stub(|| {
        StubReply::new(502, &[("content-type", "text/html")], "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>")
    })
    .await;
    let c = client(&stub, 2);
    let e = c.manifest("team/app", "v1").await.unwrap_err();
    assert_eq!(e.http_status(), Some(502));
    assert!(
        e.to_string().contains("HTML page (\"502 Bad Gateway\")"),
        "{e}"
    );
    let s = c.stats();
    assert_eq!(s.retries, 2, "{s:?}");
    assert_eq!(stub.hits("/v2/team/app/manifests/v1"), 3);

    // A 200 HTML page where JSON was expected (a captive portal, an SSO login page).
    let stub = manifest_stub(|| {
        StubReply::new(
            200,
            &[("content-type", "text/html")],
            "<html><title>Sign in</title></html>",
        )
    })
    .await;
    let e = client(&stub, 0).tags("team/app").await.unwrap_err();
    assert!(matches!(e, RegistryError::Malformed { .. }), "{e}");
    assert!(e.to_string().contains("HTML page"), "{e}");

    for (status, body, code) in [
        (
            401,
            r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
            "UNAUTHORIZED",
        ),
        (
            403,
            r#"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}"#,
            "DENIED",
        ),
        (
            404,
            r#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}"#,
            "NAME_UNKNOWN",
        ),
    ] {
        let stub = manifest_stub(move || StubReply::json(status, body)).await;
        let c = client(&stub, 3);
        let e = c.manifest("team/app", "v1").await.unwrap_err();
        assert_eq!(e.http_status(), Some(status), "{e}");
        assert_eq!(e.error_code(), Some(code), "{e}");
        assert!(e.to_string().contains("team/app:v1"), "{e}");
        assert_eq!(c.stats().retries, 0, "no retry on {status}");
    }
}

#[tokio::test]
async fn rate_limits_are_retried_after_the_servers_wait_and_recorded() {
    let rl = [
        ("retry-after", "1"),
        ("ratelimit-limit", "100;w=21600"),
        ("ratelimit-remaining", "0;w=21600"),
        ("docker-ratelimit-source", "203.0.113.7"),
    ];
    let stub = manifest_stub(move || {
        StubReply::new(429, &[rl[0], rl[1], rl[2], rl[3], ("content-type", "application/json")], r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]}"#)
    })
    .await;
    let c = client(&stub, 2);
    let started = Instant::now();
    let e = c
        .head_manifest("library/busybox", "latest")
        .await
        .unwrap_err();
    assert!(
        started.elapsed() >= Duration::from_millis(1900),
        "Retry-After honoured twice"
    );
    match &e {
        RegistryError::RateLimited { retry_after, .. } => {
            assert_eq!(*retry_after, Some(Duration::from_secs(1)))
        }
        other => panic!("{other}"),
    }
    assert!(e.to_string().contains("library/busybox:latest"), "{e}");
    let s = c.stats();
    assert_eq!((s.retries, s.throttled), (2, 3), "{s:?}");
    let limit = s.rate_limit.unwrap();
    assert_eq!(
        (limit.limit, limit.remaining, limit.window_secs),
        (Some(100), Some(0), Some(21600))
    );
    assert_eq!(limit.source.as_deref(), Some("203.0.113.7"));

    // A wait beyond the cap is not slept through: the caller learns it at once.
    let stub = manifest_stub(|| {
        StubReply::json(429, r#"{"errors":[{"code":"TOOMANYREQUESTS"}]}"#)
            .with_header("retry-after", "3600")
    })
    .await;
    let c = client(&stub, 3);
    let e = c.manifest("team/app", "v1").await.unwrap_err();
    assert!(
        matches!(e, RegistryError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(3600)),
        "{e}"
    );
    assert_eq!(c.stats().retries, 0);
}

#[tokio::test]
async fn transient_failures_recover_and_a_hang_times_out() {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let body = manifest_bytes();
    let stub = manifest_stub(move || {
        if seen.fetch_add(1, Ordering::SeqCst) < 2 {
            StubReply::new(503, &[], "busy")
        } else {
            StubReply::new(200, &[("content-type", OCI)], body.clone())
        }
    })
    .await;
    let c = client(&stub, 3);
    let m = c.manifest("team/app", "v1").await.unwrap();
    assert_eq!(m.digest.as_str(), sha256(&manifest_bytes()));
    assert_eq!(c.stats().retries, 2);
    assert_eq!(c.stats().errors, 0, "recovered by a retry: not an error");

    let stub = manifest_stub(|| StubReply::Hang).await;
    let c = client(&stub, 1);
    let e = c.manifest("team/app", "v1").await.unwrap_err();
    assert!(matches!(e, RegistryError::Timeout { .. }), "{e}");
    assert!(e.to_string().contains("team/app:v1: timed out"), "{e}");
    assert_eq!(c.stats().retries, 1);
    assert_eq!(
        c.stats().errors,
        1,
        "one failed request, however many attempts"
    );

    // Nothing listening: unreachable, named.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let c = DistributionClient::new(
        &addr,
        &RegistrySettings {
            max_retries: Some(0),
            ..RegistrySettings::for_address(&addr)
        },
    )
    .unwrap();
    let e = c.tags("team/app").await.unwrap_err();
    assert!(matches!(e, RegistryError::Unreachable { .. }), "{e}");
    assert!(
        e.to_string()
            .starts_with(&format!("{addr}/team/app: cannot connect")),
        "{e}"
    );
}

#[tokio::test]
async fn sloppy_listings_are_tolerated() {
    // Unsorted, duplicated tags over two Link pages (absolute URL), then `"tags": null`.
    let stub = StubServer::start(|req| async move {
        let q = req.query();
        let last = q.iter().find(|(k, _)| k == "last").map(|(_, v)| v.clone());
        match (req.path(), last.as_deref()) {
            ("/v2/a/tags/list", None) => {
                StubReply::json(200, r#"{"name":"a","tags":["v2","v10","v1","v2"]}"#).with_header(
                    "link",
                    &format!(
                        "<http://{}/v2/a/tags/list?last=v2&n=1000>; rel=\"next\"",
                        req.header("host").unwrap()
                    ),
                )
            }
            ("/v2/a/tags/list", Some("v2")) => {
                StubReply::json(200, r#"{"name":"a","tags":["v0","v1"]}"#)
            }
            ("/v2/empty/tags/list", _) => StubReply::json(200, r#"{"name":"empty","tags":null}"#),
            ("/v2/_catalog", _) => StubReply::json(200, r#"{"repositories":["b","a","b"]}"#),
            _ => StubReply::json(404, r#"{"errors":[{"code":"NOT_FOUND"}]}"#),
        }
    })
    .await;
    let c = client(&stub, 0);
    assert_eq!(c.tags("a").await.unwrap(), vec!["v0", "v1", "v10", "v2"]);
    assert!(c.tags("empty").await.unwrap().is_empty());
    assert_eq!(c.repositories(None).await.unwrap(), vec!["b", "a"]);
}
