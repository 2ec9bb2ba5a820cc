"""`helm install` on the real control plane (etcd + kube-apiserver + controller-manager).

Helm's own engine installs the chart (CRD from crds/, then everything else) with the
Prometheus Operator's API served by stand-in CRDs, so the guarded monitors are created too;
every rendered object is first checked by the server with strict field validation.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client
from kubernetes.client.rest import ApiException

helm = pytest.importorskip("helm_python", reason="needs PyPI helm-python-sdk")

CHART = Path(__file__).resolve().parents[2] / "deploy" / "helm" / "p2pnet"
CI_FILES = sorted((CHART / "ci").glob("*-values.yaml"))
CLUSTER_KINDS = {"ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"}

pytestmark = pytest.mark.kube


def _stand_in_crd(kind: str, plural: str, spec: dict[str, Any]) -> dict[str, Any]:
    """A Prometheus Operator CRD with a subset of the upstream v1 schema (same field names)."""
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.monitoring.coreos.com"},
        "spec": {
            "group": "monitoring.coreos.com",
            "scope": "Namespaced",
            "names": {"kind": kind, "plural": plural, "singular": kind.lower()},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": spec}}},
                }
            ],
        },
    }


def _stand_in_crds() -> list[dict[str, Any]]:
    string = {"type": "string"}
    strings = {"type": "array", "items": string}
    string_map = {"type": "object", "additionalProperties": string}
    selector = {
        "type": "object",
        "properties": {
            "matchLabels": string_map,
            "matchExpressions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"key": string, "operator": string, "values": strings},
                },
            },
        },
    }
    namespaces = {
        "type": "object",
        "properties": {"any": {"type": "boolean"}, "matchNames": strings},
    }
    endpoint = {
        "type": "object",
        "properties": {"port": string, "path": string, "interval": string, "scheme": string},
    }
    rule = {
        "type": "object",
        "properties": {
            "alert": string,
            "record": string,
            "expr": {"x-kubernetes-int-or-string": True},
            "for": string,
            "labels": string_map,
            "annotations": string_map,
        },
    }

    def spec(**props: Any) -> dict[str, Any]:
        return {"type": "object", "properties": props}

    endpoints = {"type": "array", "items": endpoint}
    groups = {
        "type": "array",
        "items": spec(name=string, interval=string, rules={"type": "array", "items": rule}),
    }
    return [
        _stand_in_crd(
            "ServiceMonitor",
            "servicemonitors",
            spec(selector=selector, namespaceSelector=namespaces, endpoints=endpoints),
        ),
        _stand_in_crd(
            "PodMonitor",
            "podmonitors",
            spec(selector=selector, namespaceSelector=namespaces, podMetricsEndpoints=endpoints),
        ),
        _stand_in_crd("PrometheusRule", "prometheusrules", spec(groups=groups)),
    ]


def _wait(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.25)


@pytest.fixture(scope="module")
def monitoring_api(kube_api: client.ApiClient) -> None:
    ext = client.ApiextensionsV1Api(kube_api)
    for crd in _stand_in_crds():
        try:
            ext.create_custom_resource_definition(crd)  # type: ignore[arg-type]
        except ApiException as e:
            if e.status != 409:
                raise

    def established() -> bool:
        for crd in _stand_in_crds():
            got = ext.read_custom_resource_definition(crd["metadata"]["name"])
            conditions = {c.type: c.status for c in ((got.status and got.status.conditions) or [])}
            if conditions.get("Established") != "True":
                return False
        return True

    _wait(established, 60, "the monitoring.coreos.com CRDs to be established")


@pytest.fixture
def helm_config(controlplane: Any, namespace: str) -> Iterator[Any]:
    config = helm.Config(kubeconfig_path=str(controlplane.kubeconfig), namespace=namespace)
    try:
        yield config
    finally:
        config.close()


def _server_dry_run(controlplane: Any, docs: list[dict[str, Any]], tmp_path: Path) -> None:
    path = tmp_path / "rendered.yaml"
    path.write_text(yaml.safe_dump_all(docs))
    result = controlplane.kubectl(
        "create", "--dry-run=server", "--validate=strict", "-f", str(path), check=False, timeout=300
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("values_file", [None, *CI_FILES], ids=lambda p: p.name if p else "default")
@pytest.mark.usefixtures("monitoring_api")
def test_helm_install_creates_everything_and_uninstall_removes_it(
    values_file: Path | None,
    controlplane: Any,
    kube_api: client.ApiClient,
    namespace: str,
    helm_config: Any,
    helm_chart: Any,
    tmp_path: Path,
) -> None:
    values = helm_chart.ci_values(values_file) if values_file else {}
    release = f"r{uuid.uuid4().hex[:8]}"  # cluster-scoped names must not collide
    docs = helm_chart.render(
        values, name=release, namespace=namespace, api_versions=helm_chart.monitoring_apis
    )
    # The server accepts every object as rendered, refusing unknown fields (CRs included).
    _server_dry_run(controlplane, docs, tmp_path)

    with helm.Chart.load(CHART) as chart:
        installed = helm_config.install(chart, release, values, namespace=namespace, timeout=300)
    assert installed["status"] == "deployed"
    manifest = [d for d in yaml.safe_load_all(installed["manifest"]) if d]
    kinds = {d["kind"] for d in manifest}
    assert {"ServiceMonitor", "PodMonitor", "PrometheusRule"} <= kinds  # .Capabilities saw them
    assert sorted(d["kind"] + "/" + d["metadata"]["name"] for d in manifest) == sorted(
        d["kind"] + "/" + d["metadata"]["name"] for d in docs
    )
    path = tmp_path / "installed.yaml"
    path.write_text(installed["manifest"])
    got = controlplane.kubectl("get", "-f", str(path), "-o", "name", timeout=300).stdout.split()
    assert len(got) == len(manifest)
    crd = client.ApiextensionsV1Api(kube_api).read_custom_resource_definition(
        "p2pnetworks.p2pnet.io"
    )
    assert crd.spec.names.kind == "P2PNetwork"

    helm_config.uninstall(release)
    left = controlplane.kubectl("get", "-f", str(path), "-o", "name", check=False, timeout=300)
    assert left.stdout.strip() == "" or all(
        "terminating" in line.lower() for line in left.stdout.splitlines()
    ), left.stdout
    # The CRD stays (Helm never deletes crds/), so no P2PNetwork is lost with the release.
    client.ApiextensionsV1Api(kube_api).read_custom_resource_definition("p2pnetworks.p2pnet.io")


@pytest.mark.usefixtures("monitoring_api")
def test_stand_in_monitoring_crds_refuse_unknown_fields(
    controlplane: Any, namespace: str, tmp_path: Path
) -> None:
    """Positive control for the strict dry run above: a misspelt field is refused."""
    monitor = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": {"name": "typo", "namespace": namespace},
        "spec": {"selector": {}, "endpoint": [{"port": "metrics"}]},
    }
    path = tmp_path / "typo.yaml"
    path.write_text(yaml.safe_dump(monitor))
    result = controlplane.kubectl(
        "create", "--dry-run=server", "--validate=strict", "-f", str(path), check=False, timeout=300
    )
    assert result.returncode != 0
    assert 'unknown field "spec.endpoint"' in result.stderr
