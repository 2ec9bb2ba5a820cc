"""What the environment asks for, read once (no OpenTelemetry import here).

- ``OTEL_SDK_DISABLED=true``: off, whatever else is set.
- ``OTEL_TRACES_EXPORTER``: comma-separated ``otlp``, ``console``, ``jsonl`` (p2pnet's file
  exporter) or ``none``. Unset: ``otlp`` when ``OTEL_EXPORTER_OTLP_ENDPOINT`` or
  ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` is set, plus ``jsonl`` when ``P2PNET_TRACES_FILE``
  is; neither: tracing is off.
- ``OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`` / ``OTEL_EXPORTER_OTLP_PROTOCOL``: ``grpc``
  (default) or ``http/protobuf``; endpoint, headers, timeouts: the exporter reads its
  ``OTEL_EXPORTER_OTLP_*`` variables itself.
- ``OTEL_SERVICE_NAME`` (default ``p2pnet-peer``), ``OTEL_RESOURCE_ATTRIBUTES``: the resource.
- ``OTEL_TRACES_SAMPLER`` (+ ``_ARG``): the SDK's samplers. Unset: p2pnet's default, which
  starts traces only at the Control service (what tools call) and follows the parent
  everywhere else, so background traffic (SWIM probes, refreshes) is never recorded.
- ``P2PNET_TRACES_FILE``: the JSON-lines file; ``{pid}`` in it becomes the process ID.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

EXPORTERS = ("otlp", "console", "jsonl")


@dataclass(frozen=True)
class TracingConfig:
    exporters: tuple[str, ...]
    otlp_protocol: str = "grpc"
    traces_file: str = ""
    sampler_from_env: bool = False

    @property
    def enabled(self) -> bool:
        return bool(self.exporters)


def from_env(env: Mapping[str, str] | None = None) -> TracingConfig:
    env = os.environ if env is None else env
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return TracingConfig(())
    traces_file = env.get("P2PNET_TRACES_FILE", "").replace("{pid}", str(os.getpid()))
    listed = env.get("OTEL_TRACES_EXPORTER", "").strip()
    if listed:
        names = [n.strip() for n in listed.split(",") if n.strip() and n.strip() != "none"]
        unknown = [n for n in names if n not in EXPORTERS]
        if unknown:
            raise ValueError(
                f"OTEL_TRACES_EXPORTER: unknown exporter {unknown[0]!r} "
                f"(p2pnet supports {', '.join(EXPORTERS)}, none)"
            )
        if "jsonl" in names and not traces_file:
            raise ValueError("OTEL_TRACES_EXPORTER=jsonl needs P2PNET_TRACES_FILE")
    else:
        names = []
        if env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
            names.append("otlp")
        if traces_file:
            names.append("jsonl")
    protocol = env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"
    )
    return TracingConfig(
        tuple(dict.fromkeys(names)),
        otlp_protocol=protocol,
        traces_file=traces_file,
        sampler_from_env=bool(env.get("OTEL_TRACES_SAMPLER")),
    )
