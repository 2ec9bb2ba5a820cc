"""The pure diff: desired children vs what the API server holds -> `Changes`.

Observed objects are plain dicts as the API returns them, already narrowed to this
network's managed components (partitions are never touched). Rules:

- missing -> create; present but not desired (scaled away, churned out, an old identity
  generation, a vanished NAT group) -> delete, with the uid as precondition;
- owned by another P2PNetwork of the same name (a deleted and recreated network whose
  children the garbage collector has not reached yet) -> delete, and its namesake waits;
- terminating -> wait until it is gone before creating the namesake;
- ConfigMap / Service / NetworkPolicy whose spec-hash annotation differs, or whose content
  no longer holds what the operator wrote (edited by hand; server defaults are fine) ->
  merge patch;
- pod whose spec hash differs -> outdated: rolled (deleted, recreated once gone), at most
  `max_unavailable` peers unavailable at once; already-unavailable outdated pods go first
  and cost nothing. A pod whose labels alone differ (NAT groups move when the network is
  scaled) is patched in place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from p2pnet_operator.reconcile.actions import Action, Changes
from p2pnet_operator.render.labels import SPEC_HASH

Obj = dict[str, Any]
_OUR_LABEL_PREFIXES = ("p2pnet.io/", "app.kubernetes.io/")
_CONTENT = ("spec", "data", "binaryData")


def _meta(obj: Obj) -> Obj:
    meta: Obj = obj.get("metadata") or {}
    return meta


def _hash(obj: Obj) -> str | None:
    return (_meta(obj).get("annotations") or {}).get(SPEC_HASH)


def _terminating(obj: Obj) -> bool:
    return bool(_meta(obj).get("deletionTimestamp"))


def _owned_by(obj: Obj, uid: str) -> bool:
    return any(ref.get("uid") == uid for ref in _meta(obj).get("ownerReferences") or [])


def pod_ready(pod: Obj) -> bool:
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def contains(have: Any, want: Any) -> bool:
    """Whether `have` holds everything in `want` (maps: a subset, recursively; lists:
    same length, element by element), so fields the server defaulted do not count."""
    if isinstance(want, dict):
        return isinstance(have, dict) and all(contains(have.get(k), v) for k, v in want.items())
    if isinstance(want, list):
        return (
            isinstance(have, list)
            and len(have) == len(want)
            and all(contains(h, w) for h, w in zip(have, want, strict=True))
        )
    return bool(have == want)


def _drifted(want: Obj, have: Obj) -> bool:
    if _hash(have) != _hash(want) or label_patch(want, have):
        return True
    if not contains(have.get("spec"), want.get("spec")):
        return True
    return any((have.get(p) or {}) != (want.get(p) or {}) for p in ("data", "binaryData"))


def label_patch(want: Obj, have: Obj) -> dict[str, str | None]:
    """Our labels that differ (None: remove one we set that is no longer wanted)."""
    wanted: dict[str, str] = _meta(want).get("labels") or {}
    current: dict[str, str] = _meta(have).get("labels") or {}
    patch: dict[str, str | None] = {k: v for k, v in wanted.items() if current.get(k) != v}
    for key in current:
        if key.startswith(_OUR_LABEL_PREFIXES) and key not in wanted:
            patch[key] = None
    return patch


def content_patch(want: Obj, have: Obj) -> Obj:
    """A JSON merge patch turning `have` into `want` for the parts the operator owns."""
    labels = label_patch(want, have)
    patch: Obj = {"metadata": {"annotations": {SPEC_HASH: _hash(want)}}}
    if labels:
        patch["metadata"]["labels"] = labels
    for part in _CONTENT:
        wanted, current = want.get(part), have.get(part)
        if part == "spec":
            if wanted is not None:
                patch[part] = wanted
        elif wanted is not None or current is not None:
            cleared = {k: None for k in (current or {}) if k not in (wanted or {})}
            patch[part] = {**cleared, **(wanted or {})}
    return patch


def diff(
    desired: Sequence[Obj],
    observed: Sequence[Obj],
    *,
    owner_uid: str,
    max_unavailable: int,
    available: Callable[[Obj], bool],
) -> Changes:
    """`available(pod)` says whether an existing, non-terminating pod counts as available
    (Ready, or merely created on a control plane without kubelets)."""
    changes = Changes()
    wanted = {(o["kind"], _meta(o)["name"]): o for o in desired}
    present: dict[tuple[str, str], Obj] = {}
    for obj in observed:
        key, meta = (obj["kind"], _meta(obj)["name"]), _meta(obj)
        present[key] = obj
        if _terminating(obj):
            continue
        if not _owned_by(obj, owner_uid):
            reason = "owned by another network"
        elif key not in wanted:
            reason = "not desired"
        else:
            continue
        changes.deletes.append(Action("delete", key[0], key[1], uid=meta.get("uid"), reason=reason))

    outdated: list[tuple[bool, Action]] = []
    unavailable = 0
    for key, want in wanted.items():
        kind, name = key
        have = present.get(key)
        if have is None:
            changes.creates.append(Action("create", kind, name, body=want, reason="missing"))
            unavailable += kind == "Pod"
            continue
        if _terminating(have) or not _owned_by(have, owner_uid):
            changes.waiting += 1
            unavailable += kind == "Pod"
            continue
        if kind != "Pod":
            if _drifted(want, have):
                body = content_patch(want, have)
                changes.patches.append(Action("patch", kind, name, body=body, reason="changed"))
            continue
        up = available(have)
        unavailable += not up
        if _hash(have) == _hash(want):
            if labels := label_patch(want, have):
                body = {"metadata": {"labels": labels}}
                changes.patches.append(Action("patch", kind, name, body=body, reason="labels"))
            continue
        uid = _meta(have).get("uid")
        outdated.append((up, Action("delete", kind, name, uid=uid, reason="outdated")))

    # Roll: down ones first (free), then as many up ones as the budget allows.
    budget = max(0, max_unavailable - unavailable)
    outdated.sort(key=lambda item: item[0])
    for up, action in outdated:
        if up and budget == 0:
            changes.waiting += 1
            continue
        budget -= up
        changes.deletes.append(action)
        changes.waiting += 1  # its replacement is created once it is gone
    changes.outdated = len(outdated)
    return changes
