//! TLS for a registry with a `ca_file`: the system's roots plus the file's certificates,
//! verified as reqwest verifies them (rustls-platform-verifier) — and a server certificate
//! that is itself in the file is trusted as it is, as curl, OpenSSL and skopeo trust it.
//!
//! `openssl req -x509` makes a self-signed certificate marked as a CA (basicConstraints
//! CA:TRUE); webpki refuses such a certificate as a server's (`CaUsedAsEndEntity`), so a
//! registry set up with the most common recipe could not be reached even with its
//! certificate given. The exception is narrow: the presented certificate must be
//! byte-equal to one the user put in `ca_file`, and its validity period and the host name
//! are still checked; the handshake signature is checked by the usual verifier. Anything
//! else goes through the normal chain verification.

use crate::registry::cert;
use chrono::{DateTime, Utc};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::verify_server_name;
use rustls::crypto::CryptoProvider;
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, Error, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use std::sync::Arc;

/// The certificates of a PEM bundle (`ca_file`), in order. `Err` says what is wrong.
pub fn read_pem_certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())
}

/// A rustls client configuration trusting the system's roots and `extra` (a `ca_file`),
/// with `extra`'s own certificates accepted as they are. ALPN offers HTTP/2 and 1.1, as
/// reqwest's own configuration does.
pub fn client_config(extra: Vec<CertificateDer<'static>>) -> Result<rustls::ClientConfig, String> {
    let provider = provider();
    let verifier = Arc::new(TrustedAsIs::new(extra, provider.clone())?);
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

fn provider() -> Arc<CryptoProvider> {
    CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
}

/// The usual chain verification, and the user's own certificates trusted as they are.
#[derive(Debug)]
struct TrustedAsIs {
    chain: Arc<dyn ServerCertVerifier>,
    own: Vec<CertificateDer<'static>>,
}

impl TrustedAsIs {
    fn new(
        own: Vec<CertificateDer<'static>>,
        provider: Arc<CryptoProvider>,
    ) -> Result<Self, String> {
        let chain =
            rustls_platform_verifier::Verifier::new_with_extra_roots(own.iter().cloned(), provider)
                .map_err(|e| format!("cannot set up certificate verification: {e}"))?;
        Ok(TrustedAsIs {
            chain: Arc::new(chain),
            own,
        })
    }
}

impl ServerCertVerifier for TrustedAsIs {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let refused = match self.chain.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        if !self.own.iter().any(|c| c.as_ref() == end_entity.as_ref()) {
            return Err(refused);
        }
        // The user's own certificate: still only within its validity and for its names.
        check_validity(end_entity, now)?;
        verify_server_name(&ParsedCertificate::try_from(end_entity)?, server_name)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.chain.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.chain.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.chain.supported_verify_schemes()
    }
}

fn check_validity(der: &CertificateDer<'_>, now: UnixTime) -> Result<(), Error> {
    let Some((from, until)) = cert::validity(der.as_ref()) else {
        return Err(Error::InvalidCertificate(CertificateError::BadEncoding));
    };
    let now = DateTime::<Utc>::from_timestamp(now.as_secs() as i64, 0).unwrap_or_default();
    if now < from {
        return Err(Error::InvalidCertificate(CertificateError::NotValidYet));
    }
    if now > until {
        return Err(Error::InvalidCertificate(CertificateError::Expired));
    }
    Ok(())
}

#[cfg(test)]
#[path = "tls_tests.rs"]
mod tests;
