//! The counters behind [`TrafficStats`]: cheap to bump from many requests at once (atomics),
//! with the last rate-limit headers and the registry's `Warning` headers kept aside.

use super::{RateLimit, TrafficStats};
use reqwest::header::HeaderMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

/// At most this many distinct `Warning` texts are kept (registries repeat them per request).
const MAX_WARNINGS: usize = 20;

#[derive(Debug, Default)]
pub struct TrafficCell {
    requests: AtomicU64,
    bytes: AtomicU64,
    retries: AtomicU64,
    throttled: AtomicU64,
    errors: AtomicU64,
    challenges: AtomicU64,
    fallbacks: AtomicU64,
    seen: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    rate_limit: Option<RateLimit>,
    warnings: Vec<String>,
}

impl TrafficCell {
    pub fn add_request(&self) {
        self.requests.fetch_add(1, Relaxed);
    }
    pub fn add_bytes(&self, n: u64) {
        self.bytes.fetch_add(n, Relaxed);
    }
    pub fn add_retry(&self) {
        self.retries.fetch_add(1, Relaxed);
    }
    pub fn add_throttled(&self) {
        self.throttled.fetch_add(1, Relaxed);
    }
    pub fn add_error(&self) {
        self.errors.fetch_add(1, Relaxed);
    }
    pub fn add_challenge(&self) {
        self.challenges.fetch_add(1, Relaxed);
    }
    pub fn add_fallback(&self) {
        self.fallbacks.fetch_add(1, Relaxed);
    }

    /// Counts a final response (after retries) as what it is: success, an auth challenge,
    /// a probe's "absent", or an error.
    pub fn classify(&self, status: u16, probe: bool, challenged: bool) {
        match status {
            0..=399 => {}
            401 if challenged => self.add_challenge(),
            404 | 405 if probe => self.add_fallback(),
            _ => self.add_error(),
        }
    }

    /// Records rate-limit and warning headers, when a response has any.
    pub fn observe_headers(&self, headers: &HeaderMap) {
        let rl = parse_rate_limit(headers);
        let warnings: Vec<String> = headers
            .get_all("warning")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(warning_text)
            .collect();
        if rl.is_none() && warnings.is_empty() {
            return;
        }
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(rl) = rl {
            seen.rate_limit = Some(rl);
        }
        for w in warnings {
            if seen.warnings.len() < MAX_WARNINGS && !seen.warnings.contains(&w) {
                seen.warnings.push(w);
            }
        }
    }

    pub fn snapshot(&self) -> TrafficStats {
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        TrafficStats {
            requests: self.requests.load(Relaxed),
            bytes: self.bytes.load(Relaxed),
            retries: self.retries.load(Relaxed),
            throttled: self.throttled.load(Relaxed),
            errors: self.errors.load(Relaxed),
            challenges: self.challenges.load(Relaxed),
            fallbacks: self.fallbacks.load(Relaxed),
            rate_limit: seen.rate_limit.clone(),
            warnings: seen.warnings.clone(),
            concurrency: None,
        }
    }
}

/// `RateLimit-Limit: 100;w=21600`, `RateLimit-Remaining: 76;w=21600`,
/// `Docker-RateLimit-Source: 203.0.113.7`. `None` when the response has none of them.
pub fn parse_rate_limit(headers: &HeaderMap) -> Option<RateLimit> {
    let get = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    let limit = get("ratelimit-limit").or_else(|| get("x-ratelimit-limit"));
    let remaining = get("ratelimit-remaining").or_else(|| get("x-ratelimit-remaining"));
    let source = get("docker-ratelimit-source");
    if limit.is_none() && remaining.is_none() && source.is_none() {
        return None;
    }
    let (limit_n, limit_w) = limit.map(split_quota).unwrap_or((None, None));
    let (rem_n, rem_w) = remaining.map(split_quota).unwrap_or((None, None));
    Some(RateLimit {
        limit: limit_n,
        remaining: rem_n,
        window_secs: limit_w.or(rem_w),
        source: source.map(|s| s.trim().to_string()),
    })
}

/// `100;w=21600` → (100, 21600). A list (`100, 100;w=21600`) takes its first quota's
/// number and the first window that is given.
fn split_quota(v: &str) -> (Option<u64>, Option<u64>) {
    let mut n = None;
    let mut w = None;
    for item in v.split(',') {
        let mut parts = item.split(';');
        let num = parts.next().and_then(|p| p.trim().parse().ok());
        if n.is_none() {
            n = num;
        }
        for p in parts {
            if let Some(x) = p.trim().strip_prefix("w=") {
                if w.is_none() {
                    w = x.trim().parse().ok();
                }
            }
        }
    }
    (n, w)
}

/// `299 - "Docker Hub will enforce ..."` → the quoted text (or the whole value).
fn warning_text(v: &str) -> String {
    let t = match (v.find('"'), v.rfind('"')) {
        (Some(a), Some(b)) if b > a => &v[a + 1..b],
        _ => v,
    };
    t.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn reads_docker_hub_style_rate_limit_headers_and_warnings() {
        let mut h = HeaderMap::new();
        h.insert("ratelimit-limit", HeaderValue::from_static("100;w=21600"));
        h.insert(
            "ratelimit-remaining",
            HeaderValue::from_static("76;w=21600"),
        );
        h.insert(
            "docker-ratelimit-source",
            HeaderValue::from_static("203.0.113.7"),
        );
        h.append(
            "warning",
            HeaderValue::from_static("299 - \"pull limit close\""),
        );
        let cell = TrafficCell::default();
        cell.observe_headers(&h);
        cell.observe_headers(&h);
        let s = cell.snapshot();
        let rl = s.rate_limit.unwrap();
        assert_eq!(rl.limit, Some(100));
        assert_eq!(rl.remaining, Some(76));
        assert_eq!(rl.window_secs, Some(21600));
        assert_eq!(rl.source.as_deref(), Some("203.0.113.7"));
        assert_eq!(s.warnings, vec!["pull limit close".to_string()]);
    }

    #[test]
    fn only_real_failures_are_errors() {
        let cell = TrafficCell::default();
        cell.classify(200, false, false);
        cell.classify(401, false, true); // a challenge
        cell.classify(404, true, false); // referrers API absent
        cell.classify(405, true, false);
        let s = cell.snapshot();
        assert_eq!((s.errors, s.challenges, s.fallbacks), (0, 1, 2), "{s:?}");
        cell.classify(401, false, false); // a 401 without a challenge to answer
        cell.classify(404, false, false); // a manifest that should be there
        cell.classify(403, true, false);
        cell.classify(503, false, false);
        assert_eq!(cell.snapshot().errors, 4);
    }

    #[test]
    fn no_headers_means_unknown_not_zero() {
        assert_eq!(parse_rate_limit(&HeaderMap::new()), None);
        let mut h = HeaderMap::new();
        h.insert("ratelimit-remaining", HeaderValue::from_static("0"));
        let rl = parse_rate_limit(&h).unwrap();
        assert_eq!(
            (rl.limit, rl.remaining, rl.window_secs),
            (None, Some(0), None)
        );
    }
}
