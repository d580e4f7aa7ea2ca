//! `regscope audit` on Docker Hub and GHCR (the binary against the fakes of their APIs in
//! front of docker-registry): who may pull comes from the Hub's `is_private` and GitHub's
//! package `visibility`, a public one fails `public-access`; what those APIs do not say
//! (scanning, immutability, cleanup) stays unknown, never pass.

use crate::audit::{check, json_of_output};
use serde_json::Value;

fn statuses(doc: &Value, repo: &str) -> Vec<(String, String)> {
    ["scanning", "tag-immutability", "lifecycle-policy"]
        .iter()
        .map(|id| {
            (
                id.to_string(),
                check(doc, repo, id)["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

// The fakes run on this runtime while the binary runs: a second worker keeps them answering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dockerhub_is_private_decides_public_access() {
    let Some(w) = crate::dockerhub::world(crate::dockerhub::PAT).await else {
        return;
    };
    let config = format!(
        "[[registry]]\nname = \"hub-test\"\naddress = \"{}/acme\"\nkind = \"dockerhub\"\n",
        w.host()
    );
    std::fs::write(w.dir.path().join("config.toml"), config).unwrap();
    let out = crate::dockerhub::regscope(&w, &["audit", "hub-test", "--json"]);
    let doc = json_of_output(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "public repositories fail: {doc:#}"
    );
    for repo in ["acme/app", "acme/web"] {
        let c = check(&doc, repo, "public-access");
        assert_eq!(c["status"], "fail", "{repo}: {c}");
        let ev = c["evidence"].to_string();
        assert!(ev.contains(&format!("repository {repo} is public")), "{ev}");
        assert!(ev.contains("is_private=false"), "{ev}");
    }
    let c = check(&doc, "acme/secret", "public-access");
    assert_eq!(c["status"], "pass", "{c}");
    assert!(c["evidence"].to_string().contains("is_private=true"), "{c}");
    for (id, st) in statuses(&doc, "acme/app") {
        assert_eq!(st, "unknown", "{id} is not read on Docker Hub");
    }
    let c = check(&doc, "acme/app", "signatures");
    assert_ne!(c["status"], "pass", "{c}");
    assert_eq!(w.hub.manifest_gets(), 0, "the audit pulled nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ghcr_package_visibility_decides_public_access() {
    let Some(w) = crate::ghcr::world(true).await else {
        return;
    };
    w.gh.state
        .lock()
        .unwrap()
        .visibility
        .insert("web".into(), "public".into());
    let config = format!(
        "[[registry]]\nname = \"ghcr-test\"\naddress = \"{}/acme\"\nkind = \"ghcr\"\n",
        w.host()
    );
    std::fs::write(w.dir.path().join("config.toml"), config).unwrap();
    let out = crate::ghcr::regscope(&w, &["audit", "ghcr-test", "--json"]);
    let doc = json_of_output(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a public package fails: {doc:#}"
    );
    let c = check(&doc, "acme/web", "public-access");
    assert_eq!(c["status"], "fail", "{c}");
    assert!(
        c["evidence"].to_string().contains("package web is public"),
        "{c}"
    );
    let c = check(&doc, "acme/team/app", "public-access");
    assert_eq!(c["status"], "pass", "{c}");
    assert!(
        c["evidence"].to_string().contains("visibility=private"),
        "{c}"
    );
    for (id, st) in statuses(&doc, "acme/team/app") {
        assert_eq!(st, "unknown", "{id} is not read on GHCR");
    }
}

/// GitHub's version listing names untagged versions (`metadata.container.tags` empty), so
/// `untagged-bytes` is known on GHCR, as on ECR and Harbor: the bytes freed within the
/// repository by deleting the untagged versions (blobs a tagged image still uses are not
/// freed); an index's untagged platforms are not counted; a package without untagged
/// versions passes rather than staying unknown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ghcr_untagged_bytes_come_from_the_version_listing() {
    let Some(w) = crate::ghcr::world(true).await else {
        return;
    };
    // acme/web gains an untagged version sharing 1.0's layer: only its config is freed.
    let s = crate::support::seed::Seeder::new(&w.reg.base_url());
    let rebuilt = crate::ghcr::image("arm64", "2025-12-02T00:00:00Z", "web")
        .push(&s, "acme/web", &[])
        .await;
    assert_eq!(rebuilt.blobs[1], w.web.blobs[1], "the layer is shared");
    w.gh.describe("web", &[&rebuilt.digest], &[]).await;
    let config = format!(
        "[[registry]]\nname = \"ghcr-test\"\naddress = \"{}/acme\"\nkind = \"ghcr\"\n",
        w.host()
    );
    std::fs::write(w.dir.path().join("config.toml"), config).unwrap();
    let out = crate::ghcr::regscope(&w, &["audit", "ghcr-test", "--json"]);
    let doc = json_of_output(&out);

    let own: u64 = w.dangling.blobs.iter().map(|b| b.1).sum();
    let c = check(&doc, "acme/team/app", "untagged-bytes");
    assert_eq!(c["status"], "warn", "{c}");
    assert_eq!(
        c["summary"],
        format!("1 untagged manifest holds {}", regscope::text::size(own)),
        "the old image's config and layer: {c}"
    );
    let ev = c["evidence"].to_string();
    assert!(ev.contains(&w.dangling.digest), "{ev}");
    for child in [&w.amd64.digest, &w.arm64.digest] {
        assert!(
            !ev.contains(child.as_str()),
            "an index's platform counted: {ev}"
        );
    }
    assert!(!ev.contains("tag history"), "the listing is complete: {ev}");

    let c = check(&doc, "acme/web", "untagged-bytes");
    assert_eq!(c["status"], "warn", "{c}");
    assert_eq!(
        c["summary"],
        format!(
            "1 untagged manifest holds {}",
            regscope::text::size(rebuilt.blobs[0].1)
        ),
        "the shared layer is not freed: {c}"
    );

    // The version deleted (GitHub lists it no more): nothing untagged is a pass, not unknown.
    w.gh.describe("web", &[], &[]).await;
    let out = crate::ghcr::regscope(&w, &["audit", "ghcr-test", "--json"]);
    let doc = json_of_output(&out);
    let c = check(&doc, "acme/web", "untagged-bytes");
    assert_eq!(c["status"], "pass", "{c}");
}
