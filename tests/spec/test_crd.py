"""The CRD is generated from the spec model: no drift, structural, same defaults."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from p2pnet_operator.spec import crd_manifest, crd_schema, crd_yaml, load_spec, load_spec_file
from p2pnet_operator.spec.rules import RULES

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "deploy" / "helm" / "p2pnet" / "crds" / "p2pnetworks.p2pnet.io.yaml"
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))


def test_committed_crd_matches_the_spec_model() -> None:
    assert COMMITTED.read_text() == crd_yaml(), "run: python hack/gen_crd.py"


def test_generator_script_writes_the_committed_file(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(REPO / "hack" / "gen_crd.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    assert (tmp_path / COMMITTED.name).read_text() == COMMITTED.read_text()


def test_committed_crd_is_one_plain_yaml_document() -> None:
    assert yaml.safe_load(COMMITTED.read_text()) == crd_manifest()
    assert "&id" not in COMMITTED.read_text()


def test_names_columns_and_subresources() -> None:
    crd = crd_manifest()
    assert crd["metadata"]["name"] == "p2pnetworks.p2pnet.io"
    names = crd["spec"]["names"]
    assert (names["kind"], names["plural"]) == ("P2PNetwork", "p2pnetworks")
    assert "p2pnet" in names["shortNames"]
    (version,) = crd["spec"]["versions"]
    assert version["name"] == "v1alpha1" and version["storage"] and version["served"]
    assert version["subresources"] == {"status": {}}
    columns = {c["name"]: c["jsonPath"] for c in version["additionalPrinterColumns"]}
    assert columns == {
        "Peers": ".spec.peers",
        "Ready": ".status.readyPeers",
        "Phase": ".status.phase",
        "Age": ".metadata.creationTimestamp",
    }
    status = version["schema"]["openAPIV3Schema"]["properties"]["status"]["properties"]
    assert {"phase", "readyPeers", "observedGeneration", "conditions", "churn"} <= set(status)
    assert "recentEvents" in status


def walk(schema: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    nodes = [(path, schema)]
    for name, sub in schema.get("properties", {}).items():
        nodes += walk(sub, f"{path}.{name}")
    if isinstance(schema.get("items"), dict):
        nodes += walk(schema["items"], f"{path}[]")
    if isinstance(schema.get("additionalProperties"), dict):
        nodes += walk(schema["additionalProperties"], f"{path}{{}}")
    return nodes


def test_schema_is_structural() -> None:
    root = crd_manifest()["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    assert "$ref" not in yaml.safe_dump(root)
    for path, node in walk(root):
        special = node.get("x-kubernetes-int-or-string") or node.get(
            "x-kubernetes-preserve-unknown-fields"
        )
        assert "type" in node or special, f"{path} has no type"
        if "anyOf" in node:
            assert node.get("x-kubernetes-int-or-string"), path
            assert node["anyOf"] == [{"type": "integer"}, {"type": "string"}], path
        if node.get("type") == "array":
            assert "items" in node, path
        for name in node.get("required", []):
            assert name in node["properties"], f"{path}.{name} required but not declared"
    preserved = [p for p, n in walk(root) if n.get("x-kubernetes-preserve-unknown-fields")]
    assert preserved == [".status.kopf"]


def test_every_cel_rule_is_in_the_schema() -> None:
    in_schema = {
        v["rule"] for _, n in walk(crd_schema()) for v in n.get("x-kubernetes-validations", [])
    }
    for rules in RULES.values():
        for rule in rules:
            if rule.cel:
                assert rule.cel in in_schema
    validations = crd_schema()["x-kubernetes-validations"]
    assert {"rule": "self.dht.k <= self.peers"}.items() <= validations[1].items()
    assert validations[1]["fieldPath"] == ".dht.k"


def apply_defaults(schema: dict[str, Any], value: Any) -> Any:
    """Structural defaulting as the API server does it (top-down, then into the value)."""
    if isinstance(value, dict) and "properties" in schema:
        for name, sub in schema["properties"].items():
            if name not in value and "default" in sub:
                value[name] = copy.deepcopy(sub["default"])
            if name in value:
                value[name] = apply_defaults(sub, value[name])
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        value = [apply_defaults(schema["items"], item) for item in value]
    return value


@pytest.mark.parametrize(
    "spec",
    [
        {"peers": 64},
        {
            "churn": {
                "enabled": True,
                "sessionTime": {"distribution": "weibull", "mean": "1m", "shape": 2},
            }
        },
        {"workload": {"files": [{"name": "f", "size": "1MiB", "downloaders": 3}]}},
    ],
)
def test_crd_defaults_are_the_python_defaults(spec: dict[str, Any]) -> None:
    python = load_spec(yaml.safe_dump({"name": "x", "spec": spec})).to_dict()["spec"]
    assert apply_defaults(crd_schema(), copy.deepcopy(spec)) == python


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_defaulted_by_the_crd_are_what_the_cli_loads(path: Path) -> None:
    written = yaml.safe_load(path.read_text())["spec"]
    assert apply_defaults(crd_schema(), written) == load_spec_file(path).to_dict()["spec"]
