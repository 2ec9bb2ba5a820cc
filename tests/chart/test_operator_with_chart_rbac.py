"""The operator, started as the chart starts it and as the chart's ServiceAccount with only
the chart's RBAC, reconciles an example network on the real control plane.

The command is the operator image's ENTRYPOINT plus the Deployment's args, the environment
is the Deployment's env, and the credentials are a bound token of the chart's
ServiceAccount (TokenRequest): any permission the chart forgot is a 403 here.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client, config, utils
from kubernetes.client.rest import ApiException

from p2pnet_peer.cli import ENV as PEER_ENV
from p2pnet_testbed.kube.controlplane import free_ports
from p2pnet_testbed.kube.operator_process import service_account_kubeconfig

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "quickstart.yaml"

pytestmark = [pytest.mark.kube, pytest.mark.slow]


def _entrypoint(image: str) -> list[str]:
    text = (REPO / image / "Dockerfile").read_text()
    match = re.search(r"^ENTRYPOINT (\[.*\])$", text, re.M)
    assert match, f"{image}/Dockerfile has no exec-form ENTRYPOINT"
    argv: list[str] = json.loads(match.group(1))
    return argv


def _eventually(check: Callable[[], bool], timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if "forbidden" in log.read_text(errors="replace").lower():
            pytest.fail(f"the API server refused the operator:\n{log.read_text()[-4000:]}")
        if time.monotonic() > deadline:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}; operator log:\n{tail}")
        time.sleep(0.5)


@contextlib.contextmanager
def _operator(argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            yield proc
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


def _live(port: int) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def _create(api: client.ApiClient, doc: dict[str, Any]) -> None:
    """Create `doc`; one that exists already (the shared CRD) is fine."""
    try:
        utils.create_from_dict(api, doc)
    except utils.FailToCreateError as e:
        if any(x.status != 409 for x in e.api_exceptions):
            raise


def test_operator_reconciles_quickstart_with_only_the_charts_rbac(
    controlplane: Any, kube_api: client.ApiClient, namespace: str, helm_chart: Any, tmp_path: Path
) -> None:
    metrics_port, health_port = free_ports(2)
    values = {
        "rbac": {"scope": "namespace"},
        # No kubelet runs here: a created pod counts as available.
        "operator": {
            "availableWhen": "created",
            "metricsPort": metrics_port,
            "healthPort": health_port,
        },
    }
    release = "p2pnet"
    docs = helm_chart.render(values, name=release, namespace=namespace, crds=True)
    for doc in docs:
        if doc["kind"] in {"CustomResourceDefinition", "ServiceAccount", "Role", "RoleBinding"}:
            _create(kube_api, doc)
    deployment = helm_chart.one(docs, "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]

    sa = pod["serviceAccountName"]
    kubeconfig = service_account_kubeconfig(
        kube_api, controlplane.kubeconfig, namespace, sa, tmp_path / "sa.kubeconfig"
    )
    as_sa = config.new_client_from_config(config_file=str(kubeconfig))
    with pytest.raises(ApiException) as denied:  # the token is the chart's SA, nothing more
        client.CoreV1Api(as_sa).list_namespaced_secret(namespace)
    assert denied.value.status == 403

    entry = _entrypoint("operator")
    assert entry[0] == "kopf"
    argv = [sys.executable, "-m", "kopf", *entry[1:], *container["args"]]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("P2PNET_", "KUBERNETES_"))}
    env.update({e["name"]: e["value"] for e in container["env"]})
    env["KUBECONFIG"] = str(kubeconfig)
    log = tmp_path / "operator.log"
    custom = client.CustomObjectsApi(kube_api)
    core = client.CoreV1Api(kube_api)
    network = yaml.safe_load(EXAMPLE.read_text())
    peers = network["spec"]["peers"]

    with _operator(argv, env, log) as proc:
        _eventually(lambda: _live(health_port) or proc.poll() is not None, 240, "liveness", log)
        assert proc.poll() is None, log.read_text()
        custom.create_namespaced_custom_object(
            "p2pnet.io", "v1alpha1", namespace, "p2pnetworks", network
        )

        def pods() -> list[Any]:
            selector = "p2pnet.io/network=quickstart"
            return list(core.list_namespaced_pod(namespace, label_selector=selector).items)

        _eventually(lambda: len(pods()) == peers, 300, f"{peers} peer pods", log)

        def status() -> dict[str, Any]:
            body = custom.get_namespaced_custom_object(
                "p2pnet.io", "v1alpha1", namespace, "p2pnetworks", "quickstart"
            )
            assert isinstance(body, dict)
            return dict(body.get("status") or {})

        _eventually(lambda: status().get("observedGeneration") == 1, 240, "status", log)
        assert status()["phase"] in {"Pending", "Running"}  # no kubelet: never Ready here
        core.read_namespaced_service("quickstart-peers", namespace)
        core.read_namespaced_config_map("quickstart-plan", namespace)
        sample = pods()[0].spec.containers[0]
        assert sample.image == "ghcr.io/p2pnet/p2pnet-peer:0.1.0"  # the chart's peer image
        # Peer pods run the peer image's entrypoint with P2PNET_* variables it reads.
        assert sample.command in (None, _entrypoint("peer"))
        known = {name for name, _ in PEER_ENV.values()} | {"POD_IP"}
        assert {e.name for e in sample.env} <= known
        assert proc.poll() is None, "the operator exited"

        # Deleting needs the operator too: it removes its finalizer, then the network goes.
        custom.delete_namespaced_custom_object(
            "p2pnet.io", "v1alpha1", namespace, "p2pnetworks", "quickstart"
        )

        def gone() -> bool:
            try:
                status()
            except ApiException as e:
                return e.status == 404
            return False

        _eventually(gone, 240, "the network's deletion", log)

    text = log.read_text(errors="replace")
    assert "forbidden" not in text.lower(), text[-4000:]
