//! The fake ACR's `/acr/v1` operations (`ContainerRegistry_GetRepositories`,
//! `_GetProperties`, `_UpdateProperties`, `_GetTags`, `_GetTagProperties`,
//! `_UpdateTagAttributes`, `_GetManifests`, `_GetManifestProperties`,
//! `_UpdateManifestProperties`), answered from the fake's metadata.

use super::fake_acr::AcrState;
use super::fake_acr_meta::*;
use super::fake_acr_routes::acr_name;
use super::stub::{StubReply, StubRequest};
use serde_json::{json, Value};

fn errors(status: u16, code: &str, message: &str) -> StubReply {
    StubReply::json(
        status,
        &json!({"errors": [{"code": code, "message": message}]}).to_string(),
    )
}

fn with_link(reply: StubReply, link: Option<String>) -> StubReply {
    match link {
        Some(l) => reply.with_header("link", &l),
        None => reply,
    }
}

pub fn answer(s: &mut AcrState, req: &StubRequest, rest: &str, body: &Value) -> StubReply {
    let q = req.query();
    let host = s.host.clone();
    let m = req.method.as_str();
    if rest == "_catalog" {
        let items: Vec<(String, String)> = s.repos.keys().map(|k| (k.clone(), k.clone())).collect();
        let (names, link) = page(&items, &q, "/acr/v1/_catalog");
        return with_link(
            StubReply::json(200, &json!({"repositories": names}).to_string()),
            link,
        );
    }
    let (name, sub) = acr_name(rest);
    let Some(repo) = s.repos.get_mut(&name) else {
        return errors(404, "NAME_UNKNOWN", "repository name not known to registry");
    };
    let path = req.path().to_string();
    let wrap = |key: &str, v: Value| {
        StubReply::json(
            200,
            &json!({"registry": host, "imageName": name, key: v}).to_string(),
        )
    };
    match (m, sub.as_str()) {
        ("GET", "") => StubReply::json(200, &repo_json(&host, &name, repo).to_string()),
        ("PATCH", "") => {
            repo.attrs.patch(body);
            StubReply::json(200, &repo_json(&host, &name, repo).to_string())
        }
        ("GET", "/_tags") => {
            let mut tags: Vec<(&String, &TagMeta)> = repo.tags.iter().collect();
            if let Some(d) = q.iter().find(|(k, _)| k == "digest").map(|(_, v)| v) {
                tags.retain(|(_, t)| &t.digest == d);
            }
            match q
                .iter()
                .find(|(k, _)| k == "orderby")
                .map(|(_, v)| v.as_str())
            {
                Some("timedesc") => tags.sort_by_key(|t| std::cmp::Reverse(t.1.updated)),
                Some("timeasc") => tags.sort_by_key(|t| t.1.updated),
                _ => {}
            }
            let items: Vec<(String, Value)> = tags
                .iter()
                .map(|(n, t)| ((*n).clone(), tag_json(n, t)))
                .collect();
            let (page_items, link) = page(&items, &q, &path);
            with_link(wrap("tags", json!(page_items)), link)
        }
        ("GET", "/_manifests") => {
            let mut ms: Vec<(&String, &ManifestMeta)> = repo.manifests.iter().collect();
            match q
                .iter()
                .find(|(k, _)| k == "orderby")
                .map(|(_, v)| v.as_str())
            {
                Some("timedesc") => ms.sort_by_key(|m| std::cmp::Reverse(m.1.updated)),
                Some("timeasc") => ms.sort_by_key(|m| m.1.updated),
                _ => {}
            }
            let items: Vec<(String, Value)> = ms
                .iter()
                .map(|(d, mm)| ((*d).clone(), manifest_json(d, mm, repo.tags_of(d))))
                .collect();
            let (page_items, link) = page(&items, &q, &path);
            with_link(wrap("manifests", json!(page_items)), link)
        }
        (_, sub) if sub.starts_with("/_tags/") => {
            let tag = &sub["/_tags/".len()..];
            let Some(t) = repo.tags.get_mut(tag) else {
                return errors(404, "TAG_UNKNOWN", "the specified tag does not exist");
            };
            match m {
                "GET" => wrap("tag", tag_json(tag, t)),
                "PATCH" => {
                    t.attrs.patch(body);
                    wrap("tag", tag_json(tag, t))
                }
                _ => errors(405, "UNSUPPORTED", "the fake does not delete tags"),
            }
        }
        (_, sub) if sub.starts_with("/_manifests/") => {
            let digest = &sub["/_manifests/".len()..];
            let tags = repo.tags_of(digest);
            let Some(mm) = repo.manifests.get_mut(digest) else {
                return errors(404, "MANIFEST_UNKNOWN", "manifest unknown");
            };
            match m {
                "GET" => wrap("manifest", manifest_json(digest, mm, tags)),
                "PATCH" => {
                    mm.attrs.patch(body);
                    wrap("manifest", manifest_json(digest, mm, tags))
                }
                _ => errors(405, "UNSUPPORTED", "delete manifests through /v2"),
            }
        }
        _ => errors(404, "NOT_FOUND", "no such /acr/v1 operation"),
    }
}
