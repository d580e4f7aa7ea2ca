//! The fixed set of verdicts, as the CLI's JSON and the TUI show them.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Ok,
    Unreachable,
    Tls,
    Unauthorized,
    Forbidden,
    RepositoryNotFound,
    TagNotFound,
    PlatformMissing,
    BlobMissing,
    RateLimited,
    RegistryError,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Unreachable => "unreachable",
            Verdict::Tls => "tls",
            Verdict::Unauthorized => "unauthorized",
            Verdict::Forbidden => "forbidden",
            Verdict::RepositoryNotFound => "repository-not-found",
            Verdict::TagNotFound => "tag-not-found",
            Verdict::PlatformMissing => "platform-missing",
            Verdict::BlobMissing => "blob-missing",
            Verdict::RateLimited => "rate-limited",
            Verdict::RegistryError => "registry-error",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_are_the_documented_ones() {
        let all = [
            (Verdict::Ok, "ok"),
            (Verdict::RepositoryNotFound, "repository-not-found"),
            (Verdict::TagNotFound, "tag-not-found"),
            (Verdict::PlatformMissing, "platform-missing"),
            (Verdict::BlobMissing, "blob-missing"),
            (Verdict::RateLimited, "rate-limited"),
            (Verdict::RegistryError, "registry-error"),
        ];
        for (v, s) in all {
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::json!(s));
            assert_eq!(v.as_str(), s);
        }
    }
}
