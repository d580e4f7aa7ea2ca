//! The fake Harbor's answers checked against the definitions of Harbor's own swagger
//! (tests/fixtures/harbor/swagger-definitions.json, taken from goharbor/harbor
//! `api/v2.0/swagger.yaml`), so the fake pins the published API rather than our reading of
//! it. PyPI has no client from the Harbor project to check it with instead.

use crate::support::fake_harbor::scenario::seed;
use crate::support::fake_harbor::{FakeHarbor, ADMIN};
use serde_json::{json, Value};

fn definitions() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/harbor/swagger-definitions.json"
    ))
    .unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["definitions"].clone()
}

/// Swagger 2.0 schema check: `$ref`, `type`, `format: date-time`, `properties` (an
/// undeclared property is an error: the fake must not invent fields), `additionalProperties`,
/// `items`, `required`. `null` stands for an absent array, object or reference, as Harbor's
/// go-swagger server sends it. A bare `type: object` is go-swagger's `interface{}`: anything.
fn check(v: &Value, schema: &Value, defs: &Value, at: &str, errs: &mut Vec<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/definitions/");
        return check(v, &defs[name], defs, &format!("{at}<{name}>"), errs);
    }
    let ty = schema["type"].as_str().unwrap_or("object");
    if v.is_null() {
        if !matches!(ty, "object" | "array") && schema["x-nullable"] != json!(true) {
            errs.push(format!("{at}: null where {ty} is declared"));
        }
        return;
    }
    match ty {
        "string" => match v.as_str() {
            None => errs.push(format!("{at}: {v} is not a string")),
            Some(s)
                if schema["format"] == "date-time"
                    && chrono::DateTime::parse_from_rfc3339(s).is_err() =>
            {
                errs.push(format!("{at}: {s:?} is not a date-time"))
            }
            _ => {}
        },
        "integer" if !(v.is_i64() || v.is_u64()) => {
            errs.push(format!("{at}: {v} is not an integer"))
        }
        "number" if !v.is_number() => errs.push(format!("{at}: {v} is not a number")),
        "boolean" if !v.is_boolean() => errs.push(format!("{at}: {v} is not a boolean")),
        "array" => match v.as_array() {
            None => errs.push(format!("{at}: not an array")),
            Some(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| check(x, &schema["items"], defs, &format!("{at}[{i}]"), errs)),
        },
        "object" => {
            let props = schema["properties"].as_object();
            let extra = &schema["additionalProperties"];
            if props.is_none() && extra.is_null() {
                return;
            }
            let Some(o) = v.as_object() else {
                return errs.push(format!("{at}: {v} is not an object"));
            };
            for r in schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !o.contains_key(r) {
                    errs.push(format!("{at}: required {r} missing"));
                }
            }
            for (k, x) in o {
                match props.and_then(|p| p.get(k)) {
                    Some(s) => check(x, s, defs, &format!("{at}.{k}"), errs),
                    None if extra.is_object() => check(x, extra, defs, &format!("{at}.{k}"), errs),
                    None => errs.push(format!("{at}: {k} is not in the swagger")),
                }
            }
        }
        _ => {}
    }
}

fn errors_of(v: &Value, root: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    check(v, root, &definitions(), "$", &mut errs);
    errs
}

#[test]
fn the_checker_finds_what_breaks_the_swagger() {
    let art = json!({"$ref": "#/definitions/Artifact"});
    let bad = json!({"digest": 5, "push_time": "yesterday", "size": "big", "invented": true,
        "tags": [{"name": "v1", "immutable": "no"}], "scan_overview": {"x": {"summary": {"summary": {"High": "two"}}}}});
    let errs = errors_of(&bad, &art);
    for want in [
        "$<Artifact>.digest",
        "$<Artifact>.push_time",
        "$<Artifact>.size",
        "invented",
        "$<Artifact>.tags[0]<Tag>.immutable",
        "High",
    ] {
        assert!(
            errs.iter().any(|e| e.contains(want)),
            "{want} not reported in {errs:?}"
        );
    }
    let good = json!({"digest": "sha256:x", "push_time": "0001-01-01T00:00:00.000Z", "size": 3, "tags": null,
        "extra_attrs": {"architecture": "amd64", "config": {}}});
    assert_eq!(errors_of(&good, &art), Vec::<String>::new());
}

#[tokio::test]
async fn every_answer_regscope_reads_matches_harbors_swagger() {
    let Some(h) = FakeHarbor::start().await else {
        return;
    };
    let s = seed(&h).await;
    h.set_retention("lib", json!({"algorithm": "or", "trigger": {"kind": "Schedule", "settings": {"cron": "0 0 0 * * *"}},
        "rules": [{"id": 1, "priority": 1, "disabled": false, "action": "retain", "template": "always", "params": {},
        "tag_selectors": [{"kind": "doublestar", "decoration": "matches", "pattern": "**", "extras": "{\"untagged\":true}"}],
        "scope_selectors": {"repository": [{"kind": "doublestar", "decoration": "repoMatches", "pattern": "**"}]}}]}));
    h.add_replication_policy(
        "to-dr",
        true,
        ("dr", "https://dr.example.com"),
        "event_based",
        json!([{"type": "name", "value": "lib/**"}, {"type": "label", "value": ["release"], "decoration": "matches"}]),
        true,
    );
    let http = reqwest::Client::new();
    let get = |path: String, auth: bool| {
        let mut r = http.get(format!("http://{}/api/v2.0{path}", h.addr));
        if auth {
            r = r.basic_auth(ADMIN.0, Some(ADMIN.1));
        }
        async move {
            let resp = r.send().await.unwrap();
            let status = resp.status().as_u16();
            (
                status,
                serde_json::from_slice::<Value>(&resp.bytes().await.unwrap()).unwrap(),
            )
        }
    };
    let (_, projects) = get("/projects?with_detail=true".into(), true).await;
    let retention_id = projects[0]["metadata"]["retention_id"]
        .as_str()
        .unwrap()
        .to_string();
    let all =
        "with_tag=true&with_immutable_status=true&with_scan_overview=true&with_accessory=true";
    let arts = "/projects/lib/repositories/team%252Fweb/artifacts";
    let cases: Vec<(String, bool, u16, Value)> = vec![
        (
            "/projects?with_detail=true".into(),
            true,
            200,
            json!({"type": "array", "items": {"$ref": "#/definitions/Project"}}),
        ),
        (
            "/projects/lib".into(),
            true,
            200,
            json!({"$ref": "#/definitions/Project"}),
        ),
        (
            "/projects/lib/summary".into(),
            true,
            200,
            json!({"$ref": "#/definitions/ProjectSummary"}),
        ),
        (
            "/projects/lib/immutabletagrules".into(),
            true,
            200,
            json!({"type": "array", "items": {"$ref": "#/definitions/ImmutableRule"}}),
        ),
        (
            "/projects/lib/repositories".into(),
            true,
            200,
            json!({"type": "array", "items": {"$ref": "#/definitions/Repository"}}),
        ),
        (
            format!("{arts}?q=base%3D*&{all}"),
            true,
            200,
            json!({"type": "array", "items": {"$ref": "#/definitions/Artifact"}}),
        ),
        (
            format!("{arts}?page_size=2"),
            true,
            200,
            json!({"type": "array", "items": {"$ref": "#/definitions/Artifact"}}),
        ),
        (
            format!("{arts}/{}?{all}", s.sig),
            true,
            200,
            json!({"$ref": "#/definitions/Artifact"}),
        ),
        (
            format!("/retentions/{retention_id}"),
            true,
            200,
            json!({"$ref": "#/definitions/RetentionPolicy"}),
        ),
        (
            "/replication/policies".into(),
            true,
            200,
            json!({"type": "array", "items": {"$ref": "#/definitions/ReplicationPolicy"}}),
        ),
        (
            "/systeminfo".into(),
            false,
            200,
            json!({"$ref": "#/definitions/GeneralInfo"}),
        ),
        (
            "/projects/lib/repositories".into(),
            false,
            401,
            json!({"$ref": "#/definitions/Errors"}),
        ),
        (
            format!("{arts}?page_size=101"),
            true,
            422,
            json!({"$ref": "#/definitions/Errors"}),
        ),
    ];
    for (path, auth, status, schema) in cases {
        let (got, body) = get(path.clone(), auth).await;
        assert_eq!(got, status, "{path}: {body}");
        let errs = errors_of(&body, &schema);
        assert!(
            errs.is_empty(),
            "{path} breaks Harbor's swagger:\n{}",
            errs.join("\n")
        );
    }
    // The listing carried what the inventory needs, so the check above saw those fields.
    let (_, listed) = get(format!("{arts}?q=base%3D*&{all}"), true).await;
    let v1 = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["digest"] == json!(s.v1))
        .unwrap();
    assert!(
        v1["scan_overview"].is_object()
            && v1["accessories"].is_array()
            && v1["tags"][0]["immutable"] == json!(true)
    );
}
