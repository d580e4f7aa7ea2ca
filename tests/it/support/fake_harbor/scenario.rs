//! The Harbor the Harbor tests share: a client of the fake, and `lib/team/web` seeded with
//! an immutable tag, a pull, a scan, a cosign signature, a signed SBOM and an index.

use super::{FakeHarbor, ADMIN};
use crate::support::fixtures::{
    push_cosign_signature, push_index, push_referrer, tar, Entry, ImageFixture, Layer,
};
use chrono::{DateTime, TimeZone, Utc};
use regscope::config::RegistrySettings;
use regscope::model::Image;
use regscope::registry::credentials::Credential;
use regscope::registry::harbor::{HarborClient, HarborOptions};
use serde_json::json;

pub fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0).unwrap()
}

pub fn image(arch: &str, text: &[u8]) -> ImageFixture {
    ImageFixture::new(
        arch,
        "2026-01-01T00:00:00Z",
        vec![Layer::gzip(
            tar(&[Entry::File("etc/data", text)]),
            "COPY data /etc/",
        )],
    )
}

pub fn client(
    h: &FakeHarbor,
    user: Option<(&str, &str)>,
    page_size: Option<usize>,
) -> HarborClient {
    let credential = Some(match user {
        Some((u, p)) => Credential::Basic {
            username: u.into(),
            password: p.into(),
        },
        None => Credential::Anonymous,
    });
    HarborClient::new(
        &h.addr,
        &RegistrySettings::for_address(&h.addr),
        HarborOptions {
            credential,
            page_size,
            ..Default::default()
        },
    )
    .unwrap()
}

pub fn find<'a>(images: &'a [Image], digest: &str) -> &'a Image {
    images
        .iter()
        .find(|i| i.digest.as_str() == digest)
        .unwrap_or_else(|| panic!("{digest} not listed"))
}

/// lib/team/web: `v1.0` (immutable by rule, pulled once, scanned) with a cosign signature,
/// `latest` with an SPDX SBOM, and a two-platform index `multi`.
pub struct Seeded {
    pub v1: String,
    pub latest: String,
    pub multi: String,
    pub children: Vec<String>,
    pub sig: String,
    pub sbom: String,
    pub sbom_sig: String,
}

pub async fn seed(h: &FakeHarbor) -> Seeded {
    h.add_project("lib", false, true);
    h.add_immutable_rule("lib", "**", "v1*");
    h.set_quota("lib", 10_000_000);
    let s = h.seeder();
    h.set_clock(at(1));
    let v1 = image("amd64", b"one")
        .push(&s, "lib/team/web", &["v1.0"])
        .await;
    let sig = push_cosign_signature(&s, "lib/team/web", &v1).await;
    h.set_clock(at(2));
    let latest_img = image("arm64", b"two");
    let latest = latest_img.push(&s, "lib/team/web", &["latest"]).await;
    let sbom = push_referrer(
        &s,
        "lib/team/web",
        &latest,
        "application/spdx+json",
        b"{\"spdxVersion\":\"SPDX-2.3\"}",
        false,
    )
    .await;
    // The SBOM is signed in turn: an accessory of an accessory.
    let sbom_sig = push_referrer(
        &s,
        "lib/team/web",
        &sbom,
        "application/vnd.dev.cosign.artifact.sig.v1+json",
        b"sig",
        false,
    )
    .await;
    h.set_clock(at(3));
    let (a, b) = (image("amd64", b"ma"), image("arm64", b"mb"));
    let (pa, pb) = (
        a.push(&s, "lib/team/web", &[]).await,
        b.push(&s, "lib/team/web", &[]).await,
    );
    let multi = push_index(
        &s,
        "lib/team/web",
        false,
        &[(&a, &pa), (&b, &pb)],
        vec![],
        &["multi"],
    )
    .await;
    // One pull of v1.0 on day 4, through /v2 as docker would.
    h.set_clock(at(4));
    let r = reqwest::Client::new()
        .get(format!("http://{}/v2/lib/team/web/manifests/v1.0", h.addr))
        .basic_auth(ADMIN.0, Some(ADMIN.1))
        .header("accept", "application/vnd.oci.image.manifest.v1+json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    h.set_scan("lib/team/web", &v1.digest, json!({"report_id": "r1", "scan_status": "Success", "severity": "High",
        "duration": 3, "start_time": "2026-03-04T13:00:00.000Z", "end_time": "2026-03-04T13:00:03.000Z", "complete_percent": 100,
        "summary": {"total": 4, "fixable": 2, "summary": {"Critical": 1, "High": 2, "Medium": 1}},
        "scanner": {"name": "Trivy", "vendor": "Aqua Security", "version": "v0.50"}}));
    Seeded {
        v1: v1.digest,
        latest: latest.digest,
        multi: multi.digest,
        children: vec![pa.digest, pb.digest],
        sig: sig.digest,
        sbom_sig: sbom_sig.digest,
        sbom: sbom.digest,
    }
}
