"""The pinned, real Kubernetes control plane: version, kubectl, garbage collection, RBAC."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from p2pnet_testbed.kube.controlplane import (
    K8S_VERSION,
    BinariesMissingError,
    ControlPlane,
    bin_dir,
)

REPO = Path(__file__).resolve().parents[2]


def _eventually(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.25)


def test_pinned_version_matches_go_mod() -> None:
    go_mod = (REPO / "hack" / "controlplane" / "go.mod").read_text()
    m = re.search(r"^\s*k8s\.io/kubernetes\s+(v\S+)", go_mod, re.M)
    assert m, "hack/controlplane/go.mod does not require k8s.io/kubernetes"
    assert m.group(1) == K8S_VERSION
    staging = re.findall(r"^\s*(k8s\.io/\S+)\s+=>\s+\S+\s+(v\S+)", go_mod, re.M)
    assert staging, "no k8s.io/* staging replaces"
    minor = K8S_VERSION.split(".", 1)[1]  # "37.2"
    assert {v for _, v in staging} == {f"v0.{minor}"}


def test_bin_dir_missing_names_build_script(tmp_path: Path) -> None:
    with pytest.raises(BinariesMissingError, match=r"hack/build-controlplane\.sh"):
        bin_dir(tmp_path)


@pytest.mark.kube
def test_apiserver_reports_pinned_version(
    controlplane: ControlPlane, kube_api: client.ApiClient
) -> None:
    info = client.VersionApi(kube_api).get_code()
    assert info.git_version == K8S_VERSION == controlplane.version
    assert (info.major, info.minor) == tuple(K8S_VERSION[1:].split(".")[:2])


@pytest.mark.kube
def test_kubectl_applies_configmap(
    controlplane: ControlPlane, kube_api: client.ApiClient, namespace: str, tmp_path: Path
) -> None:
    client_version = json.loads(controlplane.kubectl("version", "--client", "-o", "json").stdout)
    assert client_version["clientVersion"]["gitVersion"] == K8S_VERSION

    manifest = tmp_path / "cm.yaml"
    manifest.write_text(
        "apiVersion: v1\n"
        "kind: ConfigMap\n"
        "metadata:\n"
        "  name: applied\n"
        f"  namespace: {namespace}\n"
        "data:\n"
        "  greeting: hello\n"
    )
    out = controlplane.kubectl("apply", "-f", str(manifest)).stdout
    assert "configmap/applied created" in out
    # Re-applying the same object is a no-op, as with any real server.
    assert "unchanged" in controlplane.kubectl("apply", "-f", str(manifest)).stdout

    cm = client.CoreV1Api(kube_api).read_namespaced_config_map("applied", namespace)
    assert cm.data == {"greeting": "hello"}


@pytest.mark.kube
def test_garbage_collector_deletes_orphaned_dependent(
    kube_api: client.ApiClient, namespace: str
) -> None:
    core = client.CoreV1Api(kube_api)
    owner = core.create_namespaced_config_map(
        namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="owner"))
    )
    assert owner.metadata is not None and owner.metadata.uid
    ref = client.V1OwnerReference(
        api_version="v1", kind="ConfigMap", name="owner", uid=owner.metadata.uid
    )
    core.create_namespaced_config_map(
        namespace,
        client.V1ConfigMap(metadata=client.V1ObjectMeta(name="dependent", owner_references=[ref])),
    )
    core.delete_namespaced_config_map("owner", namespace)

    def dependent_gone() -> bool:
        try:
            core.read_namespaced_config_map("dependent", namespace)
        except ApiException as e:
            if e.status == 404:
                return True
            raise
        return False

    # Only kube-controller-manager's garbage collector deletes it.
    _eventually(dependent_gone, 90, "the garbage collector to delete the dependent ConfigMap")


@pytest.mark.kube
def test_rbac_forbids_unbound_service_account(
    controlplane: ControlPlane, kube_api: client.ApiClient, namespace: str
) -> None:
    core = client.CoreV1Api(kube_api)
    core.create_namespaced_service_account(
        namespace, client.V1ServiceAccount(metadata=client.V1ObjectMeta(name="nobody"))
    )
    user = f"system:serviceaccount:{namespace}:nobody"

    as_sa = config.new_client_from_config(config_file=str(controlplane.kubeconfig))
    as_sa.set_default_header("Impersonate-User", user)
    try:
        with pytest.raises(ApiException) as denied:
            client.CoreV1Api(as_sa).list_namespaced_config_map(namespace)
        assert denied.value.status == 403
        assert user in (denied.value.body or "")

        # Positive control: a RoleBinding is honoured, so the 403 above was RBAC deciding.
        rbac = client.RbacAuthorizationV1Api(kube_api)
        rbac.create_namespaced_role(
            namespace,
            client.V1Role(
                metadata=client.V1ObjectMeta(name="cm-reader"),
                rules=[
                    client.V1PolicyRule(
                        api_groups=[""], resources=["configmaps"], verbs=["get", "list"]
                    )
                ],
            ),
        )
        rbac.create_namespaced_role_binding(
            namespace,
            client.V1RoleBinding(
                metadata=client.V1ObjectMeta(name="cm-reader"),
                role_ref=client.V1RoleRef(
                    api_group="rbac.authorization.k8s.io", kind="Role", name="cm-reader"
                ),
                subjects=[
                    client.RbacV1Subject(kind="ServiceAccount", name="nobody", namespace=namespace)
                ],
            ),
        )

        def allowed() -> bool:
            try:
                client.CoreV1Api(as_sa).list_namespaced_config_map(namespace)
            except ApiException as e:
                if e.status == 403:
                    return False
                raise
            return True

        _eventually(allowed, 30, "the RoleBinding to take effect")
        # ... and only for what the Role grants.
        with pytest.raises(ApiException) as still_denied:
            client.CoreV1Api(as_sa).list_namespaced_secret(namespace)
        assert still_denied.value.status == 403
    finally:
        as_sa.close()

    can_i = controlplane.kubectl(
        "auth", "can-i", "delete", "configmaps", "-n", namespace, "--as", user, check=False
    )
    assert can_i.stdout.strip() == "no"
