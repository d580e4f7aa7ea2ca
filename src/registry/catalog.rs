//! Repository and tag listings with `n`/`last` and `Link` pagination, tolerant of
//! registries that ignore `n`, forget the `Link` header, return tags unsorted or
//! `"tags": null`.

use super::auth::Scope;
use super::distribution::DistributionClient;
use super::error::{Place, RegistryError};
use super::manifests::check_repo;
use super::transport::{Request, DOCUMENT_LIMIT};
use reqwest::Method;
use std::collections::{BTreeSet, HashSet};

/// Entries asked for per page; registries may return fewer (or ignore it).
pub const PAGE_SIZE: usize = 1000;
/// A registry that keeps sending new pages past this is looping.
const MAX_PAGES: usize = 100_000;

impl DistributionClient {
    /// Every repository name, in the registry's order, filtered to `prefix` (a whole path
    /// segment match: `team` matches `team/app`, not `teammate`).
    pub async fn catalog(&self, prefix: Option<&str>) -> Result<Vec<String>, RegistryError> {
        let place = self.place(None, None);
        let names = self
            .paginate("/v2/_catalog", "repositories", &Scope::Catalog, &place)
            .await?;
        let prefix = prefix
            .map(|p| p.trim_matches('/'))
            .filter(|p| !p.is_empty());
        let mut seen = HashSet::new();
        Ok(names
            .into_iter()
            .filter(|n| match prefix {
                Some(p) => n == p || n.strip_prefix(p).is_some_and(|r| r.starts_with('/')),
                None => true,
            })
            .filter(|n| seen.insert(n.clone()))
            .collect())
    }

    /// Every tag of `repo`, deduplicated and sorted.
    pub async fn tag_list(&self, repo: &str) -> Result<Vec<String>, RegistryError> {
        let place = self.place(Some(repo), None);
        check_repo(repo, &place)?;
        let tags = self
            .paginate(
                &format!("/v2/{repo}/tags/list"),
                "tags",
                &Scope::Pull(repo.into()),
                &place,
            )
            .await?;
        Ok(tags
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect())
    }

    /// Follows `Link: <...>; rel="next"`; when a registry honours `n` but sends no Link,
    /// continues with `last=` while pages are full and bring something new.
    async fn paginate(
        &self,
        path: &str,
        field: &str,
        scope: &Scope,
        place: &Place,
    ) -> Result<Vec<String>, RegistryError> {
        let mut out: Vec<String> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let n = self.page_size;
        let mut next = format!("{path}?n={n}");
        let mut visited: HashSet<String> = HashSet::new();
        for _ in 0..MAX_PAGES {
            if !visited.insert(next.clone()) {
                break;
            }
            let reply = self
                .call(
                    Request::new(Method::GET, &next),
                    scope,
                    DOCUMENT_LIMIT,
                    place,
                )
                .await?;
            if !reply.is_success() {
                return Err(self.failure(&reply, scope, place).await);
            }
            let page =
                parse_page(&reply.body, field).map_err(|detail| RegistryError::Malformed {
                    place: place.clone(),
                    detail,
                })?;
            let full = page.len() >= n;
            let last = page.last().cloned();
            let mut fresh = 0;
            for name in page {
                if seen.insert(name.clone()) {
                    out.push(name);
                    fresh += 1;
                }
            }
            let link = reply.header("link").and_then(next_link);
            next = match (link, last) {
                (Some(l), _) => resolve(path, &l),
                (None, Some(last)) if full && fresh > 0 => {
                    let mut u = url::form_urlencoded::Serializer::new(String::new());
                    u.append_pair("n", &n.to_string())
                        .append_pair("last", &last);
                    format!("{path}?{}", u.finish())
                }
                _ => break,
            };
        }
        Ok(out)
    }
}

/// `{"repositories": [...]}` / `{"name": "...", "tags": [...] | null}`.
fn parse_page(body: &[u8], field: &str) -> Result<Vec<String>, String> {
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        let text = String::from_utf8_lossy(body);
        if text.trim_start().starts_with('<') {
            "the registry answered with an HTML page instead of a JSON listing".to_string()
        } else {
            format!("the listing is not valid JSON: {e}")
        }
    })?;
    match v.get(field) {
        None | Some(serde_json::Value::Null) => Ok(Vec::new()),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("`{field}` holds a non-string entry"))
            })
            .collect(),
        Some(_) => Err(format!("`{field}` is not a list")),
    }
}

/// The target of the `rel="next"` link in a `Link` header.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim().to_ascii_lowercase();
            p == "rel=\"next\"" || p == "rel=next"
        });
        let t = target.trim();
        (is_next && t.starts_with('<') && t.ends_with('>')).then(|| t[1..t.len() - 1].to_string())
    })
}

/// A Link target may be absolute, absolute-path, or (rarely) just a query.
fn resolve(path: &str, link: &str) -> String {
    if link.starts_with('?') {
        format!("{path}{link}")
    } else {
        link.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers_in_their_usual_shapes() {
        assert_eq!(
            next_link(r#"</v2/_catalog?last=b&n=2>; rel="next""#).as_deref(),
            Some("/v2/_catalog?last=b&n=2")
        );
        assert_eq!(
            next_link(r#"<https://r.example/v2/a/tags/list?last=x>; rel=next, <x>; rel="prev""#)
                .as_deref(),
            Some("https://r.example/v2/a/tags/list?last=x")
        );
        assert_eq!(next_link(r#"</x>; rel="prev""#), None);
    }

    #[test]
    fn null_tags_and_html_are_handled() {
        assert_eq!(
            parse_page(br#"{"name":"a","tags":null}"#, "tags"),
            Ok(vec![])
        );
        assert!(parse_page(b"<html>", "tags").unwrap_err().contains("HTML"));
        assert!(parse_page(br#"{"tags":"x"}"#, "tags").is_err());
    }
}
