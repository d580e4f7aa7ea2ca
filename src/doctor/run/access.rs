//! Reach (DNS, TCP, TLS with the certificate named on failure) and auth (the challenge,
//! the credential source, the scope asked and granted, the token's expiry).

use super::explain::human;
use super::{ms, place, Walk};
use crate::doctor::reach;
use crate::doctor::{Report, Step, StepStatus};
use crate::registry::auth::Scope;
use crate::registry::credentials::Credential;
use crate::registry::transport::Reply;
use crate::registry::{DistributionClient, RegistryError};
use std::time::{Duration, Instant};

impl Walk<'_> {
    pub(super) async fn reach(&mut self, client: &DistributionClient) -> Result<Reply, Report> {
        let t = Instant::now();
        let wait = client.transport().options().connect_timeout;
        let Some((host, port)) = reach::endpoint(client.api_host()) else {
            let e = RegistryError::Unreachable {
                place: place(client),
                detail: format!("{:?} is not a host name", client.api_host()),
            };
            return Err(self.failed("reach", t, &e, client));
        };
        let addrs = match reach::resolve(&host, port, wait).await {
            Ok(a) => a,
            Err(detail) => {
                return Err(self.failed(
                    "reach",
                    t,
                    &RegistryError::Unreachable {
                        place: place(client),
                        detail,
                    },
                    client,
                ))
            }
        };
        let peer = match reach::connect(&addrs, wait).await {
            Ok(p) => p,
            Err(detail) => {
                return Err(self.failed(
                    "reach",
                    t,
                    &RegistryError::Unreachable {
                        place: place(client),
                        detail: format!("TCP connection failed: {detail}"),
                    },
                    client,
                ))
            }
        };
        let ping = client.ping().await;
        let scheme = client
            .base_url()
            .await
            .map(|b| b.split(':').next().unwrap_or("").to_string())
            .unwrap_or_default();
        match ping {
            Ok(reply) => {
                let tls = if scheme == "https" {
                    "TLS verified"
                } else {
                    "plain HTTP (loopback or insecure registry)"
                };
                self.push(Step {
                    name: "reach",
                    status: StepStatus::Ok,
                    detail: format!(
                        "DNS {host} → {}, TCP {peer} connected, {tls}; GET /v2/ → {}",
                        addrs[0].ip(),
                        reply.status
                    ),
                    elapsed_ms: ms(t),
                    http_status: Some(reply.status),
                    error_code: None,
                    lines: vec![],
                });
                Ok(reply)
            }
            Err(e @ RegistryError::Tls { .. }) => {
                let cert = reach::presented_certificate(client).await;
                self.fail("reach", t, &e);
                if let Some(c) = &cert {
                    self.steps.last_mut().expect("just pushed").lines = c.lines();
                }
                let (v, mut summary, next) = self.explain(&e, client);
                if let Some(c) = cert {
                    let public = if c.self_signed {
                        "; it is self-signed, not from a public CA"
                    } else {
                        ""
                    };
                    let trust = match &self.ca_file {
                        Some(ca) => format!(
                            "which neither this machine nor ca_file {} trusts",
                            ca.display()
                        ),
                        None => "which this machine does not trust".into(),
                    };
                    summary = format!(
                        "{host} presents a certificate for {} issued by {}{public}, {trust}.",
                        c.subject, c.issuer
                    );
                }
                Err(self.finish(v, summary, next))
            }
            Err(e) => Err(self.failed("reach", t, &e, client)),
        }
    }

    pub(super) async fn auth(
        &mut self,
        client: &DistributionClient,
        ping: &Reply,
    ) -> Result<(), Report> {
        let t = Instant::now();
        let scope = Scope::Pull(self.repo.clone());
        if ping.status != 401 {
            let detail = format!(
                "no challenge: GET /v2/ answered {} without asking for credentials",
                ping.status
            );
            self.push(Step {
                name: "auth",
                status: StepStatus::Ok,
                detail,
                elapsed_ms: ms(t),
                http_status: Some(ping.status),
                error_code: None,
                lines: vec![],
            });
            return Ok(());
        }
        let answer = client
            .auth
            .on_unauthorized(&ping.headers, &scope, None, &place(client))
            .await;
        let info = client.auth_info();
        let creds = client.auth.credentials().await.clone();
        let mut lines = vec![format!("credentials: {}", info.source)];
        if let Some(w) = &info.credential_warning {
            lines.push(format!("warning: {w}"));
        }
        let scheme = match &info.challenge {
            Some(s) => format!("{s:?}").to_lowercase(),
            None => "unknown".into(),
        };
        // A Basic answer is a header made here that the registry has not judged yet: send
        // it, so a wrong password fails `auth` instead of passing it and failing `resolve`.
        let answer = match answer {
            Ok(Some(h)) if info.challenge == Some(crate::registry::challenge::Scheme::Basic) => {
                match basic_refusal(client, &h).await {
                    Some(e) => Err(e),
                    None => Ok(Some(h)),
                }
            }
            other => other,
        };
        match answer {
            Err(e) => {
                self.fail("auth", t, &e);
                self.steps.last_mut().expect("just pushed").lines = lines;
                let (v, s, n) = self.explain(&e, client);
                Err(self.finish(v, s, n))
            }
            Ok(None) if matches!(creds.credential, Credential::Anonymous) => {
                let e = RegistryError::Unauthorized {
                    place: place(client),
                    code: Default::default(),
                    detail: format!(": {scheme} authentication required, no credentials found"),
                };
                self.fail("auth", t, &e);
                self.steps.last_mut().expect("just pushed").lines = lines;
                let (v, s, n) = self.explain(&e, client);
                Err(self.finish(v, s, n))
            }
            Ok(_) => {
                if let Some(r) = &info.realm {
                    // Basic realms are names, and carry no service.
                    let service = info
                        .service
                        .as_deref()
                        .filter(|s| !s.is_empty())
                        .map(|s| format!(" (service {s})"))
                        .unwrap_or_default();
                    lines.push(format!(
                        "realm: {}{service}",
                        crate::registry::net_error::redact_query(r)
                    ));
                }
                if let Some(s) = &info.scope_requested {
                    lines.push(format!(
                        "scope requested: {s}; granted: {}",
                        info.scope_granted
                            .clone()
                            .unwrap_or_else(|| "not readable (opaque token)".into())
                    ));
                }
                if let Some(exp) = info.token_expires_at {
                    lines.push(format!(
                        "token expires in {}",
                        human(Duration::from_secs(
                            (exp - chrono::Utc::now()).num_seconds().max(0) as u64
                        ))
                    ));
                }
                let granted_none = info.scope_granted.as_deref() == Some("(none)");
                let detail = format!(
                    "{scheme} challenge answered with {}",
                    if matches!(creds.credential, Credential::Anonymous) {
                        "anonymous access".to_string()
                    } else {
                        info.source.to_string()
                    }
                );
                self.push(Step {
                    name: "auth",
                    status: if granted_none {
                        StepStatus::Fail
                    } else {
                        StepStatus::Ok
                    },
                    detail,
                    elapsed_ms: ms(t),
                    http_status: Some(401),
                    error_code: None,
                    lines,
                });
                if granted_none {
                    let e = crate::registry::auth::insufficient_scope(
                        &place(client),
                        &scope,
                        !matches!(creds.credential, Credential::Anonymous),
                    );
                    let (v, s, n) = self.explain(&e, client);
                    let last = self.steps.last_mut().expect("just pushed");
                    last.error_code = Some("insufficient_scope".into());
                    return Err(self.finish(v, s, n));
                }
                Ok(())
            }
        }
    }
}

/// Sends `GET /v2/` with a Basic `Authorization` header; the refusal when the registry
/// answers 401 (or cannot be asked), `None` when it accepts the credentials.
async fn basic_refusal(
    client: &DistributionClient,
    header: &reqwest::header::HeaderValue,
) -> Option<RegistryError> {
    let base = match client.base_url().await {
        Ok(b) => b.to_string(),
        Err(e) => return Some(e),
    };
    let req = crate::registry::transport::Request::new(reqwest::Method::GET, format!("{base}/v2/"))
        .header(reqwest::header::AUTHORIZATION, header.clone());
    let p = place(client);
    match client.transport().send(&req, 64 * 1024, &p).await {
        Ok(r) if r.status == 401 => Some(RegistryError::Unauthorized {
            place: p,
            code: Default::default(),
            detail: format!(
                ": the registry refused the credentials from {}",
                client.auth_info().source
            ),
        }),
        Ok(_) => None,
        Err(e) => Some(e),
    }
}
