"""The planner is pure and seeded: identities, roles, NAT groups, files, schedule."""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

from p2pnet_operator.planner import Plan, identity_seed, plan
from p2pnet_operator.spec import NetworkSpec, from_dict
from p2pnet_peer.identity import Identity


def network(name: str = "net", **spec: Any) -> NetworkSpec:
    return from_dict({"name": name, "spec": spec})


CHURN_NAT: dict[str, Any] = dict(
    peers=80,
    bootstrapPeers=3,
    duration="10m",
    dht={"k": 16},
    churn={
        "enabled": True,
        "mode": "replace",
        "sessionTime": {"distribution": "weibull", "mean": "1m", "shape": 0.7},
        "downtime": {"mean": "20s"},
        "maxUnavailable": "10%",
    },
    nat={
        "fraction": 0.5,
        "relays": 4,
        "peersPerGroup": 3,
        "weights": {"symmetric": 1, "full-cone": 2},
    },
    workload={
        "files": [
            {"name": "a", "size": "4MiB", "seeders": 2, "downloaders": 20},
            {"name": "b", "size": 1000, "downloaders": 70},
        ]
    },
)


def test_same_inputs_same_plan() -> None:
    first = plan(network(**CHURN_NAT))
    random.seed(12345)  # the global random state plays no part
    second = plan(network(**CHURN_NAT))
    assert first == second
    assert json.dumps(first.to_dict()) == json.dumps(second.to_dict())


def test_seed_defaults_to_the_spec_seed() -> None:
    net = network(seed=42, **CHURN_NAT)
    assert plan(net) == plan(net, seed=42)
    assert plan(net).seed == 42


def test_different_seed_different_plan() -> None:
    net = network(**CHURN_NAT)
    a, b = plan(net, seed=1), plan(net, seed=2)
    assert {p.node_id for p in a.peers}.isdisjoint({p.node_id for p in b.peers})
    assert a.events != b.events
    assert [p.nat_group for p in a.peers] != [p.nat_group for p in b.peers]


def test_different_network_name_different_identities() -> None:
    a, b = plan(network("one", **CHURN_NAT)), plan(network("two", **CHURN_NAT))
    assert {p.node_id for p in a.peers}.isdisjoint({p.node_id for p in b.peers})


def test_identities_come_from_the_peer_identity_module() -> None:
    p = plan(network(**CHURN_NAT))
    for peer in p.peers:
        assert len(peer.identity_seed) == 32
        assert peer.identity_seed == identity_seed(p.seed, p.network, peer.index, 0)
        assert Identity.from_seed(peer.identity_seed).id == peer.node_id
    assert len({peer.node_id for peer in p.peers}) == len(p.peers)


def test_roles_and_nat_placement() -> None:
    p = plan(network(**CHURN_NAT))
    assert p.bootstrap == (0, 1, 2)
    assert p.relays == (3, 4, 5, 6)
    infrastructure = set(p.bootstrap) | set(p.relays)
    assert all(p.peers[i].nat == "public" for i in infrastructure)
    behind = [peer for peer in p.peers if peer.nat != "public"]
    assert len(behind) == 40
    assert all(peer.nat_group is not None for peer in behind)
    assert {peer.nat for peer in behind} <= {"symmetric", "full-cone"}
    groups = Counter(peer.nat_group for peer in behind)
    assert sorted(groups.values()) == [1] + [3] * 13
    for group in groups:
        assert len({peer.nat for peer in behind if peer.nat_group == group}) == 1


def test_file_assignments() -> None:
    p = plan(network(**CHURN_NAT))
    a, b = p.files
    assert (a.name, a.size_bytes, len(a.seeders), len(a.downloaders)) == ("a", 4 * 2**20, 2, 20)
    assert (b.size_bytes, len(b.seeders), len(b.downloaders)) == (1000, 1, 70)
    for f in p.files:
        assert set(f.seeders).isdisjoint(f.downloaders)
        assert set(f.seeders + f.downloaders).isdisjoint(p.relays)


def test_plan_to_dict_is_json_and_round_trips() -> None:
    p = plan(network(**CHURN_NAT))
    data = json.loads(json.dumps(p.to_dict()))
    assert Plan.from_dict(data) == p


def test_summary() -> None:
    p = plan(network(**CHURN_NAT))
    s = p.summary()
    assert s["peers"] == 80
    assert s["nat"]["behind_nat"] == 40
    assert s["nat"]["public"] == 40
    assert s["churn"]["max_unavailable"] == 8
    assert s["churn"]["events"] == len(p.events) > 0
    assert s["churn"]["peak_unavailable"] <= 8
    json.dumps(s)


def test_no_churn_no_events() -> None:
    p = plan(network(peers=64))
    assert p.events == ()
    assert p.summary()["churn"]["events"] == 0
    assert all(peer.nat == "public" for peer in p.peers)
