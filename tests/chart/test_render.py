"""The chart renders and lints with Helm's engine; its schema refuses bad values clearly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import helm_python as helm
import pytest

CHART = Path(__file__).resolve().parents[2] / "deploy" / "helm" / "p2pnet"
CI_FILES = sorted((CHART / "ci").glob("*-values.yaml"))
WARNING = 2  # helm lint severities: 1 info, 2 warning, 3 error


def _lint_problems(values: dict[str, Any] | None) -> list[dict[str, Any]]:
    report = helm.lint(CHART, values, strict=True, kube_version="v1.37.2")
    assert report["total_charts_linted"] == 1
    return [m for m in report["messages"] if m["severity"] >= WARNING] + [
        {"error": e} for e in report["errors"]
    ]


def test_there_are_ci_values_files() -> None:
    names = {p.name for p in CI_FILES}
    assert {"namespaced-values.yaml", "monitoring-values.yaml", "kind-values.yaml"} <= names


@pytest.mark.parametrize("values_file", [None, *CI_FILES], ids=lambda p: p.name if p else "default")
def test_lints_clean(values_file: Path | None, helm_chart: Any) -> None:
    values = helm_chart.ci_values(values_file) if values_file else None
    assert _lint_problems(values) == []


@pytest.mark.parametrize("values_file", [None, *CI_FILES], ids=lambda p: p.name if p else "default")
def test_renders_the_operator_and_its_permissions(
    values_file: Path | None, helm_chart: Any
) -> None:
    values = helm_chart.ci_values(values_file) if values_file else None
    docs = helm_chart.render(values, api_versions=helm_chart.monitoring_apis)
    kinds = sorted({d["kind"] for d in docs})
    assert {"Deployment", "ServiceAccount", "Service", "ServiceMonitor", "PodMonitor"} <= set(kinds)
    assert {"ClusterRole", "ClusterRoleBinding"} <= set(kinds) or {
        "Role",
        "RoleBinding",
    } <= set(kinds)
    for doc in docs:
        labels = doc["metadata"]["labels"]
        assert labels["app.kubernetes.io/name"] == "p2pnet", doc["kind"]
        assert labels["app.kubernetes.io/instance"] == "p2pnet"
        assert labels["app.kubernetes.io/managed-by"] == "Helm"
        assert labels["app.kubernetes.io/version"] == "0.1.0"
        assert labels["helm.sh/chart"] == "p2pnet-0.1.0"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"rbac": {"scope": "everywhere"}}, "at '/rbac/scope': value must be one of"),
        ({"operator": {"metricsPort": 70000}}, "at '/operator/metricsPort': maximum"),
        ({"networkDefaults": {"logLevel": "loud"}}, "at '/networkDefaults/logLevel'"),
        (
            {"networkDefaults": {"resources": {"limits": {"cpu": "1"}}}},
            "at '/networkDefaults/resources/limits': additional properties 'cpu' not allowed",
        ),
        ({"peer": {"image": {"digest": "latest"}}}, "at '/peer/image/digest'"),
        ({"peer": {"image": {"pullPolicy": "Sometimes"}}}, "at '/peer/image/pullPolicy'"),
        ({"operator": {"tickSeconds": 0}}, "at '/operator/tickSeconds'"),
        ({"operator": {"resources": {"requests": {"memory": "lots"}}}}, "does not match pattern"),
        ({"rbac": {"namespaces": ["Not_A_Namespace"]}}, "at '/rbac/namespaces/0'"),
        ({"monitoring": {"interval": "soon"}}, "at '/monitoring/interval'"),
        ({"replicas": 2}, "additional properties 'replicas' not allowed"),
    ],
)
def test_schema_rejects_bad_values(values: dict[str, Any], message: str, helm_chart: Any) -> None:
    with pytest.raises(helm.HelmValuesError, match="schema") as refused:
        helm_chart.render(values)
    assert message in str(refused.value)
    # `helm lint` (what `helm install` runs first) refuses them too, with the same words.
    assert any(message in p["error"] for p in _lint_problems(values))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"networkDefaults": {"metricsPort": 7000}}, "grpcPort and networkDefaults.metricsPort"),
        ({"operator": {"healthPort": 8080}}, "metricsPort and operator.healthPort must differ"),
        ({"rbac": {"namespaces": ["a"]}}, "rbac.namespaces: only with rbac.scope=namespace"),
        (
            {"serviceAccount": {"create": False}},
            "serviceAccount.name: required when serviceAccount.create is false",
        ),
    ],
)
def test_template_checks_reject_inconsistent_values(
    values: dict[str, Any], message: str, helm_chart: Any
) -> None:
    with pytest.raises(helm.HelmRenderError, match="execution error") as refused:
        helm_chart.render(values)
    assert message in str(refused.value)


def test_every_values_key_is_in_the_schema(helm_chart: Any) -> None:
    """additionalProperties is false everywhere, so the defaults pass only if described."""
    helm_chart.chart.validate_schema(helm_chart.chart.values)
    schema = helm_chart.chart.schema
    assert schema is not None and schema["additionalProperties"] is False


def test_release_name_shapes_object_names(helm_chart: Any) -> None:
    docs = helm_chart.render(name="lab")
    assert helm_chart.one(docs, "Deployment")["metadata"]["name"] == "lab-p2pnet-operator"
    docs = helm_chart.render({"fullnameOverride": "pn"}, name="lab")
    assert helm_chart.one(docs, "Deployment")["metadata"]["name"] == "pn-operator"
