//! Foreign layers (Windows base layers: `urls` in the descriptor, bytes on another host)
//! against docker-registry, which accepts such a manifest without the blob, as it does
//! for real Windows images. They are not stored in the registry, so no size, unique byte
//! or reclaim counts them; `inspect` says where they come from without credentials or
//! signed queries; `layers` names the foreign one as not read (asking the registry for it
//! would only say "blob unknown"; its URL is never followed).

use crate::inventory::cli::regscope;
use crate::support::fixtures::{gzip, tar, Entry};
use crate::support::registry::TestRegistry;
use crate::support::seed::{sha256, Seeder};
use regscope::model::Inventory;
use serde_json::{json, Value};

const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
const FOREIGN: &str = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
const REPO: &str = "win/app";
/// servercore's base layer as Microsoft publishes it: 1.4 GB on mcr, never pushed here.
const FOREIGN_SIZE: u64 = 1_432_547_811;

#[tokio::test]
async fn foreign_layers_are_not_stored_bytes_and_are_not_read() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let app_tar = tar(&[Entry::File("app/hello.exe", b"MZ not really")]);
    let app = gzip(&app_tar);
    let base_digest = sha256(b"servercore base layer, held by mcr");
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64", "os": "windows", "os.version": "10.0.20348.2849",
        "created": "2026-11-02T10:00:00Z",
        "rootfs": {"type": "layers", "diff_ids": [sha256(b"base diff"), sha256(&app_tar)]},
        "history": [{"created_by": "Apply image 10.0.20348.2849"}, {"created_by": "COPY app/ /app/"}],
    }))
    .unwrap();
    let config_digest = s.push_blob(REPO, &config).await;
    let app_digest = s.push_blob(REPO, &app).await;
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": DOCKER_MANIFEST,
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                   "digest": config_digest, "size": config.len()},
        "layers": [
            {"mediaType": FOREIGN, "digest": base_digest, "size": FOREIGN_SIZE,
             "urls": [format!("https://ci:hunter2@mcr.microsoft.com/v2/windows/servercore/blobs/{base_digest}?sig=SECRET")]},
            {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
             "digest": app_digest, "size": app.len()},
        ],
    }))
    .unwrap();
    let digest = s
        .push_manifest(REPO, "ltsc2022", DOCKER_MANIFEST, &manifest)
        .await;
    let stored = (config.len() + app.len()) as u64;
    let addr = reg.addr.as_str();
    let secret_free = |what: &str, out: &str| {
        assert!(
            !out.contains("hunter2") && !out.contains("SECRET"),
            "{what} shows a credential: {out}"
        );
    };

    // images: the stored bytes only; the foreign blob is none of the image's blobs.
    let r = regscope(&["images", &format!("{addr}/{REPO}"), "--json"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let inv = Inventory::from_json(&r.stdout).unwrap();
    let img = inv
        .images
        .iter()
        .find(|i| i.digest.as_str() == digest)
        .unwrap();
    assert_eq!(img.size_bytes, Some(stored), "config + the app layer");
    assert_eq!(img.unique_bytes, Some(stored));
    let blobs = img.blobs.as_ref().unwrap();
    assert!(
        blobs.iter().all(|b| b.digest.as_str() != base_digest),
        "{blobs:?}"
    );
    assert_eq!(blobs.len(), 2);

    // inspect: stored size, the foreign bytes beside it, the URL without its secrets.
    let reference = format!("{addr}/{REPO}:ltsc2022");
    let r = regscope(&["inspect", &reference, "--json"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    // `manifest` is the registry's document verbatim (raw means raw); what regscope
    // composes about it carries no credential.
    let image = &v["image"];
    secret_free("inspect --json image", &image.to_string());
    assert_eq!(image["size_bytes"], stored, "{image}");
    assert_eq!(image["foreign_bytes"], FOREIGN_SIZE, "{image}");
    let layers = image["layers"].as_array().unwrap();
    assert_eq!(
        layers[0]["urls"],
        json!([format!(
            "https://mcr.microsoft.com/v2/windows/servercore/blobs/{base_digest}?…"
        )])
    );
    assert!(layers[1].get("urls").is_none(), "{}", layers[1]);
    let r = regscope(&["inspect", &reference]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    secret_free("inspect", &r.stdout);
    assert!(
        r.stdout
            .contains("more in 1 foreign layer, pulled from their URLs"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("(foreign: mcr.microsoft.com)"),
        "{}",
        r.stdout
    );

    // layers: the app layer is read, the foreign one is named and not read. The registry
    // never has it, so asking it would only have said "blob unknown".
    let r = regscope(&["layers", &reference, "--json"]).await;
    secret_free("layers --json", &format!("{}{}", r.stdout, r.stderr));
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains(
            "foreign layer, pulled from mcr.microsoft.com, not stored in this registry: not read"
        ),
        "exit {}: {all}",
        r.code
    );
    // The filesystem view needs every layer in order; the base is not here, so the
    // command says so and fails rather than show a partial tree as the image.
    assert_ne!(r.code, 0, "{all}");
    assert!(
        all.contains("the other layer was read; the analysis needs every layer"),
        "{all}"
    );
    assert!(
        all.contains("regscope layers: layer 1 of 2, sha256:"),
        "{all}"
    );
}

/// A plan deletes a Windows image and frees only its stored bytes; `restore` puts it back
/// without asking the registry for the foreign blob it never held (it used to report
/// "blob … is gone" and refuse).
#[tokio::test]
async fn a_windows_image_is_planned_deleted_and_restored_by_its_stored_blobs() {
    use crate::lifecycle::{regscope as run, text};
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let dir = tempfile::tempdir().unwrap();
    let config =
        br#"{"architecture":"amd64","os":"windows","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let config_digest = s.push_blob(REPO, config).await;
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": DOCKER_MANIFEST,
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                   "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": FOREIGN, "digest": sha256(b"nanoserver"), "size": FOREIGN_SIZE,
                    "urls": ["https://mcr.microsoft.com/v2/windows/nanoserver/blobs/x"]}],
    }))
    .unwrap();
    let digest = s
        .push_manifest(REPO, "old", DOCKER_MANIFEST, &manifest)
        .await;
    let addr = reg.addr.as_str();

    let o = run(
        dir.path(),
        &["--no-cache", "images", &format!("{addr}/{REPO}"), "--json"],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let mut inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    // A registry time the policy can age by (docker-registry records none).
    for img in inv["images"].as_array_mut().unwrap() {
        img["pushed_at"] = json!("2026-01-01T00:00:00Z");
    }
    std::fs::write(dir.path().join("inv.json"), inv.to_string()).unwrap();
    let policy = json!({"rules": [{"rulePriority": 1, "description": "old",
        "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 30},
        "action": {"type": "expire"}}]});
    std::fs::write(dir.path().join("policy.json"), policy.to_string()).unwrap();
    let o = run(
        dir.path(),
        &[
            "plan",
            "--inventory",
            "inv.json",
            "--policy",
            "policy.json",
            "--now",
            "2026-06-01T00:00:00Z",
            "-o",
            "plan.json",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let plan: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("plan.json")).unwrap()).unwrap();
    assert_eq!(plan["actions"].as_array().unwrap().len(), 1, "{plan:#}");
    assert_eq!(
        plan["summary"]["reclaimed_bytes"],
        config.len() as u64,
        "{plan:#}"
    );
    assert_eq!(
        plan["summary"]["naive_bytes"],
        config.len() as u64,
        "{plan:#}"
    );

    let o = run(
        dir.path(),
        &["delete", "--plan", "plan.json", "--yes"],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(s.manifest_status(REPO, &digest).await, 404);
    let audit = std::fs::read_dir(dir.path().join("data/audit"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let o = run(dir.path(), &["restore", audit.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(s.manifest_status(REPO, &digest).await, 200, "restored");
    assert_eq!(s.manifest_status(REPO, "old").await, 200, "tag restored");
}
