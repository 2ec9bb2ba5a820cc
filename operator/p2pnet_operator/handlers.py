"""kopf handlers: thin. Run as `kopf run -m p2pnet_operator.handlers` (see operator/RBAC.md).

- create / resume / spec update -> reconcile (scale, knob rolls, invalid-spec condition);
- a timer per network (every P2PNET_OPERATOR_TICK_SECONDS) -> churn, retries, resync;
- deletion: nothing to do, every child has an ownerReference and the garbage collector
  removes it (kopf keeps a finalizer while the timer runs, and drops it on deletion);
- liveness: kopf's `--liveness` endpoint, with the probe below in its JSON.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any, cast

import kopf

from p2pnet_operator import churn_timer, metrics
from p2pnet_operator.controller import Controller, NetworkState
from p2pnet_operator.kubeapi import KubeApi, load_client
from p2pnet_operator.settings import OperatorSettings
from p2pnet_operator.spec.crd import GROUP, PLURAL, VERSION

SETTINGS = OperatorSettings.from_env()
RESOURCE = (GROUP, VERSION, PLURAL)
_controller: Controller | None = None
_memo_lock = threading.Lock()


class _QuietTimer(logging.Filter):
    """Drop kopf's "Timer 'churn' succeeded." line: it would be logged every tick."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Timer 'churn' succeeded" not in record.getMessage()


def _post_event(body: Mapping[str, Any], type_: str, reason: str, message: str) -> None:
    kopf.event(cast(kopf.Body, body), type=type_, reason=reason, message=message)


def _state(memo: kopf.Memo) -> NetworkState:
    with _memo_lock:
        if "network" not in memo:
            memo["network"] = NetworkState()
        state: NetworkState = memo["network"]
        return state


def _ctl() -> Controller:
    if _controller is None:
        raise kopf.TemporaryError("the operator is still starting", delay=1)
    return _controller


@kopf.on.startup()
def configure(settings: kopf.OperatorSettings, **_: Any) -> None:
    global _controller
    settings.peering.standalone = True  # one replica; no KopfPeering resources needed
    settings.scanning.disabled = True  # the CRD is installed first (Helm crds/)
    settings.persistence.finalizer = f"{GROUP}/operator"
    logging.getLogger("kopf.objects").addFilter(_QuietTimer())
    api = KubeApi(
        load_client(SETTINGS.operator_write_concurrency), SETTINGS.operator_write_concurrency
    )
    _controller = Controller(api, SETTINGS, _post_event)
    metrics.serve(SETTINGS.operator_metrics_port)


@kopf.on.create(*RESOURCE)
@kopf.on.resume(*RESOURCE)
@kopf.on.update(*RESOURCE, field="spec")
def reconcile(body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    state = _state(memo)
    with state.lock:
        _ctl().reconcile(body, state)


@kopf.timer(*RESOURCE, interval=SETTINGS.operator_tick_seconds)
def churn(body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    churn_timer.tick(_ctl(), body, _state(memo))


@kopf.on.probe(id="reconciles")
def reconciles(**_: Any) -> int:
    return int(
        sum(
            s.value
            for m in metrics.RECONCILES.collect()
            for s in m.samples
            if s.name.endswith("_total")
        )
    )
