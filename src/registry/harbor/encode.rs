//! Path segments for Harbor's API. A repository name with `/` is URL-encoded twice in API
//! paths (`team/web` -> `team%2Fweb` -> `team%252Fweb`), as the swagger's
//! `repository_name` parameter says; the project name is encoded once.

/// Percent-encodes everything but the unreserved characters of RFC 3986.
pub(crate) fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `project/team/web` -> (`project`, `team%252Fweb`): the project segment and the
/// double-encoded repository segment of an API path. `None` when the name has no project.
pub fn repository_path(full_name: &str) -> Option<(String, String)> {
    let (project, repo) = full_name.split_once('/')?;
    if project.is_empty() || repo.is_empty() {
        return None;
    }
    Some((
        encode_segment(project),
        encode_segment(&encode_segment(repo)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slashes_are_encoded_twice() {
        assert_eq!(
            repository_path("lib/team/web"),
            Some(("lib".into(), "team%252Fweb".into()))
        );
        assert_eq!(
            repository_path("library/hello-world"),
            Some(("library".into(), "hello-world".into()))
        );
        assert_eq!(repository_path("noproject"), None);
    }
}
