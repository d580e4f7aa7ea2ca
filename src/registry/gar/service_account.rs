//! A Google service-account key file (`GOOGLE_APPLICATION_CREDENTIALS`) and the signed
//! assertion of the OAuth 2.0 JWT-bearer grant (RFC 7523) that trades it for an access
//! token: an RS256 JWT whose issuer is the account, audience the key's `token_uri`, and
//! `scope` the cloud-platform scope. The private key never leaves this file: `Debug` is
//! redacted and errors name the file, never its content.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

/// Google's token endpoint when a key file does not name one.
pub const DEFAULT_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
/// Read-only would do for listing, but deletion through the same client needs more.
pub const CLOUD_PLATFORM_SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";
/// Google refuses assertions that live longer than an hour.
const ASSERTION_LIFETIME_SECS: i64 = 3600;

/// What `GOOGLE_APPLICATION_CREDENTIALS` can point at.
#[derive(Clone)]
pub enum KeyFile {
    ServiceAccount(ServiceAccountKey),
    /// `gcloud auth application-default login` writes this: a refresh token and the
    /// OAuth client it belongs to.
    AuthorizedUser {
        path: PathBuf,
        client_id: String,
        client_secret: String,
        refresh_token: String,
        token_uri: String,
    },
}

#[derive(Clone)]
pub struct ServiceAccountKey {
    pub path: PathBuf,
    pub client_email: String,
    pub private_key_id: Option<String>,
    pub token_uri: String,
    /// PKCS#8 DER of the RSA private key.
    pkcs8: Vec<u8>,
}

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyFile::ServiceAccount(k) => write!(
                f,
                "ServiceAccount {{ path: {:?}, client_email: {:?}, private_key: <redacted> }}",
                k.path, k.client_email
            ),
            KeyFile::AuthorizedUser { path, .. } => {
                write!(
                    f,
                    "AuthorizedUser {{ path: {path:?}, secrets: <redacted> }}"
                )
            }
        }
    }
}

#[derive(serde::Deserialize)]
struct RawKey {
    #[serde(rename = "type")]
    kind: Option<String>,
    client_email: Option<String>,
    private_key: Option<String>,
    private_key_id: Option<String>,
    token_uri: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    refresh_token: Option<String>,
}

impl KeyFile {
    /// Reads and checks a key file; the error names the file and what is wrong with it.
    pub fn read(path: &Path) -> Result<KeyFile, String> {
        let shown = path.display();
        let text = std::fs::read(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
        // serde_json's message names line and column, never the content.
        let raw: RawKey = serde_json::from_slice(&text)
            .map_err(|e| format!("{shown} is not a Google credentials JSON file: {e}"))?;
        let need = |v: Option<String>, field: &str| {
            v.filter(|s| !s.is_empty())
                .ok_or_else(|| format!("{shown}: \"{field}\" is missing"))
        };
        let token_uri = raw
            .token_uri
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| DEFAULT_TOKEN_URI.to_string());
        match raw.kind.as_deref() {
            Some("service_account") => {
                let pem = need(raw.private_key, "private_key")?;
                let pkcs8 = pem_body(&pem, "PRIVATE KEY").ok_or_else(|| {
                    format!("{shown}: \"private_key\" is not a PEM \"PRIVATE KEY\" (PKCS#8)")
                })?;
                aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&pkcs8)
                    .map_err(|e| format!("{shown}: \"private_key\" is not an RSA key: {e}"))?;
                Ok(KeyFile::ServiceAccount(ServiceAccountKey {
                    path: path.to_path_buf(),
                    client_email: need(raw.client_email, "client_email")?,
                    private_key_id: raw.private_key_id.filter(|s| !s.is_empty()),
                    token_uri,
                    pkcs8,
                }))
            }
            Some("authorized_user") => Ok(KeyFile::AuthorizedUser {
                path: path.to_path_buf(),
                client_id: need(raw.client_id, "client_id")?,
                client_secret: need(raw.client_secret, "client_secret")?,
                refresh_token: need(raw.refresh_token, "refresh_token")?,
                token_uri,
            }),
            Some(other) => Err(format!(
                "{shown}: credentials of type {other:?} are not supported (service_account or authorized_user)"
            )),
            None => Err(format!("{shown}: \"type\" is missing")),
        }
    }

    pub fn path(&self) -> &Path {
        match self {
            KeyFile::ServiceAccount(k) => &k.path,
            KeyFile::AuthorizedUser { path, .. } => path,
        }
    }

    pub fn token_uri(&self) -> &str {
        match self {
            KeyFile::ServiceAccount(k) => &k.token_uri,
            KeyFile::AuthorizedUser { token_uri, .. } => token_uri,
        }
    }

    /// The form body of the token request.
    pub fn grant_form(&self, now: DateTime<Utc>) -> Result<String, String> {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        match self {
            KeyFile::ServiceAccount(k) => {
                form.append_pair("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")
                    .append_pair("assertion", &k.assertion(now)?);
            }
            KeyFile::AuthorizedUser {
                client_id,
                client_secret,
                refresh_token,
                ..
            } => {
                form.append_pair("grant_type", "refresh_token")
                    .append_pair("client_id", client_id)
                    .append_pair("client_secret", client_secret)
                    .append_pair("refresh_token", refresh_token);
            }
        }
        Ok(form.finish())
    }
}

impl ServiceAccountKey {
    /// The signed JWT of the grant, valid for an hour from `now`.
    pub fn assertion(&self, now: DateTime<Utc>) -> Result<String, String> {
        let mut header = serde_json::json!({"alg": "RS256", "typ": "JWT"});
        if let Some(kid) = &self.private_key_id {
            header["kid"] = serde_json::json!(kid);
        }
        let iat = now.timestamp();
        let claims = serde_json::json!({
            "iss": self.client_email,
            "scope": CLOUD_PLATFORM_SCOPE,
            "aud": self.token_uri,
            "iat": iat,
            "exp": iat + ASSERTION_LIFETIME_SECS,
        });
        let b64 = |v: &serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        let signing_input = format!("{}.{}", b64(&header), b64(&claims));
        let key = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&self.pkcs8)
            .map_err(|e| format!("{}: the private key was refused: {e}", self.path.display()))?;
        let mut sig = vec![0u8; key.public_modulus_len()];
        key.sign(
            &aws_lc_rs::signature::RSA_PKCS1_SHA256,
            &aws_lc_rs::rand::SystemRandom::new(),
            signing_input.as_bytes(),
            &mut sig,
        )
        .map_err(|_| format!("{}: signing the assertion failed", self.path.display()))?;
        Ok(format!(
            "{signing_input}.{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sig)
        ))
    }
}

/// The DER inside `-----BEGIN {label}-----` ... `-----END {label}-----`.
fn pem_body(pem: &str, label: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin)? + begin.len();
    let stop = pem[start..].find(&end)? + start;
    let b64: String = pem[start..stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD.decode(b64).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::signature::KeyPair as _;

    fn key_file(dir: &Path) -> (PathBuf, Vec<u8>) {
        let key = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let der = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&key).unwrap();
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            base64::engine::general_purpose::STANDARD.encode(der.as_ref())
        );
        let path = dir.join("sa.json");
        let doc = serde_json::json!({"type": "service_account", "client_email": "ci@p.iam.gserviceaccount.com",
            "private_key": pem, "private_key_id": "k1", "token_uri": "http://127.0.0.1:9/token"});
        std::fs::write(&path, doc.to_string()).unwrap();
        (path, key.public_key().as_ref().to_vec())
    }

    #[test]
    fn the_assertion_is_an_rs256_jwt_the_public_key_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let (path, public) = key_file(dir.path());
        let KeyFile::ServiceAccount(k) = KeyFile::read(&path).unwrap() else {
            panic!("not a service account")
        };
        let now = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let jwt = k.assertion(now).unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let dec = |s: &str| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(s)
                .unwrap()
        };
        let header: serde_json::Value = serde_json::from_slice(&dec(parts[0])).unwrap();
        let claims: serde_json::Value = serde_json::from_slice(&dec(parts[1])).unwrap();
        assert_eq!(header["alg"], "RS256");
        assert_eq!(header["kid"], "k1");
        assert_eq!(claims["aud"], "http://127.0.0.1:9/token");
        assert_eq!(claims["iss"], "ci@p.iam.gserviceaccount.com");
        assert_eq!(
            claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
            3600
        );
        let verifier = aws_lc_rs::signature::UnparsedPublicKey::new(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            public,
        );
        let signed = format!("{}.{}", parts[0], parts[1]);
        verifier.verify(signed.as_bytes(), &dec(parts[2])).unwrap();
        assert!(!format!("{:?}", KeyFile::read(&path).unwrap()).contains("PRIVATE"));
    }

    #[test]
    fn bad_key_files_are_named_with_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.json");
        std::fs::write(&p, r#"{"type":"service_account","client_email":"a@b"}"#).unwrap();
        let e = KeyFile::read(&p).unwrap_err();
        assert!(e.contains("k.json") && e.contains("private_key"), "{e}");
        std::fs::write(&p, r#"{"type":"external_account"}"#).unwrap();
        assert!(KeyFile::read(&p).unwrap_err().contains("external_account"));
        std::fs::write(&p, "not json").unwrap();
        assert!(KeyFile::read(&p)
            .unwrap_err()
            .contains("not a Google credentials"));
    }
}
