"""The API server's audit log, to see exactly which requests a client made.

    audit = AuditLog(tmpdir)
    with ControlPlane(extra_apiserver_args=audit.apiserver_args()) as cp:
        ...
        audit.events(user="system:serviceaccount:ns:sa")

Every request is logged at Metadata level (who, verb, resource, response code) once it
completes (long-running watches when they start, too), in blocking mode, so a request is
in the file before its response reaches the client.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

POLICY = {
    "apiVersion": "audit.k8s.io/v1",
    "kind": "Policy",
    "omitStages": ["RequestReceived"],
    "rules": [{"level": "Metadata"}],
}


@dataclass(frozen=True)
class Request:
    """One audited request, reduced to what permission checks need."""

    audit_id: str
    user: str
    verb: str
    api_group: str
    resource: str  # "pods", "p2pnetworks/status", ...
    namespace: str
    name: str
    code: int

    @classmethod
    def from_event(cls, e: dict[str, Any]) -> Request:
        ref = e.get("objectRef") or {}
        resource = ref.get("resource", "")
        if ref.get("subresource"):
            resource += "/" + ref["subresource"]
        return cls(
            audit_id=e["auditID"],
            user=(e.get("user") or {}).get("username", ""),
            verb=e.get("verb", ""),
            api_group=ref.get("apiGroup", ""),
            resource=resource,
            namespace=ref.get("namespace", ""),
            name=ref.get("name", ""),
            code=int((e.get("responseStatus") or {}).get("code") or 0),
        )


class AuditLog:
    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.policy = self.dir / "audit-policy.yaml"
        self.path = self.dir / "audit.log"
        self.policy.write_text(yaml.safe_dump(POLICY))

    def apiserver_args(self) -> list[str]:
        return [
            f"--audit-policy-file={self.policy}",
            f"--audit-log-path={self.path}",
            "--audit-log-format=json",
            "--audit-log-mode=blocking",
            "--audit-log-maxsize=0",  # never rotate: tests read the whole file
        ]

    def _lines(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        with self.path.open("rb") as f:
            for line in f:
                if line.strip():
                    yield json.loads(line)

    def requests(self, user: str | None = None, namespace: str | None = None) -> list[Request]:
        """One entry per request (by audit ID; a watch's start and end count once)."""
        seen: dict[str, Request] = {}
        for event in self._lines():
            req = Request.from_event(event)
            if user is not None and req.user != user:
                continue
            if namespace is not None and req.namespace != namespace:
                continue
            seen[req.audit_id] = req
        return list(seen.values())
