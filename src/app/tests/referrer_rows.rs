//! A referrer row under its subject says what it is: an SBOM by that name (its media type
//! cut to `applica…` in a narrow TAGS column said nothing), a scanner's report as one, an unknown artifact by its type.

use crate::app::testing::image;
use crate::app::views::images::table::ImageTable;
use crate::app::views::images::view::dependent_label;
use crate::model::ImageKind;

#[test]
fn referrers_are_named_by_what_they_are() {
    let subject = image("shop", 1, &["v1"]);
    let referrer = |n: u64, artifact_type: &str| {
        let mut r = image("shop", n, &[]);
        r.kind = ImageKind::Artifact;
        r.platforms.clear();
        r.subject = Some(subject.digest.clone());
        r.artifact_type = Some(artifact_type.into());
        r
    };
    let images = vec![
        subject.clone(),
        referrer(2, "application/spdx+json"),
        referrer(3, "application/vnd.cyclonedx+json"),
        referrer(4, "application/vnd.example.thing"),
        referrer(5, "application/vnd.aquasec.trivy.report.v1+json"),
    ];
    let t = ImageTable::from_images("prod", "shop", &images);
    let label = |i: usize| {
        let id = t.find_digest(images[i].digest.as_str()).unwrap();
        dependent_label(&t, id)
    };
    assert_eq!(label(0), None);
    assert_eq!(label(1).as_deref(), Some("↳ SBOM"));
    assert_eq!(label(2).as_deref(), Some("↳ SBOM"));
    assert_eq!(label(3).as_deref(), Some("↳ application/vnd.example.thing"));
    assert_eq!(label(4).as_deref(), Some("↳ scan report"));
}
