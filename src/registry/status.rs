//! Turns a registry's failure answer into a [`RegistryError`]: the HTTP status, the
//! registry's own error code (`{"errors":[{"code":"MANIFEST_UNKNOWN",...}]}`) and a short
//! detail. An HTML error page (a proxy or load balancer answering) becomes a plain
//! sentence with the page title, never a JSON parse error.

use super::error::{CodeSuffix, Place, RegistryError};
use super::transport::Reply;
use reqwest::header::HeaderMap;
use std::time::Duration;

/// Longest detail we copy from a registry's message.
const DETAIL_CHARS: usize = 200;

/// What a registry's error body said.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorBody {
    pub code: Option<String>,
    pub message: Option<String>,
}

/// Parses the body of a failure: the distribution error document, an HTML page, or text.
pub fn error_body(headers: &HeaderMap, body: &[u8]) -> ErrorBody {
    #[derive(serde::Deserialize)]
    struct Doc {
        #[serde(default)]
        errors: Vec<Item>,
    }
    #[derive(serde::Deserialize)]
    struct Item {
        code: Option<String>,
        message: Option<String>,
    }
    if let Ok(doc) = serde_json::from_slice::<Doc>(body) {
        if let Some(first) = doc.errors.into_iter().next() {
            return ErrorBody {
                code: first.code.filter(|c| !c.is_empty()),
                message: first.message.map(|m| clip(&m)).filter(|m| !m.is_empty()),
            };
        }
    }
    let ctype = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start();
    if ctype.contains("html") || trimmed.starts_with('<') {
        let title = html_title(&text);
        let message = match title {
            Some(t) => {
                format!("the server answered with an HTML page (\"{t}\"), not a registry response")
            }
            None => "the server answered with an HTML page, not a registry response".to_string(),
        };
        return ErrorBody {
            code: None,
            message: Some(message),
        };
    }
    let line = trimmed.lines().next().unwrap_or("").trim();
    ErrorBody {
        code: None,
        message: (!line.is_empty()).then(|| clip(line)),
    }
}

fn html_title(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let start = lower.find("<title")?;
    let open_end = lower[start..].find('>')? + start + 1;
    let close = lower[open_end..].find("</title")? + open_end;
    let t = text[open_end..close]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!t.is_empty()).then(|| clip(&t))
}

fn clip(s: &str) -> String {
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > DETAIL_CHARS {
        let cut: String = one_line.chars().take(DETAIL_CHARS).collect();
        format!("{cut}…")
    } else {
        one_line
    }
}

/// The error for a non-success reply.
pub fn reply_error(reply: &Reply, place: &Place) -> RegistryError {
    status_error(reply.status, &reply.headers, &reply.body, place)
}

pub fn status_error(status: u16, headers: &HeaderMap, body: &[u8], place: &Place) -> RegistryError {
    let parsed = error_body(headers, body);
    let detail = parsed
        .message
        .as_deref()
        .map(|m| format!(": {m}"))
        .unwrap_or_default();
    let code = CodeSuffix(parsed.code);
    let place = place.clone();
    match status {
        401 => RegistryError::Unauthorized {
            place,
            code,
            detail: detail_with_challenge(headers, detail),
        },
        403 => RegistryError::Forbidden {
            place,
            code,
            detail,
        },
        404 => RegistryError::NotFound {
            place,
            code,
            detail,
        },
        429 => {
            let after = retry_after(headers);
            let wait = after
                .map(|d| format!("; retry after {}s", d.as_secs()))
                .unwrap_or_default();
            RegistryError::RateLimited {
                place,
                retry_after: after,
                detail: format!("{}{wait}", code_prefix(&code, &detail)),
            }
        }
        _ => RegistryError::Http {
            place,
            status,
            code,
            detail,
        },
    }
}

fn code_prefix(code: &CodeSuffix, detail: &str) -> String {
    match &code.0 {
        Some(c) => format!(
            ": {c}{}",
            detail
                .strip_prefix(':')
                .map(|d| format!(" -{d}"))
                .unwrap_or_default()
        ),
        None => detail.to_string(),
    }
}

/// A 401 says more when we add the challenge's own error (`insufficient_scope`).
fn detail_with_challenge(headers: &HeaderMap, detail: String) -> String {
    let err = headers
        .get_all("www-authenticate")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(super::challenge::Challenge::parse)
        .find_map(|c| c.error);
    match err {
        Some(e) if !detail.contains(&e) => format!("{detail} ({e})"),
        _ => detail,
    }
}

/// `Retry-After` as seconds or an HTTP date; `None` when absent or unreadable.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let secs = (when.timestamp() - chrono::Utc::now().timestamp()).max(0);
    Some(Duration::from_secs(secs as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn place() -> Place {
        Place {
            registry: "reg.example".into(),
            repository: Some("team/app".into()),
            reference: Some("v1".into()),
        }
    }

    #[test]
    fn registry_error_code_and_message_are_kept() {
        let body = br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"v1"}}]}"#;
        let e = status_error(404, &HeaderMap::new(), body, &place());
        assert_eq!(e.error_code(), Some("MANIFEST_UNKNOWN"));
        assert_eq!(
            e.to_string(),
            "reg.example/team/app:v1: not found (HTTP 404, MANIFEST_UNKNOWN): manifest unknown"
        );
    }

    #[test]
    fn html_pages_become_a_sentence_with_the_title() {
        let mut h = HeaderMap::new();
        h.insert("content-type", HeaderValue::from_static("text/html"));
        let body = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
        let e = status_error(502, &h, body, &place());
        let s = e.to_string();
        assert!(s.contains("HTTP 502"), "{s}");
        assert!(s.contains("HTML page (\"502 Bad Gateway\")"), "{s}");
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            "retry-after",
            HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT"),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        h.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
        let e = status_error(
            429,
            &{
                let mut h = HeaderMap::new();
                h.insert("retry-after", HeaderValue::from_static("30"));
                h
            },
            br#"{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}"#,
            &place(),
        );
        assert_eq!(e.to_string(), "reg.example/team/app:v1: rate limited (HTTP 429): TOOMANYREQUESTS - slow down; retry after 30s");
    }
}
