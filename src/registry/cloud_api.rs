//! The JSON APIs the clouds keep beside their registries (Artifact Registry, the Docker
//! Hub API, GitHub's packages API): a request through the one [`Transport`], and a failure
//! answer turned into a [`RegistryError`] with the service's own code and message
//! (Google's `{"error":{"status","message"}}`, GitHub's `{"message"}`, the Hub's
//! `{"detail"}` or `{"message"}`). Only the server's words are copied, never ours.

use super::error::{CodeSuffix, Place, RegistryError};
use super::status::status_error;
use super::transport::{Reply, Request, Transport, DOCUMENT_LIMIT};
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION};
use reqwest::Method;

/// Longest message copied from a service's error answer.
const DETAIL_CHARS: usize = 200;

/// Sends `method url` with `authorization` (when given) and JSON accepted; any status
/// comes back for the caller to judge.
pub async fn send(
    transport: &Transport,
    method: Method,
    url: &str,
    authorization: Option<&HeaderValue>,
    place: &Place,
) -> Result<Reply, RegistryError> {
    let mut req =
        Request::new(method, url).header(ACCEPT, HeaderValue::from_static("application/json"));
    if let Some(a) = authorization {
        req = req.header(AUTHORIZATION, a.clone());
    }
    transport.send(&req, DOCUMENT_LIMIT, place).await
}

/// Parses a success body as `T`, or says which document did not parse.
pub fn parse<T: serde::de::DeserializeOwned>(
    reply: &Reply,
    what: &str,
    place: &Place,
) -> Result<T, RegistryError> {
    serde_json::from_slice(&reply.body).map_err(|e| RegistryError::Malformed {
        place: place.clone(),
        detail: format!("{what}: {e}"),
    })
}

/// The error for a failure answer of a cloud JSON API.
pub fn api_error(reply: &Reply, place: &Place) -> RegistryError {
    let doc: serde_json::Value = match serde_json::from_slice(&reply.body) {
        Ok(v) => v,
        // Not JSON (a proxy's HTML page): the registry error reader says what it was.
        Err(_) => return status_error(reply.status, &reply.headers, &reply.body, place),
    };
    let (code, message) = if let Some(e) = doc.get("error").filter(|e| e.is_object()) {
        (
            e["status"].as_str().map(str::to_string),
            e["message"].as_str().map(str::to_string),
        )
    } else {
        (
            doc["errinfo"]["code"].as_str().map(str::to_string),
            doc["message"]
                .as_str()
                .or_else(|| doc["detail"].as_str())
                .map(str::to_string),
        )
    };
    let detail = message
        .map(|m| format!(": {}", clip(&m)))
        .unwrap_or_default();
    let code = CodeSuffix(code.filter(|c| !c.is_empty()));
    let place = place.clone();
    match reply.status {
        401 => RegistryError::Unauthorized {
            place,
            code,
            detail,
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
        429 => RegistryError::RateLimited {
            place,
            retry_after: super::status::retry_after(&reply.headers),
            detail,
        },
        status => RegistryError::Http {
            place,
            status,
            code,
            detail,
        },
    }
}

fn clip(s: &str) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > DETAIL_CHARS {
        format!("{}…", one.chars().take(DETAIL_CHARS).collect::<String>())
    } else {
        one
    }
}

/// The `rel="next"` target of a `Link` header (RFC 8288), as GitHub pages its lists.
pub fn next_link(reply: &Reply) -> Option<String> {
    let link = reply.header("link")?;
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim().replace(' ', "");
            p == "rel=\"next\"" || p == "rel=next"
        });
        let t = target.trim();
        (is_next && t.starts_with('<') && t.ends_with('>')).then(|| t[1..t.len() - 1].to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderMap;

    fn reply(status: u16, body: &str, link: Option<&str>) -> Reply {
        let mut headers = HeaderMap::new();
        if let Some(l) = link {
            headers.insert("link", HeaderValue::from_str(l).unwrap());
        }
        Reply {
            status,
            headers,
            body: body.as_bytes().to_vec(),
            url: String::new(),
        }
    }

    #[test]
    fn each_service_error_shape_keeps_its_code_and_message() {
        let p = Place::default();
        let g = api_error(
            &reply(
                403,
                r#"{"error":{"code":403,"message":"Permission 'artifactregistry.repositories.get' denied","status":"PERMISSION_DENIED"}}"#,
                None,
            ),
            &p,
        );
        assert!(matches!(g, RegistryError::Forbidden { .. }));
        assert_eq!(g.error_code(), Some("PERMISSION_DENIED"));
        assert!(g.to_string().contains("repositories.get"), "{g}");
        let gh = api_error(
            &reply(
                404,
                r#"{"message":"Package not found.","documentation_url":"x"}"#,
                None,
            ),
            &p,
        );
        assert!(gh.to_string().contains("Package not found."), "{gh}");
        let hub = api_error(
            &reply(
                401,
                r#"{"detail":"Incorrect authentication credentials"}"#,
                None,
            ),
            &p,
        );
        assert!(
            hub.to_string().contains("Incorrect authentication"),
            "{hub}"
        );
        let html = api_error(
            &reply(502, "<html><title>Bad Gateway</title></html>", None),
            &p,
        );
        assert!(html.to_string().contains("Bad Gateway"), "{html}");
    }

    #[test]
    fn next_link_is_read_from_any_position() {
        let r = reply(
            200,
            "",
            Some(
                r#"<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=3>; rel="next", <https://api.github.com/x?page=9>; rel="last""#,
            ),
        );
        assert_eq!(
            next_link(&r).as_deref(),
            Some("https://api.github.com/x?page=3")
        );
        assert_eq!(
            next_link(&reply(200, "", Some(r#"<https://a/x?page=1>; rel="prev""#))),
            None
        );
        assert_eq!(next_link(&reply(200, "", None)), None);
    }
}
