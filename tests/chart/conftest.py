"""The Helm chart, rendered by Helm's own Go engine (PyPI helm-python-sdk).

The `helm_chart` fixture renders like `helm template`: `render(values, namespace=...,
api_versions=...)` gives the manifests as dicts (CRDs from crds/ first with `crds=True`).
`api_versions` is `--api-versions` (what `.Capabilities.APIVersions` holds): the public
`Chart.render` of helm-python-sdk 0.2.2 does not take it, so the render options go to the
same native call (`helm_render`) directly.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

helm = pytest.importorskip("helm_python", reason="needs PyPI helm-python-sdk (the dev extra)")

REPO = Path(__file__).resolve().parents[2]
Manifest = dict[str, Any]


def _kube_fixtures() -> Any:
    """tests/kube's control-plane fixtures (controlplane, kube_api, namespace), shared here.
    Moving them to tests/conftest.py would let both folders use one control plane."""
    path = REPO / "tests" / "kube" / "conftest.py"
    spec = importlib.util.spec_from_file_location("p2pnet_chart_kube_fixtures", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_kube = _kube_fixtures()
controlplane = _kube.controlplane
kube_api = _kube.kube_api
namespace = _kube.namespace


class HelmChart:
    path = REPO / "deploy" / "helm" / "p2pnet"
    ci_values_files = sorted((path / "ci").glob("*-values.yaml"))
    kube_version = "v1.37.2"
    release = "p2pnet"
    namespace = "p2pnet-system"
    monitoring_apis = (
        "monitoring.coreos.com/v1",
        "monitoring.coreos.com/v1/ServiceMonitor",
        "monitoring.coreos.com/v1/PodMonitor",
    )

    def __init__(self, chart: Any) -> None:
        self.chart = chart

    def render_files(
        self,
        values: dict[str, Any] | None = None,
        *,
        name: str | None = None,
        namespace: str | None = None,
        api_versions: tuple[str, ...] = (),
    ) -> dict[str, str]:
        """Template path -> rendered text (NOTES.txt included)."""
        from helm_python import _native

        opts = {
            "name": name or self.release,
            "namespace": namespace or self.namespace,
            "is_install": True,
            "kube_version": self.kube_version,
            "api_versions": list(api_versions),
        }
        payload = None if values is None else json.dumps(values)
        raw = self.chart._raw()
        rendered: dict[str, str] = json.loads(
            _native.call_string("helm_render", raw, payload, json.dumps(opts))
        )
        return rendered

    def render(
        self,
        values: dict[str, Any] | None = None,
        *,
        name: str | None = None,
        namespace: str | None = None,
        api_versions: tuple[str, ...] = (),
        crds: bool = False,
    ) -> list[Manifest]:
        files = self.render_files(values, name=name, namespace=namespace, api_versions=api_versions)
        docs: list[Manifest] = [yaml.safe_load(c["data"]) for c in self.chart.crds] if crds else []
        for path in sorted(files):
            if path.endswith(".yaml"):
                docs.extend(d for d in yaml.safe_load_all(files[path]) if d)
        return docs

    @staticmethod
    def ci_values(path: Path) -> dict[str, Any]:
        loaded = yaml.safe_load(path.read_text()) or {}
        assert isinstance(loaded, dict), path
        return loaded

    @staticmethod
    def find(docs: list[Manifest], kind: str, name: str | None = None) -> list[Manifest]:
        return [
            d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)
        ]

    @classmethod
    def one(cls, docs: list[Manifest], kind: str) -> Manifest:
        found = cls.find(docs, kind)
        names = [d["metadata"]["name"] for d in found]
        assert len(found) == 1, f"expected one {kind}, got {names}"
        return found[0]


@pytest.fixture(scope="session")
def helm_chart() -> Iterator[HelmChart]:
    with helm.Chart.load(HelmChart.path) as loaded:
        yield HelmChart(loaded)
