//! The fake's `/api/v2.0`, answering from its own state in the swagger's shapes: Basic
//! auth (a 401 without a challenge), `page`/`page_size` (default 10, at most 100) with
//! `Link` and `X-Total-Count`, repository names double-encoded in paths, the artifact
//! listing's `q=base=*` and `with_*` switches, and Go's zero time for "never pulled".

use super::state::{time, Art, State};
use crate::support::stub::{StubReply, StubRequest};
use serde_json::{json, Value};

fn err(status: u16, code: &str, msg: &str) -> StubReply {
    StubReply::json(
        status,
        &json!({"errors": [{"code": code, "message": msg}]}).to_string(),
    )
}

/// A path segment decoded `times` times; a `/` appearing before the last decoding means
/// the client encoded too few times (Harbor's router would not find the route).
fn decode(seg: &str, times: usize) -> Option<String> {
    let mut s = seg.to_string();
    for _ in 0..times {
        if s.contains('/') {
            return None;
        }
        s = url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
            .next()?
            .1
            .into_owned();
    }
    Some(s)
}

/// A boolean query parameter as go-swagger's `swag.ConvertBool` reads it (Harbor's server):
/// case-insensitive `true`, `yes`, `ok`, `y`, `on`, `selected`, `checked`, `t`, `enabled`.
fn q_bool(q: &[(String, String)], k: &str, default: bool) -> bool {
    const TRUE: [&str; 9] = [
        "true", "yes", "ok", "y", "on", "selected", "checked", "t", "enabled",
    ];
    q.iter()
        .find(|(x, _)| x == k)
        .map(|(_, v)| TRUE.contains(&v.to_ascii_lowercase().as_str()))
        .unwrap_or(default)
}

fn page(req: &StubRequest, items: Vec<Value>) -> StubReply {
    let q = req.query();
    let get = |k: &str, d: i64| {
        q.iter()
            .find(|(x, _)| x == k)
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(d)
    };
    let (p, size) = (get("page", 1), get("page_size", 10));
    if !(0..=100).contains(&size) || p < 1 {
        return err(
            422,
            "UNPROCESSABLE_ENTITY",
            "page_size in query should be less than or equal to 100",
        );
    }
    let total = items.len() as i64;
    let start = ((p - 1) * size).min(total) as usize;
    let end = (p * size).min(total) as usize;
    let body = Value::Array(items[start..end].to_vec()).to_string();
    let mut links = Vec::new();
    let link = |n: i64| {
        let mut qs: Vec<(String, String)> = q
            .iter()
            .filter(|(k, _)| k != "page" && k != "page_size")
            .cloned()
            .collect();
        qs.push(("page".into(), n.to_string()));
        qs.push(("page_size".into(), size.to_string()));
        // Harbor unescapes the query it writes into the link.
        let query: Vec<String> = qs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("<{}?{}>", req.path(), query.join("&"))
    };
    if p > 1 && (p - 1) * size < total {
        links.push(format!("{}; rel=\"prev\"", link(p - 1)));
    }
    if size * p < total {
        links.push(format!("{}; rel=\"next\"", link(p + 1)));
    }
    let mut r = StubReply::json(200, &body).with_header("x-total-count", &total.to_string());
    if !links.is_empty() {
        r = r.with_header("link", &links.join(" , "));
    }
    r
}

pub fn handle(st: &mut State, req: &StubRequest) -> StubReply {
    st.api_calls.push(req.target.clone());
    let user = match st.check_basic(req.header("authorization")) {
        Ok(u) => u,
        Err(()) => return err(401, "UNAUTHORIZED", "unauthorized"),
    };
    let path = req.path().strip_prefix("/api/v2.0").unwrap_or("");
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if req.method != "GET" {
        return err(
            405,
            "METHOD_NOT_ALLOWED",
            "the fake Harbor serves reads only",
        );
    }
    match segs.as_slice() {
        ["systeminfo"] => StubReply::json(200, &json!({"auth_mode": "db_auth", "harbor_version": "v2.12.0-fake",
            "registry_url": req.header("host").unwrap_or(""), "primary_auth_mode": false, "self_registration": false,
            "has_ca_root": false, "read_only": false, "notification_enable": true,
            "current_time": time(Some(st.now()))}).to_string()),
        ["projects"] => {
            let items = st.projects.iter().filter(|p| p.public || user.is_some()).map(|p| project_json(st, p)).collect();
            page(req, items)
        }
        // Harbor requires system access to list replication policies (RequireSystemAccess).
        ["replication", "policies"] => match user.as_deref() {
            None => err(401, "UNAUTHORIZED", "unauthorized"),
            Some(u) if u != super::ADMIN.0 => err(403, "FORBIDDEN", "forbidden"),
            Some(_) => page(req, st.replication.clone()),
        },
        ["retentions", id] => {
            let found = st.projects.iter().find_map(|p| p.retention.as_ref().filter(|(i, _)| i.to_string() == *id).map(|r| (p, r)));
            match found {
                Some((p, _)) if !p.public && user.is_none() => err(401, "UNAUTHORIZED", "anonymous"),
                Some((_, (_, v))) => StubReply::json(200, &v.to_string()),
                None => err(404, "NOT_FOUND", "retention policy not found"),
            }
        }
        ["projects", p, rest @ ..] => {
            let Some(pname) = decode(p, 1) else { return err(404, "NOT_FOUND", "no route") };
            let Some(project) = st.project(&pname).cloned() else {
                return err(404, "NOT_FOUND", &format!("project {pname} not found"));
            };
            if !project.public && user.is_none() {
                return err(401, "UNAUTHORIZED", "anonymous to private project");
            }
            project_routes(st, req, &project, rest)
        }
        _ => err(404, "NOT_FOUND", "no such API in the fake Harbor"),
    }
}

fn project_json(st: &State, p: &super::state::Project) -> Value {
    let repos = st
        .repos
        .iter()
        .filter(|r| r.1.starts_with(&format!("{}/", p.name)))
        .count();
    let mut md = json!({"public": p.public.to_string(), "auto_scan": p.auto_scan.to_string()});
    if let Some((id, _)) = &p.retention {
        md["retention_id"] = json!(id.to_string());
    }
    json!({"project_id": p.id, "owner_id": 1, "name": p.name, "owner_name": "admin", "deleted": false,
        "repo_count": repos, "creation_time": time(Some(st.now())), "update_time": time(Some(st.now())),
        "metadata": md, "cve_allowlist": {"id": 0, "project_id": p.id, "items": []}})
}

fn project_routes(
    st: &State,
    req: &StubRequest,
    p: &super::state::Project,
    rest: &[&str],
) -> StubReply {
    let prefix = format!("{}/", p.name);
    match rest {
        [] => StubReply::json(200, &project_json(st, p).to_string()),
        ["summary"] => {
            let used: u64 = st
                .arts
                .iter()
                .filter(|a| a.repo.starts_with(&prefix))
                .map(|a| a.size)
                .sum();
            let repos = st.repos.iter().filter(|r| r.1.starts_with(&prefix)).count();
            StubReply::json(
                200,
                &json!({"repo_count": repos, "project_admin_count": 1,
                "quota": {"hard": {"storage": p.quota_hard}, "used": {"storage": used}}})
                .to_string(),
            )
        }
        ["immutabletagrules"] => {
            let items = p.immutable.iter().enumerate().map(|(i, (rp, tp))| json!({"id": i + 1, "priority": 0,
                "disabled": false, "action": "immutable", "template": "immutable_template", "params": {},
                "tag_selectors": [{"kind": "doublestar", "decoration": "matches", "pattern": tp}],
                "scope_selectors": {"repository": [{"kind": "doublestar", "decoration": "repoMatches", "pattern": rp}]}})).collect();
            page(req, items)
        }
        ["repositories"] => {
            let items = st.repos.iter().filter(|r| r.1.starts_with(&prefix)).map(|(id, name, created)| {
                let arts = st.arts.iter().filter(|a| &a.repo == name && a.subject.is_none()).count();
                json!({"id": id, "project_id": p.id, "name": name, "artifact_count": arts, "pull_count": 0,
                    "creation_time": time(Some(*created)), "update_time": time(Some(*created))})
            }).collect();
            page(req, items)
        }
        ["repositories", r, "artifacts", more @ ..] => {
            let Some(rname) = decode(r, 2) else {
                return err(404, "NOT_FOUND", "repository name not encoded twice");
            };
            let repo = format!("{}/{rname}", p.name);
            if !st.repos.iter().any(|x| x.1 == repo) {
                return err(404, "NOT_FOUND", &format!("repository {repo} not found"));
            }
            artifacts(st, req, &repo, more)
        }
        _ => err(404, "NOT_FOUND", "no such API in the fake Harbor"),
    }
}

fn artifacts(st: &State, req: &StubRequest, repo: &str, more: &[&str]) -> StubReply {
    let q = req.query();
    match more {
        [] => {
            let query = q
                .iter()
                .find(|(k, _)| k == "q")
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            if !query.is_empty() && query != "base=*" {
                return err(
                    400,
                    "BAD_REQUEST",
                    &format!("the fake Harbor does not filter by {query:?}"),
                );
            }
            let referenced = |d: &str| {
                st.arts
                    .iter()
                    .any(|a| a.repo == repo && a.children.iter().any(|c| c.0 == d))
            };
            let mut list: Vec<&Art> = st
                .arts
                .iter()
                .filter(|a| a.repo == repo && a.subject.is_none())
                .filter(|a| query == "base=*" || !a.tags.is_empty() || !referenced(&a.digest))
                .collect();
            list.sort_by(|a, b| b.push_time.cmp(&a.push_time).then(b.id.cmp(&a.id)));
            let items = list.into_iter().map(|a| artifact_json(st, a, &q)).collect();
            page(req, items)
        }
        [reference] => {
            let Some(reference) = decode(reference, 1) else {
                return err(404, "NOT_FOUND", "no route");
            };
            match st.resolve(repo, &reference) {
                Some(a) => StubReply::json(200, &artifact_json(st, a, &q).to_string()),
                None => err(
                    404,
                    "NOT_FOUND",
                    &format!("artifact {repo}:{reference} not found"),
                ),
            }
        }
        [reference, "additions", "vulnerabilities"] => {
            let Some(reference) = decode(reference, 1) else {
                return err(404, "NOT_FOUND", "no route");
            };
            let Some(a) = st.resolve(repo, &reference) else {
                return err(
                    404,
                    "NOT_FOUND",
                    &format!("artifact {repo}:{reference} not found"),
                );
            };
            // Harbor's vuln.Report keyed by its media type; `{}` without a report.
            let body = match (&a.scan, &a.vulns) {
                (Some(s), Some(v)) => {
                    json!({"application/vnd.security.vulnerability.report; version=1.1": {
                    "generated_at": s["end_time"], "scanner": s["scanner"], "severity": s["severity"], "vulnerabilities": v}})
                }
                _ => json!({}),
            };
            StubReply::json(200, &body.to_string())
        }
        _ => err(404, "NOT_FOUND", "no such API in the fake Harbor"),
    }
}

pub fn artifact_json(st: &State, a: &Art, q: &[(String, String)]) -> Value {
    let project_id = st
        .project(a.repo.split('/').next().unwrap_or(""))
        .map(|p| p.id)
        .unwrap_or(0);
    let repo_id = st
        .repos
        .iter()
        .find(|r| r.1 == a.repo)
        .map(|r| r.0)
        .unwrap_or(0);
    let is_index = !a.children.is_empty()
        || a.manifest_media_type.contains("index")
        || a.manifest_media_type.contains("list");
    let mut v = json!({"id": a.id, "type": if is_index || a.config_media_type.contains("image.config") || a.config_media_type.contains("container.image") { "IMAGE" } else { "UNKNOWN" },
        "media_type": if is_index { a.manifest_media_type.clone() } else { a.config_media_type.clone() },
        "manifest_media_type": a.manifest_media_type, "project_id": project_id, "repository_id": repo_id,
        "repository_name": a.repo, "digest": a.digest, "size": a.size, "icon": "",
        "push_time": time(Some(a.push_time)), "pull_time": time(a.pull_time),
        "extra_attrs": a.extra_attrs, "annotations": {}, "labels": null,
        "references": if is_index { Value::Array(a.children.iter().filter_map(|(d, plat)| {
            let child = st.art(&a.repo, d)?;
            Some(json!({"parent_id": a.id, "child_id": child.id, "child_digest": d, "platform": plat, "urls": null, "annotations": null}))
        }).collect()) } else { Value::Null },
        "addition_links": {"build_history": {"absolute": false, "href": format!("/api/v2.0/projects/x/repositories/y/artifacts/{}/additions/build_history", a.digest)}}});
    if let Some(t) = &a.artifact_type {
        v["artifact_type"] = json!(t);
    }
    if q_bool(q, "with_tag", true) {
        let immut = q_bool(q, "with_immutable_status", false);
        let tags: Vec<Value> = a
            .tags
            .iter()
            .map(|t| {
                json!({"id": t.id, "repository_id": repo_id, "artifact_id": a.id,
            "name": t.name, "push_time": time(Some(t.push_time)), "pull_time": time(t.pull_time),
            "immutable": immut && st.is_immutable(&a.repo, &t.name)})
            })
            .collect();
        v["tags"] = if tags.is_empty() {
            Value::Null
        } else {
            Value::Array(tags)
        };
    }
    if q_bool(q, "with_scan_overview", false) {
        if let Some(s) = &a.scan {
            v["scan_overview"] =
                json!({"application/vnd.security.vulnerability.report; version=1.1": s});
        }
    }
    if q_bool(q, "with_accessory", false) {
        let acc: Vec<Value> = st.arts.iter().filter(|x| x.repo == a.repo && x.subject.as_ref().is_some_and(|s| s.0 == a.digest))
            .map(|x| json!({"id": x.id, "artifact_id": x.id, "subject_artifact_id": a.id, "subject_artifact_digest": a.digest,
                "subject_artifact_repo": a.repo, "size": x.size, "digest": x.digest, "type": x.subject.as_ref().unwrap().1,
                "icon": "", "creation_time": time(Some(x.push_time))})).collect();
        v["accessories"] = if acc.is_empty() {
            Value::Null
        } else {
            Value::Array(acc)
        };
    }
    v
}
