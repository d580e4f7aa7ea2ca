//! An independent client for seeding test registries through the raw Distribution API
//! (monolithic blob upload, manifest PUT). It shares no code with regscope's transport,
//! so a bug there cannot hide in the fixtures.

use sha2::{Digest as _, Sha256};

pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

#[derive(Clone)]
pub struct Seeder {
    base: String,
    http: reqwest::Client,
    basic: Option<(String, String)>,
    bearer: Option<String>,
}

impl Seeder {
    pub fn new(base_url: &str) -> Self {
        Seeder {
            base: base_url.trim_end_matches('/').to_string(),
            http: reqwest::Client::new(),
            basic: None,
            bearer: None,
        }
    }

    /// Trusts `ca_pem` (a test registry's self-signed certificate).
    /// Trusts `ca_pem` as regscope trusts a `ca_file` (a self-signed server certificate in
    /// it is accepted as it is).
    pub fn with_root_ca(mut self, ca_pem: &[u8]) -> Self {
        let certs = regscope::registry::tls::read_pem_certificates(ca_pem).unwrap();
        let tls = regscope::registry::tls::client_config(certs).unwrap();
        self.http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .build()
            .unwrap();
        self
    }

    pub fn with_basic(mut self, user: &str, password: &str) -> Self {
        self.basic = Some((user.into(), password.into()));
        self
    }

    /// Sends a ready-made Bearer token (fetched from a test token server by the test).
    pub fn with_bearer(mut self, token: &str) -> Self {
        self.bearer = Some(token.into());
        self
    }

    fn req(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        let r = self.http.request(method, url);
        if let Some(t) = &self.bearer {
            return r.bearer_auth(t);
        }
        match &self.basic {
            Some((u, p)) => r.basic_auth(u, Some(p)),
            None => r,
        }
    }

    /// Uploads a blob (monolithic POST then PUT) unless the registry already has it.
    pub async fn push_blob(&self, repo: &str, bytes: &[u8]) -> String {
        let digest = sha256(bytes);
        let head = self
            .req(
                reqwest::Method::HEAD,
                &format!("{}/v2/{repo}/blobs/{digest}", self.base),
            )
            .send()
            .await
            .unwrap();
        if head.status().is_success() {
            return digest;
        }
        let start = self
            .req(
                reqwest::Method::POST,
                &format!("{}/v2/{repo}/blobs/uploads/", self.base),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(
            start.status().as_u16(),
            202,
            "start upload to {repo}: {:?}",
            start.text().await
        );
        let loc = start.headers()["location"].to_str().unwrap().to_string();
        let loc = if loc.starts_with('/') {
            format!("{}{loc}", self.base)
        } else {
            loc
        };
        let sep = if loc.contains('?') { '&' } else { '?' };
        let put = self
            .req(reqwest::Method::PUT, &format!("{loc}{sep}digest={digest}"))
            .header("content-type", "application/octet-stream")
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(
            put.status().as_u16(),
            201,
            "finish upload to {repo}: {:?}",
            put.text().await
        );
        digest
    }

    /// PUTs a manifest under `reference` (a tag or its digest); returns its digest.
    pub async fn push_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> String {
        let r = self
            .req(
                reqwest::Method::PUT,
                &format!("{}/v2/{repo}/manifests/{reference}", self.base),
            )
            .header("content-type", media_type)
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        assert_eq!(
            status,
            201,
            "push manifest {repo}:{reference}: {:?}",
            r.text().await
        );
        sha256(bytes)
    }

    pub async fn delete_manifest(&self, repo: &str, digest: &str) -> u16 {
        self.req(
            reqwest::Method::DELETE,
            &format!("{}/v2/{repo}/manifests/{digest}", self.base),
        )
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
    }

    /// GET of a manifest by tag or digest: (status, digest header).
    pub async fn manifest_status(&self, repo: &str, reference: &str) -> u16 {
        self.req(reqwest::Method::HEAD, &format!("{}/v2/{repo}/manifests/{reference}", self.base))
            .header(
                "accept",
                "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json",
            )
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}
