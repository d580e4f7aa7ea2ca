//! Each ecosystem's own test vectors, so the ordering is the ecosystem's and not ours.

use super::*;

/// Asserts that `versions` is in strictly ascending order under `ecosystem`, for every
/// pair (not only neighbours), except entries the vector list marks as equal.
fn ascending(ecosystem: Ecosystem, versions: &[&str]) {
    for (i, a) in versions.iter().enumerate() {
        for (j, b) in versions.iter().enumerate() {
            let want = i.cmp(&j);
            assert_eq!(
                compare_in(Some(ecosystem), a, b),
                want,
                "{ecosystem:?}: {a} vs {b}"
            );
        }
    }
}

/// pypa/packaging `tests/test_version.py`, `VERSIONS` ("This list must be in the correct
/// sorting order"), the implicit-epoch half and the explicit-epoch half.
const PEP440_VERSIONS: &[&str] = &[
    "1.0.dev0",
    "1.0.dev456",
    "1.0.dev456+local",
    "1.0a0",
    "1.0a0.post0.dev0",
    "1.0a0.post0",
    "1.0a1.dev1",
    "1.0a1.dev1+local",
    "1.0a1",
    "1.0a1+local",
    "1.0b0",
    "1.0b1.dev456",
    "1.0b2",
    "1.0b2.post345.dev456",
    "1.0b2.post345",
    "1.0b2-346",
    "1.0rc0",
    "1.0rc1.dev1",
    "1.0c1",
    "1.0rc2",
    "1.0",
    "1.0.post0.dev0",
    "1.0.post0",
    "1.0.post456.dev34",
    "1.0.post456",
    "1.0.post456+local",
    "1.0.1.dev1",
    "1.0.1a1",
    "1.0.1",
    "1.0.1+local",
    "1.0.1.post1",
    "1.1.dev1",
    "1.2+a",
    "1.2+abc",
    "1.2+abcdef",
    "1.2+def",
    "1.2+0",
    "1.2+1",
    "1.2+1.abc",
    "1.2+1.1",
    "1.2+1.1.0",
    "1.2+2",
    "1.2+123",
    "1.2+123456",
    "1.2.r32+123456",
    "1.2.rev33+123456",
    "1!1.0.dev0",
    "1!1.0.dev456",
    "1!1.0.dev456+local",
    "1!1.0a0",
    "1!1.0a0.post0.dev0",
    "1!1.0a0.post0",
    "1!1.0a1.dev1",
    "1!1.0a1.dev1+local",
    "1!1.0a1",
    "1!1.0a1+local",
    "1!1.0b0",
    "1!1.0b1.dev456",
    "1!1.0b2",
    "1!1.0b2.post345.dev456",
    "1!1.0b2.post345",
    "1!1.0b2-346",
    "1!1.0rc0",
    "1!1.0rc1.dev1",
    "1!1.0c1",
    "1!1.0rc2",
    "1!1.0",
    "1!1.0.post0.dev0",
    "1!1.0.post0",
    "1!1.0.post456.dev34",
    "1!1.0.post456",
    "1!1.0.post456+local",
    "1!1.0.1.dev1",
    "1!1.0.1a1",
    "1!1.0.1",
    "1!1.0.1+local",
    "1!1.0.1.post1",
    "1!1.1.dev1",
    "1!1.2+a",
    "1!1.2+abc",
    "1!1.2+abcdef",
    "1!1.2+def",
    "1!1.2+0",
    "1!1.2+1",
    "1!1.2+1.abc",
    "1!1.2+1.1",
    "1!1.2+1.1.0",
    "1!1.2+2",
    "1!1.2+123",
    "1!1.2+123456",
    "1!1.2.r32+123456",
    "1!1.2.rev33+123456",
];

#[test]
fn pep440_orders_packagings_versions_list() {
    ascending(Ecosystem::Python, PEP440_VERSIONS);
}

#[test]
fn pep440_normalised_spellings_are_equal() {
    // pypa/packaging `test_normalized_versions` and `test_version_rc_and_c_equals`.
    for (a, b) in [
        ("1.0dev", "1.0.dev0"),
        ("1.0-dev1", "1.0.dev1"),
        ("1.0.ALPHA1", "1.0a1"),
        ("1.0-beta", "1.0b0"),
        ("1.0c", "1.0rc0"),
        ("1.0rc1", "1.0c1"),
        ("1.0post", "1.0.post0"),
        ("1.0-5", "1.0.post5"),
        ("1.0-r5", "1.0.post5"),
        ("1.0.rev1", "1.0.post1"),
        ("1.0+AbC", "1.0+abc"),
        ("1.01", "1.1"),
        ("1.0a05", "1.0a5"),
        ("00!1.2", "1.2"),
        ("v1.0", "1.0"),
        ("1.0", "1.0.0"),
    ] {
        assert_eq!(
            compare_in(Some(Ecosystem::Python), a, b),
            Ordering::Equal,
            "{a} == {b}"
        );
    }
    // The case the issue names: a post-release is below the next micro release.
    assert!(is_below_in(Some(Ecosystem::Python), "1.0.post1", "1.0.1"));
}

/// golang/mod `semver/semver_test.go`: `tests` is in ascending order; entries whose
/// canonical forms are equal compare equal; invalid ones are left out here (they fall
/// back to the mixed rule).
const GO_SEMVER: &[(&str, &str)] = &[
    ("v1.0.0-alpha", "v1.0.0-alpha"),
    ("v1.0.0-alpha.1", "v1.0.0-alpha.1"),
    ("v1.0.0-alpha.beta", "v1.0.0-alpha.beta"),
    ("v1.0.0-beta", "v1.0.0-beta"),
    ("v1.0.0-beta.2", "v1.0.0-beta.2"),
    ("v1.0.0-beta.11", "v1.0.0-beta.11"),
    ("v1.0.0-rc.1", "v1.0.0-rc.1"),
    ("v1", "v1.0.0"),
    ("v1.0", "v1.0.0"),
    ("v1.0.0", "v1.0.0"),
    ("v1.2", "v1.2.0"),
    ("v1.2.0", "v1.2.0"),
    ("v1.2.3-456", "v1.2.3-456"),
    ("v1.2.3-456.789", "v1.2.3-456.789"),
    ("v1.2.3-456-789", "v1.2.3-456-789"),
    ("v1.2.3-456a", "v1.2.3-456a"),
    ("v1.2.3-pre", "v1.2.3-pre"),
    ("v1.2.3-pre+meta", "v1.2.3-pre"),
    ("v1.2.3-pre.1", "v1.2.3-pre.1"),
    ("v1.2.3-zzz", "v1.2.3-zzz"),
    ("v1.2.3", "v1.2.3"),
    ("v1.2.3+meta", "v1.2.3"),
    ("v1.2.3+meta-pre", "v1.2.3"),
    ("v1.2.3+meta-pre.sha.256a", "v1.2.3"),
];

#[test]
fn go_semver_orders_golang_mods_table() {
    for (i, (a, ca)) in GO_SEMVER.iter().enumerate() {
        for (j, (b, cb)) in GO_SEMVER.iter().enumerate() {
            let want = if ca == cb { Ordering::Equal } else { i.cmp(&j) };
            assert_eq!(compare_in(Some(Ecosystem::Go), a, b), want, "{a} vs {b}");
        }
    }
    // The explicit cases of the same test.
    assert_eq!(
        compare_in(Some(Ecosystem::Go), "v2", "v1"),
        Ordering::Greater
    );
    assert_eq!(
        compare_in(Some(Ecosystem::Go), "v1.19", "v1.2"),
        Ordering::Greater
    );
}

#[test]
fn go_pseudo_versions_sit_between_their_base_and_the_next_release() {
    // golang/mod `pseudoTests` (modfetch/pseudo_test.go): (older, pseudo-version made
    // from it at 2006-01-02T15:04:05Z).
    for (older, pseudo, next) in [
        ("v0.0.0", "v0.0.1-0.20060102150405-hash", "v0.0.1"),
        ("v1.2.3", "v1.2.4-0.20060102150405-hash", "v1.2.4"),
        ("v1.2.3-pre", "v1.2.3-pre.0.20060102150405-hash", "v1.2.3"),
        ("v1.3.0-pre", "v1.3.0-pre.0.20060102150405-hash", "v1.3.0"),
        (
            "v1.0.0+metadata",
            "v1.0.1-0.20060102150405-hash+metadata",
            "v1.0.1",
        ),
    ] {
        assert!(
            is_below_in(Some(Ecosystem::Go), older, pseudo),
            "{older} < {pseudo}"
        );
        assert!(
            is_below_in(Some(Ecosystem::Go), pseudo, next),
            "{pseudo} < {next}"
        );
    }
    // A later commit's pseudo-version is newer.
    assert!(is_below_in(
        Some(Ecosystem::Go),
        "v0.0.0-20191109021931-daa7c04131f5",
        "v0.0.0-20200101000000-aaaaaaaaaaaa"
    ));
}

#[test]
fn semver_precedence_follows_semver_org() {
    // semver.org 2.0.0, item 11's example chain, and item 10: build metadata is ignored.
    ascending(
        Ecosystem::Semver,
        &[
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ],
    );
    for (a, b) in [
        ("1.0.0+build.5", "1.0.0"),
        ("1.0.0-alpha+001", "1.0.0-alpha"),
        ("1.0.0+20130313144700", "1.0.0+exp.sha.5114f85"),
    ] {
        assert_eq!(
            compare_in(Some(Ecosystem::Semver), a, b),
            Ordering::Equal,
            "{a} == {b}"
        );
    }
}

#[test]
fn apk_pre_release_suffixes_sort_before_the_release() {
    // apk-tools' version order: _alpha < _beta < _pre < _rc < (release) < _p.
    ascending(
        Ecosystem::Alpine,
        &[
            "1.2.3_alpha1",
            "1.2.3_beta2",
            "1.2.3_pre1",
            "1.2.3_rc1",
            "1.2.3",
            "1.2.3-r1",
            "1.2.4",
        ],
    );
}

#[test]
fn unknown_ecosystem_and_unreadable_versions_use_the_mixed_rule() {
    assert_eq!(compare_in(None, "1.2.9", "1.2.10"), Ordering::Less);
    // Not PEP 440: falls back instead of refusing to answer.
    assert_eq!(
        compare_in(Some(Ecosystem::Python), "1.0-foo-bar", "1.1"),
        Ordering::Less
    );
    // Debian keeps dpkg's rule: `+deb11u1` is a later revision, not build metadata.
    assert!(is_below_in(
        Some(Ecosystem::Debian),
        "1.1.1n-0",
        "1.1.1n-0+deb11u1"
    ));
}
