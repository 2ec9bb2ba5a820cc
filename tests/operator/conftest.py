"""Fixtures for the operator tests.

Pure tests build networks from plain dicts (`make_ctx`). The `kube` tests run against the
pinned, real control plane - here started with an audit log, so tests can see exactly
which requests the operator made - and run the real operator (`kopf run`) in a
subprocess, as a ServiceAccount bound to exactly `p2pnet_operator.rbac.role()`.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from p2pnet_operator.planner import plan
from p2pnet_operator.render import RenderContext
from p2pnet_operator.settings import OperatorSettings
from p2pnet_operator.spec import from_dict
from p2pnet_operator.spec.crd import GROUP, PLURAL, VERSION
from p2pnet_testbed.kube.audit import AuditLog
from p2pnet_testbed.kube.controlplane import BinariesMissingError, ControlPlane, bin_dir
from p2pnet_testbed.kube.operator_process import (
    OperatorProcess,
    grant_operator_rbac,
    service_account_kubeconfig,
)

REPO = Path(__file__).resolve().parents[2]
CRD_FILE = REPO / "deploy" / "helm" / "p2pnet" / "crds" / "p2pnetworks.p2pnet.io.yaml"
OPERATOR_SA = "p2pnet-operator"
OWNER = {"metadata": {"name": "net", "uid": "00000000-0000-0000-0000-000000000001"}}
# Test settings: fast ticks; no kubelet runs, so a created pod counts as available.
TEST_ENV = {
    "P2PNET_OPERATOR_TICK_SECONDS": "0.5",
    "P2PNET_OPERATOR_RESYNC_SECONDS": "5",
    "P2PNET_OPERATOR_AVAILABLE_WHEN": "created",
}


# ------------------------------------------------------------------ pure helpers


def resource(name: str = "net", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "P2PNetwork",
        "metadata": {"name": name},
        "spec": spec,
    }


def make_ctx(
    spec: dict[str, Any] | None = None,
    namespace: str = "ns",
    settings: OperatorSettings | None = None,
) -> RenderContext:
    body = resource("net", **(spec or {"peers": 8, "dht": {"k": 4}}))
    network = from_dict(body)
    return RenderContext(network, plan(network), namespace, OWNER, settings or OperatorSettings())


@pytest.fixture
def ctx_factory() -> Callable[..., RenderContext]:
    return make_ctx


# ------------------------------------------------------------------ real control plane


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def audit(tmp_path_factory: pytest.TempPathFactory) -> AuditLog:
    return AuditLog(tmp_path_factory.mktemp("audit"))


@pytest.fixture(scope="session")
def controlplane(audit: AuditLog) -> Iterator[ControlPlane]:
    """The pinned control plane, with the audit log on, the CRD installed."""
    try:
        bins = bin_dir()
    except BinariesMissingError as e:
        if _in_ci():
            pytest.fail(f"CI is set and {e}", pytrace=False)
        pytest.skip(str(e))
    with ControlPlane(bins, start_timeout=300, extra_apiserver_args=audit.apiserver_args()) as cp:
        cp.kubectl("apply", "--server-side", "-f", str(CRD_FILE))
        cp.kubectl(
            "wait", "--for=condition=Established", "crd/p2pnetworks.p2pnet.io", "--timeout=120s"
        )
        yield cp


@pytest.fixture(scope="session")
def kube_api(controlplane: ControlPlane) -> Iterator[client.ApiClient]:
    api = config.new_client_from_config(config_file=str(controlplane.kubeconfig))
    try:
        yield api
    finally:
        api.close()


@pytest.fixture
def namespace(kube_api: client.ApiClient) -> Iterator[str]:
    core = client.CoreV1Api(kube_api)
    name = f"t-{uuid.uuid4().hex[:10]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    try:
        yield name
    finally:
        core.delete_namespace(name)


@pytest.fixture
def operator_kubeconfig(
    controlplane: ControlPlane, kube_api: client.ApiClient, namespace: str, tmp_path: Path
) -> Path:
    """A kubeconfig for the operator's ServiceAccount, bound to exactly rbac.role()."""
    grant_operator_rbac(kube_api, namespace, OPERATOR_SA)
    return service_account_kubeconfig(
        kube_api, controlplane.kubeconfig, namespace, OPERATOR_SA, tmp_path / "operator.kubeconfig"
    )


@pytest.fixture
def start_operator(
    operator_kubeconfig: Path, namespace: str, tmp_path: Path
) -> Iterator[Callable[..., OperatorProcess]]:
    """Start the real operator (more than once for restart tests); all stopped at the end,
    and the log's tail printed (pytest shows it when the test fails)."""
    started: list[OperatorProcess] = []
    log = tmp_path / "operator.log"

    def start(**env: str) -> OperatorProcess:
        op = OperatorProcess(operator_kubeconfig, namespace, log, env={**TEST_ENV, **env})
        op.start()
        started.append(op)
        return op

    yield start
    for op in started:
        op.stop()
    if log.exists():
        print("---- operator log (tail) ----")
        print("\n".join(log.read_text(errors="replace").splitlines()[-120:]))


def eventually(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.3) -> Any:
    """Poll `check` until it returns something truthy; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            last = check()
        except ApiException as e:
            if e.status != 404:
                raise
            last = None
        if last:
            return last
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")
        time.sleep(interval)


class Cluster:
    """Small admin-side helpers over the API for the tests."""

    def __init__(self, api: client.ApiClient, namespace: str) -> None:
        self.ns = namespace
        self.core = client.CoreV1Api(api)
        self.net = client.NetworkingV1Api(api)
        self.custom = client.CustomObjectsApi(api)

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = self.custom.create_namespaced_custom_object(
            GROUP, VERSION, self.ns, PLURAL, body
        )
        return out

    def get(self, name: str) -> dict[str, Any]:
        out: dict[str, Any] = self.custom.get_namespaced_custom_object(
            GROUP, VERSION, self.ns, PLURAL, name
        )
        return out

    def patch_spec(self, name: str, spec: dict[str, Any]) -> None:
        self.custom.patch_namespaced_custom_object(
            GROUP, VERSION, self.ns, PLURAL, name, {"spec": spec}
        )

    def delete(self, name: str) -> None:
        self.custom.delete_namespaced_custom_object(GROUP, VERSION, self.ns, PLURAL, name)

    def status(self, name: str) -> dict[str, Any]:
        return self.get(name).get("status") or {}

    def condition(self, name: str, type_: str) -> dict[str, Any]:
        for c in self.status(name).get("conditions") or []:
            if c["type"] == type_:
                return dict(c)
        return {}

    def pods(self, network: str) -> list[client.V1Pod]:
        return list(
            self.core.list_namespaced_pod(
                self.ns, label_selector=f"p2pnet.io/network={network}"
            ).items
        )

    def pod_names(self, network: str) -> set[str]:
        return {p.metadata.name for p in self.pods(network)}

    def events(self, name: str) -> list[client.CoreV1Event]:
        return list(
            self.core.list_namespaced_event(
                self.ns, field_selector=f"involvedObject.name={name}"
            ).items
        )


@pytest.fixture
def cluster(kube_api: client.ApiClient, namespace: str) -> Cluster:
    return Cluster(kube_api, namespace)


@pytest.fixture
def make_resource() -> Callable[..., dict[str, Any]]:
    return resource


@pytest.fixture
def wait() -> Callable[..., Any]:
    return eventually
