//! The request and reply shapes of the transport: a request described so it can be
//! resent on retry, a reply read whole (bounded), and a reply still streaming.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;

/// One request, described so it can be sent again on retry.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Option<Vec<u8>>,
    /// A question whose "no" is a 404 (or 405): is there a referrers API, a fallback or
    /// cosign tag, this blob? Such an answer is counted as a fallback, not an error.
    pub probe: bool,
}

impl Request {
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Request {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: None,
            probe: false,
        }
    }
    /// Marks the request as a [probe](Request::probe) when `yes`.
    pub fn probe(mut self, yes: bool) -> Self {
        self.probe = yes;
        self
    }
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }
    pub fn with(self, (name, value): (HeaderName, HeaderValue)) -> Self {
        self.header(name, value)
    }
    pub fn body(mut self, body: Vec<u8>) -> Self {
        self.body = Some(body);
        self
    }
}

/// A response read whole (bounded). Any status: the caller decides what it means.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The URL that finally answered (after redirects).
    pub url: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A successful response whose body is still on the wire (a layer). The concurrency
/// permit travels with it, so open streams count against the registry's limit.
pub struct StreamReply {
    pub status: u16,
    pub headers: HeaderMap,
    pub response: reqwest::Response,
    pub permit: super::adaptive::Permit,
}
