"""Load and validate a P2PNetwork spec: from YAML text, a file, or a custom resource dict.

Two document forms are accepted:

- a spec file: ``{name: quickstart, spec: {peers: 64, ...}}``
- a custom resource: ``{apiVersion: p2pnet.io/v1alpha1, kind: P2PNetwork,
  metadata: {name: quickstart, ...}, spec: {...}}`` (other metadata, and status, are ignored)

Problems are reported together, as a `SpecError`; cross-field rules are checked once every
field is valid on its own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from p2pnet_operator.spec.decode import Decoder, describe, did_you_mean, join
from p2pnet_operator.spec.errors import Problem, SpecError
from p2pnet_operator.spec.knobs import knobs_of
from p2pnet_operator.spec.model import NetworkSpec, P2PNetworkSpec
from p2pnet_operator.spec.serialize import API_VERSION, KIND
from p2pnet_operator.spec.tree import MAX_SPEC_BYTES, Node, check_size, from_plain, from_yaml
from p2pnet_operator.spec.validate import check_rules

_RESOURCE_KEYS = ("apiVersion", "kind", "metadata", "spec", "status")


def load_spec(text: str, source: str = "<spec>") -> NetworkSpec:
    """Parse and validate YAML text. Raises SpecError (refused unparsed over 1 MiB)."""
    return _build(from_yaml(text, source), source)


def load_spec_file(path: str | os.PathLike[str]) -> NetworkSpec:
    """Read and validate a spec file; the size cap is checked before the file is read."""
    source = os.fspath(path)
    check_size(Path(path).stat().st_size, source)
    with open(path, "rb") as file:
        data = file.read(MAX_SPEC_BYTES + 1)
    check_size(len(data), source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SpecError([Problem("", f"not UTF-8 text ({e.reason})")], source) from None
    return load_spec(text, source)


def from_dict(data: Mapping[str, Any], source: str = "<resource>") -> NetworkSpec:
    """Validate already-parsed data: a custom resource (as the operator gets it) or a
    spec file's content. Positions are unknown, so messages carry field paths only."""
    try:
        tree = from_plain(data)
    except SpecError as e:
        raise SpecError(e.problems, source) from None
    return _build(tree, source)


def _build(root: Node, source: str) -> NetworkSpec:
    decoder = Decoder()
    if root.mark is not None:
        decoder.marks[""] = root.mark
    if not isinstance(root.value, dict):
        decoder.problem(
            "", f"expected a mapping with name and spec, got {describe(root.value)}", root
        )
        raise SpecError(decoder.problems, source)
    if any(key in root.value for key in ("apiVersion", "kind", "metadata")):
        network = _resource(decoder, root)
    else:
        network = decoder.section(NetworkSpec, root, "")
    if not decoder.problems:
        decoder.problems += check_rules(network.spec, "spec", decoder.marks)
    if decoder.problems:
        raise SpecError(decoder.problems, source)
    return network


def _resource(decoder: Decoder, root: Node) -> NetworkSpec:
    entries: dict[str, Node] = root.value
    for key, child in entries.items():
        if key not in _RESOURCE_KEYS:
            decoder.problem(key, f"unknown field{did_you_mean(key, _RESOURCE_KEYS)}", child)
    for key, expected in (("apiVersion", API_VERSION), ("kind", KIND)):
        given = entries.get(key)
        if given is None:
            decoder.problem(key, f"required field is missing (expected {expected!r})", root)
        elif given.value != expected:
            decoder.problem(key, f"must be {expected!r}, got {describe(given.value)}", given)
    name = ""
    metadata = entries.get("metadata")
    if metadata is None or not isinstance(metadata.value, dict):
        decoder.problem(
            "metadata", "expected a mapping with name", root if metadata is None else metadata
        )
    elif "name" not in metadata.value:
        decoder.problem("metadata.name", "required field is missing", metadata)
    else:
        _, name_knob = knobs_of(NetworkSpec)[0]
        value = decoder.value(str, name_knob, metadata.value["name"], join("metadata", "name"))
        name = value if isinstance(value, str) else ""
    spec_node = entries.get("spec")
    if spec_node is None or spec_node.value is None:
        spec = P2PNetworkSpec()
    else:
        spec = decoder.section(P2PNetworkSpec, spec_node, "spec")
    return NetworkSpec(name=name, spec=spec)
