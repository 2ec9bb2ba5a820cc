"""Operator scale benchmark: reconcile one P2PNetwork of --peers peers (1,000 by default)
with the real operator against the real, pinned control plane.

    python benchmarks/operator_scale.py [--peers 1000] [--concurrency 8]

The operator (`kopf run -m p2pnet_operator.handlers`) runs in a subprocess as its
ServiceAccount, bound to the documented RBAC. No kubelet runs, so pods stay Pending; the
benchmark times the API objects.

- seconds_to_children: from the create request until every child exists (all peer pods,
  the Service, the plan ConfigMap), as seen by a watch;
- api_requests: requests the operator sent (its ServiceAccount's entries in the API
  server's audit log, kopf's watches and bookkeeping included) from its start until the
  status reports the children in sync (Progressing=False/UpToDate);
- seconds_to_in_sync: from the create request until that status.

Targets (issue 7): seconds_to_children <= 30, api_requests <= 3 * peers + 50.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from kubernetes import client, config, watch

from p2pnet_operator.spec.crd import GROUP, PLURAL, VERSION
from p2pnet_testbed.kube.audit import AuditLog
from p2pnet_testbed.kube.controlplane import ControlPlane
from p2pnet_testbed.kube.operator_process import (
    OperatorProcess,
    grant_operator_rbac,
    service_account_kubeconfig,
)

REPO = Path(__file__).resolve().parents[1]
CRD = REPO / "deploy" / "helm" / "p2pnet" / "crds" / "p2pnetworks.p2pnet.io.yaml"
NAMESPACE, SA, NAME = "bench", "p2pnet-operator", "scale"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def watch_pods(core: client.CoreV1Api, expected: int, since: str, done: threading.Event) -> None:
    seen: set[str] = set()
    stream = watch.Watch()
    for event in stream.stream(
        core.list_namespaced_pod, NAMESPACE, resource_version=since, timeout_seconds=600
    ):
        if event["type"] == "ADDED":
            seen.add(event["object"].metadata.name)
        elif event["type"] == "DELETED":
            seen.discard(event["object"].metadata.name)
        if len(seen) >= expected:
            done.set()
            stream.stop()


def run(peers: int, concurrency: int, workdir: Path) -> dict[str, Any]:
    audit = AuditLog(workdir / "audit")
    with ControlPlane(start_timeout=300, extra_apiserver_args=audit.apiserver_args()) as cp:
        cp.kubectl("apply", "--server-side", "-f", str(CRD))
        cp.kubectl("wait", "--for=condition=Established", "crd/p2pnetworks.p2pnet.io")
        api = config.new_client_from_config(config_file=str(cp.kubeconfig))
        core, custom = client.CoreV1Api(api), client.CustomObjectsApi(api)
        core.create_namespace({"metadata": {"name": NAMESPACE}})
        grant_operator_rbac(api, NAMESPACE, SA)
        kubeconfig = service_account_kubeconfig(
            api, cp.kubeconfig, NAMESPACE, SA, workdir / "operator.kubeconfig"
        )
        env = {
            "P2PNET_OPERATOR_AVAILABLE_WHEN": "created",
            "P2PNET_OPERATOR_WRITE_CONCURRENCY": str(concurrency),
        }
        with OperatorProcess(kubeconfig, NAMESPACE, workdir / "operator.log", env=env) as op:
            log(f"control plane up in {cp.startup_seconds:.1f}s, operator live; creating")
            since = core.list_namespaced_pod(NAMESPACE).metadata.resource_version
            pods_done = threading.Event()
            watcher = threading.Thread(
                target=watch_pods, args=(core, peers, since, pods_done), daemon=True
            )
            watcher.start()
            body = {
                "apiVersion": f"{GROUP}/{VERSION}",
                "kind": "P2PNetwork",
                "metadata": {"name": NAME},
                "spec": {"peers": peers, "duration": "1h", "dht": {"preset": "local"}},
            }
            t0 = time.monotonic()
            custom.create_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, body)
            if not pods_done.wait(600):
                raise SystemExit(f"pods not all created after 600s:\n{op.log_tail()}")
            core.read_namespaced_service(f"{NAME}-peers", NAMESPACE)
            core.read_namespaced_config_map(f"{NAME}-plan", NAMESPACE)
            seconds_to_children = time.monotonic() - t0
            log(f"{peers} pods, Service and ConfigMap after {seconds_to_children:.2f}s")

            deadline = time.monotonic() + 300
            while True:
                status = (
                    custom.get_namespaced_custom_object(
                        GROUP, VERSION, NAMESPACE, PLURAL, NAME
                    ).get("status")
                    or {}
                )
                progressing = {c["type"]: c for c in status.get("conditions") or []}
                if progressing.get("Progressing", {}).get("reason") == "UpToDate":
                    break
                if time.monotonic() > deadline:
                    raise SystemExit(f"status never in sync:\n{op.log_tail()}")
                time.sleep(0.2)
            seconds_to_in_sync = time.monotonic() - t0
            requests = [r for r in audit.requests(user=f"system:serviceaccount:{NAMESPACE}:{SA}")]
    by_verb = Counter(f"{r.verb} {r.resource or 'discovery'}" for r in requests)
    api_requests = len(requests)
    return {
        "peers": peers,
        "seconds_to_children": round(seconds_to_children, 2),
        "api_requests": api_requests,
        "backend": "kube-apiserver",
        "seconds_to_in_sync": round(seconds_to_in_sync, 2),
        "api_requests_by_kind": dict(sorted(by_verb.items())),
        "write_concurrency": concurrency,
        "targets": {
            "seconds_to_children": 30,
            "api_requests": 3 * peers + 50,
            "met": seconds_to_children <= 30 and api_requests <= 3 * peers + 50,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--peers", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8, help="operator write concurrency")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="keep the operator log and audit log here (default: a temp dir)",
    )
    args = parser.parse_args()
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        result = run(args.peers, args.concurrency, args.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="p2pnet-bench-") as tmp:
            result = run(args.peers, args.concurrency, Path(tmp))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
