//! The real `regscope` binary against a seeded registry: `repos`, `images` (table and
//! `--json`), `inspect` (text and `--json`, `--platform` on an index), exit codes.

use crate::support::fleet::{self, distinct_bytes};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use regscope::model::{ImageKind, Inventory};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub async fn regscope(args: &[&str]) -> Run {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(args)
        .env_remove("REGSCOPE_LOG")
        // The store has its own tests (tests/it/store.rs); these count every request.
        .env("REGSCOPE_NO_CACHE", "1")
        .output()
        .await
        .expect("run regscope");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[tokio::test]
async fn images_repos_and_inspect_from_the_command_line() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let f = fleet::seed(&Seeder::new(&reg.base_url())).await;
    let addr = reg.addr.as_str();

    // images --json: the documented schema, parsed by the schema reader
    let r = regscope(&["images", addr, "--json"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let inv = Inventory::from_json(&r.stdout).expect("valid inventory JSON");
    assert_eq!(inv.registry, addr);
    assert_eq!(inv.images.len(), 5 + 4 + 5 + 1);
    let v1 = inv
        .images
        .iter()
        .find(|i| i.digest.to_string() == f.api_v1.digest)
        .unwrap();
    assert_eq!(v1.tags, ["latest", "stable", "v1"]);
    assert_eq!(v1.size_bytes, Some(distinct_bytes(&[&f.api_v1])));
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["schema"], "regscope.inventory/v1");
    let first = &doc["images"][0];
    for key in [
        "repository",
        "digest",
        "media_type",
        "kind",
        "tags",
        "size_bytes",
        "unique_bytes",
        "platforms",
        "created_at",
        "pushed_at",
        "last_pulled_at",
        "children",
        "subject",
        "referrers",
    ] {
        assert!(first.get(key).is_some(), "missing {key} in {first}");
    }
    assert!(first["pushed_at"].is_null(), "unknown is null");

    // images TARGET/PREFIX: a plain table of that prefix only, no colour codes
    let r = regscope(&["images", &format!("{addr}/team-a")]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains('\x1b'), "no escape codes when piped");
    let header = r.stdout.lines().next().unwrap();
    for col in [
        "REPOSITORY",
        "TAGS",
        "DIGEST",
        "KIND",
        "PLATFORMS",
        "SIZE",
        "UNIQUE",
        "CREATED",
    ] {
        assert!(header.contains(col), "{header}");
    }
    assert!(r.stdout.contains("latest, stable, v1"), "{}", r.stdout);
    assert!(
        r.stdout.contains("linux/amd64, linux/arm64/v8"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(&f.api_v1.digest[7..19]));
    // An index's platforms are listed under it, not as untagged images; the footer
    // counts images by the one definition.
    assert!(r.stdout.contains("↳ linux/arm64/v8"), "{}", r.stdout);
    assert!(!r.stdout.contains("<untagged>"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("3 images (2 platform manifests of an index"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("team-b"), "prefix filter");
    assert!(
        r.stdout
            .contains("1 referrers fallback-tag index hidden; --all shows it"),
        "{}",
        r.stdout
    );
    let all = regscope(&["images", &format!("{addr}/team-a"), "--all"]).await;
    assert!(all
        .stdout
        .contains(&f.api_v2.digest.replace(':', "-")[..20]));

    // repos: every repository with counts
    let r = regscope(&["repos", addr]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let line = r
        .stdout
        .lines()
        .find(|l| l.starts_with("team-a/api "))
        .expect(&r.stdout);
    let cols: Vec<&str> = line.split_whitespace().collect();
    // Two images: the signature, the SBOM and its fallback index are referrers.
    assert_eq!(&cols[1..3], ["2", "6"], "{line}");
    assert!(r.stdout.contains("org/platform/tools/cli"));
    let r = regscope(&["repos", addr, "--json"]).await;
    let rows: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let multi = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["repository"] == "team-a/multi")
        .unwrap();
    assert_eq!(
        multi["total_bytes"].as_u64(),
        Some(distinct_bytes(&[
            &f.multi_amd64,
            &f.multi_arm64,
            &f.multi_att
        ]))
    );

    // inspect an image: layers aligned with non-empty history, referrers via cosign tag
    let r = regscope(&["inspect", &format!("{addr}/team-a/api:v1")]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let layers: Vec<&str> = r.stdout.lines().skip_while(|l| *l != "Layers").collect();
    assert!(layers[2].contains("ADD rootfs.tar /"), "{}", r.stdout);
    assert!(layers[3].contains("COPY app1 /app"), "{}", r.stdout);
    assert!(
        !r.stdout.contains("ENV PATH"),
        "empty history entries make no layer"
    );
    assert!(r.stdout.contains(&f.api_v1_sig.digest), "{}", r.stdout);

    // inspect an index with --platform: the chosen image, attestations labelled
    let r = regscope(&[
        "inspect",
        &format!("{addr}/team-a/multi:1.0"),
        "--platform",
        "linux/arm64",
        "--json",
    ])
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["kind"], ImageKind::Index.as_str());
    assert_eq!(doc["image"]["digest"], f.multi_arm64.digest);
    assert_eq!(doc["image"]["platform"], "linux/arm64/v8");
    assert_eq!(
        doc["platforms"],
        serde_json::json!(["linux/amd64", "linux/arm64/v8"])
    );
    let att = doc["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["digest"] == f.multi_att.digest)
        .unwrap();
    assert_eq!(att["attestation_for"], f.multi_amd64.digest);
    assert_eq!(doc["image"]["layers"][1]["created_by"], "RUN make arm64");

    // the SBOM shows up as a referrer of v2 through the fallback tag
    let r = regscope(&["inspect", &format!("{addr}/team-a/api:v2"), "--json"]).await;
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["referrers_source"], "fallback-tag");
    assert_eq!(doc["referrers"][0]["digest"], f.api_v2_sbom.digest);

    // errors: a missing tag and an unreachable registry exit 1 with a message on stderr
    let r = regscope(&["inspect", &format!("{addr}/team-a/api:nope")]).await;
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains("team-a/api") && r.stderr.contains("nope"),
        "{}",
        r.stderr
    );
    let r = regscope(&["images", "127.0.0.1:1", "--json"]).await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("127.0.0.1:1"), "{}", r.stderr);
    let r = regscope(&["images", "https://example.com"]).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[tokio::test]
async fn a_partial_inventory_exits_3_with_the_failures_on_stderr() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let img = fleet::image(
        "amd64",
        None,
        "2026-01-01T00:00:00Z",
        vec![fleet::base_layer()],
    );
    let ok = img.push(&s, "part/ok", &["v1"]).await;
    img.push(&s, "part/mixed", &["v1"]).await;
    let other = fleet::image(
        "arm64",
        None,
        "2026-01-01T00:00:00Z",
        vec![fleet::base_layer()],
    );
    let broken = other.push(&s, "part/mixed", &["v2"]).await;
    reg.overwrite_blob_data(&broken.digest, b"{");
    let r = regscope(&["images", &reg.addr, "--json", "--verbose"]).await;
    assert_eq!(r.code, 3, "{}", r.stderr);
    let inv = Inventory::from_json(&r.stdout).expect("the partial document is still printed");
    assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
    assert_eq!(inv.errors[0].reference.as_deref(), Some("v2"));
    assert!(inv.images.iter().any(|i| i.digest.to_string() == ok.digest));
    assert!(r.stderr.contains("partial inventory"), "{}", r.stderr);
    let requests: u64 = r
        .stderr
        .split(" requests")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("--verbose shows traffic: {}", r.stderr));
    assert!(
        requests >= 6,
        "catalog, 2 tag lists, 3 manifests at least: {}",
        r.stderr
    );
}
