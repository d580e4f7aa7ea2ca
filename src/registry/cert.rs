//! Just enough X.509 (DER) reading to tell an on-call engineer whose certificate a
//! registry presented — subject, issuer, subject alternative names, validity, and whether
//! it is self-signed — and for the TLS verifier to check the validity of a certificate
//! the user trusts as it is (`tls.rs`). Read-only, bounds-checked, and `None` on anything
//! unexpected.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertSummary {
    pub subject: String,
    pub issuer: String,
    pub sans: Vec<String>,
    pub not_before: Option<DateTime<Utc>>,
    pub not_after: Option<DateTime<Utc>>,
    pub self_signed: bool,
}

impl CertSummary {
    /// The certificate as display lines.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![
            format!("subject: {}", self.subject),
            format!("issuer:  {}", self.issuer),
            format!(
                "SANs:    {}",
                if self.sans.is_empty() {
                    "(none)".to_string()
                } else {
                    self.sans.join(", ")
                }
            ),
        ];
        if let Some(t) = &self.not_after {
            out.push(format!("expires: {}", t.format("%Y-%m-%d %H:%M UTC")));
        }
        if self.self_signed {
            out.push("self-signed: not issued by a public CA".into());
        }
        out
    }
}

/// One DER element: (tag, contents, what follows).
fn tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *b.first()?;
    let first = *b.get(1)? as usize;
    let (len, head) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *b.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = head.checked_add(len)?;
    Some((tag, b.get(head..end)?, b.get(end..)?))
}

pub fn summarize(der: &[u8]) -> Option<CertSummary> {
    let (0x30, cert, _) = tlv(der)? else {
        return None;
    };
    let (0x30, tbs, _) = tlv(cert)? else {
        return None;
    };
    let (tag, _, mut rest) = tlv(tbs)?;
    if tag == 0xA0 {
        rest = tlv(rest)?.2; // serial after the explicit version
    }
    rest = tlv(rest)?.2; // signature algorithm
    let (0x30, issuer, r) = tlv(rest)? else {
        return None;
    };
    let (0x30, validity, r) = tlv(r)? else {
        return None;
    };
    let (0x30, subject, r) = tlv(r)? else {
        return None;
    };
    let mut r = tlv(r)?.2; // subject public key info
    let (not_before, not_after) = match times(validity) {
        Some((a, b)) => (Some(a), Some(b)),
        None => (None, None),
    };
    let mut sans = Vec::new();
    while let Some((tag, body, next)) = tlv(r) {
        if tag == 0xA3 {
            sans = subject_alt_names(body).unwrap_or_default();
        }
        r = next;
    }
    Some(CertSummary {
        subject: name(subject),
        issuer: name(issuer),
        sans,
        not_before,
        not_after,
        self_signed: subject == issuer,
    })
}

/// `notBefore` and `notAfter` of a certificate (its `Validity` contents).
fn times(validity: &[u8]) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let (t1, v1, rest) = tlv(validity)?;
    let (t2, v2, _) = tlv(rest)?;
    Some((time(t1, v1)?, time(t2, v2)?))
}

/// An X.509 time: UTCTime (`YYMMDDHHMMSSZ`, years 1950–2049 as RFC 5280 says) or
/// GeneralizedTime (`YYYYMMDDHHMMSSZ`).
fn time(tag: u8, v: &[u8]) -> Option<DateTime<Utc>> {
    let s = std::str::from_utf8(v).ok()?.strip_suffix('Z')?;
    let full = match (tag, s.len()) {
        (0x17, 12) => {
            let yy: u32 = s.get(..2)?.parse().ok()?;
            format!("{}{s}", if yy < 50 { "20" } else { "19" })
        }
        (0x18, 14) => s.to_string(),
        _ => return None,
    };
    NaiveDateTime::parse_from_str(&full, "%Y%m%d%H%M%S")
        .ok()
        .map(|t| t.and_utc())
}

/// The validity window of a DER certificate, `None` when it cannot be read.
pub fn validity(der: &[u8]) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let s = summarize(der)?;
    Some((s.not_before?, s.not_after?))
}

/// `CN=..., O=...` from an X.501 Name.
fn name(mut b: &[u8]) -> String {
    let mut parts = Vec::new();
    while let Some((0x31, set, next)) = tlv(b) {
        if let Some((0x30, atv, _)) = tlv(set) {
            if let Some((0x06, oid, v)) = tlv(atv) {
                let label = match oid {
                    [0x55, 0x04, 0x03] => "CN",
                    [0x55, 0x04, 0x0A] => "O",
                    [0x55, 0x04, 0x0B] => "OU",
                    [0x55, 0x04, 0x06] => "C",
                    _ => "",
                };
                if let (false, Some((_, value, _))) = (label.is_empty(), tlv(v)) {
                    parts.push(format!("{label}={}", String::from_utf8_lossy(value)));
                }
            }
        }
        b = next;
    }
    if parts.is_empty() {
        "(empty)".into()
    } else {
        parts.join(", ")
    }
}

fn subject_alt_names(ext_wrapper: &[u8]) -> Option<Vec<String>> {
    let (0x30, mut exts, _) = tlv(ext_wrapper)? else {
        return None;
    };
    while let Some((0x30, ext, next)) = tlv(exts) {
        let (0x06, oid, mut rest) = tlv(ext)? else {
            return None;
        };
        if oid == [0x55, 0x1D, 0x11] {
            let (tag, _, after) = tlv(rest)?;
            if tag == 0x01 {
                rest = after; // the `critical` flag
            }
            let (0x04, value, _) = tlv(rest)? else {
                return None;
            };
            let (0x30, mut names, _) = tlv(value)? else {
                return None;
            };
            let mut out = Vec::new();
            while let Some((tag, v, n)) = tlv(names) {
                match (tag, v.len()) {
                    (0x82, _) => out.push(format!("DNS:{}", String::from_utf8_lossy(v))),
                    (0x87, 4) => out.push(format!(
                        "IP:{}",
                        std::net::Ipv4Addr::new(v[0], v[1], v[2], v[3])
                    )),
                    (0x87, 16) => {
                        let a: [u8; 16] = v.try_into().ok()?;
                        out.push(format!("IP:{}", std::net::Ipv6Addr::from(a)));
                    }
                    _ => {}
                }
                names = n;
            }
            return Some(out);
        }
        exts = next;
    }
    Some(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_subject_issuer_and_sans_of_a_generated_certificate() {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut p = rcgen::CertificateParams::new(vec![
            "registry.test".to_string(),
            "127.0.0.1".to_string(),
        ])
        .unwrap();
        p.distinguished_name
            .push(rcgen::DnType::CommonName, "registry.test");
        p.distinguished_name
            .push(rcgen::DnType::OrganizationName, "Acme");
        let cert = p.self_signed(&key).unwrap();
        let s = summarize(cert.der()).unwrap();
        assert_eq!(s.subject, "CN=registry.test, O=Acme");
        assert_eq!(s.issuer, s.subject);
        assert!(s.self_signed);
        assert_eq!(s.sans, vec!["DNS:registry.test", "IP:127.0.0.1"]);
        assert!(s.not_after.is_some());
        assert_eq!(summarize(b"\x30\x03\x02\x01"), None);
    }

    #[test]
    fn validity_is_read_as_times_and_printed_as_a_date() {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut p = rcgen::CertificateParams::new(vec!["registry.test".to_string()]).unwrap();
        // UTCTime before 2050, GeneralizedTime from 2050 on (RFC 5280 4.1.2.5).
        p.not_before = rcgen::date_time_ymd(2026, 1, 3);
        p.not_after = rcgen::date_time_ymd(2051, 6, 30);
        let cert = p.self_signed(&key).unwrap();
        let s = summarize(cert.der()).unwrap();
        assert_eq!(
            s.not_before.unwrap().to_rfc3339(),
            "2026-01-03T00:00:00+00:00"
        );
        assert_eq!(
            s.not_after.unwrap().to_rfc3339(),
            "2051-06-30T00:00:00+00:00"
        );
        assert!(s
            .lines()
            .contains(&"expires: 2051-06-30 00:00 UTC".to_string()));
        assert_eq!(
            validity(cert.der()),
            Some((s.not_before.unwrap(), s.not_after.unwrap()))
        );
        // UTCTime years: 49 is 2049, 50 is 1950.
        assert_eq!(
            time(0x17, b"491231235959Z").unwrap().to_rfc3339(),
            "2049-12-31T23:59:59+00:00"
        );
        assert_eq!(
            time(0x17, b"500101000000Z").unwrap().to_rfc3339(),
            "1950-01-01T00:00:00+00:00"
        );
        assert_eq!(
            time(0x17, b"270103163449Z").unwrap().to_rfc3339(),
            "2027-01-03T16:34:49+00:00"
        );
        assert_eq!(time(0x17, b"2701031634Z"), None);
        assert_eq!(time(0x18, b"20270103163449"), None);
    }
}
