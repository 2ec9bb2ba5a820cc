"""Everything the chart renders passes `kubernetes-validate --strict` for Kubernetes 1.37.

kubernetes-validate knows only the built-in kinds; the Prometheus Operator's
ServiceMonitor, PodMonitor and PrometheusRule are checked by the real API server (test_install.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

kv = pytest.importorskip("kubernetes_validate", reason="needs PyPI kubernetes-validate")

CHART = Path(__file__).resolve().parents[2] / "deploy" / "helm" / "p2pnet"
CI_FILES = sorted((CHART / "ci").glob("*-values.yaml"))
K8S = "1.37"
SERVER_CHECKED = {"ServiceMonitor", "PodMonitor", "PrometheusRule"}


def test_pinned_schemas_are_the_control_planes_minor() -> None:
    assert kv.version.__version__ == "1.37.0"
    assert kv.latest_version() == K8S + ".0"


@pytest.mark.parametrize("values_file", [None, *CI_FILES], ids=lambda p: p.name if p else "default")
def test_rendered_objects_validate_strictly(values_file: Path | None, helm_chart: Any) -> None:
    values = helm_chart.ci_values(values_file) if values_file else None
    docs = helm_chart.render(values, api_versions=helm_chart.monitoring_apis, crds=True)
    checked = []
    for doc in docs:
        if doc["kind"] in SERVER_CHECKED:
            with pytest.raises(kv.SchemaNotFoundError):
                kv.validate(doc, K8S, strict=True)
            continue
        kv.validate(doc, K8S, strict=True)  # raises ValidationError naming the field
        checked.append(doc["kind"])
    assert {"CustomResourceDefinition", "Deployment", "ServiceAccount", "Service"} <= set(checked)


def test_the_cli_agrees(tmp_path: Path, helm_chart: Any) -> None:
    docs = [d for d in helm_chart.render(crds=True) if d["kind"] not in SERVER_CHECKED]
    manifest = tmp_path / "chart.yaml"
    manifest.write_text(yaml.safe_dump_all(docs))
    cli = [sys.executable, "-m", "kubernetes_validate", "--strict", "-k", K8S, str(manifest)]
    result = subprocess.run(cli, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_bad_object_is_caught() -> None:
    """Positive control: strict mode refuses a field Kubernetes does not have."""
    bad = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "x"},
        "automountToken": True,
    }
    with pytest.raises(kv.ValidationError, match="automountToken"):
        kv.validate(bad, K8S, strict=True)
