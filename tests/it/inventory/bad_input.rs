//! A broken manifest or a missing config is an issue naming where; the rest completes.

use super::crawl;
use crate::support::fixtures::{tar, Entry, ImageFixture, Layer};
use crate::support::fleet::distinct_bytes;
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use std::collections::BTreeSet;
#[tokio::test]
async fn a_broken_manifest_is_an_issue_and_the_rest_completes() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let mk = |body: &str| {
        ImageFixture::new(
            "amd64",
            "2026-01-01T00:00:00Z",
            vec![Layer::gzip(
                tar(&[Entry::File("f", body.as_bytes())]),
                "COPY f /",
            )],
        )
    };
    let good = mk("good").push(&s, "good/one", &["v1"]).await;
    let ok = mk("ok").push(&s, "bad/repo", &["ok"]).await;
    let broken = mk("broken").push(&s, "bad/repo", &["broken"]).await;
    let noconfig = mk("noconfig").push(&s, "bad/repo", &["noconfig"]).await;
    // Behind the registry's back: the stored manifest is no longer JSON, and a config is gone.
    reg.overwrite_blob_data(&broken.digest, b"<html>502 Bad Gateway</html>");
    reg.remove_blob_data(&noconfig.blobs[0].0);

    let out = crawl(&reg.addr).await;
    let errs = &out.inventory.errors;
    assert_eq!(errs.len(), 2, "{errs:#?}");
    let e = errs
        .iter()
        .find(|e| e.reference.as_deref() == Some("broken"))
        .expect("broken tag reported");
    assert_eq!(e.repository.as_deref(), Some("bad/repo"));
    assert!(
        e.message.contains("bad/repo"),
        "names the repository: {}",
        e.message
    );
    let e = errs
        .iter()
        .find(|e| e.reference.as_deref() == Some(noconfig.blobs[0].0.as_str()))
        .expect("missing config reported");
    assert!(e.message.contains("bad/repo"), "{}", e.message);

    let digests: BTreeSet<String> = out
        .inventory
        .images
        .iter()
        .map(|i| i.digest.to_string())
        .collect();
    assert!(digests.contains(&good.digest));
    assert!(digests.contains(&ok.digest));
    assert!(!digests.contains(&broken.digest));
    let nc = out
        .inventory
        .images
        .iter()
        .find(|i| i.digest.to_string() == noconfig.digest)
        .unwrap();
    assert_eq!(nc.created_at, None, "unknown, not zero");
    assert_eq!(
        nc.size_bytes,
        Some(distinct_bytes(&[&noconfig])),
        "sizes come from the manifest"
    );
}
