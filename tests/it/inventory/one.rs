//! Counts of one read as one (`1 image`, `1 layer`, `1 tag`), through the real binary
//! against a registry holding a single one-layer image.

use super::cli::regscope;
use crate::support::fixtures::{tar, Entry, ImageFixture, Layer};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;

#[tokio::test]
async fn a_count_of_one_reads_as_one() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    ImageFixture::new(
        "amd64",
        "2026-01-01T00:00:00Z",
        vec![Layer::plain(tar(&[Entry::File("x", b"x")]), "COPY x /")],
    )
    .push(&s, "solo/app", &["v1"])
    .await;
    let addr = reg.addr.as_str();

    let r = regscope(&["images", addr]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("1 image (0 platform manifests of an index, 0 referrers"),
        "{}",
        r.stdout
    );

    let r = regscope(&["images", addr, "--verbose"]).await;
    assert!(r.stderr.contains(", 0 retries,"), "{}", r.stderr);
    assert!(r.stderr.contains(", 0 errors"), "{}", r.stderr);

    let r = regscope(&["layers", &format!("{addr}/solo/app:v1")]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("1 layer,"), "{}", r.stdout);

    let r = regscope(&["doctor", &format!("{addr}/solo/app:v1")]).await;
    assert!(
        r.stdout.contains("config and 1 layer present"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("1 platforms"), "{}", r.stdout);

    let r = regscope(&["doctor", &format!("{addr}/solo/app:zzzzzzzz")]).await;
    assert!(
        r.stdout.contains("1 tag, none close to zzzzzzzz"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("exists (1 tag)"), "{}", r.stdout);
}
