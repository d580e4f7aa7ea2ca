//! Vectors for how acr-cli's manifest pass treats indexes and referrers, read from its
//! code (Azure/acr-cli cfbb835 `cmd/repository/image_functions.go`
//! `GetUntaggedManifests`, `checkManifestDeletabilityAndGetDependencies`,
//! `addDependentManifestsToIgnoreList`) and its tests `TestAddDependentManifestsToIgnoreList`,
//! `TestAddIndexDependenciesToIgnoreListComplex`, `TestCheckOCIArtifactDeletability`,
//! each cited; where acr-cli deletes what regscope's plan keeps, both are asserted.

use super::cli_manifest_vectors::{
    deleted, eval, index, listed, locked, AT, DOCKER_LIST, DOCKER_V2, OCI_ARTIFACT, OCI_INDEX,
    OCI_MANIFEST,
};
use super::*;
use crate::model::ImageKind;
use crate::policy::plan::DeletionPlan;
use crate::policy::plan_tests::opts;
use crate::policy::testkit::*;
use crate::policy::PolicyFormat;

/// cmd/repository/image_functions_test.go `TestAddDependentManifestsToIgnoreList` and
/// `TestAddIndexDependenciesToIgnoreListComplex` (random trees of depth 2–5 and
/// branching up to 4; here one fixed tree of depth 3, branching 2): every manifest below
/// a tagged index, through nested indexes, is kept.
#[test]
fn children_of_a_tagged_index_are_kept_recursively() {
    let t = Some(ago("30d"));
    let leaf = |id: &str| listed("bar", id, &[], t, OCI_MANIFEST);
    let mut images = vec![
        index(
            listed("bar", "root", &["v1"], t, OCI_INDEX),
            &["list1", "nonlist1"],
        ),
        index(
            listed("bar", "list1", &[], t, OCI_INDEX),
            &["child1", "list2"],
        ),
        index(
            listed("bar", "list2", &[], t, DOCKER_LIST),
            &["child2", "child3"],
        ),
        leaf("nonlist1"),
        leaf("child1"),
        leaf("child2"),
        leaf("child3"),
        leaf("loose"),
    ];
    assert_eq!(
        deleted(&images, "--untagged-only --ago 1d"),
        ["loose"],
        "{AT} TestAddDependentManifestsToIgnoreList/Mixed list and non-list manifests"
    );
    // `addDependentManifestsToIgnoreList` reads a nested index whatever its lock: a
    // locked inner index still keeps its children (the lock only spares itself).
    images[2] = locked(images[2].clone(), false, true);
    assert_eq!(deleted(&images, "--untagged-only --ago 1d"), ["loose"]);
}

/// f22f26d "untagged ago improvements" (`GetUntaggedManifests`): an untagged index kept
/// because it is too young, or because its lastUpdateTime is unavailable, keeps its
/// children, old as they are.
#[test]
fn an_index_kept_by_age_keeps_its_children() {
    for (name, t) in [("too young", Some(ago("1h"))), ("no time", None)] {
        let images = vec![
            index(listed("bar", "idx", &[], t, OCI_INDEX), &["c1"]),
            listed("bar", "c1", &[], Some(ago("50d")), OCI_MANIFEST),
        ];
        assert!(
            deleted(&images, "--untagged-only --ago 1d").is_empty(),
            "{name}"
        );
    }
}

/// `purgeDanglingManifests` applies --keep after `GetUntaggedManifests` chose the
/// candidates, so an index spared by --keep keeps none of its children: acr-cli deletes
/// them; regscope's plan keeps them (child of a surviving index).
#[test]
fn an_index_kept_by_keep_does_not_keep_its_children_in_acr_cli() {
    let images = vec![
        index(
            listed("bar", "idx", &[], Some(ago("2d")), OCI_INDEX),
            &["c1", "c2"],
        ),
        listed("bar", "c1", &[], Some(ago("10d")), OCI_MANIFEST),
        listed("bar", "c2", &[], Some(ago("10d")), OCI_MANIFEST),
    ];
    let ev = eval(&images, "--untagged-only --ago 1d --keep 1");
    assert_eq!(acted(&images, &ev, ActionKind::Delete), ["c1", "c2"]);
    let mut o = opts();
    o.format = PolicyFormat::Acr;
    let plan = DeletionPlan::build(&images, &ev, &o);
    assert!(plan.actions.is_empty(), "{:?}", plan.actions);
    assert_eq!(plan.protected.len(), 2);
    assert!(plan
        .protected
        .iter()
        .all(|p| p.why.contains("child of surviving index")));
}

/// cmd/repository/image_functions_test.go `TestCheckOCIArtifactDeletability`, through
/// the purge: an untagged OCI manifest or artifact manifest with a subject is kept, one
/// without is deleted; a Docker v2 manifest is deleted unread ("Non-OCI media type").
#[test]
fn check_oci_artifact_deletability() {
    let cases = [
        ("OCI manifest without subject", OCI_MANIFEST, false, true),
        (
            "OCI manifest with subject - referrer",
            OCI_MANIFEST,
            true,
            false,
        ),
        (
            "OCI artifact manifest without subject",
            OCI_ARTIFACT,
            false,
            true,
        ),
        (
            "OCI artifact manifest with subject - referrer",
            OCI_ARTIFACT,
            true,
            false,
        ),
        ("Non-OCI media type", DOCKER_V2, false, true),
        // `checkManifestDeletabilityAndGetDependencies` reads no Docker manifest for a
        // subject: one that carries a subject anyway is deleted unread.
        (
            "Non-OCI media type with subject (code)",
            DOCKER_V2,
            true,
            true,
        ),
    ];
    for (name, mt, subject, goes) in cases {
        let mut im = listed("bar", "m", &[], Some(ago("30d")), mt);
        if subject {
            im.subject = Some(dg("subject"));
        }
        assert_eq!(
            !deleted(&[im], "--untagged-only --ago 1d").is_empty(),
            goes,
            "{AT} TestCheckOCIArtifactDeletability/{name}"
        );
    }
}

/// `checkManifestDeletabilityAndGetDependencies`: an untagged OCI index with a subject
/// and children puts its children on the ignore list but never itself, so acr-cli
/// deletes the index (and says nothing); regscope follows, warns, and its plan keeps the
/// referrer while its subject stays. Without children it is kept like any referrer.
#[test]
fn a_referrer_index_with_children_is_deleted_by_acr_cli() {
    let t = Some(ago("30d"));
    let mut ref_idx = index(listed("bar", "refidx", &[], t, OCI_INDEX), &["c1"]);
    ref_idx.subject = Some(dg("subj"));
    let images = vec![
        listed("bar", "subj", &["v1"], t, OCI_MANIFEST),
        ref_idx,
        listed("bar", "c1", &[], t, OCI_MANIFEST),
    ];
    let ev = eval(&images, "--untagged-only --ago 1d");
    assert_eq!(acted(&images, &ev, ActionKind::Delete), ["refidx"]);
    assert!(
        ev.warnings.iter().any(|w| w.contains("referrer index")),
        "{:?}",
        ev.warnings
    );
    let mut o = opts();
    o.format = PolicyFormat::Acr;
    let plan = DeletionPlan::build(&images, &ev, &o);
    assert!(plan.actions.is_empty(), "{:?}", plan.actions);
    let mut childless = images[1].clone();
    childless.children.clear();
    childless.kind = ImageKind::Image;
    assert!(deleted(&[images[0].clone(), childless], "--untagged-only --ago 1d").is_empty());
}

/// `checkManifestDeletabilityAndGetDependencies`: "Manifest … has no media type, skipping
/// deletion", and its children are not read, so an untagged index without a reported
/// media type keeps none of them (regscope's plan does).
#[test]
fn a_manifest_without_media_type_is_kept_but_not_its_children() {
    let t = Some(ago("30d"));
    let images = vec![
        index(listed("bar", "idx", &[], t, ""), &["c1"]),
        listed("bar", "c1", &[], t, OCI_MANIFEST),
    ];
    let ev = eval(&images, "--untagged-only --ago 1d");
    assert_eq!(acted(&images, &ev, ActionKind::Delete), ["c1"]);
    assert!(
        ev.protected.iter().any(|p| p.why.contains("media type")),
        "{:?}",
        ev.protected
    );
    // Tagged (or too young), it is read for children like any index: they are kept.
    let images = vec![
        index(listed("bar", "idx", &["v1"], t, ""), &["c1"]),
        listed("bar", "c1", &[], t, OCI_MANIFEST),
    ];
    assert!(deleted(&images, "--untagged-only --ago 1d").is_empty());
}

/// `GetUntaggedManifests` skips a locked manifest before it looks at tags or children, so
/// a locked *tagged* index keeps none of its untagged children either (lifecycle.md §3.2).
#[test]
fn a_locked_tagged_index_keeps_no_children_in_acr_cli() {
    let t = Some(ago("30d"));
    let images = vec![
        locked(
            index(listed("bar", "idx", &["v1"], t, OCI_INDEX), &["c1"]),
            false,
            true,
        ),
        listed("bar", "c1", &[], t, OCI_MANIFEST),
    ];
    let ev = eval(&images, "--untagged-only --ago 1d");
    assert_eq!(acted(&images, &ev, ActionKind::Delete), ["c1"]);
    assert!(
        ev.warnings.iter().any(|w| w.contains("is locked")),
        "{:?}",
        ev.warnings
    );
    // --include-locked reads it like any other: its child stays.
    assert!(deleted(&images, "--untagged-only --ago 1d --include-locked").is_empty());
}

/// Dry run (`GetUntaggedManifests` with `manifestToDeletedTagsCountMap`): a manifest is
/// dangling only when every one of its tags is deleted by the tag pass.
#[test]
fn a_manifest_keeping_one_tag_is_not_dangling() {
    let t = Some(ago("30d"));
    let images = vec![
        listed("bar", "two", &["old-1", "keep-1"], t, DOCKER_V2),
        listed("bar", "one", &["old-2"], t, DOCKER_V2),
    ];
    let ev = eval(&images, "--filter 'bar:^old' --ago 1d --untagged --dry-run");
    assert_eq!(acted(&images, &ev, ActionKind::Untag), ["one", "two"]);
    assert_eq!(acted(&images, &ev, ActionKind::Delete), ["one"]);
}
