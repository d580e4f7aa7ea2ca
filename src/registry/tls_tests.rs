//! The verifier on generated certificates: a self-signed certificate marked as a CA (what
//! `openssl req -x509` makes) is trusted when it is the `ca_file`'s own, for its names and
//! within its validity only; a leaf signed by a CA in the file goes through the chain.

use super::*;
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};

fn at(y: i32, m: u8, d: u8) -> UnixTime {
    let t = chrono::NaiveDate::from_ymd_opt(y, m.into(), d.into())
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    UnixTime::since_unix_epoch(std::time::Duration::from_secs(t.timestamp() as u64))
}

/// Self-signed and marked CA, valid 2026-01-01..2027-01-01, for `registry.test`.
fn self_signed_ca() -> CertificateDer<'static> {
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(vec!["registry.test".to_string()]).unwrap();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.not_before = rcgen::date_time_ymd(2026, 1, 1);
    p.not_after = rcgen::date_time_ymd(2027, 1, 1);
    p.self_signed(&key).unwrap().der().clone()
}

fn verify(
    v: &TrustedAsIs,
    cert: &CertificateDer<'_>,
    chain: &[CertificateDer<'_>],
    name: &str,
    now: UnixTime,
) -> Result<(), Error> {
    let name = ServerName::try_from(name.to_string()).unwrap();
    v.verify_server_cert(cert, chain, &name, &[], now)
        .map(|_| ())
}

#[test]
fn a_self_signed_ca_certificate_in_ca_file_is_trusted_as_it_is() {
    let cert = self_signed_ca();
    let v = TrustedAsIs::new(vec![cert.clone()], provider()).unwrap();
    verify(&v, &cert, &[], "registry.test", at(2026, 6, 1)).unwrap();
    // The normal chain check alone refuses it: this is what rustls says without the rule.
    let name = ServerName::try_from("registry.test").unwrap();
    let e = v
        .chain
        .verify_server_cert(&cert, &[], &name, &[], at(2026, 6, 1))
        .unwrap_err();
    assert!(format!("{e:?}").contains("CaUsedAsEndEntity"), "{e:?}");
}

#[test]
fn the_own_certificate_is_still_checked_for_its_names_and_validity() {
    let cert = self_signed_ca();
    let v = TrustedAsIs::new(vec![cert.clone()], provider()).unwrap();
    let e = verify(&v, &cert, &[], "other.test", at(2026, 6, 1)).unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidCertificate(CertificateError::NotValidForNameContext { .. })
                | Error::InvalidCertificate(CertificateError::NotValidForName)
        ),
        "{e:?}"
    );
    assert_eq!(
        verify(&v, &cert, &[], "registry.test", at(2027, 6, 1)).unwrap_err(),
        Error::InvalidCertificate(CertificateError::Expired)
    );
    assert_eq!(
        verify(&v, &cert, &[], "registry.test", at(2025, 6, 1)).unwrap_err(),
        Error::InvalidCertificate(CertificateError::NotValidYet)
    );
}

#[test]
fn a_certificate_not_in_ca_file_is_refused_and_a_ca_signed_leaf_is_verified() {
    let other = self_signed_ca();
    let v = TrustedAsIs::new(vec![self_signed_ca()], provider()).unwrap();
    // Same names and validity, but not the file's certificate: refused.
    assert!(verify(&v, &other, &[], "registry.test", at(2026, 6, 1)).is_err());

    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["registry.test".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let v = TrustedAsIs::new(vec![ca_cert.der().clone()], provider()).unwrap();
    let now = UnixTime::now();
    verify(&v, leaf.der(), &[], "registry.test", now).unwrap();
    assert!(verify(&v, leaf.der(), &[], "other.test", now).is_err());
}

#[test]
fn pem_bundles_are_read_in_order_and_garbage_is_refused() {
    let a = self_signed_ca();
    let b = self_signed_ca();
    let pem = |d: &CertificateDer<'_>| {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(d.as_ref());
        format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n")
    };
    let bundle = format!("{}{}", pem(&a), pem(&b));
    assert_eq!(
        read_pem_certificates(bundle.as_bytes()).unwrap(),
        vec![a, b]
    );
    assert!(read_pem_certificates(b"no pem here").unwrap().is_empty());
    assert!(client_config(vec![]).is_ok());
}
