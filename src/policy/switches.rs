//! The explicit switches for the points the vendors leave ambiguous (lifecycle.md §7.1).
//! Defaults are the documented recommendations; a plan records every switch in force.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgeBoundary {
    /// `age > N x 86400 s`
    Greater,
    /// `age >= N x 86400 s`
    GreaterOrEqual,
    /// whole elapsed days `> N`
    WholeDays,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TieBreak {
    /// Images whose known times tie across a keep boundary are all kept: the registry's
    /// order between them is unspecified, and digest order never decides which is newer.
    KeepTied,
    DigestAscending,
    /// The order the inventory lists the images in (the API's order).
    AsListed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecencyKey {
    Created,
    Updated,
}

/// How many leading path components of a repository name the Artifact Registry
/// repository takes; the rest is the package (lifecycle.md §2.1: for Docker the package is
/// the image path inside the repository, `PROJECT/REPOSITORY/team/app` -> `team/app`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PackageRoot {
    /// From the registry host: `*.pkg.dev` 2 (`PROJECT/REPOSITORY/`), `gcr.io` and its
    /// regional hosts 1 (`PROJECT/`), any other registry 0 (the whole path).
    Auto,
    Strip(u8),
}

impl PackageRoot {
    /// The number of components for a registry named `registry` (a host or target).
    pub fn resolve(self, registry: &str) -> u8 {
        match self {
            PackageRoot::Strip(n) => n,
            PackageRoot::Auto => {
                let host = registry
                    .split('/')
                    .next()
                    .unwrap_or("")
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if host.ends_with(".pkg.dev") {
                    2
                } else if host == "gcr.io" || host.ends_with(".gcr.io") {
                    1
                } else {
                    0
                }
            }
        }
    }

    /// The package of `repository`: the path after the first `n` components, never less
    /// than its last component.
    pub fn package(n: u8, repository: &str) -> &str {
        let mut rest = repository;
        for _ in 0..n {
            match rest.split_once('/') {
                Some((_, r)) if !r.is_empty() => rest = r,
                _ => break,
            }
        }
        rest
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcrCliVersion {
    /// 0.18 and later: `--keep` also keeps dangling manifests; `--untagged-only`.
    V019,
    /// 0.17: `--ago` applies to manifests, `--keep` does not; `--include-locked`, but no
    /// `--untagged-only` (acr-cli refuses it as an unknown flag).
    V017,
    /// before 0.17: `--ago` ignored for manifests; neither flag.
    Before017,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Switches {
    pub ecr_age_boundary: AgeBoundary,
    pub ecr_tie_break: TieBreak,
    pub ecr_rank_index_children: bool,
    pub ecr_restore_affects_since_pushed: bool,
    pub ecr_pattern_case_sensitive: bool,
    pub gar_recency_key: RecencyKey,
    pub gar_untagged_counts_in_keepcount: bool,
    pub gar_package_root: PackageRoot,
    pub acr_untag_refreshes_manifest_time: bool,
    pub acr_cli_version: AcrCliVersion,
    pub harbor_tie_break: TieBreak,
}

impl Default for Switches {
    fn default() -> Self {
        Switches {
            ecr_age_boundary: AgeBoundary::Greater,
            ecr_tie_break: TieBreak::KeepTied,
            ecr_rank_index_children: false,
            ecr_restore_affects_since_pushed: true,
            ecr_pattern_case_sensitive: true,
            gar_recency_key: RecencyKey::Created,
            gar_untagged_counts_in_keepcount: true,
            gar_package_root: PackageRoot::Auto,
            acr_untag_refreshes_manifest_time: false,
            acr_cli_version: AcrCliVersion::V019,
            harbor_tie_break: TieBreak::KeepTied,
        }
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("switch {name:?}: {why}")]
pub struct SwitchError {
    pub name: String,
    pub why: String,
}

impl Switches {
    /// Settles what depends on the registry (`gar.package_root=auto`), so the plan
    /// records the value in force.
    pub fn resolve_for(&mut self, registry: &str) {
        self.gar_package_root = PackageRoot::Strip(self.gar_package_root.resolve(registry));
    }

    /// Applies `name=value` (as on the command line, `--switch ecr.tie_break=as_listed`).
    pub fn set(&mut self, assignment: &str) -> Result<(), SwitchError> {
        let (name, value) = assignment.split_once('=').ok_or_else(|| SwitchError {
            name: assignment.into(),
            why: "write NAME=VALUE".into(),
        })?;
        let bad = |allowed: &str| SwitchError {
            name: name.into(),
            why: format!("unknown value {value:?}; one of {allowed}"),
        };
        let boolean = |v: &str| match v {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(bad("true, false")),
        };
        let tie = |v: &str| match v {
            "keep_tied" => Ok(TieBreak::KeepTied),
            "digest" => Ok(TieBreak::DigestAscending),
            "as_listed" => Ok(TieBreak::AsListed),
            _ => Err(bad("keep_tied, digest, as_listed")),
        };
        match name {
            "ecr.age_boundary" => {
                self.ecr_age_boundary = match value {
                    ">" => AgeBoundary::Greater,
                    ">=" => AgeBoundary::GreaterOrEqual,
                    "whole_days" => AgeBoundary::WholeDays,
                    _ => return Err(bad(">, >=, whole_days")),
                }
            }
            "ecr.tie_break" => self.ecr_tie_break = tie(value)?,
            "ecr.rank_index_children" => self.ecr_rank_index_children = boolean(value)?,
            "ecr.restore_affects_since_pushed" => {
                self.ecr_restore_affects_since_pushed = boolean(value)?
            }
            "ecr.pattern_case_sensitive" => self.ecr_pattern_case_sensitive = boolean(value)?,
            "gar.recency_key" => {
                self.gar_recency_key = match value {
                    "create" => RecencyKey::Created,
                    "update" => RecencyKey::Updated,
                    _ => return Err(bad("create, update")),
                }
            }
            "gar.untagged_counts_in_keepcount" => {
                self.gar_untagged_counts_in_keepcount = boolean(value)?
            }
            "gar.package_root" => {
                self.gar_package_root = match value {
                    "auto" => PackageRoot::Auto,
                    "0" | "1" | "2" | "3" => PackageRoot::Strip(value.parse().expect("digit")),
                    _ => return Err(bad("auto, 0, 1, 2, 3")),
                }
            }
            "acr.untag_refreshes_manifest_time" => {
                self.acr_untag_refreshes_manifest_time = boolean(value)?
            }
            "acr.cli_version" => {
                self.acr_cli_version = match value {
                    "0.19" | "0.18" => AcrCliVersion::V019,
                    "0.17" => AcrCliVersion::V017,
                    "0.16" | "<0.17" => AcrCliVersion::Before017,
                    _ => return Err(bad("0.19, 0.17, <0.17")),
                }
            }
            "harbor.tie_break" => self.harbor_tie_break = tie(value)?,
            _ => {
                return Err(SwitchError {
                    name: name.into(),
                    why: "unknown switch".into(),
                })
            }
        }
        Ok(())
    }

    /// The switches relevant to one policy format, as `name=value`, for the plan.
    pub fn describe(&self, format: super::PolicyFormat) -> Vec<String> {
        use super::PolicyFormat::*;
        let tie = |t: TieBreak| match t {
            TieBreak::KeepTied => "keep_tied",
            TieBreak::DigestAscending => "digest",
            TieBreak::AsListed => "as_listed",
        };
        match format {
            Ecr => vec![
                format!(
                    "ecr.age_boundary={}",
                    match self.ecr_age_boundary {
                        AgeBoundary::Greater => ">",
                        AgeBoundary::GreaterOrEqual => ">=",
                        AgeBoundary::WholeDays => "whole_days",
                    }
                ),
                format!("ecr.tie_break={}", tie(self.ecr_tie_break)),
                format!("ecr.rank_index_children={}", self.ecr_rank_index_children),
                format!(
                    "ecr.restore_affects_since_pushed={}",
                    self.ecr_restore_affects_since_pushed
                ),
                format!(
                    "ecr.pattern_case_sensitive={}",
                    self.ecr_pattern_case_sensitive
                ),
            ],
            Gar => vec![
                format!(
                    "gar.recency_key={}",
                    match self.gar_recency_key {
                        RecencyKey::Created => "create",
                        RecencyKey::Updated => "update",
                    }
                ),
                format!(
                    "gar.untagged_counts_in_keepcount={}",
                    self.gar_untagged_counts_in_keepcount
                ),
                match self.gar_package_root {
                    PackageRoot::Auto => "gar.package_root=auto".to_string(),
                    PackageRoot::Strip(n) => format!("gar.package_root={n}"),
                },
            ],
            Acr => vec![
                format!(
                    "acr.untag_refreshes_manifest_time={}",
                    self.acr_untag_refreshes_manifest_time
                ),
                format!(
                    "acr.cli_version={}",
                    match self.acr_cli_version {
                        AcrCliVersion::V019 => "0.19",
                        AcrCliVersion::V017 => "0.17",
                        AcrCliVersion::Before017 => "<0.17",
                    }
                ),
            ],
            Harbor => vec![format!("harbor.tie_break={}", tie(self.harbor_tie_break))],
        }
    }
}

impl fmt::Display for AgeBoundary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AgeBoundary::Greater => ">",
            AgeBoundary::GreaterOrEqual => ">=",
            AgeBoundary::WholeDays => "whole days >",
        })
    }
}
