"""Operator settings from the environment, and the RBAC rules the chart renders."""

from __future__ import annotations

from pathlib import Path

import pytest

from p2pnet_operator import rbac
from p2pnet_operator.settings import OperatorSettings, describe


def test_defaults_and_env_overrides() -> None:
    assert OperatorSettings.from_env({}) == OperatorSettings()
    s = OperatorSettings.from_env(
        {
            "P2PNET_PEER_IMAGE": "registry.local/p2pnet:dev",
            "P2PNET_OPERATOR_TICK_SECONDS": "0.25",
            "P2PNET_OPERATOR_WRITE_CONCURRENCY": "16",
            "P2PNET_OPERATOR_AVAILABLE_WHEN": "created",
        }
    )
    assert s.peer_image == "registry.local/p2pnet:dev"
    assert (s.operator_tick_seconds, s.operator_write_concurrency) == (0.25, 16)
    assert s.operator_available_when == "created"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"P2PNET_PEER_GRPC_PORT": "seven"}, "P2PNET_PEER_GRPC_PORT: expected int"),
        ({"P2PNET_PEER_GRPC_PORT": "70000"}, "must be a port"),
        ({"P2PNET_PEER_METRICS_PORT": "7000"}, "must differ"),
        ({"P2PNET_OPERATOR_TICK_SECONDS": "0"}, "must be > 0"),
        ({"P2PNET_OPERATOR_AVAILABLE_WHEN": "soon"}, "must be one of ready, created"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OperatorSettings.from_env(env)


def test_every_setting_is_documented() -> None:
    rows = describe()
    assert len(rows) == len(OperatorSettings.__dataclass_fields__)
    assert all(var.startswith("P2PNET_") and doc for var, _, doc in rows)


def test_rbac_rules_render_as_role_and_cluster_role() -> None:
    rules = rbac.policy_rules()
    assert rbac.role("ns")["rules"] == rules == rbac.cluster_role()["rules"]
    assert {"apiGroups": [""], "resources": ["events"], "verbs": ["create"]} in rules
    assert rbac.allows("p2pnet.io", "p2pnetworks/status", "patch")
    assert not rbac.allows("", "secrets", "get")
    assert not any("get" in r.verbs or "*" in r.verbs for r in rbac.RULES), "list/watch only"
    binding = rbac.role_binding("ns", "p2pnet-operator", "ns")
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "p2pnet-operator", "namespace": "ns"}
    ]
    assert rbac.cluster_role_binding("sa", "ops")["roleRef"]["kind"] == "ClusterRole"


def test_rbac_md_documents_every_rule() -> None:
    text = (Path(__file__).resolve().parents[2] / "operator" / "RBAC.md").read_text()
    rows = {}
    for line in text.splitlines():
        cells = [c.strip().strip("`") for c in line.strip("|").split("|")]
        if len(cells) == 4 and cells[2] and cells[2][0].islower() and cells[1] != "Resource":
            group = "" if cells[0].startswith('""') else cells[0]
            rows[(group, cells[1])] = tuple(v.strip() for v in cells[2].split(","))
    assert rows == {(r.api_group, r.resource): r.verbs for r in rbac.RULES}
