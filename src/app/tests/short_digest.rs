//! Short digests in `:` commands (`:diff`, `:doctor`): resolved among the rows already
//! loaded for the repository, with no effect (no request) until they name one digest;
//! none, several, too short or not loaded is an error on the status line.

use super::Harness;
use crate::app::effect::Effect;
use crate::app::inventory_event as ev;
use crate::app::testing::fleet_images;
use crate::model::{Digest, Image, ImageKind};

fn digest(hex_start: &str, fill: char) -> Digest {
    let hex = format!(
        "{hex_start}{}",
        fill.to_string().repeat(64 - hex_start.len())
    );
    Digest::parse(&format!("sha256:{hex}")).unwrap()
}

fn image(d: &Digest, tags: &[&str]) -> Image {
    let mut i = Image::new(
        "twins",
        d.clone(),
        crate::registry::media::OCI_MANIFEST,
        ImageKind::Image,
    );
    i.tags = tags.iter().map(|t| t.to_string()).collect();
    i
}

/// prod with `web` (40 images, open, last row selected), `twins` (two digests sharing
/// `0a8b13f7`, one `0a8b13f8`, one untagged `0a8b13f7…3`), and `later` (listed, no rows).
fn harness() -> (Harness, [Digest; 4]) {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["web", "twins", "later"]));
    h.inventory(ev::images("prod", "web", fleet_images("web", 40)));
    let d = [
        digest("0a8b13f7", '1'),
        digest("0a8b13f7", '2'),
        digest("0a8b13f8", '3'),
        digest("0a8b13f7", '3'),
    ];
    h.inventory(ev::images(
        "prod",
        "twins",
        vec![
            image(&d[0], &["twin-a"]),
            image(&d[1], &["twin-b", "latest"]),
            image(&d[2], &["lone"]),
            image(&d[3], &[]),
        ],
    ));
    h.keys("G enter");
    assert_eq!(
        h.state.images.table.as_ref().map(|t| t.repository.as_str()),
        Some("web")
    );
    (h, d)
}

fn command(h: &mut Harness, line: &str) -> Option<Effect> {
    h.keys("esc :");
    h.type_text(line);
    h.keys("enter");
    h.other.pop()
}

fn error(h: &Harness) -> String {
    let f = h.state.flash.clone().expect("a message on the status line");
    assert!(f.error, "{f:?}");
    f.text
}

#[test]
fn diff_resolves_a_unique_short_digest_in_the_open_or_a_loaded_repository() {
    let (mut h, d) = harness();
    // The open repository's own rows: `@` and a bare 8-hex prefix of one of web's digests.
    let web = crate::app::testing::image("web", 7, &[]).digest;
    let Some(Effect::Compare(req)) = command(&mut h, &format!("diff @{}", &web.hex()[..8])) else {
        panic!("compare effect, flash {:?}", h.state.flash)
    };
    assert_eq!(
        (req.b.repository.as_str(), req.b.reference.as_str()),
        ("web", web.as_str())
    );
    // Another loaded repository: sha256:PREFIX, 8 and 9 hex.
    for (typed, want) in [("sha256:0a8b13f8", &d[2]), ("0a8b13f72", &d[1])] {
        let Some(Effect::Compare(req)) = command(&mut h, &format!("diff twins@{typed}")) else {
            panic!("{typed}: compare effect, flash {:?}", h.state.flash)
        };
        assert_eq!(req.b.repository, "twins");
        assert_eq!(req.b.reference, want.as_str(), "{typed}");
        assert!(req.b.shown.ends_with(want.as_str()), "{}", req.b.shown);
    }
}

#[test]
fn diff_refuses_an_ambiguous_unknown_short_or_unloaded_digest_without_asking() {
    let (mut h, d) = harness();
    assert!(command(&mut h, "diff twins@sha256:0a8b13f7").is_none());
    let e = error(&h);
    assert_eq!(
        e,
        ":diff twins@sha256:0a8b13f7: sha256:0a8b13f7 is ambiguous in twins, 3 match: 0a8b13f71111 twin-a · 0a8b13f72222 twin-b, latest · 0a8b13f73333 untagged; type more of it"
    );

    assert!(command(&mut h, "diff twins@deadbeef").is_none());
    assert!(
        error(&h).contains("no digest of twins starts with deadbeef (4 digests checked)"),
        "{}",
        error(&h)
    );

    assert!(command(&mut h, "diff @0a8b13f").is_none());
    assert!(
        error(&h).contains("at least 8 hex characters, this has 7"),
        "{}",
        error(&h)
    );

    assert!(command(&mut h, "diff @0A8B13F7").is_none());
    assert!(
        error(&h).contains("lower-case hex: 0a8b13f7"),
        "{}",
        error(&h)
    );

    assert!(command(&mut h, "diff later@0a8b13f7").is_none());
    assert!(
        error(&h).contains("the images of later are not loaded yet"),
        "{}",
        error(&h)
    );

    // A full digest needs no loaded rows.
    let full = format!("later@{}", d[0]);
    let Some(Effect::Compare(req)) = command(&mut h, &format!("diff {full}")) else {
        panic!("compare effect, flash {:?}", h.state.flash)
    };
    assert_eq!(req.b.reference, d[0].as_str());
}

#[test]
fn doctor_resolves_short_digests_in_the_browsed_registry_and_refuses_ambiguity() {
    let (mut h, d) = harness();
    let Some(Effect::Doctor(req)) = command(&mut h, "doctor twins@0a8b13f8") else {
        panic!("doctor effect, flash {:?}", h.state.flash)
    };
    assert_eq!(req.reference.digest.as_ref(), Some(&d[2]));
    assert_eq!(req.reference.short_digest, None);
    assert_eq!(req.reference.repository, "twins");
    assert_eq!(req.registry, Some(0));
    // Naming the registry: the same rows.
    let Some(Effect::Doctor(req)) =
        command(&mut h, "doctor prod.example:5000/twins@sha256:0a8b13f71")
    else {
        panic!("doctor effect, flash {:?}", h.state.flash)
    };
    assert_eq!(req.reference.digest.as_ref(), Some(&d[0]));
    assert_eq!(
        h.state.doctor.reference.as_deref(),
        Some(format!("prod.example:5000/twins@{}", d[0]).as_str())
    );

    assert!(command(&mut h, "doctor twins@0a8b13f7").is_none());
    assert!(error(&h).contains("is ambiguous in twins"), "{}", error(&h));
    // A registry that is not browsed has no loaded rows: the full digest is asked for.
    assert!(command(&mut h, "doctor ghcr.io/o/app@0a8b13f7").is_none());
    assert!(
        error(&h).contains("ghcr.io is not being browsed"),
        "{}",
        error(&h)
    );
}
