"""The P2PNetwork CustomResourceDefinition: the generated spec schema, and the status the
operator writes (phase, ready peers, conditions, churn counters, recent events).

`hack/gen_crd.py` writes `crd_yaml()` to deploy/helm/p2pnet/crds/; a test fails on drift.
"""

from __future__ import annotations

from typing import Any

import yaml

from p2pnet_operator.spec.model import NAME_PATTERN
from p2pnet_operator.spec.schema import crd_schema

GROUP = "p2pnet.io"
VERSION = "v1alpha1"
KIND = "P2PNetwork"
PLURAL = "p2pnetworks"
CRD_NAME = f"{PLURAL}.{GROUP}"
MAX_RECENT_EVENTS = 20

_DATE_TIME = {"type": "string", "format": "date-time"}


def _condition_schema() -> dict[str, Any]:
    """metav1.Condition, as Kubernetes' own API types declare it."""
    return {
        "type": "object",
        "required": ["type", "status", "lastTransitionTime", "reason", "message"],
        "properties": {
            "type": {
                "type": "string",
                "maxLength": 316,
                "description": "Ready, Progressing or Degraded.",
            },
            "status": {"type": "string", "enum": ["True", "False", "Unknown"]},
            "reason": {
                "type": "string",
                "minLength": 1,
                "maxLength": 1024,
                "pattern": "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
            },
            "message": {"type": "string", "maxLength": 32768},
            "lastTransitionTime": _DATE_TIME,
            "observedGeneration": {"type": "integer", "format": "int64", "minimum": 0},
        },
    }


def status_schema() -> dict[str, Any]:
    count = {"type": "integer", "format": "int64", "minimum": 0}
    return {
        "type": "object",
        "description": "Observed state, written by the operator.",
        "properties": {
            "phase": {
                "type": "string",
                "description": "Pending, Running, Degraded, Completed, Failed or Invalid.",
            },
            "readyPeers": {**count, "description": "Peers whose pods are ready."},
            "observedGeneration": {**count, "description": "The spec generation last acted on."},
            "startTime": {
                **_DATE_TIME,
                "description": "When the operator first created the peers: time zero of the"
                " churn schedule.",
            },
            "conditions": {
                "type": "array",
                "items": _condition_schema(),
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["type"],
            },
            "churn": {
                "type": "object",
                "description": "Churn schedule progress.",
                "properties": {
                    "scheduled": {**count, "description": "Events in the plan."},
                    "applied": {**count, "description": "Events applied so far."},
                    "leaves": count,
                    "joins": count,
                    "lastEventTime": _DATE_TIME,
                    "cursorSeconds": {
                        "type": "number",
                        "minimum": 0,
                        "description": "Events due up to this many seconds after startTime"
                        " have been applied.",
                    },
                },
            },
            "recentEvents": {
                "type": "array",
                "description": (
                    f"The latest churn and fault events, newest last (at most {MAX_RECENT_EVENTS})."
                ),
                "maxItems": MAX_RECENT_EVENTS,
                "items": {
                    "type": "object",
                    "required": ["time", "type"],
                    "properties": {
                        "time": _DATE_TIME,
                        "type": {"type": "string", "description": "Churn, Fault, ..."},
                        "action": {"type": "string", "description": "leave, join, partition, ..."},
                        "peer": {"type": "integer", "format": "int32", "minimum": 0},
                        "generation": {"type": "integer", "format": "int32", "minimum": 0},
                        "scheduledSeconds": {
                            "type": "number",
                            "minimum": 0,
                            "description": "When it was due, in seconds after startTime.",
                        },
                        "message": {"type": "string", "maxLength": 1024},
                    },
                },
            },
            "kopf": {
                "type": "object",
                "description": "kopf's handler progress (its status storage); not an API.",
                "x-kubernetes-preserve-unknown-fields": True,
            },
        },
    }


def crd_manifest() -> dict[str, Any]:
    """The whole apiextensions.k8s.io/v1 CustomResourceDefinition."""
    root = {
        "type": "object",
        "description": "A peer-to-peer network under test: DHT, gossip and swarm peers.",
        "required": ["spec"],
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "maxLength": 40, "pattern": NAME_PATTERN},
                },
            },
            "spec": crd_schema(),
            "status": status_schema(),
        },
    }
    column = [
        {"name": "Peers", "type": "integer", "jsonPath": ".spec.peers"},
        {"name": "Ready", "type": "integer", "jsonPath": ".status.readyPeers"},
        {"name": "Phase", "type": "string", "jsonPath": ".status.phase"},
        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
    ]
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": CRD_NAME},
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": {
                "kind": KIND,
                "listKind": f"{KIND}List",
                "plural": PLURAL,
                "singular": "p2pnetwork",
                "shortNames": ["p2pnet", "p2pn"],
                "categories": ["p2pnet"],
            },
            "versions": [
                {
                    "name": VERSION,
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "additionalPrinterColumns": column,
                    "schema": {"openAPIV3Schema": root},
                }
            ],
        },
    }


class _PlainDumper(yaml.SafeDumper):
    """No anchors or aliases: shared sub-schemas are written out each time."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def crd_yaml() -> str:
    """The committed CRD file's exact text."""
    header = "# Generated by hack/gen_crd.py from p2pnet_operator.spec; do not edit.\n"
    body = yaml.dump(crd_manifest(), Dumper=_PlainDumper, sort_keys=False, width=100)
    return header + body
