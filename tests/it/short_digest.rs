//! Short digests through the real binary against docker-registry: `REF@sha256:XXXXXXXX`
//! (and bare `REF@XXXXXXXX`) resolved when unique, "not found" (exit 1) naming the
//! repository and how many digests were checked, too short (exit 2) saying the minimum,
//! and ambiguous (exit 2) listing both candidates with their tags. The ambiguity is real:
//! two manifests whose sha256 share their first 8 hex characters, found by hashing
//! annotation counters (a birthday search, ~80k candidates) before pushing them.

use crate::inventory::cli::regscope;
use crate::support::faults::{Fault, FaultProxy};
use crate::support::registry::TestRegistry;
use crate::support::seed::{sha256, Seeder};
use std::collections::HashMap;

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const REPO: &str = "team/short";

fn manifest(config: &str, config_size: usize, layer: &str, layer_size: usize, n: u64) -> Vec<u8> {
    format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":{config_size}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{layer}","size":{layer_size}}}],"annotations":{{"n":"{n}"}}}}"#
    )
    .into_bytes()
}

/// Two counters whose manifests' digests share their first 8 hex characters.
fn colliding(make: impl Fn(u64) -> Vec<u8>) -> (u64, u64) {
    let mut seen: HashMap<String, u64> = HashMap::new();
    for n in 0..2_000_000u64 {
        let d = sha256(&make(n));
        let head = d["sha256:".len().."sha256:".len() + 8].to_string();
        if let Some(&m) = seen.get(&head) {
            return (m, n);
        }
        seen.insert(head, n);
    }
    panic!("no 8-hex collision in 2M candidates");
}

#[tokio::test]
async fn short_digests_resolve_when_unique_and_refuse_when_not() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let seeder = Seeder::new(&reg.base_url());
    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let layer = b"not really a tar, never read here";
    let c = seeder.push_blob(REPO, config).await;
    let l = seeder.push_blob(REPO, layer).await;
    let make = |n| manifest(&c, config.len(), &l, layer.len(), n);
    let (a, b) = colliding(make);
    let (ma, mb) = (make(a), make(b));
    let da = seeder
        .push_manifest(REPO, "twin-a", OCI_MANIFEST, &ma)
        .await;
    let db = seeder
        .push_manifest(REPO, "twin-b", OCI_MANIFEST, &mb)
        .await;
    assert_ne!(da, db);
    assert_eq!(da[..15], db[..15], "the twins share sha256: and 8 hex");
    // A third image whose digest does not start like the twins.
    let mut n = b + 1;
    let lone = loop {
        let m = make(n);
        if sha256(&m)[..15] != da[..15] {
            break m;
        }
        n += 1;
    };
    let dl = seeder
        .push_manifest(REPO, "lone", OCI_MANIFEST, &lone)
        .await;
    let addr = reg.addr.as_str();
    let inspect = |r: String| async move { regscope(&["inspect", &r, "--json"]).await };

    // Unique: sha256:PREFIX and bare PREFIX, 8 and 12 hex, give the full digest.
    for short in [&dl[..15], &dl[..19], &dl[7..15]] {
        let r = inspect(format!("{addr}/{REPO}@{short}")).await;
        assert_eq!(r.code, 0, "{short}: {}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v["digest"], dl.as_str(), "{short}");
    }
    // One more hex than the twins share tells them apart.
    let r = inspect(format!("{addr}/{REPO}@{}", &db[..16])).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(&db), "{}", r.stdout);

    // Ambiguous: exit 2, both candidates with their tags, nothing read as if unique.
    let r = inspect(format!("{addr}/{REPO}@{}", &da[..15])).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    for want in [
        format!("{} is ambiguous in {REPO}: it matches 2 digests", &da[..15]),
        format!("{da} twin-a"),
        format!("{db} twin-b"),
        "type more of the digest".to_string(),
    ] {
        assert!(r.stderr.contains(&want), "{want:?} in {}", r.stderr);
    }
    // Every command that reads an image resolves first: the same refusal, before any layer
    // is read (these fixtures' layer is no tar, so reading it would fail differently).
    let twins = format!("{addr}/{REPO}@{}", &da[..15]);
    for args in [
        vec!["layers", twins.as_str()],
        vec!["cat", twins.as_str(), "/etc/os-release"],
        vec!["diff", twins.as_str(), twins.as_str()],
        vec!["findings", twins.as_str()],
    ] {
        let r = regscope(&args).await;
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("is ambiguous in team/short"),
            "{args:?}: {}",
            r.stderr
        );
    }
    // The doctor refuses the same way (its own exit: 2 for the command line).
    let r = regscope(&["doctor", &format!("{addr}/{REPO}@{}", &da[7..15])]).await;
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("is ambiguous"), "{}", r.stderr);

    // Not found: exit 1, naming the repository, the prefix and how many were checked.
    let absent = if &dl[7..15] == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    let r = inspect(format!("{addr}/{REPO}@sha256:{absent}")).await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "no digest of {REPO} starts with sha256:{absent} (3 digests checked)"
        )),
        "{}",
        r.stderr
    );

    // Too short: exit 2 before any request, saying the minimum.
    let r = inspect(format!("{addr}/{REPO}@{}", &dl[..14])).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("at least 8 hex characters, this has 7"),
        "{}",
        r.stderr
    );
}

/// A full digest needs no listing: no tags list, no other manifest read. A short one
/// lists the repository.
#[tokio::test]
async fn a_full_digest_costs_no_listing() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let seeder = Seeder::new(&reg.base_url());
    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let c = seeder.push_blob(REPO, config).await;
    let l = seeder.push_blob(REPO, b"layer").await;
    let d = seeder
        .push_manifest(
            REPO,
            "v1",
            OCI_MANIFEST,
            &manifest(&c, config.len(), &l, 5, 1),
        )
        .await;
    let proxy = FaultProxy::start(&reg.base_url(), |_| async { Fault::Forward }).await;
    let r = regscope(&["inspect", &format!("{}/{REPO}@{d}", proxy.addr), "--json"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        proxy.count("GET", "/tags/list"),
        0,
        "a full digest lists nothing"
    );
    let r = regscope(&["inspect", &format!("{}/{REPO}@{}", proxy.addr, &d[..15])]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(&d), "{}", r.stdout);
    assert_eq!(
        proxy.count("GET", "/tags/list"),
        1,
        "a short digest lists the tags once"
    );
}
