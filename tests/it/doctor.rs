//! The pull doctor against real servers on loopback: every verdict reproduced.

use crate::support::fixtures::{
    push_buildkit_attestation, push_index, tar, Entry, ImageFixture, Layer,
};
use crate::support::registry::{RegistryAuth, TestRegistry};
use crate::support::seed::Seeder;
use crate::support::stub::{StubReply, StubServer};
use crate::support::token_server::{TokenPolicy, TokenServer};
use base64::Engine as _;
use regscope::config::RegistrySettings;
use regscope::doctor::{diagnose, DoctorOptions, Report, StepStatus, Verdict};
use regscope::model::Platform;
use regscope::registry::{ClientOptions, Reference};
use std::sync::{Arc, Mutex};

fn image(arch: &str, text: &[u8]) -> ImageFixture {
    ImageFixture::new(
        arch,
        "2026-01-01T00:00:00Z",
        vec![
            Layer::gzip(tar(&[Entry::File("etc/a", text)]), "COPY a /etc/"),
            Layer::gzip(tar(&[Entry::File("etc/b", b"bbb")]), "COPY b /etc/"),
        ],
    )
}

fn no_config() -> ClientOptions {
    ClientOptions {
        docker_config_dir: Some(std::env::temp_dir().join("regscope-no-docker-config")),
        ..ClientOptions::default()
    }
}

async fn doctor(reference: &str, platform: Option<&str>, options: DoctorOptions) -> Report {
    let r = Reference::parse(reference).unwrap();
    let opts = DoctorOptions {
        platform: platform.map(|p| Platform::parse(p).unwrap()),
        ..options
    };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let report = diagnose(&r, &opts, &move |s| log.lock().unwrap().push(s.name)).await;
    let names: Vec<&str> = report.steps.iter().map(|s| s.name).collect();
    assert_eq!(
        names,
        vec![
            "reference",
            "reach",
            "auth",
            "resolve",
            "platforms",
            "blobs",
            "history"
        ],
        "{report:#?}"
    );
    assert_eq!(seen.lock().unwrap().len(), 7, "progress saw every step");
    report
}

fn opts() -> DoctorOptions {
    DoctorOptions {
        client: no_config(),
        ..DoctorOptions::default()
    }
}

fn step<'a>(r: &'a Report, name: &str) -> &'a regscope::doctor::Step {
    r.steps.iter().find(|s| s.name == name).unwrap()
}

#[tokio::test]
async fn pullable_missing_tag_repository_platform_and_blob() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let amd = image("amd64", b"amd");
    let mut arm = image("arm64", b"arm");
    arm.variant = Some("v8".into());
    let p_amd = amd.push(&s, "team/app", &[]).await;
    let p_arm = arm.push(&s, "team/app", &[]).await;
    let (att, _) = push_buildkit_attestation(&s, "team/app", &p_amd).await;
    push_index(
        &s,
        "team/app",
        false,
        &[(&amd, &p_amd), (&arm, &p_arm)],
        vec![att],
        &["v1.2.3", "v1.2.4"],
    )
    .await;
    let host = &reg.addr;

    let ok = doctor(
        &format!("{host}/team/app:v1.2.3"),
        Some("linux/arm64"),
        opts(),
    )
    .await;
    assert_eq!(ok.verdict, Verdict::Ok, "{ok:#?}");
    assert!(
        ok.steps.iter().all(|s| s.status == StepStatus::Ok),
        "{ok:#?}"
    );
    let plats = &step(&ok, "platforms").lines;
    assert!(
        plats.iter().any(|l| l.starts_with("→ linux/arm64/v8")),
        "{plats:?}"
    );
    assert!(
        plats
            .iter()
            .any(|l| l.contains("attestation, not runnable")),
        "{plats:?}"
    );

    let tag = doctor(&format!("{host}/team/app:v1.2.5"), None, opts()).await;
    assert_eq!(tag.verdict, Verdict::TagNotFound, "{tag:#?}");
    assert_eq!(step(&tag, "resolve").http_status, Some(404));
    assert!(
        tag.summary.contains("v1.2.3"),
        "closest tags named: {}",
        tag.summary
    );

    let repo = doctor(&format!("{host}/team/nope:v1"), None, opts()).await;
    assert_eq!(repo.verdict, Verdict::RepositoryNotFound, "{repo:#?}");
    assert_eq!(
        step(&repo, "resolve").error_code.as_deref(),
        Some("NAME_UNKNOWN")
    );

    let plat = doctor(
        &format!("{host}/team/app:v1.2.3"),
        Some("linux/s390x"),
        opts(),
    )
    .await;
    assert_eq!(plat.verdict, Verdict::PlatformMissing, "{plat:#?}");
    assert!(
        plat.summary.contains("linux/amd64, linux/arm64/v8"),
        "{}",
        plat.summary
    );
    assert!(
        !plat.summary.contains("unknown/unknown"),
        "attestations are not offered: {}",
        plat.summary
    );

    // A layer deleted from storage behind the registry's back.
    let (layer, _) = &p_arm.blobs[2];
    reg.remove_blob_data(layer);
    let blob = doctor(
        &format!("{host}/team/app:v1.2.4"),
        Some("linux/arm64/v8"),
        opts(),
    )
    .await;
    assert_eq!(blob.verdict, Verdict::BlobMissing, "{blob:#?}");
    assert!(blob.summary.contains(layer.as_str()), "{}", blob.summary);
    assert!(
        step(&blob, "blobs")
            .lines
            .iter()
            .any(|l| l.contains("layer 2")),
        "{blob:#?}"
    );
    let json = serde_json::to_value(&blob).unwrap();
    assert_eq!(json["verdict"], "blob-missing");
    assert_eq!(json["steps"][5]["status"], "fail");
    assert_eq!(json["steps"][5]["http_status"], 404);
}

#[tokio::test]
async fn wrong_password_and_refused_scope() {
    let Some(reg) = TestRegistry::start_with(RegistryAuth::Basic {
        user: "u".into(),
        password: "right".into(),
    }) else {
        return;
    };
    image("amd64", b"x")
        .push(
            &Seeder::new(&reg.base_url()).with_basic("u", "right"),
            "sec/app",
            &["v1"],
        )
        .await;
    let dir = tempfile::tempdir().unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode("u:wrong");
    std::fs::write(
        dir.path().join("config.json"),
        format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, reg.addr),
    )
    .unwrap();
    let o = DoctorOptions {
        client: ClientOptions {
            docker_config_dir: Some(dir.path().into()),
            ..ClientOptions::default()
        },
        ..DoctorOptions::default()
    };
    let r = doctor(&format!("{}/sec/app:v1", reg.addr), None, o).await;
    assert_eq!(r.verdict, Verdict::Unauthorized, "{r:#?}");
    // The wrong password fails `auth` itself (it used to pass auth and fail resolve).
    assert_eq!(step(&r, "auth").status, StepStatus::Fail, "{r:#?}");
    assert!(
        !r.steps
            .iter()
            .any(|s| s.name == "resolve" && s.status == StepStatus::Ok),
        "{r:#?}"
    );
    assert!(r.next_step.starts_with("regscope login"), "{}", r.next_step);
    assert!(
        step(&r, "auth")
            .lines
            .iter()
            .any(|l| l.contains("config.json")),
        "{r:#?}"
    );
    // The right password: auth ✔, and a Basic realm is shown without an empty service.
    let good = base64::engine::general_purpose::STANDARD.encode("u:right");
    std::fs::write(
        dir.path().join("config.json"),
        format!(r#"{{"auths":{{"{}":{{"auth":"{good}"}}}}}}"#, reg.addr),
    )
    .unwrap();
    let o = DoctorOptions {
        client: ClientOptions {
            docker_config_dir: Some(dir.path().into()),
            ..ClientOptions::default()
        },
        ..DoctorOptions::default()
    };
    let ok = doctor(&format!("{}/sec/app:v1", reg.addr), None, o).await;
    assert_eq!(step(&ok, "auth").status, StepStatus::Ok, "{ok:#?}");
    let lines = &step(&ok, "auth").lines;
    assert!(
        lines.iter().any(|l| l == "realm: regscope-test"),
        "{lines:?}"
    );

    let policy = TokenPolicy::default();
    let ts = TokenServer::start(policy.clone()).await;
    let Some(treg) = TestRegistry::start_with(ts.registry_auth()) else {
        return;
    };
    let token = ts
        .token_for(&policy, "repository:tok/secret:pull,push")
        .await;
    image("amd64", b"y")
        .push(
            &Seeder::new(&treg.base_url()).with_bearer(&token),
            "tok/secret",
            &["v1"],
        )
        .await;
    ts.policy.lock().unwrap().deny = vec!["tok/secret".into()];
    let dir = tempfile::tempdir().unwrap();
    let auth = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", policy.user, policy.password));
    std::fs::write(
        dir.path().join("config.json"),
        format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, treg.addr),
    )
    .unwrap();
    let o = DoctorOptions {
        client: ClientOptions {
            docker_config_dir: Some(dir.path().into()),
            ..ClientOptions::default()
        },
        ..DoctorOptions::default()
    };
    let r = doctor(&format!("{}/tok/secret:v1", treg.addr), None, o).await;
    assert_eq!(r.verdict, Verdict::Forbidden, "{r:#?}");
    assert_eq!(
        step(&r, "auth").error_code.as_deref(),
        Some("insufficient_scope"),
        "{r:#?}"
    );
    assert!(
        step(&r, "auth")
            .lines
            .iter()
            .any(|l| l.contains("scope requested: repository:tok/secret:pull; granted: (none)")),
        "{r:#?}"
    );
}

#[tokio::test]
async fn rate_limited_through_a_proxy() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    image("amd64", b"z")
        .push(
            &Seeder::new(&reg.base_url()),
            "library/busybox",
            &["latest"],
        )
        .await;
    let upstream = reg.base_url();
    let proxy = StubServer::start(move |req| {
        let upstream = upstream.clone();
        async move {
            if req.path().contains("/manifests/") {
                return StubReply::json(429, r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]}"#)
                    .with_header("retry-after", "3600")
                    .with_header("ratelimit-limit", "100;w=21600")
                    .with_header("ratelimit-remaining", "0;w=21600");
            }
            let method = reqwest::Method::from_bytes(req.method.as_bytes()).unwrap();
            let r = reqwest::Client::new().request(method, format!("{upstream}{}", req.target)).send().await.unwrap();
            let status = r.status().as_u16();
            let headers: Vec<(String, String)> = r.headers().iter().filter(|(k, _)| *k != "content-length" && *k != "connection").map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string())).collect();
            StubReply::Respond { status, headers, body: r.bytes().await.unwrap().to_vec() }
        }
    })
    .await;
    let r = doctor(
        &format!("{}/library/busybox:latest", proxy.addr),
        None,
        opts(),
    )
    .await;
    assert_eq!(r.verdict, Verdict::RateLimited, "{r:#?}");
    let resolve = step(&r, "resolve");
    assert_eq!(resolve.http_status, Some(429));
    assert!(
        r.summary.contains("0 of 100 remaining per 6h"),
        "{}",
        r.summary
    );
    assert!(r.summary.contains("Retry after 60m"), "{}", r.summary);
}

#[tokio::test]
async fn untrusted_then_trusted_https_and_a_closed_port() {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "regscope test registry");
    let cert = params.self_signed(&key).unwrap();
    let Some(reg) = TestRegistry::start_tls(&cert.pem(), &key.serialize_pem()) else {
        return;
    };
    let s = Seeder::new(&reg.base_url()).with_root_ca(cert.pem().as_bytes());
    image("amd64", b"tls").push(&s, "tls/app", &["v1"]).await;
    let reference = format!("{}/tls/app:v1", reg.addr);

    let r = doctor(&reference, None, opts()).await;
    assert_eq!(r.verdict, Verdict::Tls, "{r:#?}");
    let reach = step(&r, "reach");
    assert!(
        reach
            .lines
            .iter()
            .any(|l| l.contains("CN=regscope test registry")),
        "{reach:#?}"
    );
    assert!(
        reach.lines.iter().any(|l| l.contains("IP:127.0.0.1")),
        "{reach:#?}"
    );
    assert!(r.summary.contains("self-signed"), "{}", r.summary);
    assert!(r.next_step.contains("ca_file"), "{}", r.next_step);

    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, cert.pem()).unwrap();
    let settings = RegistrySettings {
        ca_file: Some(ca),
        ..RegistrySettings::for_address(&reg.addr)
    };
    let r = doctor(
        &reference,
        None,
        DoctorOptions {
            settings: Some(settings),
            ..opts()
        },
    )
    .await;
    assert_eq!(r.verdict, Verdict::Ok, "{r:#?}");
    assert!(step(&r, "reach").detail.contains("TLS verified"), "{r:#?}");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = doctor(&format!("127.0.0.1:{port}/x/y:z"), None, opts()).await;
    assert_eq!(r.verdict, Verdict::Unreachable, "{r:#?}");
    assert!(
        step(&r, "reach").detail.contains("TCP connection failed"),
        "{r:#?}"
    );
}

#[tokio::test]
async fn a_single_platform_image_is_checked_at_the_platforms_step() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    image("amd64", b"solo").push(&s, "team/solo", &["v1"]).await;
    let reference = format!("{}/team/solo:v1", reg.addr);

    let ok = doctor(&reference, Some("linux/amd64"), opts()).await;
    assert_eq!(ok.verdict, Verdict::Ok, "{ok:#?}");
    let p = step(&ok, "platforms");
    assert_eq!(p.status, StepStatus::Ok);
    assert!(
        p.detail
            .starts_with("single-platform image for linux/amd64"),
        "{p:?}"
    );
    assert!(step(&ok, "history").detail.starts_with("built 2026-01-01"));

    let arm = doctor(&reference, Some("linux/arm64"), opts()).await;
    assert_eq!(arm.verdict, Verdict::PlatformMissing, "{arm:#?}");
    let p = step(&arm, "platforms");
    assert_eq!(p.status, StepStatus::Fail);
    assert_eq!(
        p.detail,
        "single-platform image for linux/amd64, not linux/arm64"
    );
    assert_eq!(step(&arm, "blobs").status, StepStatus::Skip);
    assert!(
        arm.next_step.contains("--platform linux/arm64"),
        "{}",
        arm.next_step
    );
}
