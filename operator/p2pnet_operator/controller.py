"""The reconcile loop's I/O glue: read the network and its children, run the pure parts
(spec validation, planner, renderers, diff, status), write the result.

One `Controller` per operator process; one `NetworkState` per P2PNetwork (kept in kopf's
per-object memo) holds its lock - change handlers and the churn timer never reconcile the
same network at once - and what the timer needs to decide whether to act.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kubernetes.client.rest import ApiException

from p2pnet_operator import planner
from p2pnet_operator.kubeapi import KubeApi
from p2pnet_operator.metrics import RECONCILES
from p2pnet_operator.reconcile import Changes, churn_state, diff, pod_ready
from p2pnet_operator.render import RenderContext, desired_children
from p2pnet_operator.render import labels as L
from p2pnet_operator.settings import OperatorSettings
from p2pnet_operator.spec import NetworkSpec, SpecError, from_dict
from p2pnet_operator.status import (
    Outcome,
    PeerCounts,
    churn_status,
    invalid_status,
    network_status,
    parse_timestamp,
    timestamp,
)

Obj = dict[str, Any]
log = logging.getLogger("p2pnet.operator")
# What each kind's list selects, besides the network label (partitions are left alone).
COMPONENTS = {
    "Pod": f"{L.COMPONENT} in ({L.PEER_COMPONENT},{L.RELAY_COMPONENT})",
    "Service": f"{L.COMPONENT}={L.DISCOVERY_COMPONENT}",
    "ConfigMap": f"{L.COMPONENT}={L.PLAN_COMPONENT}",
    "NetworkPolicy": f"{L.COMPONENT}={L.NAT_POLICY_COMPONENT}",
}


@dataclass
class NetworkState:
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_reconcile: float = float("-inf")  # monotonic seconds
    pending: bool = True  # the last reconcile left work (or errors) behind
    plan_key: str = ""
    plan: planner.Plan | None = None
    # The status this process last wrote: fresher than a body that kopf's watch has not
    # updated yet (never re-apply a churn event because the cursor read was stale).
    status: Obj | None = None

    def current_status(self, body: Mapping[str, Any]) -> Obj:
        if self.status is not None:
            return dict(self.status)
        return {k: v for k, v in _plain(body.get("status") or {}).items() if k != "kopf"}


@dataclass(frozen=True)
class Valid:
    network: NetworkSpec
    plan: planner.Plan


def resource_view(body: Mapping[str, Any]) -> Obj:
    """The custom resource as the spec loader takes it (plain dicts, no status)."""
    meta = body.get("metadata") or {}
    return {
        "apiVersion": body.get("apiVersion"),
        "kind": body.get("kind"),
        "metadata": {"name": meta.get("name")},
        "spec": _plain(body.get("spec")),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def spec_error_message(e: SpecError) -> str:
    return "; ".join(f"{p.path}: {p.message}" if p.path else p.message for p in e.problems)


class Controller:
    def __init__(
        self,
        api: KubeApi,
        settings: OperatorSettings,
        post_event: Callable[[Mapping[str, Any], str, str, str], None],
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.api = api
        self.settings = settings
        self.post_event = post_event
        self.now = now

    # -- validation and planning ----------------------------------------------------------

    def validate(self, body: Mapping[str, Any], state: NetworkState) -> Valid:
        """Raises SpecError. The plan is cached per spec."""
        view = resource_view(body)
        network = from_dict(view)
        key = repr(network.to_dict())
        if state.plan is None or state.plan_key != key:
            state.plan, state.plan_key = planner.plan(network), key
        return Valid(network, state.plan)

    # -- reconcile ------------------------------------------------------------------------

    def reconcile(
        self,
        body: Mapping[str, Any],
        state: NetworkState,
        *,
        status: Obj | None = None,
    ) -> None:
        """Converge the children on the spec and write the status. `status` overrides the
        body's (the churn timer passes the one it has just written)."""
        meta = body["metadata"]
        namespace, name, uid = meta["namespace"], meta["name"], meta["uid"]
        generation = int(meta.get("generation") or 0)
        old = status if status is not None else state.current_status(body)
        now = self.now()
        state.last_reconcile = time.monotonic()
        try:
            valid = self.validate(body, state)
        except SpecError as e:
            message = spec_error_message(e)
            log.warning("%s/%s: invalid spec: %s", namespace, name, message)
            invalid = {**old, **invalid_status(old, generation, message, now)}
            self.write_status(state, namespace, name, invalid)
            RECONCILES.labels("invalid").inc()
            state.pending = False
            return

        start = old.get("startTime") or timestamp(now, precise=True)
        churn = old.get("churn") or {}
        cursor = float(churn.get("cursorSeconds") or 0.0)
        ctx = RenderContext(valid.network, valid.plan, namespace, dict(body), self.settings)
        desired = desired_children(ctx, churn_state(valid.plan.events, cursor))
        try:
            observed = [
                obj
                for kind, selector in COMPONENTS.items()
                for obj in self.api.list_objects(kind, namespace, f"{L.NETWORK}={name},{selector}")
            ]
        except ApiException as e:
            error = f"list: {e.status} {e.reason}"
            log.error("%s/%s: %s", namespace, name, error)
            failed = Outcome(generation, PeerCounts(), Changes(), [error])
            self.write_status(state, namespace, name, {**old, **network_status(old, failed, now)})
            RECONCILES.labels("error").inc()
            state.pending = True
            return
        available = pod_ready if self.settings.operator_available_when == "ready" else _exists
        changes = diff(
            desired,
            observed,
            owner_uid=uid,
            max_unavailable=valid.plan.max_unavailable,
            available=available,
        )
        for action in changes.actions:
            log.info("%s/%s: %s", namespace, name, action)
        errors = self.api.apply(namespace, changes)
        for error in errors:
            log.error("%s/%s: %s", namespace, name, error)

        elapsed = (now - parse_timestamp(start)).total_seconds()
        outcome = Outcome(
            generation=generation,
            peers=PeerCounts.of(
                [d for d in desired if d["kind"] == "Pod"],
                [o for o in observed if o["kind"] == "Pod"],
                changes,
            ),
            changes=changes,
            errors=errors,
            completed=elapsed >= valid.network.spec.duration_s,
        )
        new = {**old, **network_status(old, outcome, now), "startTime": start}
        new["churn"] = churn_status(churn, valid.plan, cursor, (), now)
        self.write_status(state, namespace, name, new)
        RECONCILES.labels("error" if errors else "success").inc()
        state.pending = bool(errors) or not changes.in_sync

    def write_status(self, state: NetworkState, namespace: str, name: str, new: Obj) -> None:
        """Merge-patch the status if it changed (our keys only; kopf keeps its own)."""
        new.pop("kopf", None)
        if state.status == new:
            return
        self.api.patch_status(namespace, name, new)
        state.status = new


def _exists(pod: Obj) -> bool:
    return True
