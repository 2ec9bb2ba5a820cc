"""Valid specs load, in both document forms, with defaults, and round-trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from p2pnet_operator.spec import (
    NetworkSpec,
    P2PNetworkSpec,
    SpecError,
    from_dict,
    load_spec,
    load_spec_file,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
VALID = sorted(EXAMPLES.glob("*.yaml"))


def test_there_are_examples() -> None:
    names = {p.name for p in VALID}
    assert {"quickstart.yaml", "churn-nat.yaml", "swarm.yaml"} <= names


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_examples_load_and_round_trip(path: Path) -> None:
    network = load_spec_file(path)
    assert network.name == path.stem
    assert from_dict(network.to_dict()) == network
    assert from_dict(network.to_resource()) == network
    assert from_dict(json.loads(json.dumps(network.to_dict()))) == network


def test_quickstart_is_what_the_readme_promises() -> None:
    spec = load_spec_file(EXAMPLES / "quickstart.yaml").spec
    assert spec.peers == 64
    assert spec.duration_s <= 120
    assert not spec.churn.enabled
    (file,) = spec.workload.files
    assert (file.size_bytes, file.seeders, file.downloaders) == (4 * 2**20, 1, 8)


def test_minimal_spec_gets_defaults_everywhere() -> None:
    network = load_spec("name: x\nspec: {peers: 64}\n")
    assert network == NetworkSpec(name="x", spec=P2PNetworkSpec(peers=64))
    spec = network.spec
    assert spec.duration_s == 60
    assert (spec.dht.k, spec.dht.alpha, spec.dht.preset) == (20, 3, "lan")
    assert spec.churn.session_time.mean_s == 300
    assert spec.churn.max_unavailable == "25%"
    assert spec.transfer.piece_size_bytes == 256 * 1024
    assert spec.transfer.upload_limit_bytes_per_s == 0
    assert spec.nat.type_weights() == {"port-restricted": 1.0}


def test_bare_file_and_custom_resource_are_the_same_network() -> None:
    bare = load_spec("name: net\nspec:\n  peers: 16\n  dht: {k: 8}\n")
    resource = load_spec(
        "apiVersion: p2pnet.io/v1alpha1\nkind: P2PNetwork\n"
        "metadata: {name: net}\nspec:\n  peers: 16\n  dht: {k: 8}\n"
    )
    assert bare == resource


def test_operator_body_with_status_and_server_metadata() -> None:
    body = {
        "apiVersion": "p2pnet.io/v1alpha1",
        "kind": "P2PNetwork",
        "metadata": {
            "name": "net",
            "namespace": "default",
            "uid": "1234",
            "generation": 3,
            "labels": {"team": "p2p"},
        },
        "spec": {"peers": 16, "dht": {"k": 8}, "churn": {"maxUnavailable": 2}},
        "status": {"phase": "Running", "readyPeers": 12},
    }
    network = from_dict(body)
    assert network.name == "net"
    assert network.spec.churn.max_unavailable == 2


def test_with_overrides_revalidates() -> None:
    network = load_spec_file(EXAMPLES / "quickstart.yaml")
    changed = network.with_overrides(peers=32, duration=90, seed=5)
    assert (changed.spec.peers, changed.spec.duration, changed.spec.seed) == (32, "90s", 5)
    assert network.with_overrides(duration="5m").spec.duration_s == 300
    assert network.with_overrides() == network
    with pytest.raises(SpecError) as e:
        network.with_overrides(peers=10)
    assert "command-line overrides: spec.dht.k: must be <= spec.peers (10), got 20" in str(e.value)


def test_values_keep_their_written_form() -> None:
    network = load_spec(
        "name: x\nspec:\n  transfer: {pieceSize: 1MiB, uploadLimit: 2MiB/s}\n"
        "  churn: {maxUnavailable: 3}\n  nat: {types: [symmetric, full-cone]}\n"
    )
    spec = network.to_dict()["spec"]
    assert spec["transfer"]["pieceSize"] == "1MiB"
    assert spec["transfer"]["uploadLimit"] == "2MiB/s"
    assert spec["churn"]["maxUnavailable"] == 3
    assert spec["nat"]["types"] == ["symmetric", "full-cone"]
    assert network.spec.transfer.upload_limit_bytes_per_s == 2 * 2**20


def test_null_section_means_defaults() -> None:
    assert load_spec("name: x\nspec:\n  dht:\n").spec.dht == load_spec("name: x").spec.dht
