"""Every object the operator emits (and the CRD, and the RBAC for the chart) passes
`kubernetes-validate --strict` for the pinned Kubernetes version, and the real API server
accepts it (server-side dry run, strict field validation)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from kubernetes import client

from p2pnet_operator import rbac
from p2pnet_operator.reconcile import ChurnState
from p2pnet_operator.render import RenderContext, desired_children, partition_policies
from p2pnet_operator.spec import crd_manifest
from p2pnet_testbed.kube.controlplane import K8S_VERSION

VALIDATE_VERSION = K8S_VERSION.lstrip("v").rsplit(".", 1)[0] + ".0"  # schemas per minor
FULL_SPEC = {
    "peers": 16,
    "bootstrapPeers": 2,
    "duration": "2m",
    "dht": {"preset": "local", "k": 4, "alpha": 2},
    "nat": {"fraction": 0.5, "relays": 2, "peersPerGroup": 2},
    "churn": {"enabled": True, "mode": "replace", "sessionTime": {"mean": "10s"}},
    "workload": {"files": [{"name": "f.bin", "size": "1MiB", "downloaders": 3}]},
}


def everything(ctx: RenderContext) -> list[dict[str, Any]]:
    owner = ctx.owner
    churned = ChurnState(down=frozenset({9}), generations={10: 2})
    return [
        *desired_children(ctx, churned),
        *partition_policies(ctx.name, ctx.namespace, owner, "split", [[0, 1, 4], [5, 6]]),
    ]


def rbac_objects(namespace: str) -> list[dict[str, Any]]:
    return [
        rbac.role(namespace),
        rbac.cluster_role("p2pnet-operator-test"),
        rbac.role_binding(namespace, "p2pnet-operator", namespace),
        rbac.cluster_role_binding("p2pnet-operator", namespace, "p2pnet-operator-test"),
    ]


def test_validator_version_matches_the_pinned_release() -> None:
    assert VALIDATE_VERSION == "1.37.0"


def test_emitted_objects_pass_kubernetes_validate_strict(
    ctx_factory: Callable[..., RenderContext],
) -> None:
    objects = [*everything(ctx_factory(FULL_SPEC)), *rbac_objects("ns"), crd_manifest()]
    kinds = {o["kind"] for o in objects}
    assert kinds >= {"Pod", "Service", "ConfigMap", "NetworkPolicy", "Role", "ClusterRole"}
    for obj in objects:
        kubernetes_validate.validate(obj, VALIDATE_VERSION, strict=True)


def test_the_cli_agrees(ctx_factory: Callable[..., RenderContext], tmp_path: Path) -> None:
    """The same check through the `kubernetes-validate --strict` command."""
    exe = shutil.which("kubernetes-validate", path=str(Path(sys.executable).parent))
    assert exe, "kubernetes-validate is not installed in this environment"
    files = []
    for i, obj in enumerate([*everything(ctx_factory(FULL_SPEC)), crd_manifest()]):
        path = tmp_path / f"{i}-{obj['kind']}.yaml"
        path.write_text(yaml.safe_dump(obj))
        files.append(str(path))
    result = subprocess.run(
        [exe, "--strict", "-k", VALIDATE_VERSION, "--quiet", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.kube
def test_api_server_accepts_every_emitted_object(
    kube_api: client.ApiClient, namespace: str, ctx_factory: Callable[..., RenderContext]
) -> None:
    custom = client.CustomObjectsApi(kube_api)
    owner = custom.create_namespaced_custom_object(
        "p2pnet.io",
        "v1alpha1",
        namespace,
        "p2pnetworks",
        {
            "apiVersion": "p2pnet.io/v1alpha1",
            "kind": "P2PNetwork",
            "metadata": {"name": "net"},
            "spec": FULL_SPEC,
        },
    )
    ctx = ctx_factory(FULL_SPEC, namespace=namespace)
    ctx = RenderContext(ctx.network, ctx.plan, namespace, owner, ctx.settings)
    core, net, authz = (
        client.CoreV1Api(kube_api),
        client.NetworkingV1Api(kube_api),
        client.RbacAuthorizationV1Api(kube_api),
    )
    create = {
        "Pod": lambda o, **kw: core.create_namespaced_pod(namespace, o, **kw),
        "Service": lambda o, **kw: core.create_namespaced_service(namespace, o, **kw),
        "ConfigMap": lambda o, **kw: core.create_namespaced_config_map(namespace, o, **kw),
        "NetworkPolicy": lambda o, **kw: net.create_namespaced_network_policy(namespace, o, **kw),
        "Role": lambda o, **kw: authz.create_namespaced_role(namespace, o, **kw),
        "RoleBinding": lambda o, **kw: authz.create_namespaced_role_binding(namespace, o, **kw),
        "ClusterRole": lambda o, **kw: authz.create_cluster_role(o, **kw),
        "ClusterRoleBinding": lambda o, **kw: authz.create_cluster_role_binding(o, **kw),
    }
    for obj in [*everything(ctx), *rbac_objects(namespace)]:
        create[obj["kind"]](obj, dry_run="All", field_validation="Strict")
