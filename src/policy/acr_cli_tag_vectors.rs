//! acr-cli's own test vectors for the tag pass of `acr purge`, each cited by file and test
//! name in Azure/acr-cli at commit cfbb835 (2026-03), over its fixtures (cmd/acr/
//! purge_test.go): tags updated 15 minutes ago unless said, `--ago 0m` its `defaultAgo`.

use super::*;
use crate::model::TagDetail;
use crate::policy::testkit::*;

const AT: &str = "Azure/acr-cli@cfbb835";

/// One `GetAcrTags` entry: name, age, the manifest it names, deleteEnabled, writeEnabled.
type Tag = (&'static str, &'static str, &'static str, bool, bool);

/// The manifests of repository `bar` that a tag listing names, each carrying its tags.
fn repo_of(tags: &[Tag]) -> Vec<Image> {
    let mut images: Vec<Image> = Vec::new();
    for &(name, age, digest, delete_enabled, write_enabled) in tags {
        let pos = match images.iter().position(|im| im.digest == dg(digest)) {
            Some(p) => p,
            None => {
                let mut im = img("bar", digest, &[], age);
                im.updated_at = Some(ago(age));
                im.tag_details = Some(Vec::new());
                images.push(im);
                images.len() - 1
            }
        };
        let im = &mut images[pos];
        im.tags.push(name.to_string());
        im.tags.sort();
        im.tag_details.as_mut().unwrap().push(TagDetail {
            name: name.to_string(),
            last_update: Some(ago(age)),
            delete_enabled: Some(delete_enabled),
            write_enabled: Some(write_enabled),
            ..Default::default()
        });
    }
    images
}

const ONE_TAG: &[Tag] = &[("latest", "15m", "digest", true, true)];
const DELETE_DISABLED_ONE_TAG: &[Tag] = &[("latest", "15m", "digest", false, true)];
const WRITE_DISABLED_ONE_TAG: &[Tag] = &[("latest", "15m", "digest", true, false)];
/// `FourTagsResult`: four tags of one time, v3 on the multi-arch manifest.
const FOUR_TAGS: &[Tag] = &[
    ("v1", "15m", "digest", true, true),
    ("v2", "15m", "digest", true, true),
    ("v3", "15m", "multiArch", true, true),
    ("v4", "15m", "digest", true, true),
];

fn untagged(images: &[Image], args: &str) -> Vec<String> {
    let ev = AcrPurge::parse(args)
        .unwrap_or_else(|e| panic!("{args}: {e}"))
        .evaluate(images, now(), &Switches::default());
    let mut v: Vec<String> = ev
        .decisions
        .iter()
        .filter(|d| d.action == ActionKind::Untag)
        .map(|d| d.tag.clone().unwrap())
        .collect();
    v.sort();
    v
}

/// cmd/acr/purge_test.go `TestPurgeTags`, `TestIncludeLockedFlag` and
/// `TestDryRunWithIncludeLocked`: the cases that decide which tags go (the rest feed API
/// errors or count deletes that answer 404; see the coverage list in acr_cli_vectors.rs).
#[test]
fn purge_tags_table() {
    let one_plus_four: Vec<Tag> = ONE_TAG.iter().chain(FOUR_TAGS).copied().collect();
    let mixed: &[Tag] = &[
        ("v1", "15m", "digest", true, true),
        ("v2", "15m", "digest", false, true),
    ];
    let cases: &[(&str, &[Tag], &str, &[&str])] = &[
        (
            "TestPurgeTags/NoDeletionAgoTest",
            ONE_TAG,
            r"--filter 'bar:[\s\S]*' --ago 1d",
            &[],
        ),
        (
            "TestPurgeTags/NoDeletionFilterTest",
            ONE_TAG,
            "--filter 'bar:^hello.*' --ago 0m",
            &[],
        ),
        (
            "TestPurgeTags/OperationNotAllowedTagDeleteDisabledTest",
            DELETE_DISABLED_ONE_TAG,
            "--filter 'bar:^la.*' --ago 0m",
            &[],
        ),
        (
            "TestPurgeTags/OperationNotAllowedTagWriteDisabledTest",
            WRITE_DISABLED_ONE_TAG,
            "--filter 'bar:^la.*' --ago 0m",
            &[],
        ),
        (
            "TestPurgeTags/OneTagDeletionTest",
            ONE_TAG,
            "--filter 'bar:^la.*' --ago 0m",
            &["latest"],
        ),
        (
            "TestPurgeTags/FiveTagDeletionTest",
            &one_plus_four,
            r"--filter 'bar:[\s\S]*' --ago 0m",
            &["latest", "v1", "v2", "v3", "v4"],
        ),
        (
            "TestIncludeLockedFlag/IncludeLockedDeleteLockedTag",
            DELETE_DISABLED_ONE_TAG,
            "--filter 'bar:.*' --ago 0m --include-locked",
            &["latest"],
        ),
        (
            "TestIncludeLockedFlag/IncludeLockedDeleteWriteDisabledTag",
            WRITE_DISABLED_ONE_TAG,
            "--filter 'bar:.*' --ago 0m --include-locked",
            &["latest"],
        ),
        (
            "TestIncludeLockedFlag/NoIncludeLockedSkipLockedTag",
            DELETE_DISABLED_ONE_TAG,
            "--filter 'bar:.*' --ago 0m",
            &[],
        ),
        (
            "TestDryRunWithIncludeLocked/DryRunWithIncludeLockedShowsLockedTags",
            DELETE_DISABLED_ONE_TAG,
            "--filter 'bar:.*' --ago 0m --include-locked --dry-run",
            &["latest"],
        ),
        (
            "TestDryRunWithIncludeLocked/DryRunWithoutIncludeLockedSkipsLockedTags",
            DELETE_DISABLED_ONE_TAG,
            "--filter 'bar:.*' --ago 0m --dry-run",
            &[],
        ),
        (
            "TestDryRunWithIncludeLocked/DryRunWithIncludeLockedMixedTags",
            mixed,
            "--filter 'bar:.*' --ago 0m --include-locked --dry-run",
            &["v1", "v2"],
        ),
    ];
    for (name, tags, args, want) in cases {
        assert_eq!(untagged(&repo_of(tags), args), *want, "{AT} {name}");
    }
    // The same mixed listing without --include-locked: only the unlocked one.
    assert_eq!(
        untagged(&repo_of(mixed), "--filter 'bar:.*' --ago 0m"),
        ["v1"]
    );
}

/// cmd/acr/purge_test.go `TestPurgeTags/RepositoryNotFoundTest`, `EmptyRepositoryTest` and
/// `TestDryRun/RepositoryNotFoundTest`: a repository the filter names but the registry
/// does not hold, or one without tags, purges nothing and is no error.
#[test]
fn absent_or_tagless_repository_purges_nothing() {
    // Old enough for --untagged to take it, were `foo` to reach `bar`.
    let mut loose = img("bar", "loose", &[], "3d");
    loose.updated_at = Some(ago("3d"));
    let images = vec![loose];
    for (name, args) in [
        (
            "TestPurgeTags/EmptyRepositoryTest",
            r"--filter 'bar:[\s\S]*' --ago 1d",
        ),
        (
            "TestPurgeTags/RepositoryNotFoundTest",
            r"--filter 'foo:[\s\S]*' --ago 1d",
        ),
        (
            "TestDryRun/RepositoryNotFoundTest",
            r"--filter 'foo:[\s\S]*' --ago 1d --untagged --dry-run",
        ),
    ] {
        let ev = AcrPurge::parse(args)
            .unwrap()
            .evaluate(&images, now(), &Switches::default());
        assert!(ev.decisions.is_empty(), "{AT} {name}: {:?}", ev.decisions);
    }
}

/// cmd/acr/purge_test.go `TestPurgeTags/Keep 1 tag`: four tags of one lastUpdateTime,
/// `--keep 1`. acr-cli keeps the first the server lists (v1) and deletes v2, v3, v4;
/// ACR promises no order among equal times, so regscope keeps all four and says why
/// (docs/decisions.md, "`acr purge` arguments"). With distinct times it keeps the newest.
#[test]
fn keep_one_tag_of_four_tied() {
    let images = repo_of(FOUR_TAGS);
    let ev = AcrPurge::parse(r"--filter 'bar:[\s\S]*' --ago 0m --keep 1")
        .unwrap()
        .evaluate(&images, now(), &Switches::default());
    assert!(
        ev.decisions.is_empty(),
        "{AT} TestPurgeTags/Keep 1 tag: {:?}",
        ev.decisions
    );
    assert!(
        ev.warnings
            .iter()
            .any(|w| w.contains("4 tags") && w.contains("tie")),
        "{:?}",
        ev.warnings
    );
    let distinct: &[Tag] = &[
        ("v1", "15m", "digest", true, true),
        ("v2", "16m", "digest", true, true),
        ("v3", "17m", "multiArch", true, true),
        ("v4", "18m", "digest", true, true),
    ];
    assert_eq!(
        untagged(
            &repo_of(distinct),
            r"--filter 'bar:[\s\S]*' --ago 0m --keep 1"
        ),
        ["v2", "v3", "v4"]
    );
}
