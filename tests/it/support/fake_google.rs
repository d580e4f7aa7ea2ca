//! Google's OAuth 2.0 token endpoint as a service account meets it (RFC 7523 JWT-bearer
//! grant): the fake holds the public half of a freshly made RSA key and verifies each
//! assertion's RS256 signature, issuer, audience, scope and lifetime before issuing an
//! access token. Tokens can be revoked, to make a client meet an expired token.

use super::stub::{StubReply, StubRequest, StubServer};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine as _;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub const GOOGLE_TOKEN_ENDPOINT: &str = "https://oauth2.googleapis.com/token";
pub const CLIENT_EMAIL: &str = "regscope-ci@test-project.iam.gserviceaccount.com";

#[derive(Default)]
pub struct OauthState {
    pub valid: HashSet<String>,
    /// Every grant: Ok(token) or Err(why it was refused).
    pub grants: Vec<Result<String, String>>,
    issued: u64,
}

pub struct FakeGoogleOauth {
    pub stub: StubServer,
    pub state: Arc<Mutex<OauthState>>,
    pkcs8_pem: String,
}

impl FakeGoogleOauth {
    pub async fn start() -> FakeGoogleOauth {
        let key = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let der = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&key).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
        let lines: Vec<String> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| String::from_utf8(c.to_vec()).unwrap())
            .collect();
        let pkcs8_pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            lines.join("\n")
        );
        let public = key.public_key().as_ref().to_vec();
        let state = Arc::new(Mutex::new(OauthState::default()));
        let live = state.clone();
        let audience = Arc::new(Mutex::new(String::new()));
        let aud = audience.clone();
        let stub = StubServer::start(move |req: StubRequest| {
            let reply = grant(&req, &public, &aud.lock().unwrap(), &live);
            async move { reply }
        })
        .await;
        *audience.lock().unwrap() = format!("{}/token", stub.base_url());
        FakeGoogleOauth {
            stub,
            state,
            pkcs8_pem,
        }
    }

    pub fn token_uri(&self) -> String {
        format!("{}/token", self.stub.base_url())
    }

    /// Writes a service-account key file for this endpoint into `dir`.
    pub fn key_file(&self, dir: &Path) -> PathBuf {
        let doc = serde_json::json!({
            "type": "service_account", "project_id": "test-project",
            "private_key_id": "0123456789abcdef", "private_key": self.pkcs8_pem,
            "client_email": CLIENT_EMAIL, "client_id": "1234567890",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.token_uri(),
        });
        let path = dir.join("service-account.json");
        std::fs::write(&path, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
        path
    }

    pub fn is_valid(&self, token: &str) -> bool {
        self.state.lock().unwrap().valid.contains(token)
    }

    /// Every token issued so far stops working, as an expired one does.
    pub fn expire_all(&self) {
        self.state.lock().unwrap().valid.clear();
    }

    pub fn granted(&self) -> usize {
        self.state
            .lock()
            .unwrap()
            .grants
            .iter()
            .filter(|g| g.is_ok())
            .count()
    }
}

fn grant(req: &StubRequest, public: &[u8], audience: &str, state: &Mutex<OauthState>) -> StubReply {
    if req.method != "POST" || req.path() != "/token" {
        return StubReply::json(404, r#"{"error":"not_found"}"#);
    }
    let refuse = |why: &str| {
        state.lock().unwrap().grants.push(Err(why.to_string()));
        StubReply::json(
            400,
            &serde_json::json!({"error": "invalid_grant", "error_description": why}).to_string(),
        )
    };
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&req.body)
        .into_owned()
        .collect();
    let get = |k: &str| form.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str());
    if get("grant_type") != Some("urn:ietf:params:oauth:grant-type:jwt-bearer") {
        return StubReply::json(400, r#"{"error":"unsupported_grant_type"}"#);
    }
    let Some(jwt) = get("assertion") else {
        return refuse("no assertion");
    };
    let parts: Vec<&str> = jwt.split('.').collect();
    if parts.len() != 3 {
        return refuse("the assertion is not a JWS");
    }
    let dec = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s);
    let (Ok(h), Ok(c), Ok(sig)) = (dec(parts[0]), dec(parts[1]), dec(parts[2])) else {
        return refuse("the assertion is not base64url");
    };
    let header: serde_json::Value = serde_json::from_slice(&h).unwrap_or_default();
    let claims: serde_json::Value = serde_json::from_slice(&c).unwrap_or_default();
    if header["alg"] != "RS256" {
        return refuse("alg must be RS256");
    }
    let verifier = aws_lc_rs::signature::UnparsedPublicKey::new(
        &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        public,
    );
    let signed = format!("{}.{}", parts[0], parts[1]);
    if verifier.verify(signed.as_bytes(), &sig).is_err() {
        return refuse("Invalid JWT Signature.");
    }
    let now = chrono::Utc::now().timestamp();
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap_or(0),
        claims["exp"].as_i64().unwrap_or(0),
    );
    if claims["iss"] != CLIENT_EMAIL {
        return refuse("unknown issuer");
    }
    // Google's endpoint takes its own URL as audience (google-auth always sends it);
    // clients that send the key's `token_uri` (Go's oauth2) send the same URL there.
    if claims["aud"] != audience && claims["aud"] != GOOGLE_TOKEN_ENDPOINT {
        return refuse("Invalid JWT: aud is not the token endpoint");
    }
    if !claims["scope"]
        .as_str()
        .unwrap_or("")
        .split(' ')
        .any(|s| s.starts_with("https://www.googleapis.com/auth/cloud-platform"))
    {
        return refuse("no cloud-platform scope");
    }
    if iat > now + 60 || exp <= now || exp - iat > 3600 {
        return refuse("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.");
    }
    let mut s = state.lock().unwrap();
    s.issued += 1;
    let token = format!("ya29.fake-{}-{}", s.issued, fastrand::u64(..));
    s.valid.insert(token.clone());
    s.grants.push(Ok(token.clone()));
    StubReply::json(
        200,
        &serde_json::json!({"access_token": token, "expires_in": 3599, "token_type": "Bearer"})
            .to_string(),
    )
}
