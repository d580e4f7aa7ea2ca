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

/// A URL as it may be shown: query replaced by `?…` (as [`redact_query`]) and any
/// `user:password@` removed from the authority. A manifest's foreign-layer URLs are
/// written by whoever pushed it and may carry either (signed storage URLs do).
pub fn redact_url(url: &str) -> String {
    let url = redact_query(url);
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url.as_str()));
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    match scheme {
        "" => format!("{host}{path}"),
        s => format!("{s}://{host}{path}"),
    }
}

/// The hosts of `urls`, sorted and joined by `, ` (credentials never shown): where a
/// foreign layer is pulled from, in one table cell or error line.
pub fn url_hosts<'a>(urls: impl IntoIterator<Item = &'a String>) -> String {
    let hosts: std::collections::BTreeSet<String> = urls
        .into_iter()
        .map(|u| {
            let shown = redact_url(u);
            let rest = shown.split_once("://").map_or(shown.as_str(), |(_, r)| r);
            rest.split(['/', '?', '#'])
                .next()
                .unwrap_or(rest)
                .to_string()
        })
        .collect();
    match hosts.len() {
        0 => "no URL".to_string(),
        _ => hosts.into_iter().collect::<Vec<_>>().join(", "),
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

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn shown_urls_lose_credentials_and_queries() {
        for (url, shown) in [
            (
                "https://mcr.microsoft.com/v2/windows/servercore/blobs/sha256:ab",
                "https://mcr.microsoft.com/v2/windows/servercore/blobs/sha256:ab",
            ),
            (
                "https://acct.blob.core.windows.net/layers/x.tar.gz?sv=2020&sig=SECRET",
                "https://acct.blob.core.windows.net/layers/x.tar.gz?…",
            ),
            (
                "https://user:hunter2@host.example:8443/a",
                "https://host.example:8443/a",
            ),
            ("https://a@b@host.example", "https://host.example"),
            ("host.example/p?q=1", "host.example/p?…"),
        ] {
            let got = redact_url(url);
            assert_eq!(got, shown, "{url}");
            assert!(!got.contains("SECRET") && !got.contains("hunter2"));
        }
        let urls = [
            "https://u:p@b.example/x".to_string(),
            "https://a.example/y?sig=S".to_string(),
            "https://b.example/z".to_string(),
        ];
        assert_eq!(super::url_hosts(&urls), "a.example, b.example");
        assert_eq!(super::url_hosts(&[]), "no URL");
    }
}
