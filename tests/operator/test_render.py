"""Pure renderers: plain dicts in, manifests out."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable
from typing import Any

import pytest

from p2pnet_operator.planner import Plan
from p2pnet_operator.reconcile import ChurnState
from p2pnet_operator.render import (
    RenderContext,
    desired_children,
    headless_service,
    nat_policies,
    partition_policies,
    peer_pod,
    plan_configmap,
    relay_pod,
)
from p2pnet_operator.render import configmap as configmap_module
from p2pnet_operator.render import labels as L
from p2pnet_operator.render.pods import spec_hash

NAT_SPEC = {
    "peers": 12,
    "bootstrapPeers": 2,
    "dht": {"k": 4, "alpha": 2},
    "nat": {"fraction": 0.5, "relays": 2, "peersPerGroup": 2},
}

CtxFactory = Callable[..., RenderContext]


def env_of(pod: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value") for e in pod["spec"]["containers"][0]["env"]}


def test_every_child_is_owned_by_the_network(ctx_factory: CtxFactory) -> None:
    ctx = ctx_factory(NAT_SPEC)
    children = desired_children(ctx, ChurnState())
    kinds = {c["kind"] for c in children}
    assert kinds == {"ConfigMap", "Service", "NetworkPolicy", "Pod"}
    for child in children:
        (ref,) = child["metadata"]["ownerReferences"]
        assert ref == {
            "apiVersion": "p2pnet.io/v1alpha1",
            "kind": "P2PNetwork",
            "name": "net",
            "uid": ctx.owner["metadata"]["uid"],
            "controller": True,
        }
        assert child["metadata"]["namespace"] == "ns"
        assert child["metadata"]["labels"][L.NETWORK] == "net"
        assert L.SPEC_HASH in child["metadata"]["annotations"]


def test_children_come_in_creation_order(ctx_factory: CtxFactory) -> None:
    kinds = [c["kind"] for c in desired_children(ctx_factory(NAT_SPEC), ChurnState())]
    assert kinds[:2] == ["ConfigMap", "Service"]
    first_pod = kinds.index("Pod")
    assert set(kinds[2:first_pod]) == {"NetworkPolicy"}, "NAT policies before any pod"
    assert set(kinds[first_pod:]) == {"Pod"}


def test_peer_pod_identity_name_and_labels(ctx_factory: CtxFactory) -> None:
    ctx = ctx_factory(NAT_SPEC)
    peer = ctx.plan.peers[5]
    pod = peer_pod(ctx, peer, generation=3)
    assert pod["metadata"]["name"] == "net-5-g3"
    assert pod["spec"]["hostname"] == "net-5"
    assert pod["spec"]["subdomain"] == "net-peers"
    labels = pod["metadata"]["labels"]
    assert labels[L.PEER] == "5" and labels[L.IDENTITY_GENERATION] == "3"
    assert labels[L.ROLE] == "peer" and labels[L.NAT] == peer.nat
    assert labels.get(L.NAT_GROUP) == peer.nat_group
    env = env_of(pod)
    assert env["P2PNET_IDENTITY_SEED"] == ctx.plan.identity_seed(5, 3).hex()
    assert env["P2PNET_IDENTITY_SEED"] != ctx.plan.identity_seed(5, 0).hex()
    assert env["P2PNET_ADVERTISE"] == "$(POD_IP):7000"
    names = [e["name"] for e in pod["spec"]["containers"][0]["env"]]
    assert names[0] == "POD_IP", "$(POD_IP) only expands variables defined before it"


def test_protocol_knobs_become_env(ctx_factory: CtxFactory) -> None:
    env = env_of(
        peer_pod(
            ctx_factory({"peers": 8, "dht": {"preset": "local", "k": 5, "alpha": 2}}),
            _peer0(ctx_factory),
        )
    )
    assert env["P2PNET_PRESET"] == "local"
    dht = json.loads(env["P2PNET_PEER_CONFIG"])["dht"]
    assert (dht["preset"], dht["k"], dht["alpha"], dht["beta"]) == ("local", 5, 2, None)
    assert env["P2PNET_LISTEN"] == "0.0.0.0:7000" and env["P2PNET_METRICS_PORT"] == "9100"


def _peer0(ctx_factory: CtxFactory) -> Any:
    return ctx_factory({"peers": 8, "dht": {"k": 4}}).plan.peers[0]


def test_bootstrap_peers_chain_and_others_use_all(ctx_factory: CtxFactory) -> None:
    ctx = ctx_factory({"peers": 8, "bootstrapPeers": 3, "dht": {"k": 4}})
    domain = "net-peers.ns.svc.cluster.local:7000"

    def boot(i: int) -> str:
        return str(env_of(peer_pod(ctx, ctx.plan.peers[i]))["P2PNET_BOOTSTRAP"])

    assert boot(0) == ""
    assert boot(1) == f"net-0.{domain}"
    assert boot(2) == f"net-0.{domain},net-1.{domain}"
    assert boot(5) == f"net-0.{domain},net-1.{domain},net-2.{domain}"


def test_pod_has_grpc_readiness_and_hardening(ctx_factory: CtxFactory) -> None:
    pod = peer_pod(ctx_factory(), _peer0(ctx_factory))
    (container,) = pod["spec"]["containers"]
    assert container["readinessProbe"]["grpc"] == {"port": 7000}
    assert container["securityContext"]["runAsNonRoot"] is True
    assert pod["spec"]["automountServiceAccountToken"] is False
    assert pod["spec"]["enableServiceLinks"] is False


def test_spec_hash_moves_with_knobs_not_with_peer_count(ctx_factory: CtxFactory) -> None:
    base = ctx_factory({"peers": 8, "dht": {"k": 4}})
    scaled = ctx_factory({"peers": 20, "dht": {"k": 4}})
    knob = ctx_factory({"peers": 8, "dht": {"k": 5}})
    peer = base.plan.peers[3]
    assert spec_hash(peer_pod(base, peer)) == spec_hash(peer_pod(scaled, scaled.plan.peers[3]))
    assert spec_hash(peer_pod(base, peer)) != spec_hash(peer_pod(knob, knob.plan.peers[3]))
    assert spec_hash(peer_pod(base, peer, 0)) != spec_hash(peer_pod(base, peer, 1))


def test_relays_are_pods_of_their_own(ctx_factory: CtxFactory) -> None:
    ctx = ctx_factory(NAT_SPEC)
    relays = [p for p in ctx.plan.peers if p.role == "relay"]
    assert [p.index for p in relays] == [2, 3]
    pod = relay_pod(ctx, relays[0])
    assert pod["metadata"]["labels"][L.ROLE] == "relay"
    assert pod["metadata"]["labels"][L.COMPONENT] == "relay"
    with pytest.raises(ValueError, match="not a relay"):
        relay_pod(ctx, ctx.plan.peers[0])


def test_headless_service_publishes_not_ready_peers(ctx_factory: CtxFactory) -> None:
    svc = headless_service(ctx_factory())
    assert svc["metadata"]["name"] == "net-peers"
    assert svc["spec"]["clusterIP"] == "None"
    assert svc["spec"]["publishNotReadyAddresses"] is True
    assert svc["spec"]["selector"] == {L.NETWORK: "net"}
    assert [p["port"] for p in svc["spec"]["ports"]] == [7000, 9100]


def test_configmap_holds_the_plan(ctx_factory: CtxFactory) -> None:
    ctx = ctx_factory(NAT_SPEC)
    cm = plan_configmap(ctx)
    assert cm["metadata"]["name"] == "net-plan"
    assert Plan.from_dict(json.loads(cm["data"]["plan.json"])) == ctx.plan
    assert json.loads(cm["data"]["summary.json"]) == ctx.plan.summary()
    assert json.loads(cm["data"]["spec.json"])["name"] == "net"


def test_configmap_compresses_or_omits_a_big_plan(
    ctx_factory: CtxFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = ctx_factory({"peers": 64, "dht": {"k": 4}})
    data = plan_configmap(ctx)["data"]
    others = len(data["summary.json"]) + len(data["spec.json"])
    packed_len = len(base64.b64encode(gzip.compress(data["plan.json"].encode(), mtime=0)))
    assert packed_len < len(data["plan.json"])
    monkeypatch.setattr(configmap_module, "MAX_PAYLOAD_BYTES", others + packed_len)
    cm = plan_configmap(ctx)
    assert "plan.json" not in cm["data"]
    packed = base64.b64decode(cm["binaryData"]["plan.json.gz"])
    assert Plan.from_dict(json.loads(gzip.decompress(packed))) == ctx.plan
    monkeypatch.setattr(configmap_module, "MAX_PAYLOAD_BYTES", others + packed_len - 1)
    cm = plan_configmap(ctx)
    assert "binaryData" not in cm and "plan-omitted" in cm["data"]


def test_no_nat_no_policies(ctx_factory: CtxFactory) -> None:
    assert nat_policies(ctx_factory()) == []


def test_nat_policies_admit_relays_group_members_and_scrapes(ctx_factory: CtxFactory) -> None:
    ctx = ctx_factory(NAT_SPEC)
    policies = nat_policies(ctx)
    shared, *groups = policies
    assert shared["metadata"]["name"] == "net-nat"
    assert shared["spec"]["policyTypes"] == ["Ingress"], "egress stays open"
    assert shared["spec"]["podSelector"]["matchExpressions"] == [
        {"key": L.NAT_GROUP, "operator": "Exists"}
    ]
    sources = [rule.get("from") for rule in shared["spec"]["ingress"]]
    assert sources[0] == [{"podSelector": {"matchLabels": {L.NETWORK: "net", L.ROLE: "relay"}}}]
    assert sources[1] == [{"podSelector": {"matchLabels": {L.NETWORK: "net", L.ROLE: "driver"}}}]
    assert shared["spec"]["ingress"][2] == {"ports": [{"protocol": "TCP", "port": 9100}]}

    members: dict[str, list[int]] = {}
    for p in ctx.plan.peers:
        if p.nat_group:
            members.setdefault(p.nat_group, []).append(p.index)
    multi = sorted(g for g, m in members.items() if len(m) > 1)
    assert [g["metadata"]["name"] for g in groups] == [f"net-{g}" for g in multi]
    for policy, group in zip(groups, multi, strict=True):
        selector = {"matchLabels": {L.NETWORK: "net", L.NAT_GROUP: group}}
        assert policy["spec"]["podSelector"] == selector
        assert policy["spec"]["ingress"] == [{"from": [{"podSelector": selector}]}]


def test_partition_policies_cut_egress_between_sides() -> None:
    owner = {"metadata": {"name": "net", "uid": "u"}}
    a, b = partition_policies("net", "ns", owner, "split", [[0, 1, 2], [3, 4]])
    assert [a["metadata"]["name"], b["metadata"]["name"]] == [
        "net-partition-split-0",
        "net-partition-split-1",
    ]
    assert a["metadata"]["labels"][L.PARTITION] == "split"
    assert a["metadata"]["labels"][L.COMPONENT] == "partition"
    assert a["spec"]["policyTypes"] == ["Egress"]
    side = a["spec"]["podSelector"]["matchExpressions"][0]
    assert side == {"key": L.PEER, "operator": "In", "values": ["0", "1", "2"]}
    assert a["spec"]["egress"][0] == {"to": [{"podSelector": a["spec"]["podSelector"]}]}
    with pytest.raises(ValueError, match="more than one side"):
        partition_policies("net", "ns", owner, "x", [[0, 1], [1, 2]])
    with pytest.raises(ValueError, match="at least one peer"):
        partition_policies("net", "ns", owner, "x", [[0], []])


def test_churned_peers_have_no_pod_and_rejoin_as_new_generation(ctx_factory: CtxFactory) -> None:
    ctx = ctx_factory(NAT_SPEC)
    churn = ChurnState(down=frozenset({6}), generations={7: 2})
    names = {c["metadata"]["name"] for c in desired_children(ctx, churn) if c["kind"] == "Pod"}
    assert "net-6-g0" not in names and "net-7-g2" in names and "net-7-g0" not in names
    assert {"net-2-g0", "net-3-g0"} <= names, "relays stay"
    assert len(names) == 11
