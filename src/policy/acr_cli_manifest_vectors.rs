//! acr-cli's own test vectors for the manifest pass of `acr purge` (`--untagged`,
//! `--untagged-only`), each cited by file and test name in Azure/acr-cli at commit cfbb835
//! (2026-03), and vectors read from its code where its tests are silent (cited by
//! function). acr-cli's tests call `purgeDanglingManifests` without a tag pass; here that
//! is `--untagged-only` (which deletes no tag). Their times are "15 minutes ago" or dates;
//! our NOW is 2026-01-01.

use super::*;
use crate::model::{ImageKind, Lock, TagDetail};
use crate::policy::testkit::*;

pub(super) const AT: &str = "Azure/acr-cli@cfbb835";
pub(super) const DOCKER_V2: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub(super) const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub(super) const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub(super) const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub(super) const OCI_ARTIFACT: &str = "application/vnd.oci.artifact.manifest.v1+json";

/// A manifest as `GetAcrManifests` lists it: `id` in `repo`, its tags (each updated when
/// the manifest was), lastUpdateTime `updated` (`None`: not reported), media type.
pub(super) fn listed(
    repo: &str,
    id: &str,
    tags: &[&str],
    updated: Option<DateTime<Utc>>,
    mt: &str,
) -> Image {
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

pub(super) fn at(rfc3339: &str) -> Option<DateTime<Utc>> {
    Some(rfc3339.parse().unwrap())
}

pub(super) fn index(mut im: Image, children: &[&str]) -> Image {
    im.kind = ImageKind::Index;
    im.children = children.iter().map(|c| dg(c)).collect();
    im
}

pub(super) fn locked(mut im: Image, write_enabled: bool, delete_enabled: bool) -> Image {
    im.locked = Some(Lock {
        write_enabled,
        delete_enabled,
    });
    im
}

pub(super) fn eval_with(images: &[Image], args: &str, sw: &Switches) -> Evaluation {
    AcrPurge::parse(args)
        .unwrap_or_else(|e| panic!("{args}: {e}"))
        .evaluate(images, now(), sw)
}

pub(super) fn eval(images: &[Image], args: &str) -> Evaluation {
    eval_with(images, args, &Switches::default())
}

pub(super) fn deleted(images: &[Image], args: &str) -> Vec<String> {
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
    let ev = eval(&tie, "--untagged-only --keep 1");
    assert!(ev.decisions.is_empty(), "{:?}", ev.decisions);
    assert!(
        ev.warnings
            .iter()
            .any(|w| w.starts_with("bar: 2 dangling manifests") && w.contains("tie")),
        "{:?}",
        ev.warnings
    );
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
