"""Reads the fake Harbor through harbor-api-client (generated from Harbor's swagger by a
Harbor maintainer) and prints what it understood as JSON, for tests/it/harbor_client.rs.

Usage: harbor_client_check.py URL USER PASSWORD
"""
import json
import sys

import harbor_client
from harbor_client.api.artifact_api import ArtifactApi
from harbor_client.api.immutable_api import ImmutableApi
from harbor_client.api.project_api import ProjectApi
from harbor_client.api.repository_api import RepositoryApi
from harbor_client.api.retention_api import RetentionApi
from harbor_client.api.systeminfo_api import SysteminfoApi


def when(t):
    return None if t is None else t.isoformat()


def main():
    url, user, password = sys.argv[1:4]
    conf = harbor_client.Configuration()
    conf.host = url + "/api/v2.0"
    conf.username, conf.password = user, password
    api = harbor_client.ApiClient(conf)
    out = {}
    out["version"] = SysteminfoApi(api).get_system_info().harbor_version
    projects = ProjectApi(api).list_projects(page_size=100, with_detail=True)
    out["projects"] = {p.name: {"public": p.metadata.public, "auto_scan": p.metadata.auto_scan,
                                "retention_id": p.metadata.retention_id} for p in projects}
    summary = ProjectApi(api).get_project_summary("lib", x_is_resource_name=True)
    out["quota"] = {"hard": summary.quota.hard, "used": summary.quota.used}
    rules = ImmutableApi(api).list_immu_rules("lib", x_is_resource_name=True)
    out["immutable"] = [[s.pattern for s in r.tag_selectors] for r in rules]
    rid = out["projects"]["lib"]["retention_id"]
    if rid:
        pol = RetentionApi(api).get_retention(int(rid))
        out["retention"] = [{"template": r.template, "params": r.params,
                             "extras": [s.extras for s in r.tag_selectors]} for r in pol.rules]
    repos = RepositoryApi(api).list_repositories("lib", page_size=100)
    out["repositories"] = [r.name for r in repos]
    arts = ArtifactApi(api).list_artifacts(
        "lib", "team%2Fweb", q="base=*", page_size=2, with_tag=True, with_scan_overview=True,
        with_immutable_status=True, with_accessory=True)
    out["first_page"] = len(arts)
    arts = ArtifactApi(api).list_artifacts(
        "lib", "team%2Fweb", q="base=*", page_size=100, with_tag=True, with_scan_overview=True,
        with_immutable_status=True, with_accessory=True)
    out["artifacts"] = {}
    for a in arts:
        scan = None
        if a.scan_overview:
            s = next(iter(a.scan_overview.values()))
            # the generated model may keep the overview as a plain dict
            s = s if isinstance(s, dict) else s.to_dict()
            scan = {"status": s.get("scan_status"), "summary": (s.get("summary") or {}).get("summary")}
        out["artifacts"][a.digest] = {
            "size": a.size, "push_time": when(a.push_time), "pull_time": when(a.pull_time),
            "tags": [{"name": t.name, "immutable": t.immutable, "push_time": when(t.push_time),
                      "pull_time": when(t.pull_time)} for t in (a.tags or [])],
            "children": [r.child_digest for r in (a.references or [])],
            "accessories": [{"digest": x.digest, "type": x.type} for x in (a.accessories or [])],
            "scan": scan,
        }
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
