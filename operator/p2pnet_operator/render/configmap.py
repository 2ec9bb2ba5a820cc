"""The ConfigMap holding the planner's output, for tools and for people (`kubectl get cm
<network>-plan -o jsonpath='{.data.summary\\.json}'`).

`plan.json` is `Plan.to_dict()` (identities, bootstrap set, NAT groups, files and the whole
churn schedule). A ConfigMap holds at most 1 MiB: a plan too big for that is stored
gzip-compressed as `binaryData["plan.json.gz"]`, and if even that does not fit, only the
summary is kept (`plan-omitted` says why). `spec.json` is the validated spec it came from.
"""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

from p2pnet_operator.render import labels as L
from p2pnet_operator.render.context import RenderContext

MAX_PAYLOAD_BYTES = 900 * 1024  # under the 1 MiB object limit, leaving room for metadata


def _json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def plan_configmap(ctx: RenderContext) -> dict[str, Any]:
    data = {
        "summary.json": _json(ctx.plan.summary()),
        "spec.json": _json(ctx.network.to_dict()),
    }
    binary: dict[str, str] = {}
    plan_text = _json(ctx.plan.to_dict())
    room = MAX_PAYLOAD_BYTES - sum(len(v) for v in data.values())
    if len(plan_text) <= room:
        data["plan.json"] = plan_text
    else:
        packed = base64.b64encode(gzip.compress(plan_text.encode(), mtime=0)).decode()
        if len(packed) <= room:
            binary["plan.json.gz"] = packed
        else:
            data["plan-omitted"] = (
                f"the plan is {len(plan_text)} bytes ({len(packed)} compressed and base64);"
                " a ConfigMap holds 1 MiB. Recompute it: p2pnet_operator.planner.plan(spec)"
            )
    configmap: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": L.metadata(
            L.plan_configmap_name(ctx.name),
            ctx.namespace,
            L.common_labels(ctx.name, L.PLAN_COMPONENT),
            ctx.owner,
        ),
        "data": data,
    }
    if binary:
        configmap["binaryData"] = binary
    return L.stamp(configmap, "data", "binaryData")
