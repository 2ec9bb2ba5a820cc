"""NetworkPolicies that emulate NAT and partitions (they need a CNI that enforces them).

NAT (ingress policies, from the plan's NAT groups):

- `<network>-nat` selects every NATed peer (label `p2pnet.io/nat-group` present) and
  admits only: relays of the network; pods of the network labelled
  `p2pnet.io/role=driver` (the workload driver / load generator); and the metrics port
  from anywhere, so Prometheus still scrapes them.
- `<network>-<group>`, one per NAT group of two or more peers, admits the group's members
  (peers behind one NAT device reach each other directly).

Policies only restrict ingress, so outbound connections stay open and their replies flow
(policies are stateful), as behind a real NAT. Policies add up (a connection is allowed
if any policy allows it). Every NAT type is emulated the same way, as the strictest
common behaviour: hole punching needs the Nat service, not a NetworkPolicy.

Partitions (egress policies, rendered on demand by chaos experiments; not reconciled):
`partition_policies(...)` gives one policy per side: its peers may only send to peers on
their own side, to pods that are not peers of this network, to other namespaces, and to
DNS. Egress-only, so they compose with the NAT policies (which never allow egress).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from p2pnet_operator.render import labels as L
from p2pnet_operator.render.context import RenderContext


def _policy(
    name: str, namespace: str, labels: dict[str, str], owner: dict[str, Any], spec: dict[str, Any]
) -> dict[str, Any]:
    policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": L.metadata(name, namespace, labels, owner),
        "spec": spec,
    }
    return L.stamp(policy, "spec")


def _peers(network: str, **match: str) -> dict[str, Any]:
    return {"podSelector": {"matchLabels": {L.NETWORK: network, **match}}}


def nat_policies(ctx: RenderContext) -> list[dict[str, Any]]:
    """The NAT policies of the plan; none when no peer is behind NAT."""
    groups: dict[str, int] = {}
    for peer in ctx.plan.peers:
        if peer.nat_group is not None:
            groups[peer.nat_group] = groups.get(peer.nat_group, 0) + 1
    if not groups:
        return []
    net, labels = ctx.name, L.common_labels(ctx.name, L.NAT_POLICY_COMPONENT)
    shared = {
        "podSelector": {
            "matchLabels": {L.NETWORK: net},
            "matchExpressions": [{"key": L.NAT_GROUP, "operator": "Exists"}],
        },
        "policyTypes": ["Ingress"],
        "ingress": [
            {"from": [_peers(net, **{L.ROLE: L.RELAY_ROLE})]},
            {"from": [_peers(net, **{L.ROLE: L.DRIVER_ROLE})]},
            {"ports": [{"protocol": "TCP", "port": ctx.settings.peer_metrics_port}]},
        ],
    }
    out = [_policy(L.nat_policy_name(net), ctx.namespace, labels, ctx.owner, shared)]
    for group in sorted(g for g, size in groups.items() if size > 1):
        spec = {
            "podSelector": {"matchLabels": {L.NETWORK: net, L.NAT_GROUP: group}},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [_peers(net, **{L.NAT_GROUP: group})]}],
        }
        out.append(_policy(L.nat_policy_name(net, group), ctx.namespace, labels, ctx.owner, spec))
    return out


def partition_policies(
    network: str,
    namespace: str,
    owner: dict[str, Any],
    partition: str,
    sides: Sequence[Sequence[int]],
) -> list[dict[str, Any]]:
    """Cut `network` into `sides` (lists of peer indices): one egress policy per side,
    named `<network>-partition-<partition>-<side>`, labelled `p2pnet.io/partition`.
    Peers in no side are not restricted (but cannot reach a partitioned peer)."""
    seen: set[int] = set()
    for side in sides:
        if not side:
            raise ValueError("a partition side must name at least one peer")
        if seen & set(side):
            raise ValueError(f"peers {sorted(seen & set(side))} are on more than one side")
        seen |= set(side)
    labels = {**L.common_labels(network, L.PARTITION_COMPONENT), L.PARTITION: partition}
    out = []
    for number, side in enumerate(sides):
        members = {
            "matchLabels": {L.NETWORK: network},
            "matchExpressions": [
                {"key": L.PEER, "operator": "In", "values": [str(i) for i in sorted(side)]}
            ],
        }
        spec = {
            "podSelector": members,
            "policyTypes": ["Egress"],
            "egress": [
                {"to": [{"podSelector": members}]},
                {
                    "to": [
                        {
                            "podSelector": {
                                "matchExpressions": [
                                    {"key": L.NETWORK, "operator": "NotIn", "values": [network]}
                                ]
                            }
                        },
                        {
                            "namespaceSelector": {
                                "matchExpressions": [
                                    {
                                        "key": "kubernetes.io/metadata.name",
                                        "operator": "NotIn",
                                        "values": [namespace],
                                    }
                                ]
                            }
                        },
                    ]
                },
                {"ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]},
            ],
        }
        name = f"{network}-partition-{partition}-{number}"
        out.append(_policy(name, namespace, labels, owner, spec))
    return out
