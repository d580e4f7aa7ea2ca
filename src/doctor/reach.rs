//! The reach step: DNS, TCP, then TLS (through the client's first request), naming the
//! certificate when verification fails.

use crate::registry::cert::{summarize, CertSummary};
use crate::registry::DistributionClient;
use std::net::SocketAddr;
use std::time::Duration;

/// Where the API listens: host and port (443 unless given).
pub(super) fn endpoint(api_host: &str) -> Option<(String, u16)> {
    let u = url::Url::parse(&format!("https://{api_host}/")).ok()?;
    let host = u
        .host_str()?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    Some((host, u.port().unwrap_or(443)))
}

pub(super) async fn resolve(
    host: &str,
    port: u16,
    wait: Duration,
) -> Result<Vec<SocketAddr>, String> {
    match tokio::time::timeout(wait, tokio::net::lookup_host((host, port))).await {
        Ok(Ok(addrs)) => {
            let v: Vec<SocketAddr> = addrs.collect();
            if v.is_empty() {
                Err(format!("{host} has no address records"))
            } else {
                Ok(v)
            }
        }
        Ok(Err(e)) => Err(format!("cannot resolve {host}: {e}")),
        Err(_) => Err(format!(
            "resolving {host} took longer than {}s",
            wait.as_secs()
        )),
    }
}

/// Connects to the first address that accepts, as a runtime would.
pub(super) async fn connect(addrs: &[SocketAddr], wait: Duration) -> Result<SocketAddr, String> {
    let mut last = String::new();
    for a in addrs {
        match tokio::time::timeout(wait, tokio::net::TcpStream::connect(a)).await {
            Ok(Ok(_)) => return Ok(*a),
            Ok(Err(e)) => last = format!("{a}: {e}"),
            Err(_) => last = format!("{a}: no answer within {}s", wait.as_secs()),
        }
    }
    Err(last)
}

/// The certificate the server presents, read without trusting it.
pub(super) async fn presented_certificate(client: &DistributionClient) -> Option<CertSummary> {
    let url = format!("https://{}/v2/", client.api_host());
    let der = client.transport().peer_certificate(&url).await?;
    summarize(&der)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_default_to_443() {
        assert_eq!(endpoint("ghcr.io"), Some(("ghcr.io".into(), 443)));
        assert_eq!(endpoint("127.0.0.1:5000"), Some(("127.0.0.1".into(), 5000)));
        assert_eq!(endpoint("[::1]:5000"), Some(("::1".into(), 5000)));
    }
}
