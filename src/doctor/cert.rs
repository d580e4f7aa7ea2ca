//! Just enough X.509 (DER) reading to tell an on-call engineer whose certificate a
//! registry presented: subject, issuer, subject alternative names, expiry, and whether it
//! is self-signed. Read-only, bounds-checked, and `None` on anything unexpected.

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertSummary {
    pub subject: String,
    pub issuer: String,
    pub sans: Vec<String>,
    pub not_after: Option<String>,
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
            out.push(format!("expires: {t}"));
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
    let not_after = tlv(validity)
        .and_then(|(_, _, v)| tlv(v))
        .map(|(_, t, _)| String::from_utf8_lossy(t).to_string());
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
        not_after,
        self_signed: subject == issuer,
    })
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
}
