//! acr-cli's own test vectors for the manifest pass of `acr purge` (`--untagged`,
//! `--untagged-only`), each cited by file and test name in Azure/acr-cli at commit cfbb835
//! (2026-03), and vectors read from its code where its tests are silent (cited by
//! function). acr-cli's tests call `purgeDanglingManifests` without a tag pass; here that
//! is `--untagged-only` (which deletes no tag). Their times are "15 minutes ago" or dates;
//! our NOW is 2026-01-01.

use super::*;
use crate::model::{ImageKind, Lock, TagDetail};
use crate::policy::plan::DeletionPlan;
use crate::policy::plan_tests::opts;
use crate::policy::testkit::*;
use crate::policy::PolicyFormat;

const AT: &str = "Azure/acr-cli@cfbb835";
const DOCKER_V2: &str = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_ARTIFACT: &str = "application/vnd.oci.artifact.manifest.v1+json";

/// A manifest as `GetAcrManifests` lists it: `id` in `repo`, its tags (each updated when
/// the manifest was), lastUpdateTime `updated` (`None`: not reported), media type.
fn listed(repo: &str, id: &str, tags: &[&str], updated: Option<DateTime<Utc>>, mt: &str) -> Image {
    let mut im = img(repo, id, tags, "1d");
    im.updated_at = updated;
    im.media_type = mt.into();
    im.tag_details = Some(
        tags.iter()
            .map(|t| TagDetail {
                name: t.to_string(),
                last_update: updated,
                ..Default::default()
            })
            .collect(),
    );
    im
}

fn at(rfc3339: &str) -> Option<DateTime<Utc>> {
    Some(rfc3339.parse().unwrap())
}

fn index(mut im: Image, children: &[&str]) -> Image {
    im.kind = ImageKind::Index;
    im.children = children.iter().map(|c| dg(c)).collect();
    im
}

fn locked(mut im: Image, write_enabled: bool, delete_enabled: bool) -> Image {
    im.locked = Some(Lock {
        write_enabled,
        delete_enabled,
    });
    im
}

fn eval_with(images: &[Image], args: &str, sw: &Switches) -> Evaluation {
    AcrPurge::parse(args)
        .unwrap_or_else(|e| panic!("{args}: {e}"))
        .evaluate(images, now(), sw)
}

fn eval(images: &[Image], args: &str) -> Evaluation {
    eval_with(images, args, &Switches::default())
}

fn deleted(images: &[Image], args: &str) -> Vec<String> {
    acted(images, &eval(images, args), ActionKind::Delete)
}

/// The fixtures of cmd/acr/purge_test.go, in repository `bar`, all updated 15 minutes ago.
fn fixture(name: &str) -> Vec<Image> {
    let t = Some(ago("15m"));
    let m = |id: &str, tags: &[&str], mt: &str| listed("bar", id, tags, t, mt);
    match name {
        "singleManifestV2WithTagsResult" => vec![m("digest", &["latest"], DOCKER_V2)],
        "doubleManifestV2WithoutTagsResult" => {
            vec![m("digest1", &[], DOCKER_V2), m("digest2", &[], DOCKER_V2)]
        }
        "doubleOCIWithoutTagsResult" => {
            vec![
                m("digest1", &[], OCI_MANIFEST),
                m("digest2", &[], OCI_MANIFEST),
            ]
        }
        "singleMultiArchManifestV2WithTagsResult" => {
            vec![index(m("multiArch", &["v3"], DOCKER_LIST), &["digest1"])]
        }
        "singleMultiArchOCIWithTagsResult" => {
            vec![index(m("multiArch", &["v3"], OCI_INDEX), &["digest1"])]
        }
        _ => panic!("{name}"),
    }
}

fn pages(names: &[&str]) -> Vec<Image> {
    names.iter().flat_map(|n| fixture(n)).collect()
}

/// cmd/acr/purge_test.go `TestPurgeManifests`: every case that decides what is deleted
/// (the others feed API errors, which surface when the inventory is read).
#[test]
fn purge_manifests() {
    let ago0 = "--untagged-only --ago 0m";
    let cases: [(&str, Vec<Image>, &str, &[&str]); 4] = [
        (
            "NoDeletionManifestTest",
            pages(&["singleManifestV2WithTagsResult"]),
            ago0,
            &[],
        ),
        (
            "DeleteTwoManifestsTest",
            pages(&[
                "singleManifestV2WithTagsResult",
                "doubleManifestV2WithoutTagsResult",
            ]),
            ago0,
            &["digest1", "digest2"],
        ),
        (
            "MultiArchDeleteTest",
            pages(&[
                "singleMultiArchManifestV2WithTagsResult",
                "doubleManifestV2WithoutTagsResult",
            ]),
            ago0,
            &["digest2"],
        ),
        (
            "OCIMultiArchDeleteTest",
            pages(&[
                "singleMultiArchOCIWithTagsResult",
                "doubleOCIWithoutTagsResult",
            ]),
            ago0,
            &["digest2"],
        ),
    ];
    for (name, images, args, want) in cases {
        assert_eq!(
            deleted(&images, args),
            want,
            "{AT} TestPurgeManifests/{name}"
        );
    }
    // "SkipsManifestsNewerThanAgo" (15 minutes old, --ago 1h) and
    // "DeletesManifestsOlderThanAgo" (two days old, --ago 24h).
    let young = vec![listed("bar", "digest1", &[], Some(ago("15m")), DOCKER_V2)];
    assert!(
        deleted(&young, "--untagged-only --ago 1h").is_empty(),
        "{AT} TestPurgeManifests/SkipsManifestsNewerThanAgo"
    );
    let old = vec![listed("bar", "digest2", &[], Some(ago("2d")), DOCKER_V2)];
    assert_eq!(
        deleted(&old, "--untagged-only --ago 24h"),
        ["digest2"],
        "{AT} TestPurgeManifests/DeletesManifestsOlderThanAgo"
    );
    // "OperationNotAllowedManifestDeleteDisabledTest" / "...WriteDisabledTest": the
    // fixtures are tagged and locked; nothing goes.
    for (name, w, d) in [
        ("DeleteDisabled", true, false),
        ("WriteDisabled", false, false),
    ] {
        let images = vec![locked(
            fixture("singleManifestV2WithTagsResult").remove(0),
            w,
            d,
        )];
        assert!(
            deleted(&images, ago0).is_empty(),
            "{AT} TestPurgeManifests/OperationNotAllowedManifest{name}Test"
        );
    }
    // "OCIArtificateManifestWithSubjectDeleteTest": listed as an OCI manifest, untagged,
    // its content an artifact manifest with a subject: a referrer, not deleted.
    let mut sbom = listed("bar", "withSubject", &[], Some(ago("15m")), OCI_MANIFEST);
    sbom.subject = Some(dg("elsewhere"));
    sbom.artifact_type = Some("application/vnd.example.sbom.v1".into());
    assert!(
        deleted(&[sbom], ago0).is_empty(),
        "{AT} TestPurgeManifests/OCIArtificateManifestWithSubjectDeleteTest"
    );
    // "RepositoryNotFoundTest": a filter reaching no repository deletes nothing.
    let ev = eval(&young, "--filter 'foo:.*' --ago 1d --untagged");
    assert!(ev.decisions.is_empty() && ev.warnings.is_empty(), "{ev:?}");
}

/// cmd/repository/image_functions_test.go `TestGetUntaggedManifestsWithAgeCriteria`:
/// cutoff 2024-11-01T12:00:00Z (NOW − 425d12h), "old" 2024-10-01T12:00:00Z, "recent"
/// 2024-11-03T12:00:00Z, all Docker v2 manifests.
#[test]
fn get_untagged_manifests_with_age_criteria() {
    let (old, recent) = (at("2024-10-01T12:00:00Z"), at("2024-11-03T12:00:00Z"));
    // The config says when each was built (so a `created` stand-in would have a time).
    let m = |id: &str, tags: &[&str], t| {
        let mut im = listed("test-repo", id, tags, t, DOCKER_V2);
        im.created_at = at("2024-09-01T12:00:00Z");
        im
    };
    let args = "--untagged-only --ago 425d12h";
    let cases: [(&str, Vec<Image>, &[&str]); 5] = [
        (
            "Untagged manifest older than cutoff is deleted",
            vec![m("old1", &[], old)],
            &["old1"],
        ),
        (
            "Untagged manifest newer than cutoff is protected",
            vec![m("recent1", &[], recent)],
            &[],
        ),
        (
            "Untagged manifest with nil timestamp is protected",
            vec![m("notime1", &[], None)],
            &[],
        ),
        (
            "Tagged manifest ignores age criteria",
            vec![m("oldtagged", &["v1"], old)],
            &[],
        ),
        (
            "Mixed manifests - only old untagged are deleted",
            vec![
                m("old1", &[], old),
                m("recent1", &[], recent),
                m("oldtagged", &["v1"], old),
            ],
            &["old1"],
        ),
    ];
    for (name, images, want) in cases {
        assert_eq!(
            deleted(&images, args),
            want,
            "{AT} TestGetUntaggedManifestsWithAgeCriteria/{name}"
        );
    }
    // "Untagged manifest with nil timestamp is protected": and the plan says why.
    let notime = vec![m("notime1", &[], None)];
    let ev = eval(&notime, args);
    assert!(
        ev.protected
            .iter()
            .any(|p| p.why.contains("last update time is unavailable")),
        "{:?}",
        ev.protected
    );
    // "No cutoff specified - age not checked" is not a purge: `purgeDanglingManifests`
    // always passes now − ago, and now itself without --ago, so without --ago every past
    // time goes and the nil timestamp is still protected.
    let images = vec![
        m("old1", &[], old),
        m("recent1", &[], recent),
        m("notime1", &[], None),
    ];
    assert_eq!(deleted(&images, "--untagged-only"), ["old1", "recent1"]);
    // A lastUpdateTime after NOW (a clock ahead) is not "past": kept without --ago too.
    let ahead = vec![m("ahead", &[], at("2026-01-02T00:00:00Z"))];
    assert!(deleted(&ahead, "--untagged-only").is_empty());
}

/// cmd/acr/purge_untagged_only_test.go `TestPurgeUntaggedOnly`: untagged Docker v2
/// manifests updated 2023-01-01, no --ago.
#[test]
fn purge_untagged_only() {
    let t = at("2023-01-01T00:00:00Z");
    let m = |repo: &str, id: &str, tags: &[&str]| listed(repo, id, tags, t, DOCKER_V2);
    // "UntaggedOnlyPurgeManifestsOnly": one manifest, no tag deleted (here beside a
    // tagged one the filter's tag half would match).
    let images = vec![
        m("test-repo", "abc123", &[]),
        m("test-repo", "tagged", &["v1"]),
    ];
    let ev = eval(&images, "--untagged-only --filter 'test-repo:.*'");
    assert_eq!(
        acted(&images, &ev, ActionKind::Delete),
        ["abc123"],
        "{AT} TestPurgeUntaggedOnly/UntaggedOnlyPurgeManifestsOnly"
    );
    assert!(acted(&images, &ev, ActionKind::Untag).is_empty());
    // "UntaggedOnlyNoFilterAllRepos": every repository is reached; none has an untagged
    // manifest, so nothing goes (and one that has loses it).
    let mut images: Vec<Image> = ["repo1", "repo2", "repo3"]
        .iter()
        .map(|r| m(r, &format!("{r}/t"), &["v1"]))
        .collect();
    assert!(
        eval(&images, "--untagged-only").decisions.is_empty(),
        "{AT} TestPurgeUntaggedOnly/UntaggedOnlyNoFilterAllRepos"
    );
    images.push(m("repo3", "repo3/loose", &[]));
    assert_eq!(deleted(&images, "--untagged-only"), ["repo3/loose"]);
    // "UntaggedOnlyWithFilter": only the repository the filter names.
    let images = vec![
        m("specific-repo", "def456", &[]),
        m("other-repo", "other", &[]),
    ];
    assert_eq!(
        deleted(&images, "--untagged-only --filter 'specific-repo:.*'"),
        ["def456"],
        "{AT} TestPurgeUntaggedOnly/UntaggedOnlyWithFilter"
    );
    // "UntaggedOnlyDryRun": a plan is a dry run; the same one manifest.
    assert_eq!(
        deleted(
            &images,
            "--untagged-only --filter 'specific-repo:.*' --dry-run"
        ),
        ["def456"],
        "{AT} TestPurgeUntaggedOnly/UntaggedOnlyDryRun"
    );
    // "UntaggedOnlyWithLockedManifests" and "UntaggedOnlyWithIncludeLocked".
    let images = vec![
        locked(m("test-repo", "locked123", &[]), false, false),
        m("test-repo", "unlocked456", &[]),
    ];
    assert_eq!(
        deleted(&images, "--untagged-only"),
        ["unlocked456"],
        "{AT} TestPurgeUntaggedOnly/UntaggedOnlyWithLockedManifests"
    );
    assert_eq!(
        deleted(&images[..1], "--untagged-only --include-locked"),
        ["locked123"],
        "{AT} TestPurgeUntaggedOnly/UntaggedOnlyWithIncludeLocked"
    );
}

/// cmd/acr/purge_untagged_only_test.go `TestPurgeDanglingManifestsWithAgoAndKeep`.
/// Its "recent" times (2026-01-15) lie after our NOW; they are kept all the same.
#[test]
fn purge_dangling_manifests_with_ago_and_keep() {
    let m = |id: &str, t: &str| listed("test-repo", id, &[], at(t), DOCKER_V2);
    let two = vec![
        m("old123", "2025-01-01T00:00:00Z"),
        m("recent123", "2026-01-15T00:00:00Z"),
    ];
    for (name, args) in [
        (
            "AgeFilteringDeletesOnlyOldManifests",
            "--untagged-only --ago 300d",
        ),
        (
            "DryRunWithAgeFiltering",
            "--untagged-only --ago 300d --dry-run",
        ),
    ] {
        assert_eq!(
            deleted(&two, args),
            ["old123"],
            "{AT} TestPurgeDanglingManifestsWithAgoAndKeep/{name}"
        );
    }
    let five = vec![
        m("oldest", "2023-01-01T00:00:00Z"),
        m("old", "2023-06-01T00:00:00Z"),
        m("medium", "2023-12-01T00:00:00Z"),
        m("recent", "2024-06-01T00:00:00Z"),
        m("newest", "2024-12-01T00:00:00Z"),
    ];
    assert_eq!(
        deleted(&five, "--untagged-only --keep 2"),
        ["medium", "old", "oldest"],
        "{AT} TestPurgeDanglingManifestsWithAgoAndKeep/KeepFunctionalityPreservesRecentManifests"
    );
    let mixed = vec![
        m("veryold1", "2025-01-01T00:00:00Z"),
        m("veryold2", "2025-02-01T00:00:00Z"),
        m("veryold3", "2025-03-01T00:00:00Z"),
        m("recent1", "2026-01-01T00:00:00Z"),
        m("recent2", "2026-01-15T00:00:00Z"),
    ];
    assert_eq!(
        deleted(&mixed, "--untagged-only --ago 300d --keep 1"),
        ["veryold1", "veryold2"],
        "{AT} TestPurgeDanglingManifestsWithAgoAndKeep/CombinedAgoAndKeepFiltering"
    );
    let three = &five[..3];
    for (name, keep) in [
        ("KeepExceedsManifestCount", 10),
        ("KeepEqualsManifestCount", 3),
    ] {
        assert!(
            deleted(three, &format!("--untagged-only --keep {keep}")).is_empty(),
            "{AT} TestPurgeDanglingManifestsWithAgoAndKeep/{name}"
        );
    }
}

/// `sortManifestsByTime` (cmd/acr/purge.go) compares lastUpdateTime to the nanosecond:
/// half a second apart is not a tie, so --keep 1 keeps only the later one.
#[test]
fn keep_ranks_manifests_below_the_second() {
    let m = |id: &str, t: &str| listed("bar", id, &[], at(t), DOCKER_V2);
    let images = vec![
        m("earlier", "2025-06-01T12:00:00.2Z"),
        m("later", "2025-06-01T12:00:00.7Z"),
    ];
    assert_eq!(deleted(&images, "--untagged-only --keep 1"), ["earlier"]);
    // A real tie (same instant) keeps both: ACR's order between them is not defined.
    let tie = vec![
        m("a", "2025-06-01T12:00:00.5Z"),
        m("b", "2025-06-01T12:00:00.5Z"),
    ];
    assert!(deleted(&tie, "--untagged-only --keep 1").is_empty());
}

/// `purge` (cmd/acr/purge.go) hands the one --keep to the tag pass and, with --untagged,
/// to the manifest pass: the newest N eligible tags and the newest N dangling manifests.
#[test]
fn keep_applies_to_tags_and_to_dangling_manifests() {
    let m = |id: &str, tags: &[&str], age: &str| listed("bar", id, tags, Some(ago(age)), DOCKER_V2);
    let images = vec![
        m("m1", &["t1"], "3d"),
        m("m2", &["t2"], "5d"),
        m("m3", &["t3"], "7d"),
        m("u1", &[], "10d"),
    ];
    let ev = eval(&images, "--filter 'bar:.*' --ago 1d --untagged --keep 1");
    assert_eq!(acted(&images, &ev, ActionKind::Untag), ["m2", "m3"]);
    // Dangling after the tag pass: m2, m3, u1; the newest (m2) is kept.
    assert_eq!(acted(&images, &ev, ActionKind::Delete), ["m3", "u1"]);
    // acr-cli 0.17 keeps tags only.
    let mut sw = Switches::default();
    sw.set("acr.cli_version=0.17").unwrap();
    let ev = eval_with(
        &images,
        "--filter 'bar:.*' --ago 1d --untagged --keep 1",
        &sw,
    );
    assert_eq!(acted(&images, &ev, ActionKind::Delete), ["m2", "m3", "u1"]);
}

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

/// cmd/acr/purge_test.go `TestIncludeLockedFlag/IncludeLockedDeleteLockedManifest` and
/// `TestDryRunWithIncludeLocked/DryRunWithIncludeLockedShowsLockedManifests`: an untagged
/// delete-disabled manifest goes with --include-locked (dry run or not), not without.
#[test]
fn include_locked_deletes_a_locked_dangling_manifest() {
    let images = vec![locked(
        listed("bar", "digest", &[], Some(ago("15m")), DOCKER_V2),
        true,
        false,
    )];
    for (name, args) in [
        (
            "TestIncludeLockedFlag/IncludeLockedDeleteLockedManifest",
            "--untagged-only --ago 0m --include-locked",
        ),
        (
            "TestDryRunWithIncludeLocked/DryRunWithIncludeLockedShowsLockedManifests",
            "--untagged-only --ago 0m --include-locked --dry-run",
        ),
    ] {
        assert_eq!(deleted(&images, args), ["digest"], "{AT} {name}");
    }
    assert!(deleted(&images, "--untagged-only --ago 0m").is_empty());
}
