//! Network failures (reqwest errors) as [`RegistryError`]s a person can act on:
//! unreachable, TLS, timeout. URLs in messages lose their query string, which can carry
//! scopes or tokens.

use super::error::{Place, RegistryError};
use super::transport::{Request, TransportOptions};

/// Maps a reqwest failure to the error a person can act on, without echoing URLs that may
/// carry tokens in their query.
pub(crate) fn network_error(
    e: &reqwest::Error,
    place: &Place,
    options: &TransportOptions,
    req: &Request,
) -> RegistryError {
    let chain = error_chain(e);
    let lower = chain.to_lowercase();
    if e.is_timeout() || lower.contains("timed out") {
        let during = if e.is_connect() {
            "connecting"
        } else if e.is_body() || e.is_decode() || req.url.is_empty() {
            "reading the response body"
        } else {
            "waiting for the response"
        };
        let after = if e.is_connect() {
            options.connect_timeout
        } else {
            options.read_timeout
        };
        return RegistryError::Timeout {
            place: place.clone(),
            after,
            during: during.into(),
        };
    }
    let tls_words = [
        "certificate",
        "tls",
        "handshake",
        "unknownissuer",
        "invalidcertificate",
    ];
    if tls_words.iter().any(|w| lower.contains(w)) {
        return RegistryError::Tls {
            place: place.clone(),
            detail: chain,
        };
    }
    if e.is_connect() || e.is_request() || e.is_body() {
        return RegistryError::Unreachable {
            place: place.clone(),
            detail: chain,
        };
    }
    RegistryError::Other {
        place: place.clone(),
        detail: chain,
    }
}

/// How a body that had started ended early, told apart so a person knows whether the
/// connection was reset (RST: a proxy or the server gave up) or closed cleanly short of
/// the promised `Content-Length` (a truncation). `None` for other failures.
pub(crate) fn body_cut(e: &reqwest::Error, read: u64, promised: Option<u64>) -> Option<String> {
    let lower = error_chain(e).to_lowercase();
    if lower.contains("reset") {
        return Some(format!(
            "the connection was reset after {read} bytes of the response body"
        ));
    }
    let truncated = [
        "end of file before message length",
        "incomplete",
        "unexpected eof",
        "closed before message completed",
    ];
    if truncated.iter().any(|w| lower.contains(w)) {
        let of = promised.map_or(String::new(), |n| {
            format!(" of the {n} its Content-Length promised")
        });
        return Some(format!(
            "the response body was truncated: the server closed the connection after {read} bytes{of}"
        ));
    }
    None
}

/// The error and its causes, joined, with any URL stripped of its query string.
pub(crate) fn error_chain(e: &reqwest::Error) -> String {
    let mut parts = vec![e.without_url_string()];
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        src = s.source();
    }
    parts.join(": ")
}

trait WithoutUrl {
    fn without_url_string(&self) -> String;
}
impl WithoutUrl for reqwest::Error {
    fn without_url_string(&self) -> String {
        let mut s = self.to_string();
        if let Some(url) = self.url() {
            s = s.replace(url.as_str(), &redact_query(url.as_str()));
        }
        s
    }
}

/// A URL with its query replaced by `?…`: token endpoints carry scopes and sometimes
/// secrets there.
pub fn redact_query(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?…"),
        None => url.to_string(),
    }
}
