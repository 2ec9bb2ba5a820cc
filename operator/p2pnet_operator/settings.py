"""The operator's settings, read once from environment variables (the Helm chart sets them).

Every field `x` is read from `P2PNET_X` (upper case); `describe()` lists them with their
defaults and meanings (`python -m p2pnet_operator.settings` prints that table).

kopf's own flags stay flags: `--namespace`/`--all-namespaces`, `--liveness`
(`http://0.0.0.0:8081/healthz` in the chart), `--standalone`, `--verbose`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, cast

DEFAULT_PEER_IMAGE = "ghcr.io/p2pnet/p2pnet:0.1.0"
AVAILABLE_WHEN = ("ready", "created")


def _doc(default: object, doc: str) -> Any:
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True, kw_only=True)
class OperatorSettings:
    peer_image: str = _doc(DEFAULT_PEER_IMAGE, "image of peer and relay pods (runs p2pnet-peer)")
    peer_image_pull_policy: str = _doc("IfNotPresent", "pull policy of that image")
    peer_grpc_port: int = _doc(7000, "peers' gRPC port (the readiness probe uses it)")
    peer_metrics_port: int = _doc(9100, "peers' /metrics port")
    peer_cpu_request: str = _doc("50m", "CPU request of a peer container")
    peer_memory_request: str = _doc("64Mi", "memory request of a peer container")
    peer_memory_limit: str = _doc("256Mi", "memory limit of a peer container")
    peer_log_level: str = _doc("info", "peers' log level")
    cluster_domain: str = _doc("cluster.local", "DNS domain in bootstrap addresses")
    operator_metrics_port: int = _doc(8080, "the operator's Prometheus /metrics port; 0: off")
    operator_tick_seconds: float = _doc(1.0, "interval of the churn timer")
    operator_resync_seconds: float = _doc(
        30.0, "full re-read of the children (drift repair, readyPeers) at least this often"
    )
    operator_write_concurrency: int = _doc(8, "API writes in flight at once")
    operator_available_when: str = _doc(
        "ready",
        "when a peer counts as available for a roll's maxUnavailable budget: ready (its pod"
        " is Ready) or created (its pod exists; for control planes without kubelets)",
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> OperatorSettings:
        """`P2PNET_<FIELD NAME IN CAPITALS>` for every field; bad values raise ValueError
        naming the variable."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            name = env_name(f.name)
            if name not in env:
                continue
            raw = env[name].strip()
            kind = cast(Callable[[str], object], type(f.default))
            try:
                values[f.name] = kind(raw)
            except ValueError:
                expected = type(f.default).__name__
                raise ValueError(f"{name}: expected {expected}, got {raw!r}") from None
        settings = cls(**values)  # type: ignore[arg-type]
        settings.check()
        return settings

    def check(self) -> None:
        if self.operator_available_when not in AVAILABLE_WHEN:
            raise ValueError(
                f"P2PNET_OPERATOR_AVAILABLE_WHEN: must be one of {', '.join(AVAILABLE_WHEN)},"
                f" got {self.operator_available_when!r}"
            )
        positive = {
            "P2PNET_OPERATOR_TICK_SECONDS": self.operator_tick_seconds,
            "P2PNET_OPERATOR_RESYNC_SECONDS": self.operator_resync_seconds,
            "P2PNET_OPERATOR_WRITE_CONCURRENCY": self.operator_write_concurrency,
        }
        for name, value in positive.items():
            if value <= 0:
                raise ValueError(f"{name}: must be > 0, got {value}")
        ports = {
            "P2PNET_PEER_GRPC_PORT": self.peer_grpc_port,
            "P2PNET_PEER_METRICS_PORT": self.peer_metrics_port,
        }
        for name, port in ports.items():
            if not 1 <= port <= 65535:
                raise ValueError(f"{name}: must be a port 1..65535, got {port}")
        if self.peer_grpc_port == self.peer_metrics_port:
            raise ValueError("P2PNET_PEER_GRPC_PORT and P2PNET_PEER_METRICS_PORT must differ")


def env_name(field_name: str) -> str:
    return f"P2PNET_{field_name.upper()}"


def describe() -> list[tuple[str, str, str]]:
    """(variable, default, meaning) for every setting."""
    return [(env_name(f.name), str(f.default), f.metadata["doc"]) for f in fields(OperatorSettings)]


if __name__ == "__main__":
    for variable, default, meaning in describe():
        print(f"{variable:36} {default:30} {meaning}")
