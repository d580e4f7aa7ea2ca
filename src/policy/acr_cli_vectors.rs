//! acr-cli's own test vectors for `acr purge` arguments, each cited by file and test name
//! in Azure/acr-cli at commit cfbb835 (2026-03). acr-cli returns `--ago` negated (it adds
//! the duration to now); here a positive duration lies in the past.
//!
//! Coverage of acr-cli's purge tests (every test function; `n/a` = not a semantic of a
//! plan: API errors surface when the inventory is read, delete answers when it runs):
//! * cmd/acr/purge_test.go
//!   - `TestParseDuration`, `TestGetRepositoryAndTagRegex`, `TestCollectTagFilters`: here.
//!   - `TestPurgeTags`: look-around, local, both "Keep 1 tag when …", InvalidRegexTest
//!     here; the rest in acr_cli_tag_vectors.rs ("Keep 1 tag": regscope keeps the four
//!     tied tags); GetAcrTagsError*, InvalidDurationTest (unparseable tag time),
//!     DeleteNotFoundErrorTest, DeleteErrorTest: n/a.
//!   - `TestPurgeManifests`, `TestDryRun`: acr_cli_manifest_vectors.rs and
//!     acr_cli_tag_vectors.rs; GetAcrManifestsErrorTest, MultiArchErrorGettingManifestTest,
//!     MultiArchInvalidJsonTest, ErrorManifestDelete*: n/a.
//!   - `TestIncludeLockedFlag`, `TestDryRunWithIncludeLocked`: tag and manifest vector
//!     files; IncludeLockedUnlockError (deletion goes on after a failed unlock): n/a.
//!   - `TestGetLastTagFromResponse`: the ACR client's paging, src/registry/acr/client.rs
//!     `acr_cli_link_headers_page_where_acr_cli_pages`; `TestGetAllRepositoryNames`: the
//!     same paging (tests/it/acr.rs `listings_page_past_the_default_hundred_through_link`).
//! * cmd/acr/purge_untagged_only_test.go: `TestPurgeCommandUntaggedOnlyValidation` in
//!   acr_cli_flag_vectors.rs (with pflag's `=value`, shorthands and integers);
//!   `TestPurgeUntaggedOnly`, `TestPurgeDanglingManifestsWithAgoAndKeep` in
//!   acr_cli_manifest_vectors.rs; `TestPurgeAbacVerboseMode` (token scopes, output): n/a.
//! * cmd/repository/image_functions_test.go: `TestGetUntaggedManifestsWithAgeCriteria` in
//!   acr_cli_manifest_vectors.rs; `TestCheckOCIArtifactDeletability`,
//!   `TestAddDependentManifestsToIgnoreList`, `TestAddIndexDependenciesToIgnoreListComplex`
//!   in acr_cli_index_vectors.rs;
//!   `TestFindDirectDependentManifests`, `TestExtractSubmanifestsFromBytes` (reading an
//!   index's `manifests`): the inventory's, n/a here.

use super::*;
use crate::model::TagDetail;
use crate::policy::testkit::*;

pub(super) const AT: &str = "Azure/acr-cli@cfbb835";

/// The tag list of `FourTagsWithRepoFilterMatch` (cmd/acr/purge_test.go): v1-a 15 minutes
/// old, v1-b one day, v1-c two days, v2 three days; each on its own manifest.
pub(super) fn four_tags_with_repo_filter_match() -> Vec<Image> {
    [
        ("v1-a", "15m"),
        ("v1-b", "1d"),
        ("v1-c", "2d"),
        ("v2", "3d"),
    ]
    .iter()
    .map(|(t, age)| tagged("bar", t, age))
    .collect()
}

pub(super) fn tagged(repo: &str, tag: &str, age: &str) -> Image {
    let mut im = img(repo, &format!("{repo}/{tag}"), &[tag], age);
    im.updated_at = Some(ago(age));
    im.tag_details = Some(vec![TagDetail {
        name: tag.to_string(),
        last_update: Some(ago(age)),
        ..Default::default()
    }]);
    im
}

pub(super) fn untagged(images: &[Image], args: &str) -> Vec<String> {
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

/// cmd/acr/purge_test.go `TestParseDuration`: every row of its table.
#[test]
fn parse_duration_table() {
    let hours = |h: i64| Duration::hours(h);
    let cap = Duration::days(150 * 365);
    let ok: &[(&str, Duration)] = &[
        ("15m", Duration::minutes(15)),
        ("1d1h3m", hours(25) + Duration::minutes(3)),
        ("3d", hours(72)),
        ("999999d", cap),
        ("9999999d", cap),
        ("999999999h", cap),
        ("9999999d999999999h", cap),
        ("0m", Duration::zero()),
        // "Negative durations pretty much just mean anything can be cleaned up".
        ("-1d", -hours(24)),
    ];
    for (text, want) in ok {
        let got = parse_ago(text).unwrap_or_else(|e| panic!("{AT} {text}: {e}"));
        assert_eq!(got.duration, *want, "{AT} TestParseDuration {text:?}");
        assert_eq!(
            got.note.is_some(),
            *want == cap,
            "the plan says when the 150-year cap applied: {text:?}"
        );
    }
    let err: &[(&str, &str)] = &[
        ("", "needs a value"),
        ("15p", r#"time: unknown unit "p" in duration "15p""#),
        ("15", r#"time: missing unit in duration "15""#),
    ];
    for (text, want) in err {
        let e = parse_ago(text).unwrap_err();
        assert!(e.contains(want), "{AT} TestParseDuration {text:?}: {e}");
        assert!(!e.contains('\n'), "one line: {e}");
    }
}

/// Forms acr-cli's `parseDuration` reads silently as something else; refused here with
/// what acr-cli would do (our own vectors, from reading `parseDuration`).
#[test]
fn parse_duration_misreadings_are_refused() {
    for (text, says) in [
        ("d3h", "read this as 0"),
        ("99999999999999999999d", "reads it as 0"),
        ("1h30d", "read this as 1 day "),
        ("5days", "read 150 years"),
        ("abc", "read 150 years"),
    ] {
        let e = parse_ago(text).unwrap_err();
        assert!(e.contains(says), "{text:?}: {e}");
    }
    // Go duration forms after the days, and Go's own signs.
    let d = |s: &str| parse_ago(s).unwrap().duration;
    assert_eq!(d("1d-3h"), Duration::hours(21));
    assert_eq!(d("0"), Duration::zero());
    assert_eq!(d(".5h"), Duration::minutes(30));
    assert_eq!(d("1\u{b5}s"), Duration::microseconds(1));
}

/// cmd/acr/purge_test.go `TestGetRepositoryAndTagRegex`: every case.
#[test]
fn get_repository_and_tag_regex() {
    let ok = [
        ("NormalFunctionalityTest", "foo:bar", "foo", "bar"),
        (
            "NonCaptureGroupInRepoName",
            "hello-(?:abc):zzz",
            "hello-(?:abc)",
            "zzz",
        ),
        (
            "NonCaptureGroupInTag",
            "hello-:z-(?:abc)zz",
            "hello-",
            "z-(?:abc)zz",
        ),
        (
            "NonCaptureGroupAndQuantifier",
            "hello-(?:abc)?:z-(?:abc)zz",
            "hello-(?:abc)?",
            "z-(?:abc)zz",
        ),
        (
            "ColonInsideNonCaptureGroup",
            "hello-(?:abc)?:z-(?:[:])zz",
            "hello-(?:abc)?",
            "z-(?:[:])zz",
        ),
        (
            "NonCaptureGroupQuantifierAndCharacterClasses",
            "[[:alpha:]](?:abc)(?:.*)?:test123[[:digit:]](?:.*)",
            "[[:alpha:]](?:abc)(?:.*)?",
            "test123[[:digit:]](?:.*)",
        ),
        (
            "NonCaptureGroupQuantifierAndNegatedCharacterClassesCharacterClasses",
            "[^[:alpha:]](?ims-U:abc)(?:.*)?:test123[[^:digit:]](?-imUs:.*)",
            "[^[:alpha:]](?ims-U:abc)(?:.*)?",
            "test123[[^:digit:]](?-imUs:.*)",
        ),
        (
            "NonCaptureGroupWithFlagsCharacterClassAndColonInCharacterClass",
            "(?imsU:test):[[:digit:]][tes:]",
            "(?imsU:test)",
            "[[:digit:]][tes:]",
        ),
    ];
    for (name, filter, repo, tag) in ok {
        assert_eq!(
            split_filter(filter),
            Ok((repo, tag)),
            "{AT} TestGetRepositoryAndTagRegex/{name}"
        );
    }
    for (name, filter) in [
        ("NoColonTest", "foo"),
        ("TwoColonsTest", "foo:bar:zzz"),
        (
            "NonCaptureGroupQuantifierAndNegatedCharacterClassesCharacterClasses (invalid)",
            "[^[:alpha:]](?ims-U:abc)(?:.*)?:test123[[^:digit:]](?-imUs:.*):",
        ),
    ] {
        assert!(
            split_filter(filter).is_err(),
            "{AT} TestGetRepositoryAndTagRegex/{name}"
        );
        let e = AcrPurge::parse(&format!("--filter '{filter}' --ago 1d"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("unable to correctly parse filter flag"), "{e}");
    }
}

/// cmd/acr/purge_test.go `TestCollectTagFilters`, over its `ManyRepositoriesResult`
/// (bar, foo, baz, foo/bar): which repositories each filter reaches.
#[test]
fn collect_tag_filters() {
    let repos = ["bar", "foo", "baz", "foo/bar"];
    let images: Vec<Image> = repos
        .iter()
        .map(|r| tagged(r, "v1-c-local.test", "3d"))
        .collect();
    let reached = |filter: &str| -> Vec<String> {
        let ev = AcrPurge::parse(&format!("--filter '{filter}' --ago 0m"))
            .unwrap_or_else(|e| panic!("{filter}: {e}"))
            .evaluate(&images, now(), &Switches::default());
        let mut v: Vec<String> = ev
            .decisions
            .iter()
            .map(|d| images[d.image].repository.clone())
            .collect();
        v.sort();
        v
    };
    let every = ["bar", "baz", "foo", "foo/bar"];
    for (name, filter, want) in [
        (
            "AllReposWildcardWithTagLocal",
            ".+:.*-?local[.].+",
            &every[..],
        ),
        (
            "AllReposWildcardWithTagLocal2",
            r".+:.*-?local\..+",
            &every[..],
        ),
        ("SingleRepo", "bar:.*", &["bar"][..]),
        ("AllReposWildcard", ".*:.*", &every[..]),
        ("NoPartialMatch", "ba:.*", &[][..]),
        ("NameWithSlash", "foo/bar:.*", &["foo/bar"][..]),
        (
            "NameWithSlashAndNonCaptureGroupInTag",
            "foo/bar:(?:.*)",
            &["foo/bar"][..],
        ),
        (
            "NameWithSlashAndTwoNonCaptureGroup",
            "foo/bar(?:.*):(?:.*)",
            &["foo/bar"][..],
        ),
        (
            "NameWithSlashAndTwoNonCaptureGroupAndQuantifier",
            "foo/bar(?:.*)?:(?:.*)",
            &["foo/bar"][..],
        ),
        (
            "NameWithSlashAndTwoNonCaptureGroupInRepo",
            "foo/bar(?:.*):.(?:.*)",
            &["foo/bar"][..],
        ),
        (
            "NameWithSlashAndTwoNonCaptureGroupInRepoAndCharacterClasses",
            "foo/b[[:alpha:]]r(?:.*):.(?:.*)",
            &["foo/bar"][..],
        ),
    ] {
        assert_eq!(reached(filter), want, "{AT} TestCollectTagFilters/{name}");
    }
    for (name, filter, says) in [
        (
            "EmptyRepoRegex",
            ":.*",
            "missing repository name/expression",
        ),
        ("EmptyTagRegex", "bar.*:", "missing tag name/expression"),
    ] {
        let e = AcrPurge::parse(&format!("--filter '{filter}' --ago 1d"))
            .unwrap_err()
            .to_string();
        assert!(e.contains(says), "{AT} TestCollectTagFilters/{name}: {e}");
        // acr-cli splits the filter with --untagged-only too.
        let e = AcrPurge::parse(&format!("--filter '{filter}' --untagged-only"))
            .unwrap_err()
            .to_string();
        assert!(e.contains(says), "--untagged-only {name}: {e}");
    }
}

/// "^" + r + "$" by concatenation (cmd/repository/image_functions.go `CollectTagFilters`):
/// a top-level `|` anchors each side at one end only, so `app|web` reaches `app-legacy`.
#[test]
fn repository_half_anchored_by_concatenation() {
    let images: Vec<Image> = ["app", "app-legacy", "web", "my-web", "webapp"]
        .iter()
        .map(|r| tagged(r, "v1", "3d"))
        .collect();
    let ev = AcrPurge::parse("--filter 'app|web:.*' --ago 1d")
        .unwrap()
        .evaluate(&images, now(), &Switches::default());
    let mut repos: Vec<&str> = ev
        .decisions
        .iter()
        .map(|d| images[d.image].repository.as_str())
        .collect();
    repos.sort();
    assert_eq!(repos, ["app", "app-legacy", "my-web", "web"]);
}

/// cmd/acr/purge_test.go `TestPurgeTags`: the look-around and `--keep` cases.
#[test]
fn purge_tags_look_around_and_keep() {
    let four = four_tags_with_repo_filter_match();
    // "Delete 2 with negative lookahead" and "... negative lookbehind" (ago 0m).
    assert_eq!(
        untagged(&four, "--filter 'bar:v1(?!-a)' --ago 0m"),
        ["v1-b", "v1-c"],
        "{AT} TestPurgeTags/Delete 2 with negative lookahead"
    );
    assert_eq!(
        untagged(&four, "--filter 'bar:v1-*[abc]+(?<!-[a])' --ago 0m"),
        ["v1-b", "v1-c"],
        "{AT} TestPurgeTags/Delete 2 with negative lookbehind"
    );
    // "Keep 1 tag when repo filter doesn't match all results" (and with --ago 30m).
    assert_eq!(
        untagged(&four, "--filter 'bar:v1-.*' --ago 0m --keep 1"),
        ["v1-b", "v1-c"],
        "{AT} TestPurgeTags/Keep 1 tag when repo filter doesn't match all results"
    );
    assert_eq!(
        untagged(&four, "--filter 'bar:v1-.*' --ago 30m --keep 1"),
        ["v1-c"],
        "{AT} TestPurgeTags/Keep 1 tag ... not all results match due to ago filter"
    );
    // "Delete tag with local in it" over `TagWithLocal`.
    let mut local = four_tags_with_repo_filter_match();
    local.pop();
    local.push(tagged("bar", "v1-c-local.test", "15m"));
    assert_eq!(
        untagged(&local, "--filter 'bar:.*-?local[.].+' --ago 0m"),
        ["v1-c-local.test"],
        "{AT} TestPurgeTags/Delete tag with local in it"
    );
    // "InvalidRegexTest": `[` is refused (here when the arguments are read).
    let e = AcrPurge::parse("--filter 'bar:[' --ago 0m")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("tag regex"),
        "{AT} TestPurgeTags/InvalidRegexTest: {e}"
    );
    // The usual "everything but release tags" (README; refused before fancy-regex).
    let images = vec![
        tagged("bar", "release-1", "3d"),
        tagged("bar", "dev-1", "3d"),
    ];
    assert_eq!(
        untagged(&images, "--filter 'bar:^((?!release).)*$' --ago 1d"),
        ["dev-1"]
    );
}

/// Filters reaching one repository are joined into one regex with `|` (CollectTagFilters),
/// so an inline flag at the start of one reaches the next, as it does in acr-cli.
#[test]
fn tag_halves_joined_per_repository() {
    let images = vec![tagged("bar", "TEST", "3d"), tagged("bar", "Prod", "3d")];
    assert_eq!(
        untagged(
            &images,
            "--filter 'bar:(?i)test' --filter 'ba.:prod' --ago 1d"
        ),
        ["Prod", "TEST"]
    );
    // The second filter alone matches nothing: `prod` is case-sensitive by itself.
    assert!(untagged(&images, "--filter 'bar:prod' --ago 1d").is_empty());
}

/// A parse error is its own one line, not followed by a wrong "--ago is required".
#[test]
fn one_line_errors() {
    let e = AcrPurge::parse("--filter app:.* --ago 15")
        .unwrap_err()
        .to_string();
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.starts_with("--ago: \"15\": time: missing unit"), "{e}");
    let e = AcrPurge::parse("--filter app:.*").unwrap_err().to_string();
    assert_eq!(e, "--ago: is required when not using --untagged-only");
}

/// Where tag update times are unknown (no metadata API), the plan says --ago cannot select
/// a tag there rather than silently selecting none.
#[test]
fn unknown_tag_times_are_said() {
    let mut im = img("plain", "p1", &["v1"], "30d");
    im.pushed_at = None;
    let ev = AcrPurge::parse("--filter 'plain:.*' --ago 1d")
        .unwrap()
        .evaluate(&[im], now(), &Switches::default());
    assert!(ev.decisions.is_empty());
    assert!(
        ev.warnings
            .iter()
            .any(|w| w.contains("plain") && w.contains("--ago cannot select a tag there")),
        "{:?}",
        ev.warnings
    );
}
