//! Telling a registry's kind by asking it, for hosts the address does not settle: Harbor
//! answers `GET /api/v2.0/systeminfo` (anonymously) with its general information; ACR
//! answers `GET /acr/v1/_catalog` with a catalog, or with a 401 whose Bearer challenge
//! points at ACR's own token endpoint (`https://HOST/oauth2/token`). Anything else is plain
//! OCI Distribution. Neither request touches an image, so probing has no side effects.
//!
//! One attempt each, no retries: a registry that cannot answer here will fail the crawl
//! with its own, better error, and the probe must not double the wait.

use super::Kind;
use crate::config::RegistrySettings;
use crate::registry::challenge::{Challenge, Scheme};
use crate::registry::exchange::Reply;
use crate::registry::transport::TransportOptions;
use crate::registry::{ClientOptions, DistributionClient, Place};
use reqwest::Method;

/// A probe answer is a small JSON document.
const PROBE_LIMIT: u64 = 256 * 1024;

/// The kind `host` says it is, or `Distribution` when it says nothing recognisable (or
/// cannot be reached: the crawl reports that).
pub async fn probe(host: &str, settings: &RegistrySettings) -> Kind {
    let opts = ClientOptions {
        transport: Some(TransportOptions {
            max_retries: 0,
            ..TransportOptions::from_settings(settings)
        }),
        ..ClientOptions::default()
    };
    let Ok(client) = DistributionClient::with_options(host, settings, opts) else {
        return Kind::Distribution;
    };
    let Ok(base) = client.base_url().await.map(str::to_string) else {
        return Kind::Distribution;
    };
    let get = |path: &'static str| {
        let client = &client;
        let url = format!("{base}{path}");
        async move {
            let place = Place {
                registry: client.host().to_string(),
                ..Place::default()
            };
            let req = crate::registry::exchange::Request::new(Method::GET, url).probe(true);
            client
                .transport()
                .send(&req, PROBE_LIMIT, &place)
                .await
                .ok()
        }
    };
    let (harbor, acr) = tokio::join!(get("/api/v2.0/systeminfo"), get("/acr/v1/_catalog"));
    if harbor.as_ref().is_some_and(is_harbor) {
        Kind::Harbor
    } else if acr.as_ref().is_some_and(is_acr) {
        Kind::Acr
    } else {
        Kind::Distribution
    }
}

/// Harbor's `GeneralInfo`: a JSON object that names the auth mode (always sent, even to
/// anonymous callers) or the Harbor version.
pub fn is_harbor(r: &Reply) -> bool {
    if r.status != 200 {
        return false;
    }
    let Ok(serde_json::Value::Object(o)) = serde_json::from_slice::<serde_json::Value>(&r.body)
    else {
        return false;
    };
    o.contains_key("auth_mode") || o.contains_key("harbor_version")
}

/// ACR's catalog (`{"repositories": [...]}`), or the 401 every anonymous ACR call gets: a
/// Bearer challenge whose realm is the registry's `/oauth2/token`.
pub fn is_acr(r: &Reply) -> bool {
    match r.status {
        200 => serde_json::from_slice::<serde_json::Value>(&r.body)
            .ok()
            .and_then(|v| v.get("repositories").map(|r| r.is_array()))
            .unwrap_or(false),
        401 => Challenge::from_headers(&r.headers).is_some_and(|c| {
            c.scheme == Scheme::Bearer
                && c.realm.as_deref().is_some_and(|realm| {
                    url::Url::parse(realm).is_ok_and(|u| u.path() == "/oauth2/token")
                })
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn reply(status: u16, body: &str, challenge: Option<&str>) -> Reply {
        let mut headers = HeaderMap::new();
        if let Some(c) = challenge {
            headers.insert("www-authenticate", HeaderValue::from_str(c).unwrap());
        }
        Reply {
            status,
            headers,
            body: body.as_bytes().to_vec(),
            url: String::new(),
        }
    }

    #[test]
    fn harbor_is_its_general_information() {
        assert!(is_harbor(&reply(
            200,
            r#"{"auth_mode":"db_auth","primary_auth_mode":false,"self_registration":false}"#,
            None
        )));
        assert!(is_harbor(&reply(
            200,
            r#"{"harbor_version":"v2.11.0"}"#,
            None
        )));
        assert!(!is_harbor(&reply(200, r#"{"repositories":[]}"#, None)));
        assert!(!is_harbor(&reply(404, r#"{"auth_mode":"x"}"#, None)));
        assert!(!is_harbor(&reply(200, "<html>", None)));
    }

    #[test]
    fn acr_is_its_catalog_or_its_token_challenge() {
        assert!(is_acr(&reply(200, r#"{"repositories":["a","b"]}"#, None)));
        assert!(is_acr(&reply(
            401,
            "",
            Some(
                r#"Bearer realm="https://myreg.azurecr.io/oauth2/token",service="myreg.azurecr.io",scope="registry:catalog:*""#
            )
        )));
        // Docker Hub's, Harbor's and distribution's token services are not ACR's.
        assert!(!is_acr(&reply(
            401,
            "",
            Some(r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io""#)
        )));
        assert!(!is_acr(&reply(
            401,
            "",
            Some(r#"Bearer realm="https://h.example/service/token",service="harbor-registry""#)
        )));
        assert!(!is_acr(&reply(401, "", Some(r#"Basic realm="Registry""#))));
        assert!(!is_acr(&reply(404, "", None)));
    }
}
