//! The harness itself: a real registry starts on an ephemeral port and serves back exactly
//! what the independent seeder pushed.

use crate::support::fixtures::{tar, Entry, ImageFixture, Layer};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;

#[tokio::test]
async fn registry_starts_on_port_zero_and_round_trips_an_image() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    assert!(
        reg.addr.starts_with("127.0.0.1:") && !reg.addr.ends_with(":0"),
        "{}",
        reg.addr
    );
    let s = Seeder::new(&reg.base_url());
    let img = ImageFixture::new(
        "amd64",
        "2026-01-01T00:00:00Z",
        vec![Layer::gzip(
            tar(&[Entry::File("etc/hello", b"hi\n")]),
            "COPY hello /etc/",
        )],
    );
    let pushed = img.push(&s, "smoke/app", &["v1"]).await;
    assert_eq!(s.manifest_status("smoke/app", "v1").await, 200);
    assert_eq!(s.manifest_status("smoke/app", &pushed.digest).await, 200);
    assert_eq!(s.delete_manifest("smoke/app", &pushed.digest).await, 202);
    assert_eq!(s.manifest_status("smoke/app", "v1").await, 404);
}
