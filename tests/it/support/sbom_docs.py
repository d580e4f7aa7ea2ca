"""Writes two SBOMs with the formats' own reference libraries, and the expected package
changes between them, for tests/it/sbom_diff.rs.

A (SPDX 2.3 JSON, by spdx-tools) and B (CycloneDX 1.5 JSON, by cyclonedx-python-lib)
describe Debian bookworm images a point release apart, plus Python and npm packages.
Each document is validated by its library before it is written. The expectation is
computed here from the package lists, keyed by (purl type, name), without regscope.

usage: sbom_docs.py OUT_DIR
"""

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output.json import JsonV1Dot5
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from packageurl import PackageURL
from spdx_tools.spdx.model import (
    Actor,
    ActorType,
    CreationInfo,
    Document,
    ExternalPackageRef,
    ExternalPackageRefCategory,
    Package,
    Relationship,
    RelationshipType,
)
from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
from spdx_tools.spdx.writer.json.json_writer import write_document_to_file

# (purl type, namespace, name, version). Real bookworm versions.
A = [
    ("deb", "debian", "libc6", "2.36-9+deb12u4"),
    ("deb", "debian", "libssl3", "3.0.11-1~deb12u2"),
    ("deb", "debian", "openssl", "3.0.11-1~deb12u2"),
    ("deb", "debian", "zlib1g", "1:1.2.13.dfsg-1"),
    ("deb", "debian", "tzdata", "2024a-0+deb12u1"),
    ("deb", "debian", "ca-certificates", "20230311"),
    ("pypi", None, "urllib3", "1.26.18"),
    ("npm", None, "lodash", "4.17.20"),
]
B = [
    ("deb", "debian", "libc6", "2.36-9+deb12u7"),
    ("deb", "debian", "libssl3", "3.0.13-1~deb12u1"),
    ("deb", "debian", "openssl", "3.0.13-1~deb12u1"),
    ("deb", "debian", "zlib1g", "1:1.2.13.dfsg-1"),
    ("deb", "debian", "ca-certificates", "20230311"),
    ("deb", "debian", "curl", "7.88.1-10+deb12u5"),
    ("pypi", None, "urllib3", "2.2.2"),
    ("pypi", None, "requests", "2.32.3"),
    ("npm", None, "lodash", "4.17.21"),
]


def purl(t, ns, name, version):
    return PackageURL(type=t, namespace=ns, name=name, version=version).to_string()


def spdx(path):
    created = datetime(2026, 11, 1, tzinfo=timezone.utc)
    info = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id="SPDXRef-DOCUMENT",
        name="demo/app:v1",
        document_namespace="https://example.com/spdx/demo-app-v1",
        creators=[Actor(ActorType.TOOL, "regscope-test")],
        created=created,
    )
    # The image itself, as syft describes it: the document's root package.
    root = Package(
        spdx_id="SPDXRef-DocumentRoot-Image-demo-app",
        name="demo/app",
        download_location=SpdxNoAssertion(),
        version="sha256:0000",
    )
    pkgs = [root]
    rels = [Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, root.spdx_id)]
    for i, (t, ns, name, version) in enumerate(A):
        p = Package(
            spdx_id=f"SPDXRef-Package-{i}",
            name=name,
            download_location=SpdxNoAssertion(),
            version=version,
            external_references=[
                ExternalPackageRef(
                    ExternalPackageRefCategory.PACKAGE_MANAGER,
                    "purl",
                    purl(t, ns, name, version),
                )
            ],
        )
        pkgs.append(p)
        rels.append(Relationship(root.spdx_id, RelationshipType.CONTAINS, p.spdx_id))
    doc = Document(creation_info=info, packages=pkgs, relationships=rels)
    problems = validate_full_spdx_document(doc)
    assert not problems, problems
    write_document_to_file(doc, str(path), validate=True)


def cyclonedx(path):
    bom = Bom()
    bom.metadata.component = Component(
        name="demo/app", version="sha256:1111", type=ComponentType.CONTAINER
    )
    for t, ns, name, version in B:
        bom.components.add(
            Component(
                name=name,
                version=version,
                type=ComponentType.LIBRARY,
                purl=PackageURL(type=t, namespace=ns, name=name, version=version),
            )
        )
    text = JsonV1Dot5(bom).output_as_string(indent=2)
    err = JsonStrictValidator(SchemaVersion.V1_5).validate_str(text)
    assert err is None, err
    path.write_text(text)


def expected():
    a = {(t, n): v for t, _, n, v in A}
    b = {(t, n): v for t, _, n, v in B}
    entry = lambda k, v: {"name": k[1], "version": v, "ecosystem": k[0]}
    return {
        "added": sorted([entry(k, v) for k, v in b.items() if k not in a], key=lambda e: (e["ecosystem"], e["name"])),
        "removed": sorted([entry(k, v) for k, v in a.items() if k not in b], key=lambda e: (e["ecosystem"], e["name"])),
        "changed": sorted(
            [
                {"name": k[1], "version_a": a[k], "version_b": b[k], "ecosystem": k[0]}
                for k in a
                if k in b and a[k] != b[k]
            ],
            key=lambda e: (e["ecosystem"], e["name"]),
        ),
        "packages_a": len(A),
        "packages_b": len(B),
    }


out = Path(sys.argv[1])
spdx(out / "a.spdx.json")
cyclonedx(out / "b.cdx.json")
(out / "expected.json").write_text(json.dumps(expected(), indent=2))
