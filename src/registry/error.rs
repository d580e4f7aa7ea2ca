//! One error type for everything that can go wrong talking to a registry. Each variant
//! names the registry, the repository or reference where it matters, and can suggest a
//! next step. Secrets never appear here: messages are built from status lines, registry
//! error codes and our own words, never from request headers or bodies we sent.

use std::time::Duration;

/// Where in a registry an error happened.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Place {
    pub registry: String,
    pub repository: Option<String>,
    pub reference: Option<String>,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.registry)?;
        if let Some(r) = &self.repository {
            write!(f, "/{r}")?;
        }
        if let Some(r) = &self.reference {
            if r.contains(':') && r.starts_with("sha") {
                write!(f, "@{r}")?;
            } else {
                write!(f, ":{r}")?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum RegistryError {
    #[error("{place}: cannot connect: {detail}")]
    Unreachable { place: Place, detail: String },
    #[error("{place}: TLS failed: {detail}")]
    Tls { place: Place, detail: String },
    #[error("{place}: timed out after {after:?} ({during})")]
    Timeout {
        place: Place,
        after: Duration,
        during: String,
    },
    /// The response started and was cut: a reset, or fewer bytes than `Content-Length`.
    #[error("{place}: {detail}")]
    Interrupted { place: Place, detail: String },
    #[error("{place}: unauthorized (HTTP 401{code}){detail}")]
    Unauthorized {
        place: Place,
        code: CodeSuffix,
        detail: String,
    },
    #[error("{place}: forbidden (HTTP 403{code}){detail}")]
    Forbidden {
        place: Place,
        code: CodeSuffix,
        detail: String,
    },
    #[error("{place}: not found (HTTP 404{code}){detail}")]
    NotFound {
        place: Place,
        code: CodeSuffix,
        detail: String,
    },
    #[error("{place}: rate limited (HTTP 429){detail}")]
    RateLimited {
        place: Place,
        retry_after: Option<Duration>,
        detail: String,
    },
    #[error("{place}: HTTP {status}{code}{detail}")]
    Http {
        place: Place,
        status: u16,
        code: CodeSuffix,
        detail: String,
    },
    #[error("{place}: malformed response: {detail}")]
    Malformed { place: Place, detail: String },
    #[error("{place}: digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        place: Place,
        expected: String,
        actual: String,
    },
    #[error("{place}: response too large (over {limit} bytes)")]
    TooLarge { place: Place, limit: u64 },
    #[error("{place}: not supported: {what}")]
    Unsupported { place: Place, what: String },
    #[error("{place}: refused by configuration: {why}")]
    Refused { place: Place, why: String },
    #[error("{place}: {detail}")]
    Other { place: Place, detail: String },
}

/// A registry error code rendered as `, CODE` after a status, or nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodeSuffix(pub Option<String>);

impl std::fmt::Display for CodeSuffix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(c) => write!(f, ", {c}"),
            None => Ok(()),
        }
    }
}

impl RegistryError {
    pub fn place(&self) -> &Place {
        use RegistryError::*;
        match self {
            Unreachable { place, .. }
            | Tls { place, .. }
            | Timeout { place, .. }
            | Interrupted { place, .. }
            | Unauthorized { place, .. }
            | Forbidden { place, .. }
            | NotFound { place, .. }
            | RateLimited { place, .. }
            | Http { place, .. }
            | Malformed { place, .. }
            | DigestMismatch { place, .. }
            | TooLarge { place, .. }
            | Unsupported { place, .. }
            | Refused { place, .. }
            | Other { place, .. } => place,
        }
    }

    /// The HTTP status behind the error, where there was one.
    pub fn http_status(&self) -> Option<u16> {
        use RegistryError::*;
        match self {
            Unauthorized { .. } => Some(401),
            Forbidden { .. } => Some(403),
            NotFound { .. } => Some(404),
            RateLimited { .. } => Some(429),
            Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The registry's own error code (`MANIFEST_UNKNOWN`, `DENIED`, ...), where it sent one.
    pub fn error_code(&self) -> Option<&str> {
        use RegistryError::*;
        match self {
            Unauthorized { code, .. }
            | Forbidden { code, .. }
            | NotFound { code, .. }
            | Http { code, .. } => code.0.as_deref(),
            _ => None,
        }
    }

    /// One sentence a person can act on.
    pub fn next_step(&self) -> String {
        use RegistryError::*;
        let reg = &self.place().registry;
        match self {
            Unreachable { .. } => format!("check that {reg} resolves and accepts connections (VPN, proxy, firewall)"),
            Tls { .. } => format!("add the registry's CA with `ca_file` in the config, or mark {reg} `insecure = true` if it is plain HTTP"),
            Timeout { .. } => "retry; if it persists, lower the concurrency for this registry in the config (or raise request_timeout_secs for a slow link)".into(),
            Interrupted { .. } => format!("retry; if it persists, a proxy or {reg} is cutting transfers"),
            Unauthorized { .. } => format!("log in: `regscope login {reg}` (or fix the credential helper)"),
            Forbidden { .. } => "ask for pull (or delete) permission on this repository".into(),
            NotFound { .. } => "check the repository and tag spelling; the image may have been deleted".into(),
            RateLimited { .. } => "wait for the rate-limit window, log in for a higher limit, or lower the concurrency".into(),
            Http { status, .. } if *status >= 500 => "the registry failed; retry later or check its status page".into(),
            Http { .. } => "see the registry's error code above".into(),
            Malformed { .. } | DigestMismatch { .. } => "the registry served bad content; report it to its operator".into(),
            TooLarge { .. } => "the response exceeds regscope's safety cap; this is likely not a manifest".into(),
            Unsupported { .. } => "this registry does not offer that API; the rest still works".into(),
            Refused { .. } => "change the registry's settings in the config if this is intended".into(),
            Other { .. } => "see the log (REGSCOPE_LOG=debug) for details".into(),
        }
    }

    /// Whether the error is likely to go away on its own (worth a later retry).
    pub fn is_transient(&self) -> bool {
        use RegistryError::*;
        match self {
            Unreachable { .. } | Timeout { .. } | Interrupted { .. } | RateLimited { .. } => true,
            Http { status, .. } => matches!(status, 502..=504),
            _ => false,
        }
    }
}
