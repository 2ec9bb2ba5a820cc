"""The reconciler's pure diff: desired vs observed -> actions."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from p2pnet_operator.reconcile import ChurnState, diff
from p2pnet_operator.render import RenderContext, desired_children
from p2pnet_operator.render import labels as L

UID = "00000000-0000-0000-0000-000000000001"
CtxFactory = Callable[..., RenderContext]
Obj = dict[str, Any]


def observe(objs: list[Obj]) -> list[Obj]:
    """What the API server would return for these manifests: with uids (and nothing
    else changed; server defaults don't matter, only our hash annotation does)."""
    out = copy.deepcopy(objs)
    for i, obj in enumerate(out):
        obj["metadata"]["uid"] = f"uid-{i}"
    return out


def run(
    desired: list[Obj], observed: list[Obj], max_unavailable: int = 2, ready: bool = True
) -> Any:
    return diff(
        desired, observed, owner_uid=UID, max_unavailable=max_unavailable, available=lambda p: ready
    )


def names(actions: list[Any], kind: str = "Pod") -> list[str]:
    return [a.name for a in actions if a.kind == kind]


def test_nothing_observed_creates_everything_in_order(ctx_factory: CtxFactory) -> None:
    desired = desired_children(ctx_factory(), ChurnState())
    changes = run(desired, [])
    assert [a.body for a in changes.creates] == desired
    assert not changes.deletes and not changes.patches and not changes.in_sync


def test_in_sync_means_no_action(ctx_factory: CtxFactory) -> None:
    desired = desired_children(ctx_factory(), ChurnState())
    changes = run(desired, observe(desired))
    assert changes.actions == [] and changes.in_sync


def test_scale_down_deletes_the_highest_peers_with_uid_precondition(
    ctx_factory: CtxFactory,
) -> None:
    big = observe(desired_children(ctx_factory({"peers": 8, "dht": {"k": 4}}), ChurnState()))
    small = desired_children(ctx_factory({"peers": 6, "dht": {"k": 4}}), ChurnState())
    changes = run(small, big)
    assert names(changes.deletes) == ["net-6-g0", "net-7-g0"]
    uids = {o["metadata"]["name"]: o["metadata"]["uid"] for o in big}
    assert all(a.uid == uids[a.name] for a in changes.deletes)
    assert names(changes.creates) == [] and names(changes.patches) == []
    # The plan ConfigMap changes (peers differ); it is patched, not recreated.
    assert [a.kind for a in changes.patches] == ["ConfigMap"]


def test_scale_up_only_adds(ctx_factory: CtxFactory) -> None:
    small = observe(desired_children(ctx_factory({"peers": 6, "dht": {"k": 4}}), ChurnState()))
    big = desired_children(ctx_factory({"peers": 9, "dht": {"k": 4}}), ChurnState())
    changes = run(big, small)
    assert names(changes.creates) == ["net-6-g0", "net-7-g0", "net-8-g0"]
    assert names(changes.deletes) == []


def test_knob_change_rolls_within_max_unavailable(ctx_factory: CtxFactory) -> None:
    old = observe(desired_children(ctx_factory({"peers": 8, "dht": {"k": 4}}), ChurnState()))
    new = desired_children(ctx_factory({"peers": 8, "dht": {"k": 5}}), ChurnState())
    changes = run(new, old, max_unavailable=3)
    assert names(changes.deletes) == ["net-0-g0", "net-1-g0", "net-2-g0"]
    assert all(a.reason == "outdated" for a in changes.deletes)
    assert names(changes.creates) == [], "recreated only once the old pod is gone"
    assert changes.outdated == 8 and changes.waiting == 8


def test_roll_budget_counts_missing_peers(ctx_factory: CtxFactory) -> None:
    old = observe(desired_children(ctx_factory({"peers": 8, "dht": {"k": 4}}), ChurnState()))
    new = desired_children(ctx_factory({"peers": 8, "dht": {"k": 5}}), ChurnState())
    without_two = [o for o in old if o["metadata"]["name"] not in ("net-0-g0", "net-1-g0")]
    changes = run(new, without_two, max_unavailable=3)
    assert names(changes.creates) == ["net-0-g0", "net-1-g0"]
    assert names(changes.deletes) == ["net-2-g0"], "2 missing + 1 rolled = 3"


def test_outdated_pods_that_are_down_are_replaced_first_for_free(ctx_factory: CtxFactory) -> None:
    old = observe(desired_children(ctx_factory({"peers": 6, "dht": {"k": 4}}), ChurnState()))
    new = desired_children(ctx_factory({"peers": 6, "dht": {"k": 5}}), ChurnState())
    down = {"net-4-g0", "net-5-g0"}
    changes = diff(
        new,
        old,
        owner_uid=UID,
        max_unavailable=3,
        available=lambda p: p["metadata"]["name"] not in down,
    )
    assert names(changes.deletes) == ["net-4-g0", "net-5-g0", "net-0-g0"]


def test_terminating_namesake_waits(ctx_factory: CtxFactory) -> None:
    desired = desired_children(ctx_factory(), ChurnState())
    observed = observe(desired)
    pod = next(o for o in observed if o["metadata"]["name"] == "net-3-g0")
    pod["metadata"]["deletionTimestamp"] = "2030-01-01T00:00:00Z"
    pod["metadata"]["annotations"][L.SPEC_HASH] = "old"
    changes = run(desired, observed)
    assert changes.actions == [] and changes.waiting == 1


def test_leftovers_of_an_earlier_namesake_network_are_deleted(ctx_factory: CtxFactory) -> None:
    desired = desired_children(ctx_factory(), ChurnState())
    observed = observe(desired)
    for obj in observed:
        obj["metadata"]["ownerReferences"][0]["uid"] = "an-older-network"
    changes = run(desired, observed)
    assert len(changes.deletes) == len(desired)
    assert {a.reason for a in changes.deletes} == {"owned by another network"}
    assert changes.creates == [] and changes.waiting == len(desired)


def test_churn_replaces_a_generation(ctx_factory: CtxFactory) -> None:
    ctx = ctx_factory()
    before = observe(desired_children(ctx, ChurnState()))
    after = desired_children(ctx, ChurnState(down=frozenset({5}), generations={4: 1}))
    changes = run(after, before)
    assert sorted(names(changes.deletes)) == ["net-4-g0", "net-5-g0"]
    assert names(changes.creates) == ["net-4-g1"]


def test_label_only_change_is_patched_in_place(ctx_factory: CtxFactory) -> None:
    desired = desired_children(ctx_factory(), ChurnState())
    observed = observe(desired)
    pod = next(o for o in observed if o["metadata"]["name"] == "net-6-g0")
    pod["metadata"]["labels"][L.NAT_GROUP] = "nat-9"
    pod["metadata"]["labels"][L.BOOTSTRAP] = "maybe"
    pod["metadata"]["labels"]["team"] = "someone else's"
    changes = run(desired, observed)
    (patch,) = changes.patches
    assert patch.name == "net-6-g0"
    assert patch.body == {"metadata": {"labels": {L.BOOTSTRAP: "false", L.NAT_GROUP: None}}}


def test_changed_configmap_is_merge_patched_removing_stale_keys(ctx_factory: CtxFactory) -> None:
    desired = desired_children(ctx_factory(), ChurnState())
    observed = observe(desired)
    cm = observed[0]
    cm["data"]["leftover"] = "x"
    cm["metadata"]["annotations"][L.SPEC_HASH] = "old"
    changes = run(desired, observed)
    (patch,) = changes.patches
    assert patch.kind == "ConfigMap" and patch.body is not None
    assert patch.body["data"]["leftover"] is None
    assert patch.body["data"]["plan.json"] == desired[0]["data"]["plan.json"]
    assert (
        patch.body["metadata"]["annotations"][L.SPEC_HASH]
        == desired[0]["metadata"]["annotations"][L.SPEC_HASH]
    )


def test_nat_policy_of_a_vanished_group_is_deleted(ctx_factory: CtxFactory) -> None:
    spec = {"peers": 12, "dht": {"k": 4}, "nat": {"fraction": 0.5, "peersPerGroup": 2}}
    with_nat = observe(desired_children(ctx_factory(spec), ChurnState()))
    without = desired_children(ctx_factory({"peers": 12, "dht": {"k": 4}}), ChurnState())
    changes = run(without, with_nat)
    deleted = names(changes.deletes, "NetworkPolicy")
    assert "net-nat" in deleted and len(deleted) >= 2
    assert changes.count("patch", "Pod") >= 1, "NATed peers lose their NAT labels in place"


def test_hand_edits_are_repaired_but_server_defaults_are_not_drift(
    ctx_factory: CtxFactory,
) -> None:
    desired = desired_children(ctx_factory(), ChurnState())
    observed = observe(desired)
    svc = observed[1]
    assert svc["kind"] == "Service"
    svc["spec"]["sessionAffinity"] = "None"  # server defaults
    svc["spec"]["ports"][0]["protocol"] = "TCP"
    assert run(desired, observed).actions == []
    svc["spec"]["publishNotReadyAddresses"] = False  # a hand edit
    (patch,) = run(desired, observed).patches
    assert patch.kind == "Service" and patch.body is not None
    assert patch.body["spec"]["publishNotReadyAddresses"] is True
