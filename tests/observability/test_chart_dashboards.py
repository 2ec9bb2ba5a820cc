"""The chart ships exactly the dashboards in dashboards/ as ConfigMaps for Grafana's
sidecar, and the alert rules as a PrometheusRule where the Prometheus Operator's API is
served. Rendered by Helm's own engine (helm-python-sdk)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

helm_python = pytest.importorskip("helm_python")
from helm_python import _native  # noqa: E402  (render with API versions: not in the public API)

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "deploy" / "helm" / "p2pnet"
MONITORING_API = "monitoring.coreos.com/v1"


def render(
    values: dict[str, Any] | None = None, api_versions: list[str] | None = None
) -> list[dict[str, Any]]:
    chart = helm_python.Chart.load(str(CHART))
    try:
        opts: dict[str, Any] = {"name": "demo", "namespace": "obs"}
        if api_versions:
            opts["api_versions"] = api_versions
        raw = _native.call_string(
            "helm_render",
            chart._raw(),
            None if values is None else json.dumps(values),
            json.dumps(opts),
        )
    finally:
        chart.close()
    docs = []
    for path, text in json.loads(raw).items():
        if path.endswith(".yaml"):  # not NOTES.txt
            docs += [d for d in yaml.safe_load_all(text) if d]
    return docs


def dashboards(docs: list[dict[str, Any]], label: str = "grafana_dashboard") -> dict[str, str]:
    out: dict[str, str] = {}
    for d in docs:
        if d["kind"] == "ConfigMap" and label in d["metadata"].get("labels", {}):
            for key, text in d["data"].items():
                assert key not in out, f"{key} shipped twice"
                out[key] = text
    return out


def test_configmaps_hold_exactly_the_dashboards() -> None:
    docs = render()
    shipped = dashboards(docs)
    committed = {p.name: p.read_text() for p in (REPO / "dashboards").glob("*.json")}
    assert set(shipped) == set(committed)
    for name, text in committed.items():
        assert json.loads(shipped[name]) == json.loads(text), name
    for d in docs:
        if d["kind"] == "ConfigMap" and "grafana_dashboard" in d["metadata"]["labels"]:
            assert d["metadata"]["labels"]["grafana_dashboard"] == "1"
            assert d["metadata"]["namespace"] == "obs"
            assert len(d["data"]) == 1


def test_prometheus_rule_only_where_the_operator_api_is_served() -> None:
    assert not [d for d in render() if d["kind"] == "PrometheusRule"]
    rules = [d for d in render(api_versions=[MONITORING_API]) if d["kind"] == "PrometheusRule"]
    assert len(rules) == 1
    plain = yaml.safe_load((REPO / "dashboards" / "alerts" / "p2pnet-rules.yaml").read_text())
    assert rules[0]["spec"] == plain


def test_sidecar_label_is_overridable() -> None:
    schema = json.loads((CHART / "values.schema.json").read_text())
    monitoring = schema.get("properties", {}).get("monitoring", {}).get("properties", {})
    if "dashboards" not in monitoring:
        pytest.skip(
            "values.schema.json has no monitoring.dashboards yet (the chart's owner adds it)"
        )
    values = {"monitoring": {"dashboards": {"label": "my_dashboards", "labelValue": "yes"}}}
    docs = render(values)
    shipped = dashboards(docs, label="my_dashboards")
    assert set(shipped) == {p.name for p in (REPO / "dashboards").glob("*.json")}
    assert not dashboards(docs)  # the default label is gone
