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
//! * cmd/acr/purge_untagged_only_test.go: `TestPurgeCommandUntaggedOnlyValidation` here;
//!   `TestPurgeUntaggedOnly`, `TestPurgeDanglingManifestsWithAgoAndKeep` in
//!   acr_cli_manifest_vectors.rs; `TestPurgeAbacVerboseMode` (token scopes, output): n/a.
//! * cmd/repository/image_functions_test.go: `TestGetUntaggedManifestsWithAgeCriteria`,
//!   `TestCheckOCIArtifactDeletability`, `TestAddDependentManifestsToIgnoreList`,
//!   `TestAddIndexDependenciesToIgnoreListComplex` in acr_cli_manifest_vectors.rs;
//!   `TestFindDirectDependentManifests`, `TestExtractSubmanifestsFromBytes` (reading an
//!   index's `manifests`): the inventory's, n/a here.

use super::*;
use crate::model::TagDetail;
use crate::policy::testkit::*;

const AT: &str = "Azure/acr-cli@cfbb835";

/// The tag list of `FourTagsWithRepoFilterMatch` (cmd/acr/purge_test.go): v1-a 15 minutes
/// old, v1-b one day, v1-c two days, v2 three days; each on its own manifest.
fn four_tags_with_repo_filter_match() -> Vec<Image> {
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

fn tagged(repo: &str, tag: &str, age: &str) -> Image {
    let mut im = img(repo, &format!("{repo}/{tag}"), &[tag], age);
    im.updated_at = Some(ago(age));
    im.tag_details = Some(vec![TagDetail {
        name: tag.to_string(),
        last_update: Some(ago(age)),
        ..Default::default()
    }]);
    im
}

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

/// cmd/acr/purge_untagged_only_test.go `TestPurgeCommandUntaggedOnlyValidation`: --ago and
/// --keep are optional with --untagged-only and accepted with it; --untagged and
/// --untagged-only exclude each other (cobra `MarkFlagsMutuallyExclusive`), as do a
/// missing --filter and a missing --untagged-only (`MarkFlagsOneRequired`).
#[test]
fn untagged_only_validation() {
    for (name, args) in [
        ("UntaggedOnlyMakesAgoOptional", "--untagged-only"),
        ("UntaggedOnlyWithAgoFiltering", "--untagged-only --ago 1d"),
        ("UntaggedOnlyWithKeepSupport", "--untagged-only --keep 5"),
    ] {
        let p = AcrPurge::parse(args)
            .unwrap_or_else(|e| panic!("{AT} TestPurgeCommandUntaggedOnlyValidation/{name}: {e}"));
        assert!(p.untagged_only && !p.untagged, "{name}");
    }
    assert_eq!(AcrPurge::parse("--untagged-only --keep 5").unwrap().keep, 5);
    let e = AcrPurge::parse("--untagged-only --untagged")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("cannot be combined with --untagged"),
        "{AT} TestPurgeCommandUntaggedOnlyValidation/UntaggedOnlyAndUntaggedMutuallyExclusive: {e}"
    );
}

/// pflag's boolean flags take a value after `=` (Go's `strconv.ParseBool`): with
/// `--untagged=false` acr-cli deletes no manifest and with `--include-locked=false` it
/// leaves locked tags alone (cmd/acr/purge.go `newPurgeCmd`, `BoolVar`). cobra's mutual
/// exclusion counts a flag given with `=false` as given.
#[test]
fn boolean_flags_take_a_go_value() {
    let mut locked = tagged("bar", "locked", "3d");
    locked.tag_details.as_mut().unwrap()[0].delete_enabled = Some(false);
    let images = vec![tagged("bar", "old", "3d"), locked];
    let deleted = |args: &str| {
        let ev = AcrPurge::parse(args)
            .unwrap_or_else(|e| panic!("{args}: {e}"))
            .evaluate(&images, now(), &Switches::default());
        ev.decisions
            .iter()
            .filter(|d| d.action == ActionKind::Delete)
            .count()
    };
    let base = "--filter 'bar:.*' --ago 1d";
    assert_eq!(deleted(&format!("{base} --untagged=false")), 0);
    assert_eq!(deleted(&format!("{base} --untagged=true")), 1);
    assert_eq!(deleted(&format!("{base} --untagged=1")), 1);
    assert_eq!(deleted(&format!("{base} --untagged")), 1);
    assert_eq!(
        untagged(&images, &format!("{base} --include-locked=false")),
        ["old"]
    );
    assert_eq!(
        untagged(&images, &format!("{base} --include-locked=F")),
        ["old"]
    );
    assert_eq!(
        untagged(&images, &format!("{base} --include-locked=t")),
        ["locked", "old"]
    );
    // --untagged-only=false is the tag mode again, where --filter and --ago are required.
    assert_eq!(
        untagged(
            &images,
            &format!("{base} --untagged-only=false --dry-run=true")
        ),
        ["old"]
    );
    for (args, says) in [
        (format!("{base} --untagged=yes"), "\"yes\" is not a boolean"),
        (format!("{base} --dry-run=on"), "--dry-run"),
        (
            format!("{base} --untagged=false --untagged-only"),
            "cannot be combined",
        ),
        ("--untagged-only=false".to_string(), "--filter"),
    ] {
        let e = AcrPurge::parse(&args).unwrap_err().to_string();
        assert!(e.contains(says), "{args}: {e}");
    }
}

/// With --untagged-only acr-cli never compiles a filter's tag half (only `purgeTags` does,
/// cmd/acr/purge.go), so `bar:[` reaches `bar` there; with tags to purge it is refused
/// (`TestPurgeTags/InvalidRegexTest`).
#[test]
fn untagged_only_reads_no_tag_half() {
    let mut loose = img("bar", "bar/loose", &[], "3d");
    loose.updated_at = Some(ago("3d"));
    let images = vec![loose, tagged("baz", "v1", "3d")];
    let ev = AcrPurge::parse("--filter 'bar:[' --untagged-only")
        .unwrap_or_else(|e| panic!("{e}"))
        .evaluate(&images, now(), &Switches::default());
    assert_eq!(acted(&images, &ev, ActionKind::Delete), ["bar/loose"]);
    assert!(AcrPurge::parse("--filter 'bar:[' --ago 1d --untagged").is_err());
    // The repository half is still compiled (`GetMatchingRepos`).
    let e = AcrPurge::parse("--filter '(:.*' --untagged-only")
        .unwrap_err()
        .to_string();
    assert!(e.contains("repository regex"), "{e}");
}

/// pflag reads a shorthand's value glued on (`-fVALUE`, `-f=VALUE`) as well as after a
/// space; a word that is no flag acr-cli ignores (cobra hands it to a command that reads
/// no arguments), so `--untagged false` still deletes manifests there: refused here,
/// with the reason.
#[test]
fn shorthands_and_stray_words() {
    let images = four_tags_with_repo_filter_match();
    for args in [
        "-f 'bar:v1-.*' --ago 0m",
        "-f'bar:v1-.*' --ago 0m",
        "-f='bar:v1-.*' --ago 0m",
        "--filter='bar:v1-.*' --ago 0m -r=example -c=cfg.json",
    ] {
        assert_eq!(untagged(&images, args), ["v1-a", "v1-b", "v1-c"], "{args}");
    }
    let e = AcrPurge::parse("--filter 'bar:.*' --ago 1d --untagged false")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("false: is no flag") && e.contains("--flag=false"),
        "{e}"
    );
    let e = AcrPurge::parse("--filter 'bar:.*' --ago 1d -x1")
        .unwrap_err()
        .to_string();
    assert!(e.contains("-x1: unknown flag"), "{e}");
}

/// pflag's IntVar reads `--keep` with Go's `strconv.ParseInt(v, 0, 64)`: `010` is eight,
/// `0x3` three, `1_0` ten; `08` is no number.
#[test]
fn keep_is_read_as_go_reads_an_int() {
    for (text, keep) in [("010", 8), ("0x3", 3), ("1_0", 10), ("-1", 0), ("07", 7)] {
        let p = AcrPurge::parse(&format!("--filter 'bar:.*' --ago 1d --keep {text}"))
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(p.keep, keep, "{text}");
    }
    let e = AcrPurge::parse("--filter 'bar:.*' --ago 1d --keep 08")
        .unwrap_err()
        .to_string();
    assert!(e.contains("--keep") && e.contains("\"08\""), "{e}");
    assert!(AcrPurge::parse("--untagged-only --repository-page-size 2147483648").is_err());
    assert!(AcrPurge::parse("--untagged-only --repository-page-size 0x7fffffff").is_ok());
}
