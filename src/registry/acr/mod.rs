//! Azure Container Registry's own API (`/acr/v1`, per the ACR data-plane specification):
//! repository, tag and manifest properties — created and last-update times, `imageSize`,
//! platform, and the `changeableAttributes` locks — on the registry's own host, with the
//! same token flow as `/v2` (`/oauth2/token`; the refresh token of the all-zero user that
//! `az acr login --expose-token` gives; an AAD token through `/oauth2/exchange`).

mod client;
mod exchange;
mod model;
mod source;

pub use crate::registry::auth::ACR_REFRESH_TOKEN_USER;
pub use client::AcrClient;
pub use exchange::exchange_aad_token;
pub use model::{
    ChangeableAttributes, ManifestProperties, ManifestReference, RepositoryProperties,
    TagProperties,
};
pub use source::{AcrSource, RepoMetadata};

/// Whether `host` is an Azure Container Registry login server by name.
pub fn is_acr_host(host: &str) -> bool {
    let h = host.split(':').next().unwrap_or("").to_ascii_lowercase();
    [".azurecr.io", ".azurecr.cn", ".azurecr.us"]
        .iter()
        .any(|s| h.ends_with(s) && h.len() > s.len())
}
