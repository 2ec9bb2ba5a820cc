"""The CRD's structural OpenAPI v3 schema for `spec`, generated from the spec dataclasses.

Types, descriptions, defaults, bounds, enums and required fields come from the knobs;
cross-field rules come from `rules.RULES` as CEL (`x-kubernetes-validations`). No `$ref`:
apiextensions v1 schemas are inlined. What CEL or OpenAPI cannot say (ranges of sizes
written with a unit, maxUnavailable as a percentage of peers) is checked by the Python
validation only, which the operator runs on every spec it reconciles.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any

from p2pnet_operator.spec.knobs import (
    DURATION,
    INT_OR_PERCENT,
    RATE,
    SIZE,
    Knob,
    default_of,
    has_default,
    knobs_of,
)
from p2pnet_operator.spec.model import P2PNetworkSpec
from p2pnet_operator.spec.rules import RULES
from p2pnet_operator.spec.serialize import plain, section_to_dict
from p2pnet_operator.spec.units import (
    DURATION_PATTERN,
    PERCENT_PATTERN,
    RATE_PATTERN,
    SIZE_PATTERN,
    format_duration,
)

_SUFFIX = {
    DURATION: " A duration such as 500ms, 60s, 5m or 1h30m.",
    SIZE: " Bytes, or a string with a unit: 4MiB, 256KiB, 1GB.",
    RATE: " Bytes per second, or a string with a unit: 2MiB/s.",
    INT_OR_PERCENT: " A count, or a percentage of spec.peers such as 25%.",
}
_INT_OR_STRING_PATTERN = {SIZE: SIZE_PATTERN, RATE: RATE_PATTERN, INT_OR_PERCENT: PERCENT_PATTERN}
_INT32_MAX = 2**31 - 1
_INT64_MAX = 2**63 - 1


def crd_schema() -> dict[str, Any]:
    """The openAPIV3Schema of `spec` (apiextensions.k8s.io/v1, structural)."""
    description = "The network: peers, protocol knobs, churn, NAT and workload."
    return {"description": description, **section_schema(P2PNetworkSpec)}


def section_schema(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    properties: dict[str, Any] = {}
    required = []
    for f, k in knobs_of(cls):
        properties[k.name] = field_schema(hints[f.name], k)
        if has_default(f) and default_of(f) is not None:
            properties[k.name]["default"] = _default(default_of(f))
        if k.required:
            required.append(k.name)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    validations = [rule.validation() for rule in RULES.get(cls, ()) if rule.cel]
    if validations:
        schema["x-kubernetes-validations"] = validations
    return schema


def field_schema(hint: Any, knob: Knob) -> dict[str, Any]:
    description = knob.description + _SUFFIX.get(knob.kind, "")
    if knob.units and knob.kind not in _SUFFIX:
        description += f" Unit: {knob.units}."
    schema = {"description": description, **_value_schema(hint, knob)}
    return schema


def _value_schema(hint: Any, knob: Knob) -> dict[str, Any]:
    if knob.kind == DURATION:
        return _duration_schema(knob)
    if knob.kind in _INT_OR_STRING_PATTERN:
        return {
            "x-kubernetes-int-or-string": True,
            "anyOf": [{"type": "integer"}, {"type": "string"}],
            "pattern": _INT_OR_STRING_PATTERN[knob.kind],
            "maxLength": 32,
            **_bounds(knob),
        }
    if isinstance(hint, types.UnionType):
        (hint,) = [a for a in typing.get_args(hint) if a is not type(None)]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        return section_schema(typing.cast(type, hint))
    if origin is tuple:
        return _list_schema(args[0], knob)
    if origin is dict:
        return _weights_schema(knob)
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        wide = knob.maximum is None or knob.maximum > _INT32_MAX
        bounds = _bounds(knob)
        if bounds.get("maximum", 0) >= _INT64_MAX:
            # The API server reads bounds as float64, and 2**63 - 1 rounds up to 2**63,
            # which it rejects ("must be of type integer with format int64"); format int64
            # already says it.
            del bounds["maximum"]
        return {"type": "integer", "format": "int64" if wide else "int32", **bounds}
    if hint is float:
        return {"type": "number", **_bounds(knob)}
    schema: dict[str, Any] = {"type": "string"}
    if knob.enum is not None:
        schema["enum"] = list(knob.enum)
    if knob.pattern is not None:
        schema["pattern"] = knob.pattern
    if knob.max_length is not None:
        schema["maxLength"] = knob.max_length
    return schema


def _bounds(knob: Knob) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    if knob.minimum is not None:
        bounds["minimum"] = knob.minimum
    if knob.maximum is not None:
        bounds["maximum"] = knob.maximum
    return bounds


def _duration_schema(knob: Knob) -> dict[str, Any]:
    checks = []
    if knob.minimum is not None:
        least = format_duration(knob.minimum)
        rule = f"duration(self) >= duration('{least}')"
        checks.append({"rule": rule, "message": f"must be >= {least}"})
    if knob.maximum is not None:
        most = format_duration(knob.maximum)
        rule = f"duration(self) <= duration('{most}')"
        checks.append({"rule": rule, "message": f"must be <= {most}"})
    schema: dict[str, Any] = {"type": "string", "pattern": DURATION_PATTERN, "maxLength": 32}
    if checks:
        schema["x-kubernetes-validations"] = checks
    return schema


def _list_schema(item: Any, knob: Knob) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array"}
    if dataclasses.is_dataclass(item):
        schema["items"] = section_schema(typing.cast(type, item))
        key = knob.unique_key
        if key is not None:
            schema["x-kubernetes-list-type"] = "map"
            schema["x-kubernetes-list-map-keys"] = [key]
    else:
        schema["items"] = _value_schema(item, dataclasses.replace(knob, max_items=None))
        schema["x-kubernetes-list-type"] = "set"
    if knob.max_items is not None:
        schema["maxItems"] = knob.max_items
    return schema


def _weights_schema(knob: Knob) -> dict[str, Any]:
    assert knob.enum is not None
    names = ", ".join(f"'{name}'" for name in knob.enum)
    return {
        "type": "object",
        "additionalProperties": {"type": "number", **_bounds(knob)},
        "maxProperties": len(knob.enum),
        "x-kubernetes-validations": [
            {"rule": f"self.all(t, t in [{names}])", "message": f"keys must be among {names}"},
            {"rule": "self.exists(t, self[t] > 0.0)", "message": "at least one weight must be > 0"},
        ],
    }


def _default(value: Any) -> Any:
    """A field's default as the CRD writes it; for a section, only what differs from the
    section's own field defaults (those apply anyway), so usually `{}`.

    Except for a section with CEL rules of its own: the API server checks a default against
    those rules *without* applying the nested defaults first (a `{mean: 5m}` default fails
    "no such key: distribution"), so such a default is written in full.
    """
    if not dataclasses.is_dataclass(value):
        return plain(value)
    own = section_to_dict(value)
    if any(rule.cel for rule in RULES.get(type(value), ())):
        return {name: v for name, v in own.items() if v is not None}
    fields = {k.name: f for f, k in knobs_of(type(value))}
    return {
        name: v
        for name, v in own.items()
        if not has_default(fields[name]) or plain(default_of(fields[name])) != v
    }
