//! acr-cli's flag grammar for `acr purge` as cobra and pflag read it (Azure/acr-cli
//! cfbb835 `cmd/acr/purge.go` `newPurgeCmd`): which flags exclude or require each other
//! (`TestPurgeCommandUntaggedOnlyValidation`), boolean and integer values after `=`,
//! shorthands, and words that are no flag.

use super::cli_vectors::{four_tags_with_repo_filter_match, tagged, untagged, AT};
use super::*;
use crate::policy::testkit::*;

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
