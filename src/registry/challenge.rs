//! `WWW-Authenticate` challenges (RFC 7235) as registries send them:
//! `Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"`
//! or `Basic realm="Registry"`, possibly with `error="insufficient_scope"`.

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scheme {
    Basic,
    Bearer,
    Other(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    pub scheme: Scheme,
    pub realm: Option<String>,
    pub service: Option<String>,
    pub scope: Option<String>,
    pub error: Option<String>,
}

impl Challenge {
    /// Parses one header value; `None` when it has no scheme at all.
    pub fn parse(value: &str) -> Option<Challenge> {
        let value = value.trim();
        let (scheme, rest) = match value.split_once(char::is_whitespace) {
            Some((s, r)) => (s, r),
            None => (value, ""),
        };
        if scheme.is_empty() {
            return None;
        }
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "basic" => Scheme::Basic,
            "bearer" => Scheme::Bearer,
            other => Scheme::Other(other.to_string()),
        };
        let mut c = Challenge {
            scheme,
            realm: None,
            service: None,
            scope: None,
            error: None,
        };
        for (k, v) in params(rest) {
            match k.to_ascii_lowercase().as_str() {
                "realm" => c.realm = Some(v),
                "service" => c.service = Some(v),
                "scope" => c.scope = Some(v),
                "error" => c.error = Some(v),
                _ => {}
            }
        }
        Some(c)
    }

    /// The first Bearer challenge among a response's headers, else the first Basic one.
    pub fn from_headers(headers: &reqwest::header::HeaderMap) -> Option<Challenge> {
        let all: Vec<Challenge> = headers
            .get_all("www-authenticate")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(Challenge::parse)
            .collect();
        all.iter()
            .find(|c| c.scheme == Scheme::Bearer)
            .or_else(|| all.iter().find(|c| c.scheme == Scheme::Basic))
            .or(all.first())
            .cloned()
    }
}

/// `key=value` and `key="quoted, value"` pairs separated by commas.
fn params(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String =
            std::iter::from_fn(|| chars.next_if(|c| *c != '=' && *c != ',')).collect();
        if key.is_empty() {
            break;
        }
        if chars.next() != Some('=') {
            continue;
        }
        let mut val = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            val.push(n);
                        }
                    }
                    '"' => break,
                    c => val.push(c),
                }
            }
        } else {
            val = std::iter::from_fn(|| chars.next_if(|c| *c != ',')).collect();
        }
        out.push((key.trim().to_string(), val.trim().to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bearer_with_quoted_commas_in_scope() {
        let c = Challenge::parse(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull,push",error="insufficient_scope""#,
        )
        .unwrap();
        assert_eq!(c.scheme, Scheme::Bearer);
        assert_eq!(c.realm.as_deref(), Some("https://auth.docker.io/token"));
        assert_eq!(c.service.as_deref(), Some("registry.docker.io"));
        assert_eq!(
            c.scope.as_deref(),
            Some("repository:library/busybox:pull,push")
        );
        assert_eq!(c.error.as_deref(), Some("insufficient_scope"));
    }

    #[test]
    fn parses_basic_and_unquoted() {
        let c = Challenge::parse("Basic realm=Registry").unwrap();
        assert_eq!(c.scheme, Scheme::Basic);
        assert_eq!(c.realm.as_deref(), Some("Registry"));
        assert!(Challenge::parse("").is_none());
    }
}
