"""The operator's few Kubernetes API calls, on the official client, bodies as plain dicts.

Responses are not deserialised into model objects (`_preload_content=False`): lists are
parsed as JSON, writes only need their status code; each response is drained so its
keep-alive connection goes back to the pool. Writes are idempotent: creating what
exists (409) and deleting what is gone (404, or a uid precondition that no longer holds)
are successes, so a reconcile interrupted anywhere can simply run again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kubernetes import client, config
from kubernetes.client.rest import ApiException

from p2pnet_operator.metrics import API_REQUESTS
from p2pnet_operator.reconcile import Action, Changes
from p2pnet_operator.spec.crd import GROUP, PLURAL, VERSION

Obj = dict[str, Any]
MERGE_PATCH = "application/merge-patch+json"
# kind -> (resource, apiVersion, client attribute, method suffix)
KINDS = {
    "Pod": ("pods", "v1", "core", "pod"),
    "Service": ("services", "v1", "core", "service"),
    "ConfigMap": ("configmaps", "v1", "core", "config_map"),
    "NetworkPolicy": ("networkpolicies", "networking.k8s.io/v1", "networking", "network_policy"),
}


def load_client(concurrency: int = 8) -> client.ApiClient:
    """In-cluster credentials if present, else the kubeconfig ($KUBECONFIG), as kopf does."""
    try:
        config.load_incluster_config()
    except config.ConfigException:
        config.load_kube_config()
    configuration = client.Configuration.get_default_copy()
    configuration.connection_pool_maxsize = max(4, concurrency)
    return client.ApiClient(configuration)


class KubeApi:
    def __init__(self, api_client: client.ApiClient, concurrency: int = 8) -> None:
        self.core = client.CoreV1Api(api_client)
        self.networking = client.NetworkingV1Api(api_client)
        self.custom = client.CustomObjectsApi(api_client)
        self.concurrency = concurrency

    # -- reads --------------------------------------------------------------------------

    def _method(self, verb: str, kind: str) -> Callable[..., Any]:
        """e.g. ("create", "ConfigMap") -> CoreV1Api.create_namespaced_config_map"""
        resource, _, api, suffix = KINDS[kind]
        API_REQUESTS.labels(verb, resource).inc()
        method: Callable[..., Any] = getattr(getattr(self, api), f"{verb}_namespaced_{suffix}")
        return method

    def list_objects(self, kind: str, namespace: str, selector: str) -> list[Obj]:
        response = self._method("list", kind)(
            namespace, label_selector=selector, _preload_content=False
        )
        items: list[Obj] = json.loads(_drain(response)).get("items") or []
        for item in items:  # list items carry neither kind nor apiVersion
            item.setdefault("kind", kind)
            item.setdefault("apiVersion", KINDS[kind][1])
        return items

    # -- writes -------------------------------------------------------------------------

    def create(self, namespace: str, body: Obj) -> None:
        method = self._method("create", body["kind"])
        _tolerate(lambda: _drain(method(namespace, body, _preload_content=False)), 409)

    def delete(self, kind: str, namespace: str, name: str, uid: str | None = None) -> None:
        method = self._method("delete", kind)
        options = client.V1DeleteOptions(
            preconditions=client.V1Preconditions(uid=uid) if uid else None
        )
        # 409: the uid precondition failed, i.e. that object is already gone.
        _tolerate(
            lambda: _drain(method(name, namespace, body=options, _preload_content=False)), 404, 409
        )

    def patch(self, kind: str, namespace: str, name: str, body: Obj) -> None:
        method = self._method("patch", kind)
        _drain(method(name, namespace, body, _preload_content=False, _content_type=MERGE_PATCH))

    def patch_status(self, namespace: str, name: str, status: Obj) -> None:
        """Merge-patch the P2PNetwork's status subresource (keys not given are kept)."""
        API_REQUESTS.labels("patch", f"{PLURAL}/status").inc()
        response = self.custom.patch_namespaced_custom_object_status(
            GROUP,
            VERSION,
            namespace,
            PLURAL,
            name,
            {"status": status},
            _preload_content=False,
            _content_type=MERGE_PATCH,
        )
        _drain(response)

    def apply(self, namespace: str, changes: Changes) -> list[str]:
        """Run the changes: deletes, then creates (everything but pods in order, then pods),
        then patches; each group in parallel where order does not matter. Returns one
        message per failed action (the others still run)."""
        errors: list[str] = []
        self._run(changes.deletes, namespace, errors)
        first = [a for a in changes.creates if a.kind != "Pod"]
        for action in first:
            self._run([action], namespace, errors)
        self._run([a for a in changes.creates if a.kind == "Pod"], namespace, errors)
        self._run(changes.patches, namespace, errors)
        return errors

    def _run(self, actions: Iterable[Action], namespace: str, errors: list[str]) -> None:
        actions = list(actions)
        if not actions:
            return

        def one(action: Action) -> str | None:
            try:
                if action.verb == "create":
                    assert action.body is not None
                    self.create(namespace, action.body)
                elif action.verb == "delete":
                    self.delete(action.kind, namespace, action.name, action.uid)
                else:
                    assert action.body is not None
                    self.patch(action.kind, namespace, action.name, action.body)
            except ApiException as e:
                return f"{action.verb} {action.kind}/{action.name}: {e.status} {_reason(e)}"
            return None

        if len(actions) == 1 or self.concurrency == 1:
            results = [one(a) for a in actions]
        else:
            with ThreadPoolExecutor(min(self.concurrency, len(actions))) as pool:
                results = list(pool.map(one, actions))
        errors.extend(r for r in results if r)


def _drain(response: Any) -> bytes:
    """Read an unparsed response to the end and hand its connection back to the pool:
    otherwise every request opens a new TLS connection (a handshake each, both sides)."""
    data: bytes = response.data
    response.release_conn()
    return data


def _tolerate(call: Callable[[], object], *statuses: int) -> None:
    try:
        call()
    except ApiException as e:
        if e.status not in statuses:
            raise


def _reason(e: ApiException) -> str:
    try:
        return str(json.loads(e.body or "{}").get("message") or e.reason)
    except ValueError:
        return str(e.reason)
