//! `regscope audit STAGING --compare PROD` between two real docker-registry instances: the
//! same repositories compared by digest (images missing on either side, tags that name
//! different digests) decide the replication check; the comparison is in the document.

use crate::audit::{check, json_of_output, regscope};
use crate::support::fixtures::{tar, Entry, ImageFixture, Layer};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;

fn image(content: &[u8]) -> ImageFixture {
    ImageFixture::new(
        "amd64",
        "2026-11-01T00:00:00Z",
        vec![Layer::gzip(
            tar(&[Entry::File("app/bin", content)]),
            "COPY app /app",
        )],
    )
}

#[tokio::test]
async fn compare_two_registries_by_digest() {
    let (Some(staging), Some(prod)) = (TestRegistry::start(), TestRegistry::start()) else {
        return;
    };
    let (a, b) = (
        Seeder::new(&staging.base_url()),
        Seeder::new(&prod.base_url()),
    );
    // team/app: v1 on both; v2 (= latest) only in staging; prod's latest is still v1 and
    // prod has a hotfix staging lacks. team/web only in staging; team/same identical;
    // team/extra only in prod.
    let v1 = image(b"one").push(&a, "team/app", &["v1"]).await;
    let v2 = image(b"two").push(&a, "team/app", &["v2", "latest"]).await;
    image(b"one").push(&b, "team/app", &["v1", "latest"]).await;
    let hotfix = image(b"hotfix").push(&b, "team/app", &["hotfix"]).await;
    image(b"web").push(&a, "team/web", &["1.0"]).await;
    image(b"same").push(&a, "team/same", &["1.0"]).await;
    image(b"same").push(&b, "team/same", &["1.0"]).await;
    image(b"extra").push(&b, "team/extra", &["1.0"]).await;

    let host = |r: &TestRegistry| r.base_url().trim_start_matches("http://").to_string();
    let (sh, ph) = (host(&staging), host(&prod));
    let dir = tempfile::tempdir().unwrap();
    let out = regscope(dir.path(), &["audit", &sh, "--compare", &ph, "--json"]);
    let doc = json_of_output(&out);
    assert_eq!(doc["schema"], "regscope.audit/v1");

    let c = check(&doc, "team/app", "replication");
    assert_eq!(c["status"], "warn", "{c}");
    assert_eq!(
        c["summary"],
        format!("{ph} differs: 1 image missing there, 1 image only there, 1 tag moved")
    );
    let ev = c["evidence"].to_string();
    assert!(
        ev.contains(&format!("team/app@{} missing in {ph}", v2.digest)),
        "{ev}"
    );
    assert!(
        ev.contains(&format!("team/app@{} only in {ph}", hotfix.digest)),
        "{ev}"
    );
    assert!(
        ev.contains(&format!("latest: {} here, {} there", v2.digest, v1.digest)),
        "{ev}"
    );
    let app = doc["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["repository"] == "team/app")
        .unwrap();
    assert_eq!(app["comparison"]["only_here"][0], v2.digest.as_str());
    assert_eq!(app["comparison"]["only_there"][0], hotfix.digest.as_str());

    let c = check(&doc, "team/web", "replication");
    assert_eq!(c["status"], "warn", "{c}");
    assert_eq!(c["summary"], format!("{ph} has no repository team/web"));
    let c = check(&doc, "team/same", "replication");
    assert_eq!(c["status"], "pass", "{c}");
    assert_eq!(
        doc["summary"]["only_in_compared"],
        serde_json::json!([format!("{ph}/team/extra")])
    );
    // Differences warn; the 1 comes from scanning (no reports on a plain registry), not 3.
    assert_eq!(out.status.code(), Some(1), "{doc:#}");

    // Without --compare a plain registry keeps no replication setting: n/a, no comparison.
    let out = regscope(dir.path(), &["audit", &sh, "--json"]);
    let doc = json_of_output(&out);
    assert_eq!(check(&doc, "team/app", "replication")["status"], "n/a");
    assert!(doc["repositories"][0].get("comparison").is_none());

    // A registry that cannot be listed: the comparison is unknown, never pass, and the
    // document says it is partial.
    let out = regscope(
        dir.path(),
        &["audit", &sh, "--compare", "127.0.0.1:9", "--json"],
    );
    let doc = json_of_output(&out);
    let c = check(&doc, "team/same", "replication");
    assert_eq!(c["status"], "unknown", "{c}");
    assert_eq!(doc["summary"]["partial"], true, "{doc:#}");
    assert!(
        doc["summary"]["errors"]
            .to_string()
            .contains("could not be listed to compare with"),
        "{doc:#}"
    );
}
