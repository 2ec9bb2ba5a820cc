"""A spec as plain data: camelCase keys, unset optional fields left out (JSON/YAML-ready)."""

from __future__ import annotations

import dataclasses
from typing import Any

from p2pnet_operator.spec.knobs import knobs_of

API_VERSION = "p2pnet.io/v1alpha1"
KIND = "P2PNetwork"


def section_to_dict(section: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f, k in knobs_of(type(section)):
        value = getattr(section, f.name)
        if value is not None:
            out[k.name] = plain(value)
    return out


def plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return section_to_dict(value)
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value
