//! `POST /oauth2/exchange`: an Azure AD access token (`az account get-access-token`)
//! exchanged for an ACR refresh token, which then answers `/oauth2/token` challenges as
//! the all-zero user's refresh token does. Tokens travel only in the form body.

use crate::registry::error::{Place, RegistryError};
use crate::registry::status::reply_error;
use crate::registry::transport::{Request, DOCUMENT_LIMIT};
use crate::registry::DistributionClient;
use reqwest::header::{HeaderValue, CONTENT_TYPE};
use reqwest::Method;

/// Exchanges `aad_token` (of `tenant`, when given) for an ACR refresh token of `oci`'s
/// registry. The service is the registry's host, as ACR's challenges name it.
pub async fn exchange_aad_token(
    oci: &DistributionClient,
    aad_token: &str,
    tenant: Option<&str>,
) -> Result<String, RegistryError> {
    let place = Place {
        registry: oci.host().to_string(),
        ..Place::default()
    };
    let url = format!("{}/oauth2/exchange", oci.base_url().await?);
    let body = {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", "access_token")
            .append_pair("service", oci.host())
            .append_pair("access_token", aad_token);
        if let Some(t) = tenant {
            form.append_pair("tenant", t);
        }
        form.finish()
    };
    let req = Request::new(Method::POST, url)
        .header(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        )
        .body(body.into_bytes());
    let reply = oci.transport().send(&req, DOCUMENT_LIMIT, &place).await?;
    if !reply.is_success() {
        return Err(reply_error(&reply, &place));
    }
    #[derive(serde::Deserialize)]
    struct Answer {
        refresh_token: Option<String>,
    }
    let a: Answer = serde_json::from_slice(&reply.body).map_err(|e| RegistryError::Malformed {
        place: place.clone(),
        detail: format!("the /oauth2/exchange answer is not a refresh token document: {e}"),
    })?;
    a.refresh_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| RegistryError::Malformed {
            place,
            detail: "the /oauth2/exchange answer holds no refresh_token".into(),
        })
}
