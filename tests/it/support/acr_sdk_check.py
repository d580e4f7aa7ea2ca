"""Reads the fake ACR with Microsoft's own client, azure-containerregistry (pinned in
scripts/install-test-deps.sh), and prints what it saw as JSON for tests/it/acr_sdk.rs.

Usage: acr_sdk_check.py ENDPOINT AAD_TOKEN

The SDK authenticates as it does against Azure: on each 401 it parses the Bearer
challenge, exchanges the AAD token at /oauth2/exchange for a refresh token, and that at
/oauth2/token for an access token with the challenge's scope. The anonymous client uses
the password grant with an empty refresh token.
"""
import json
import sys

import azure.containerregistry._authentication_policy as auth_policy
from azure.containerregistry import ContainerRegistryClient
from azure.core.credentials import AccessToken

# The SDK refuses to send a Bearer token over plain HTTP; the fake serves loopback HTTP.
auth_policy._enforce_https = lambda request: None

endpoint, aad = sys.argv[1], sys.argv[2]


class AadToken:
    def get_token(self, *scopes, **kwargs):
        return AccessToken(aad, 4102444800)


def seen(client):
    out = {"repos": list(client.list_repository_names(results_per_page=1))}
    props = client.get_repository_properties("app")
    out["repo"] = {"name": props.name, "tags": props.tag_count, "manifests": props.manifest_count}
    out["tags"] = {
        t.name: {
            "digest": t.digest,
            "created": t.created_on.isoformat(),
            "updated": t.last_updated_on.isoformat(),
            "can_write": t.can_write,
            "can_delete": t.can_delete,
        }
        for t in client.list_tag_properties("app", results_per_page=2)
    }
    out["manifests"] = {
        m.digest: {
            "tags": m.tags,
            "size": m.size_in_bytes,
            "architecture": m.architecture,
            "os": m.operating_system,
            "can_delete": m.can_delete,
        }
        for m in client.list_manifest_properties("app")
    }
    return out


with ContainerRegistryClient(endpoint, AadToken(), audience="https://management.azure.com") as c:
    result = seen(c)
    updated = c.update_tag_properties("app", "latest", can_write=False)
    result["updated_latest_can_write"] = updated.can_write
    m = c.get_manifest_properties("app", "v1")
    result["v1_manifest_created"] = m.created_on.isoformat()

with ContainerRegistryClient(endpoint, None, audience="https://management.azure.com") as anon:
    result["anonymous_repos"] = list(anon.list_repository_names())

print(json.dumps(result))
