"""Run the real operator (`kopf run -m p2pnet_operator.handlers`) as a subprocess against
a control plane, as a ServiceAccount bound to the documented RBAC.

    kubeconfig = service_account_kubeconfig(api, cp.kubeconfig, namespace, "p2pnet-operator")
    with OperatorProcess(kubeconfig, namespace, log_path, env={...}) as op:
        ...          # op.kill() / op.restart() / op.log_tail()
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import yaml
from kubernetes import client

from p2pnet_operator import rbac
from p2pnet_testbed.kube.controlplane import free_ports


def grant_operator_rbac(api: client.ApiClient, namespace: str, service_account: str) -> None:
    """Create the ServiceAccount and bind `rbac.role()` to it in `namespace`."""
    core, authz = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api)
    account: Any = {"apiVersion": "v1", "metadata": {"name": service_account}}
    role: Any = rbac.role(namespace)
    binding: Any = rbac.role_binding(namespace, service_account, namespace)
    core.create_namespaced_service_account(namespace, account)
    authz.create_namespaced_role(namespace, role)
    authz.create_namespaced_role_binding(namespace, binding)


def service_account_kubeconfig(
    api: client.ApiClient,
    admin_kubeconfig: str | os.PathLike[str],
    namespace: str,
    service_account: str,
    out: str | os.PathLike[str],
    expiration_seconds: int = 3 * 3600,
) -> Path:
    """A kubeconfig that authenticates as the ServiceAccount with a real bound token
    (TokenRequest API), on the admin kubeconfig's cluster."""
    token = client.CoreV1Api(api).create_namespaced_service_account_token(
        service_account,
        namespace,
        client.AuthenticationV1TokenRequest(
            spec=client.V1TokenRequestSpec(audiences=[], expiration_seconds=expiration_seconds)
        ),
    )
    admin = yaml.safe_load(Path(admin_kubeconfig).read_text())
    user = f"system:serviceaccount:{namespace}:{service_account}"
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": admin["clusters"],
        "users": [{"name": user, "user": {"token": token.status.token}}],  # type: ignore[union-attr]
        "contexts": [
            {
                "name": "operator",
                "context": {
                    "cluster": admin["clusters"][0]["name"],
                    "user": user,
                    "namespace": namespace,
                },
            }
        ],
        "current-context": "operator",
    }
    path = Path(out)
    path.write_text(yaml.safe_dump(config))
    path.chmod(0o600)
    return path


class OperatorProcess:
    """`kopf run` in a subprocess; started on enter (waits for its liveness endpoint)."""

    def __init__(
        self,
        kubeconfig: str | os.PathLike[str],
        namespace: str,
        log_path: str | os.PathLike[str],
        env: dict[str, str] | None = None,
        start_timeout: float = 240.0,
    ) -> None:
        self.kubeconfig = Path(kubeconfig)
        self.namespace = namespace
        self.log_path = Path(log_path)
        self.extra_env = dict(env or {})
        self.start_timeout = start_timeout
        self.popen: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.liveness_port = 0
        self.metrics_port = 0

    def __enter__(self) -> OperatorProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        if self.popen is not None:
            raise RuntimeError("operator already running")
        self.liveness_port, self.metrics_port = free_ports(2)
        env = {
            **os.environ,
            "KUBECONFIG": str(self.kubeconfig),
            "P2PNET_OPERATOR_METRICS_PORT": str(self.metrics_port),
            **self.extra_env,
        }
        env.pop("KUBERNETES_SERVICE_HOST", None)  # never pick in-cluster credentials
        self._log = self.log_path.open("ab")
        self._log.write(f"\n===== operator start {time.strftime('%X')} =====\n".encode())
        self._log.flush()
        self.popen = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kopf",
                "run",
                "-m",
                "p2pnet_operator.handlers",
                "--standalone",
                f"--namespace={self.namespace}",
                f"--liveness=http://127.0.0.1:{self.liveness_port}/healthz",
                "--verbose",
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + self.start_timeout
        while not self.alive():
            if self.popen.poll() is not None:
                raise RuntimeError(
                    f"operator exited with {self.popen.returncode}:\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"operator not live after {self.start_timeout}s:\n{self.log_tail()}"
                )
            time.sleep(0.2)

    def alive(self) -> bool:
        url = f"http://127.0.0.1:{self.liveness_port}/healthz"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(url, timeout=2) as r:
                return bool(r.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def metrics_text(self) -> str:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as r:
            body: bytes = r.read()
        return body.decode()

    def kill(self) -> None:
        """SIGKILL: no cleanup, as a crashed or evicted operator."""
        self._signal(signal.SIGKILL)

    def stop(self, timeout: float = 20.0) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
        self._close()

    def _signal(self, sig: int) -> None:
        if self.popen is not None and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)
        if sig == signal.SIGKILL:
            self._close()

    def _close(self) -> None:
        if self.popen is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(10)
        self.popen = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError as e:
            return f"<no log: {e}>"
