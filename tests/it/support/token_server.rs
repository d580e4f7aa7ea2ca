//! A small Docker token server (the distribution "token" auth spec) for Bearer tests:
//! GET with Basic credentials (or none: anonymous gets a token with no access, as Docker
//! Hub does), and the OAuth2 POST form with a refresh token. Tokens are ES256 JWTs whose
//! `x5c` header carries a self-signed certificate the registry trusts as `rootcertbundle`.
//! Repositories listed in `deny` are never granted, to reproduce `insufficient_scope`.

use super::registry::RegistryAuth;
use super::stub::{StubReply, StubRequest, StubServer};
use base64::Engine as _;
use rcgen::SigningKey as _;
use std::sync::{Arc, Mutex};

pub const SERVICE: &str = "regscope-test-registry";
pub const ISSUER: &str = "regscope-test-issuer";

#[derive(Clone)]
pub struct TokenPolicy {
    pub user: String,
    pub password: String,
    pub refresh_token: String,
    /// Repositories whose scopes are never granted.
    pub deny: Vec<String>,
    /// Whether the POST (OAuth2) endpoint exists; without it POST answers 404.
    pub oauth_post: bool,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        TokenPolicy {
            user: "tina".into(),
            password: "token-pass".into(),
            refresh_token: "refresh-123".into(),
            deny: Vec::new(),
            oauth_post: true,
        }
    }
}

pub struct TokenServer {
    pub stub: StubServer,
    /// The live policy: tests seed first, then start refusing (`deny`).
    pub policy: Arc<Mutex<TokenPolicy>>,
    pub cert_pem: String,
    /// Every scope asked for, in order, with how the client identified itself.
    pub issued: Arc<Mutex<Vec<(String, String)>>>,
}

impl TokenServer {
    pub async fn start(policy: TokenPolicy) -> TokenServer {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["regscope-token".to_string()]).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key).unwrap();
        let cert_pem = cert.pem();
        let x5c = base64::engine::general_purpose::STANDARD.encode(cert.der());
        let key = Arc::new(key);
        let issued = Arc::new(Mutex::new(Vec::new()));
        let log = issued.clone();
        let policy = Arc::new(Mutex::new(policy));
        let live = policy.clone();
        let stub = StubServer::start(move |req: StubRequest| {
            let key = key.clone();
            let x5c = x5c.clone();
            let policy = live.lock().unwrap().clone();
            let log = log.clone();
            async move { answer(&req, &policy, &key, &x5c, &log) }
        })
        .await;
        TokenServer {
            stub,
            policy,
            cert_pem,
            issued,
        }
    }

    pub fn realm(&self) -> String {
        format!("{}/token", self.stub.base_url())
    }

    /// The registry configuration that trusts this server.
    pub fn registry_auth(&self) -> RegistryAuth {
        RegistryAuth::Token {
            realm: self.realm(),
            service: SERVICE.into(),
            issuer: ISSUER.into(),
            cert_pem: self.cert_pem.clone(),
        }
    }

    pub fn scopes_asked(&self) -> Vec<String> {
        self.issued
            .lock()
            .unwrap()
            .iter()
            .map(|(s, _)| s.clone())
            .collect()
    }
}

fn answer(
    req: &StubRequest,
    policy: &TokenPolicy,
    key: &rcgen::KeyPair,
    x5c: &str,
    log: &Mutex<Vec<(String, String)>>,
) -> StubReply {
    if req.path() != "/token" {
        return StubReply::json(404, r#"{"errors":[{"code":"NOT_FOUND"}]}"#);
    }
    let (params, who) = if req.method == "POST" {
        if !policy.oauth_post {
            return StubReply::new(404, &[], "404 page not found");
        }
        let form: Vec<(String, String)> = url::form_urlencoded::parse(&req.body)
            .into_owned()
            .collect();
        let get = |k: &str| form.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone());
        if get("grant_type").as_deref() != Some("refresh_token")
            || get("refresh_token").as_deref() != Some(policy.refresh_token.as_str())
        {
            return StubReply::json(401, r#"{"error":"invalid_grant"}"#);
        }
        (form, policy.user.clone())
    } else {
        let who = match req.header("authorization") {
            None => "anonymous".to_string(),
            Some(h) => {
                let raw = h.strip_prefix("Basic ").unwrap_or("");
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(raw)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .unwrap_or_default();
                let ok_pass = decoded == format!("{}:{}", policy.user, policy.password);
                let ok_refresh = decoded == format!("<token>:{}", policy.refresh_token);
                if !(ok_pass || ok_refresh) {
                    return StubReply::json(
                        401,
                        r#"{"errors":[{"code":"UNAUTHORIZED","message":"invalid username or password"}]}"#,
                    );
                }
                policy.user.clone()
            }
        };
        (req.query(), who)
    };
    let scopes: Vec<String> = params
        .iter()
        .filter(|(k, _)| k == "scope")
        .flat_map(|(_, v)| v.split(' ').map(str::to_string).collect::<Vec<_>>())
        .collect();
    let mut access = Vec::new();
    for s in &scopes {
        log.lock().unwrap().push((s.clone(), who.clone()));
        let mut parts = s.splitn(3, ':');
        let (Some(kind), Some(name), Some(actions)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if who == "anonymous" || policy.deny.iter().any(|d| d == name) {
            continue;
        }
        let actions: Vec<&str> = actions.split(',').collect();
        access.push(serde_json::json!({"type": kind, "name": name, "actions": actions}));
    }
    let now = chrono::Utc::now().timestamp();
    let claims = serde_json::json!({
        "iss": ISSUER, "sub": who, "aud": SERVICE, "exp": now + 300, "nbf": now - 10,
        "iat": now, "jti": format!("{now}-{}", fastrand::u64(..)), "access": access,
    });
    let header = serde_json::json!({"typ": "JWT", "alg": "ES256", "x5c": [x5c]});
    let b64 = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
    };
    let signing_input = format!("{}.{}", b64(&header), b64(&claims));
    let der = key.sign(signing_input.as_bytes()).unwrap();
    let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(der_to_fixed(&der));
    let token = format!("{signing_input}.{sig}");
    let body = serde_json::json!({
        "token": token, "access_token": token, "expires_in": 300,
        "issued_at": chrono::Utc::now().to_rfc3339(),
    });
    StubReply::json(200, &body.to_string())
}

/// ECDSA signatures come DER-encoded (`SEQUENCE { INTEGER r, INTEGER s }`); JWS wants
/// r and s as two 32-byte big-endian numbers.
fn der_to_fixed(der: &[u8]) -> Vec<u8> {
    fn int(b: &[u8]) -> (&[u8], &[u8]) {
        assert_eq!(b[0], 0x02, "INTEGER");
        let len = b[1] as usize;
        (&b[2..2 + len], &b[2 + len..])
    }
    assert_eq!(der[0], 0x30, "SEQUENCE");
    let body = if der[1] & 0x80 != 0 {
        &der[3..]
    } else {
        &der[2..]
    };
    let (r, rest) = int(body);
    let (s, _) = int(rest);
    let mut out = Vec::with_capacity(64);
    for n in [r, s] {
        let n = &n[n.len().saturating_sub(32)..];
        out.extend(std::iter::repeat_n(0u8, 32 - n.len()));
        out.extend_from_slice(n);
    }
    out
}

impl TokenServer {
    /// A token fetched the plain way (GET with Basic), for seeding with an independent client.
    pub async fn token_for(&self, policy: &TokenPolicy, scope: &str) -> String {
        let mut u = url::Url::parse(&self.realm()).unwrap();
        u.query_pairs_mut()
            .append_pair("service", SERVICE)
            .append_pair("scope", scope);
        let r = reqwest::Client::new()
            .get(u.as_str())
            .basic_auth(&policy.user, Some(&policy.password))
            .send()
            .await
            .unwrap();
        let body = r.bytes().await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        v["token"].as_str().unwrap().to_string()
    }
}
