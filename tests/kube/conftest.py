"""Fixtures for tests against the real, pinned Kubernetes control plane.

The binaries come from `bash hack/build-controlplane.sh`. Without them these tests are
skipped locally, but in CI (env CI set) a missing build is a failure, never a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from kubernetes import client, config

from p2pnet_testbed.kube.controlplane import BinariesMissingError, ControlPlane, bin_dir


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def controlplane() -> Iterator[ControlPlane]:
    try:
        bins = bin_dir()
    except BinariesMissingError as e:
        if _in_ci():
            pytest.fail(f"CI is set and {e}", pytrace=False)
        pytest.skip(str(e))
    with ControlPlane(bins) as cp:
        yield cp


@pytest.fixture(scope="session")
def kube_api(controlplane: ControlPlane) -> Iterator[client.ApiClient]:
    """A `kubernetes.client.ApiClient` authenticated as the admin (system:masters)."""
    api = config.new_client_from_config(config_file=str(controlplane.kubeconfig))
    try:
        yield api
    finally:
        api.close()


@pytest.fixture
def namespace(kube_api: client.ApiClient) -> Iterator[str]:
    """A fresh namespace per test, deleted afterwards (asynchronously)."""
    core = client.CoreV1Api(kube_api)
    name = f"t-{uuid.uuid4().hex[:10]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    try:
        yield name
    finally:
        core.delete_namespace(name)
