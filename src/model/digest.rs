//! Content digests (`sha256:<64 hex>`), validated once at the edge so the rest of the
//! program can trust them.

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::fmt;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid digest {value:?}: {why}")]
pub struct DigestError {
    pub value: String,
    pub why: &'static str,
}

/// A validated content digest. Only `sha256` and `sha512` are accepted, as the OCI
/// image spec registers only those.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Digest(String);

impl Digest {
    pub fn parse(s: &str) -> Result<Self, DigestError> {
        let err = |why| DigestError {
            value: s.chars().take(80).collect(),
            why,
        };
        let (alg, hex) = s.split_once(':').ok_or_else(|| err("missing ':'"))?;
        let want = match alg {
            "sha256" => 64,
            "sha512" => 128,
            _ => return Err(err("unsupported algorithm")),
        };
        if hex.len() != want {
            return Err(err("wrong hex length"));
        }
        if !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(err("not lower-case hex"));
        }
        Ok(Digest(s.to_string()))
    }

    /// The sha256 digest of `bytes`.
    pub fn sha256_of(bytes: &[u8]) -> Self {
        Digest(format!("sha256:{}", hex::encode(Sha256::digest(bytes))))
    }

    /// Whether `bytes` hash to this digest.
    pub fn verifies(&self, bytes: &[u8]) -> bool {
        match self.algorithm() {
            "sha256" => Self::sha256_of(bytes) == *self,
            "sha512" => {
                use sha2::Sha512;
                format!("sha512:{}", hex::encode(Sha512::digest(bytes))) == self.0
            }
            _ => false,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn algorithm(&self) -> &str {
        self.0.split_once(':').map(|(a, _)| a).unwrap_or("")
    }
    pub fn hex(&self) -> &str {
        self.0.split_once(':').map(|(_, h)| h).unwrap_or("")
    }
    /// The first 12 hex characters, as `docker images` shows them.
    pub fn short(&self) -> &str {
        &self.hex()[..12]
    }
    /// The tag the OCI referrers tag-schema fallback uses: `sha256-<hex>`.
    pub fn fallback_tag(&self) -> String {
        format!("{}-{}", self.algorithm(), self.hex())
    }
}

impl TryFrom<String> for Digest {
    type Error = DigestError;
    fn try_from(s: String) -> Result<Self, DigestError> {
        Digest::parse(&s)
    }
}
impl From<Digest> for String {
    fn from(d: Digest) -> String {
        d.0
    }
}
impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", self.0)
    }
}
impl std::str::FromStr for Digest {
    type Err = DigestError;
    fn from_str(s: &str) -> Result<Self, DigestError> {
        Digest::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_empty_is_the_well_known_value() {
        let d = Digest::sha256_of(b"");
        assert_eq!(
            d.as_str(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(d.verifies(b""));
        assert!(!d.verifies(b"x"));
        assert_eq!(d.short(), "e3b0c44298fc");
        assert_eq!(d.fallback_tag().len(), "sha256-".len() + 64);
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "sha256",
            "sha256:abc",
            "md5:00",
            &format!("sha256:{}", "G".repeat(64)),
        ] {
            assert!(Digest::parse(bad).is_err(), "{bad}");
        }
        let upper = format!("sha256:{}", "A".repeat(64));
        assert_eq!(Digest::parse(&upper).unwrap_err().why, "not lower-case hex");
    }
}
