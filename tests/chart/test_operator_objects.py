"""What the chart deploys matches what the operator documents: settings, RBAC, CRD, labels."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from p2pnet_operator import rbac
from p2pnet_operator.render import labels as L
from p2pnet_operator.settings import OperatorSettings, describe
from p2pnet_operator.spec import crd_yaml

REPO = Path(__file__).resolve().parents[2]
RULES_FILE = REPO / "deploy" / "helm" / "p2pnet" / "files" / "operator-rules.yaml"


def _container(docs: list[dict[str, Any]], helm_chart: Any) -> dict[str, Any]:
    pod = helm_chart.one(docs, "Deployment")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    return dict(container)


def _env(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container["env"]}


def test_operator_pod_is_locked_down(helm_chart: Any) -> None:
    docs = helm_chart.render()
    deployment = helm_chart.one(docs, "Deployment")
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    c = _container(docs, helm_chart)
    sc = c["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]}
    assert c["resources"]["requests"].keys() == {"cpu", "memory"}
    assert "memory" in c["resources"]["limits"]
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    assert ports == {"metrics": 8080, "health": 8081}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert c[probe]["httpGet"] == {"path": "/healthz", "port": "health"}, probe
    assert "--liveness=http://0.0.0.0:8081/healthz" in c["args"]
    assert "--standalone" in c["args"]  # kopf peering is off, so no peering RBAC is needed


def test_every_operator_setting_is_set_from_values(helm_chart: Any) -> None:
    env = _env(_container(helm_chart.render(), helm_chart))
    assert set(env) == {name for name, _, _ in describe()}
    settings = OperatorSettings.from_env(env)  # the operator accepts every value
    assert settings == OperatorSettings(peer_image="ghcr.io/p2pnet/p2pnet-peer:0.1.0")


def test_values_reach_the_operator_settings(helm_chart: Any) -> None:
    values = {
        "peer": {
            "image": {"repository": "registry.local/peer", "tag": "dev", "pullPolicy": "Never"}
        },
        "networkDefaults": {
            "grpcPort": 7100,
            "metricsPort": 9200,
            "logLevel": "debug",
            "resources": {
                "requests": {"cpu": "20m", "memory": "40Mi"},
                "limits": {"memory": "1Gi"},
            },
        },
        "clusterDomain": "lab.example",
        "operator": {"tickSeconds": 0.5, "resyncSeconds": 12, "writeConcurrency": 3},
    }
    env = _env(_container(helm_chart.render(values), helm_chart))
    s = OperatorSettings.from_env(env)
    assert (s.peer_image, s.peer_image_pull_policy) == ("registry.local/peer:dev", "Never")
    assert (s.peer_grpc_port, s.peer_metrics_port, s.peer_log_level) == (7100, 9200, "debug")
    assert (s.peer_cpu_request, s.peer_memory_request, s.peer_memory_limit) == (
        "20m",
        "40Mi",
        "1Gi",
    )
    assert s.cluster_domain == "lab.example"
    assert (s.operator_tick_seconds, s.operator_resync_seconds) == (0.5, 12.0)
    assert s.operator_write_concurrency == 3


def test_image_digest_wins_over_tag(helm_chart: Any) -> None:
    digest = "sha256:" + "ab" * 32
    docs = helm_chart.render({"operator": {"image": {"tag": "1.2.3", "digest": digest}}})
    assert _container(docs, helm_chart)["image"] == f"ghcr.io/p2pnet/p2pnet-operator@{digest}"
    docs = helm_chart.render({"operator": {"image": {"tag": "1.2.3"}}})
    assert _container(docs, helm_chart)["image"] == "ghcr.io/p2pnet/p2pnet-operator:1.2.3"


def test_cluster_scope_grants_exactly_the_documented_rules(helm_chart: Any) -> None:
    docs = helm_chart.render()
    assert not helm_chart.find(docs, "Role") and not helm_chart.find(docs, "RoleBinding")
    role = helm_chart.one(docs, "ClusterRole")
    assert role["rules"] == rbac.policy_rules()
    binding = helm_chart.one(docs, "ClusterRoleBinding")
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": role["metadata"]["name"],
    }
    sa = helm_chart.one(docs, "ServiceAccount")["metadata"]
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": sa["name"], "namespace": "p2pnet-system"}
    ]
    assert "--all-namespaces" in _container(docs, helm_chart)["args"]


def test_namespace_scope_grants_a_role_per_watched_namespace(helm_chart: Any) -> None:
    values = {"rbac": {"scope": "namespace", "namespaces": ["lab-a", "lab-b"]}}
    docs = helm_chart.render(values)
    assert not helm_chart.find(docs, "ClusterRole")
    assert not helm_chart.find(docs, "ClusterRoleBinding")
    roles = helm_chart.find(docs, "Role")
    assert sorted(r["metadata"]["namespace"] for r in roles) == ["lab-a", "lab-b"]
    assert all(r["rules"] == rbac.policy_rules() for r in roles)
    bindings = helm_chart.find(docs, "RoleBinding")
    assert sorted(b["metadata"]["namespace"] for b in bindings) == ["lab-a", "lab-b"]
    args = _container(docs, helm_chart)["args"]
    assert "--all-namespaces" not in args
    assert [a for a in args if a.startswith("--namespace=")] == [
        "--namespace=lab-a",
        "--namespace=lab-b",
    ]
    # Without a list: the release namespace.
    docs = helm_chart.render({"rbac": {"scope": "namespace"}}, namespace="lab-c")
    assert [r["metadata"]["namespace"] for r in helm_chart.find(docs, "Role")] == ["lab-c"]


def test_rbac_can_be_left_to_the_cluster_admin(helm_chart: Any) -> None:
    values = {"rbac": {"create": False}, "serviceAccount": {"create": False, "name": "ops"}}
    docs = helm_chart.render(values)
    kinds = {d["kind"] for d in docs}
    assert not kinds & {"Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"}
    assert "ServiceAccount" not in kinds
    pod = helm_chart.one(docs, "Deployment")["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "ops"


def test_chart_rules_file_is_generated_from_the_operator(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(REPO / "hack" / "gen_chart_rbac.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    generated = (tmp_path / RULES_FILE.name).read_text()
    assert RULES_FILE.read_text() == generated, "run: python hack/gen_chart_rbac.py"


def test_chart_ships_the_generated_crd_and_nothing_else(helm_chart: Any) -> None:
    (crd,) = helm_chart.chart.crds
    assert crd["name"] == "crds/p2pnetworks.p2pnet.io.yaml"
    assert crd["data"] == crd_yaml(), "run: python hack/gen_crd.py"
    assert not any("CustomResourceDefinition" in d["kind"] for d in helm_chart.render())


def test_monitors_only_where_the_prometheus_operator_api_is_served(helm_chart: Any) -> None:
    kinds = {d["kind"] for d in helm_chart.render()}
    assert not kinds & {"ServiceMonitor", "PodMonitor"}
    notes = helm_chart.render_files()["p2pnet/templates/NOTES.txt"]
    assert "does not serve monitoring.coreos.com/v1" in notes

    values = {"monitoring": {"labels": {"release": "kube-prometheus-stack"}}}
    docs = helm_chart.render(values, api_versions=helm_chart.monitoring_apis)
    for kind in ("ServiceMonitor", "PodMonitor"):
        labels = helm_chart.one(docs, kind)["metadata"]["labels"]
        assert labels["release"] == "kube-prometheus-stack", kind

    off = {"monitoring": {"serviceMonitor": {"enabled": False}, "podMonitor": {"enabled": False}}}
    kinds = {d["kind"] for d in helm_chart.render(off, api_versions=helm_chart.monitoring_apis)}
    assert not kinds & {"ServiceMonitor", "PodMonitor"}


def _matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        assert expr["operator"] == "In"
        if labels.get(expr["key"]) not in expr["values"]:
            return False
    return True


@pytest.mark.parametrize("scope", ["cluster", "namespace"])
def test_pod_monitor_selects_peers_and_relays_not_the_operator(scope: str, helm_chart: Any) -> None:
    docs = helm_chart.render({"rbac": {"scope": scope}}, api_versions=helm_chart.monitoring_apis)
    spec = helm_chart.one(docs, "PodMonitor")["spec"]
    for component in (L.PEER_COMPONENT, L.RELAY_COMPONENT):
        assert _matches(spec["selector"], L.common_labels("net", component)), component
    assert not _matches(spec["selector"], L.common_labels("net", L.PLAN_COMPONENT))
    operator_pod = helm_chart.one(docs, "Deployment")["spec"]["template"]["metadata"]
    assert not _matches(spec["selector"], operator_pod["labels"])
    assert spec["podMetricsEndpoints"][0]["port"] == "metrics"  # the operator's peer port name
    if scope == "cluster":
        assert spec["namespaceSelector"] == {"any": True}
    else:
        assert spec["namespaceSelector"] == {"matchNames": ["p2pnet-system"]}


def test_service_monitor_scrapes_the_operator_metrics_service(helm_chart: Any) -> None:
    docs = helm_chart.render(api_versions=helm_chart.monitoring_apis)
    service = helm_chart.one(docs, "Service")
    pod_labels = helm_chart.one(docs, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert _matches({"matchLabels": service["spec"]["selector"]}, pod_labels)
    monitor = helm_chart.one(docs, "ServiceMonitor")["spec"]
    assert _matches(monitor["selector"], service["metadata"]["labels"])
    assert monitor["endpoints"][0]["port"] == service["spec"]["ports"][0]["name"] == "metrics"
    assert monitor["namespaceSelector"] == {"matchNames": ["p2pnet-system"]}


def test_notes_tell_the_next_commands(helm_chart: Any) -> None:
    notes = helm_chart.render_files()["p2pnet/templates/NOTES.txt"]
    assert "kubectl -n p2pnet-system rollout status deployment/p2pnet-operator" in notes
    assert "kubectl apply -n default -f examples/quickstart.yaml" in notes
    assert "kubectl get p2pnet" in notes
    values = {"rbac": {"scope": "namespace", "namespaces": ["lab"]}}
    notes = helm_chart.render_files(values)["p2pnet/templates/NOTES.txt"]
    assert "kubectl apply -n lab -f examples/quickstart.yaml" in notes
