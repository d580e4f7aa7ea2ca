//! Which packaging ecosystem a finding's package belongs to, as its report names it: the
//! rule for ordering its versions depends on it (PEP 440 for Python, semantic versioning
//! for Go and npm, dpkg/rpm/apk for OS packages).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    /// PyPI: PEP 440 versions.
    Python,
    /// Go modules: semantic versions with a `v`, pseudo-versions as pre-releases.
    Go,
    /// npm, Cargo, NuGet, Composer: semantic versions (build metadata ignored).
    Semver,
    /// dpkg (Debian, Ubuntu).
    Debian,
    /// rpm (Red Hat, Amazon Linux, SUSE, ...).
    Rpm,
    /// apk (Alpine, Wolfi).
    Alpine,
}

impl Ecosystem {
    /// Reads the names reports use for a package's type: Trivy's result `Type`
    /// (`python-pkg`, `gobinary`, `debian`), Grype's artifact `type` (`python`,
    /// `go-module`, `deb`), ECR's `packageManager` (`PYTHONPKG`, `GOBINARY`, `OS`), a
    /// package URL (`pkg:pypi/requests@2.0`). Unrecognised names are `None`: the
    /// version rule for mixed reports applies then.
    pub fn from_report(name: &str) -> Option<Ecosystem> {
        let n = name.trim().to_ascii_lowercase();
        if let Some(rest) = n.strip_prefix("pkg:") {
            return Self::from_purl_type(rest.split('/').next().unwrap_or(""));
        }
        Some(match n.as_str() {
            "python" | "python-pkg" | "pythonpkg" | "pip" | "pipenv" | "poetry" | "uv" | "pypi"
            | "wheel" | "egg" => Ecosystem::Python,
            "go" | "golang" | "gobinary" | "gomod" | "go-module" => Ecosystem::Go,
            "npm" | "node-pkg" | "nodepkg" | "node" | "yarn" | "pnpm" | "bun" | "cargo"
            | "rust" | "rust-crate" | "rust-binary" | "rustbinary" | "nuget" | "dotnet"
            | "dotnet-core" | "dotnet_core" | "dotnet-deps" | "composer" | "php-pkg"
            | "php-composer" => Ecosystem::Semver,
            "debian" | "ubuntu" | "deb" | "dpkg" => Ecosystem::Debian,
            "redhat" | "centos" | "rocky" | "alma" | "almalinux" | "amazon" | "rpm" | "oracle"
            | "fedora" | "suse" | "opensuse" | "opensuse-leap" | "sles" | "cbl-mariner"
            | "azurelinux" | "photon" => Ecosystem::Rpm,
            "alpine" | "apk" | "wolfi" | "chainguard" => Ecosystem::Alpine,
            _ => return None,
        })
    }

    /// Package URL types (purl-spec's `PURL-TYPES`).
    fn from_purl_type(t: &str) -> Option<Ecosystem> {
        Some(match t {
            "pypi" => Ecosystem::Python,
            "golang" => Ecosystem::Go,
            "npm" | "cargo" | "nuget" | "composer" => Ecosystem::Semver,
            "deb" => Ecosystem::Debian,
            "rpm" => Ecosystem::Rpm,
            "apk" | "alpine" => Ecosystem::Alpine,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_names_map_to_ecosystems() {
        for (name, eco) in [
            ("python-pkg", Some(Ecosystem::Python)),
            ("PYTHONPKG", Some(Ecosystem::Python)),
            ("gobinary", Some(Ecosystem::Go)),
            ("go-module", Some(Ecosystem::Go)),
            ("node-pkg", Some(Ecosystem::Semver)),
            ("debian", Some(Ecosystem::Debian)),
            ("deb", Some(Ecosystem::Debian)),
            ("amazon", Some(Ecosystem::Rpm)),
            ("alpine", Some(Ecosystem::Alpine)),
            ("pkg:pypi/requests@2.31.0", Some(Ecosystem::Python)),
            ("pkg:golang/golang.org/x/net@v0.1.0", Some(Ecosystem::Go)),
            ("OS", None),
            ("java-archive", None),
        ] {
            assert_eq!(Ecosystem::from_report(name), eco, "{name}");
        }
    }
}
