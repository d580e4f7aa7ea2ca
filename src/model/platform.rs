//! A runnable platform (`os/arch[/variant]`), as in an index entry or an image config.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Platform {
    pub fn new(os: &str, architecture: &str, variant: Option<&str>) -> Self {
        Platform {
            os: os.to_string(),
            architecture: architecture.to_string(),
            variant: variant.filter(|v| !v.is_empty()).map(str::to_string),
        }
    }

    /// Parses `os/arch[/variant]`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split('/').collect();
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Platform::new(os, arch, None)),
            [os, arch, v] if !os.is_empty() && !arch.is_empty() && !v.is_empty() => {
                Ok(Platform::new(os, arch, Some(v)))
            }
            _ => Err(format!("platform {s:?} is not OS/ARCH[/VARIANT]")),
        }
    }

    /// The platform this program runs on, in OCI spelling.
    pub fn host() -> Self {
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64le",
            other => other,
        };
        Platform::new("linux", arch, None)
    }

    /// Whether an index entry for `self` satisfies a request for `wanted`. A request without
    /// a variant accepts any variant, as container runtimes do; `arm64` defaults to `v8`.
    pub fn satisfies(&self, wanted: &Platform) -> bool {
        if self.os != wanted.os || self.architecture != wanted.architecture {
            return false;
        }
        match (&wanted.variant, &self.variant) {
            (None, _) => true,
            (Some(w), Some(v)) => w == v,
            (Some(w), None) => self.architecture == "arm64" && w == "v8",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}
impl TryFrom<String> for Platform {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Platform::parse(&s)
    }
}
impl From<Platform> for String {
    fn from(p: Platform) -> String {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parse_display_roundtrip_and_matching() {
        let p = Platform::parse("linux/arm64/v8").unwrap();
        assert_eq!(p.to_string(), "linux/arm64/v8");
        assert!(Platform::parse("linux").is_err());
        assert!(Platform::parse("linux//v8").is_err());
        let bare = Platform::new("linux", "arm64", None);
        assert!(bare.satisfies(&p), "arm64 without variant is v8");
        assert!(p.satisfies(&Platform::parse("linux/arm64").unwrap()));
        assert!(!Platform::parse("linux/arm/v7")
            .unwrap()
            .satisfies(&Platform::parse("linux/arm/v6").unwrap()));
    }
}
