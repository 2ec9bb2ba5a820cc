"""A real, local Kubernetes control plane for tests: etcd + kube-apiserver +
kube-controller-manager, envtest-style.

The binaries are the pinned upstream release built by ``hack/build-controlplane.sh`` into
a cache outside the repo (``$P2PNET_K8S_BIN`` or ``~/.cache/p2pnet/k8s-<version>/bin``).
``ControlPlane`` starts them on free loopback ports with a fresh temp dir holding the
certificates, etcd's data, one log file per process and an admin kubeconfig, and tears
everything down on exit::

    with ControlPlane() as cp:
        subprocess.run([cp.kubectl_path, "--kubeconfig", cp.kubeconfig, "get", "ns"])

Authentication is by client certificate (the admin is in ``system:masters``) and
authorization is RBAC, so impersonating an unbound identity is really forbidden. The
controller manager runs the default controllers (garbage collector, namespace,
service-account tokens, ...). No kubelet or scheduler runs: pods stay Pending.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = [
    "BINARIES",
    "K8S_VERSION",
    "BinariesMissingError",
    "ControlPlane",
    "ControlPlaneError",
    "bin_dir",
    "default_bin_dir",
    "free_ports",
]

#: The Kubernetes release pinned in hack/controlplane/go.mod (a test keeps them equal).
K8S_VERSION = "v1.37.2"
BINARIES = ("etcd", "kube-apiserver", "kube-controller-manager", "kubectl")
BUILD_SCRIPT = "hack/build-controlplane.sh"
SERVICE_CLUSTER_IP_RANGE = "10.0.0.0/24"
ADMIN_USER = "p2pnet-admin"


class ControlPlaneError(RuntimeError):
    """The control plane could not be started (the message carries the log tail)."""


class BinariesMissingError(ControlPlaneError, FileNotFoundError):
    """The pinned binaries have not been built into the bin dir."""


def default_bin_dir() -> Path:
    return Path.home() / ".cache" / "p2pnet" / f"k8s-{K8S_VERSION}" / "bin"


def bin_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The directory holding the four pinned binaries: ``path``, else ``$P2PNET_K8S_BIN``,
    else the default cache dir. Raises ``BinariesMissingError`` naming the build script
    when any binary is missing."""
    chosen = path or os.environ.get("P2PNET_K8S_BIN") or default_bin_dir()
    d = Path(chosen).expanduser()
    missing = [b for b in BINARIES if not os.access(d / b, os.X_OK)]
    if missing:
        raise BinariesMissingError(
            f"Kubernetes control-plane binaries missing from {d}: {', '.join(missing)}. "
            f"Build them with `bash {BUILD_SCRIPT}` (pinned {K8S_VERSION}; it prints the "
            "bin dir), or point P2PNET_K8S_BIN at a dir that has them."
        )
    return d


def free_ports(n: int, host: str = "127.0.0.1") -> list[int]:
    """``n`` distinct currently-free TCP ports on ``host`` (etcd cannot listen on port 0,
    so ports are picked by binding, reading and closing). Inherently racy, like envtest."""
    socks: list[socket.socket] = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((host, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


# --------------------------------------------------------------------------- PKI


def _pem_key(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class _Pki:
    ca_cert: bytes
    ca_key: bytes
    serving_cert: bytes
    serving_key: bytes
    admin_cert: bytes
    admin_key: bytes
    sa_key: bytes  # service-account token signing key (private)
    sa_pub: bytes  # its public half, for verification

    @classmethod
    def generate(cls, valid_for: dt.timedelta = dt.timedelta(days=7)) -> _Pki:
        now = dt.datetime.now(dt.UTC)
        not_before, not_after = now - dt.timedelta(hours=1), now + valid_for

        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "p2pnet-test-ca")])
        ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(ca_ski, critical=False)
            .sign(ca_key, hashes.SHA256())
        )

        def leaf(
            subject: x509.Name, usage: x509.ObjectIdentifier, sans: list[x509.GeneralName]
        ) -> tuple[bytes, bytes]:
            key = ec.generate_private_key(ec.SECP256R1())
            b = (
                x509.CertificateBuilder()
                .subject_name(subject)
                .issuer_name(ca_name)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(not_before)
                .not_valid_after(not_after)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(
                    x509.KeyUsage(
                        digital_signature=True,
                        content_commitment=False,
                        key_encipherment=False,
                        data_encipherment=False,
                        key_agreement=False,
                        key_cert_sign=False,
                        crl_sign=False,
                        encipher_only=False,
                        decipher_only=False,
                    ),
                    critical=True,
                )
                .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
                .add_extension(
                    x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
                    critical=False,
                )
            )
            if sans:
                b = b.add_extension(x509.SubjectAlternativeName(sans), critical=False)
            return _pem_cert(b.sign(ca_key, hashes.SHA256())), _pem_key(key)

        serving_cert, serving_key = leaf(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")]),
            ExtendedKeyUsageOID.SERVER_AUTH,
            [
                x509.DNSName("localhost"),
                x509.DNSName("kubernetes.default.svc"),
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                x509.IPAddress(ipaddress.ip_address("::1")),
            ],
        )
        # Client-cert authn: CN is the user name, O the groups.
        admin_cert, admin_key = leaf(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:masters"),
                    x509.NameAttribute(NameOID.COMMON_NAME, ADMIN_USER),
                ]
            ),
            ExtendedKeyUsageOID.CLIENT_AUTH,
            [],
        )
        sa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        sa_pub = sa.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return cls(
            ca_cert=_pem_cert(ca_cert),
            ca_key=_pem_key(ca_key),
            serving_cert=serving_cert,
            serving_key=serving_key,
            admin_cert=admin_cert,
            admin_key=admin_key,
            sa_key=_pem_key(sa),
            sa_pub=sa_pub,
        )


# --------------------------------------------------------------------------- processes


def _tail(path: Path, lines: int = 40, max_bytes: int = 16_384) -> str:
    try:
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - max_bytes))
            data = f.read().decode("utf-8", "replace")
    except OSError as e:
        return f"<cannot read {path}: {e}>"
    tail = "\n".join(data.splitlines()[-lines:])
    if not os.environ.get("P2PNET_K8S_KEEP_TMP"):
        tail += "\n(the temp dir is removed on failure; set P2PNET_K8S_KEEP_TMP=1 to keep it)"
    return tail


def _die_with_parent() -> None:  # pragma: no cover - runs in the forked child
    # Linux: SIGKILL the child if the thread that spawned it dies (e.g. pytest is killed
    # hard), so no etcd/apiserver outlives the test run.
    import ctypes

    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


@dataclass
class _Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    log_file: IO[bytes]


class ControlPlane:
    """etcd + kube-apiserver + kube-controller-manager on loopback, as a context manager.

    Attributes after start: ``kubeconfig`` (admin kubeconfig path), ``server`` (API URL),
    ``tmpdir``, ``bin_dir``, ``version`` (pinned Kubernetes version), ``etcd_url``,
    ``ca_file``, ``logs`` (process name -> log file), ``kubectl_path``.
    """

    def __init__(
        self,
        bin_path: str | os.PathLike[str] | None = None,
        *,
        start_timeout: float = 120.0,
        stop_timeout: float = 15.0,
        controllers: str = "*",
        extra_apiserver_args: Sequence[str] = (),
        keep_tmpdir: bool | None = None,
    ) -> None:
        self.bin_dir = bin_dir(bin_path)
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.controllers = controllers
        self.extra_apiserver_args = list(extra_apiserver_args)
        self.keep_tmpdir = (
            bool(os.environ.get("P2PNET_K8S_KEEP_TMP")) if keep_tmpdir is None else keep_tmpdir
        )
        self.version = self._read_version()
        self.kubectl_path = self.bin_dir / "kubectl"
        self.tmpdir: Path | None = None
        self.kubeconfig: Path | None = None
        self.server = ""
        self.etcd_url = ""
        self.ca_file: Path | None = None
        self.logs: dict[str, Path] = {}
        self._procs: list[_Proc] = []
        self.startup_seconds: float | None = None

    # -- public API -----------------------------------------------------------------

    def __enter__(self) -> ControlPlane:
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
        if self.tmpdir is not None:
            raise ControlPlaneError("ControlPlane already started")
        t0 = time.monotonic()
        self.tmpdir = Path(tempfile.mkdtemp(prefix="p2pnet-k8s-"))
        try:
            self._start(deadline=t0 + self.start_timeout)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - t0

    def stop(self) -> None:
        """Stop every process (SIGTERM, then SIGKILL after ``stop_timeout``) in reverse
        start order and remove the temp dir. Idempotent."""
        errors: list[BaseException] = []
        for p in reversed(self._procs):
            try:
                self._terminate(p)
            except Exception as e:  # keep stopping the others
                errors.append(e)
        self._procs.clear()
        if self.tmpdir is not None and not self.keep_tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
        self.tmpdir = None
        if errors:
            raise ControlPlaneError(f"could not stop every process: {errors}")

    def kubectl(
        self, *args: str, check: bool = True, input: str | None = None, timeout: float = 60.0
    ) -> subprocess.CompletedProcess[str]:
        """Run the pinned kubectl against this control plane (text mode)."""
        if self.kubeconfig is None:
            raise ControlPlaneError("ControlPlane not started")
        return subprocess.run(
            [str(self.kubectl_path), "--kubeconfig", str(self.kubeconfig), *args],
            check=check,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=self._child_env(),
        )

    # -- start-up -------------------------------------------------------------------

    def _start(self, deadline: float) -> None:
        assert self.tmpdir is not None
        d = self.tmpdir
        pki = _Pki.generate()
        files = {
            "ca.crt": pki.ca_cert,
            "ca.key": pki.ca_key,
            "serving.crt": pki.serving_cert,
            "serving.key": pki.serving_key,
            "admin.crt": pki.admin_cert,
            "admin.key": pki.admin_key,
            "sa.key": pki.sa_key,
            "sa.pub": pki.sa_pub,
        }
        pki_dir = d / "pki"
        pki_dir.mkdir(mode=0o700)
        for name, data in files.items():
            (pki_dir / name).write_bytes(data)
            (pki_dir / name).chmod(0o600)
        self.ca_file = pki_dir / "ca.crt"

        etcd_client, etcd_peer, api_port, kcm_port = free_ports(4)
        self.etcd_url = f"http://127.0.0.1:{etcd_client}"
        self.server = f"https://127.0.0.1:{api_port}"

        # etcd. The data is throwaway, so skip fsync (big win on a slow shared disk).
        peer = f"http://127.0.0.1:{etcd_peer}"
        etcd = self._spawn(
            "etcd",
            [
                "--name=p2pnet",
                f"--data-dir={d / 'etcd'}",
                f"--listen-client-urls={self.etcd_url}",
                f"--advertise-client-urls={self.etcd_url}",
                f"--listen-peer-urls={peer}",
                f"--initial-advertise-peer-urls={peer}",
                f"--initial-cluster=p2pnet={peer}",
                "--initial-cluster-state=new",
                "--unsafe-no-fsync=true",
            ],
        )
        plain = self._opener(None)
        self._wait(
            etcd,
            deadline,
            lambda: self._probe(plain, f"{self.etcd_url}/health", b'"health":"true"'),
        )

        # kube-apiserver, with the flags envtest uses plus client-cert authn.
        (d / "apiserver").mkdir()
        api = self._spawn(
            "kube-apiserver",
            [
                f"--etcd-servers={self.etcd_url}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                # The "kubernetes" Service's endpoints may not be loopback, and nothing runs
                # in-cluster here, so don't maintain them (otherwise start-up fails).
                "--endpoint-reconciler-type=none",
                f"--secure-port={api_port}",
                f"--cert-dir={d / 'apiserver'}",
                f"--tls-cert-file={pki_dir / 'serving.crt'}",
                f"--tls-private-key-file={pki_dir / 'serving.key'}",
                f"--client-ca-file={pki_dir / 'ca.crt'}",
                "--authorization-mode=RBAC",
                f"--service-account-issuer={self.server}/",
                f"--service-account-key-file={pki_dir / 'sa.pub'}",
                f"--service-account-signing-key-file={pki_dir / 'sa.key'}",
                f"--service-cluster-ip-range={SERVICE_CLUSTER_IP_RANGE}",
                "--allow-privileged=true",
                # As in envtest: no per-namespace "default" ServiceAccount is required to
                # create pods (the controller manager does create them, but asynchronously).
                "--disable-admission-plugins=ServiceAccount",
                "--v=1",
                *self.extra_apiserver_args,
            ],
        )
        admin = self._opener(ssl_ctx := self._ssl_context(pki_dir, client=True))
        self._wait(api, deadline, lambda: self._probe(admin, f"{self.server}/readyz", b"ok"))

        self.kubeconfig = d / "kubeconfig"
        self.kubeconfig.write_text(yaml.safe_dump(self._kubeconfig_dict(pki)))
        self.kubeconfig.chmod(0o600)

        (d / "controller-manager").mkdir()
        kcm = self._spawn(
            "kube-controller-manager",
            [
                f"--kubeconfig={self.kubeconfig}",
                f"--authentication-kubeconfig={self.kubeconfig}",
                f"--authorization-kubeconfig={self.kubeconfig}",
                f"--controllers={self.controllers}",
                "--use-service-account-credentials=false",
                "--leader-elect=false",
                "--bind-address=127.0.0.1",
                f"--secure-port={kcm_port}",
                f"--cert-dir={d / 'controller-manager'}",
                f"--tls-cert-file={pki_dir / 'serving.crt'}",
                f"--tls-private-key-file={pki_dir / 'serving.key'}",
                f"--service-account-private-key-file={pki_dir / 'sa.key'}",
                f"--root-ca-file={pki_dir / 'ca.crt'}",
                f"--cluster-signing-cert-file={pki_dir / 'ca.crt'}",
                f"--cluster-signing-key-file={pki_dir / 'ca.key'}",
                f"--service-cluster-ip-range={SERVICE_CLUSTER_IP_RANGE}",
                "--v=1",
            ],
        )
        self._wait(
            kcm,
            deadline,
            lambda: self._probe(
                self._opener(ssl_ctx), f"https://127.0.0.1:{kcm_port}/healthz", b"ok"
            ),
        )

    def _kubeconfig_dict(self, pki: _Pki) -> dict[str, Any]:
        import base64

        def b64(data: bytes) -> str:
            return base64.b64encode(data).decode()

        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": "p2pnet-test",
                    "cluster": {
                        "server": self.server,
                        "certificate-authority-data": b64(pki.ca_cert),
                    },
                }
            ],
            "users": [
                {
                    "name": ADMIN_USER,
                    "user": {
                        "client-certificate-data": b64(pki.admin_cert),
                        "client-key-data": b64(pki.admin_key),
                    },
                }
            ],
            "contexts": [
                {
                    "name": "p2pnet-test",
                    "context": {
                        "cluster": "p2pnet-test",
                        "user": ADMIN_USER,
                        "namespace": "default",
                    },
                }
            ],
            "current-context": "p2pnet-test",
            "preferences": {},
        }

    # -- helpers --------------------------------------------------------------------

    def _read_version(self) -> str:
        try:
            for line in (self.bin_dir / "VERSION").read_text().splitlines():
                key, _, value = line.partition("=")
                if key.strip() == "kubernetes" and value.strip():
                    return value.strip()
        except OSError:
            pass
        return K8S_VERSION

    @staticmethod
    def _child_env() -> dict[str, str]:
        env = dict(os.environ)
        # Never send loopback traffic (apiserver -> etcd, probes) through a proxy.
        for key in ("NO_PROXY", "no_proxy"):
            env[key] = ",".join(filter(None, [env.get(key, ""), "127.0.0.1,localhost,::1"]))
        return env

    def _spawn(self, name: str, args: list[str]) -> _Proc:
        assert self.tmpdir is not None
        log = self.tmpdir / f"{name}.log"
        log_file = log.open("wb")
        on_main_thread = threading.current_thread() is threading.main_thread()
        try:
            popen = subprocess.Popen(
                [str(self.bin_dir / name), *args],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=self.tmpdir,
                env=self._child_env(),
                start_new_session=True,  # own process group: Ctrl-C goes to pytest only
                preexec_fn=_die_with_parent if sys.platform == "linux" and on_main_thread else None,
            )
        except BaseException:
            log_file.close()
            raise
        proc = _Proc(name, popen, log, log_file)
        self._procs.append(proc)
        self.logs[name] = log
        return proc

    @staticmethod
    def _ssl_context(pki_dir: Path, client: bool) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(pki_dir / "ca.crt"))
        if client:
            ctx.load_cert_chain(str(pki_dir / "admin.crt"), str(pki_dir / "admin.key"))
        return ctx

    @staticmethod
    def _opener(ctx: ssl.SSLContext | None) -> urllib.request.OpenerDirector:
        handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({})]
        if ctx is not None:
            handlers.append(urllib.request.HTTPSHandler(context=ctx))
        return urllib.request.build_opener(*handlers)

    @staticmethod
    def _probe(opener: urllib.request.OpenerDirector, url: str, expect: bytes) -> str | None:
        """None when healthy, else a short description of the last answer."""
        try:
            with opener.open(url, timeout=5) as r:
                body = r.read()
                if r.status == 200 and expect in body:
                    return None
                return f"HTTP {r.status}: {body[:300]!r}"
        except urllib.error.HTTPError as e:
            return f"HTTP {e.code}: {e.read()[:2000].decode('utf-8', 'replace')}"
        except (OSError, ssl.SSLError) as e:
            return f"{type(e).__name__}: {e}"

    def _wait(self, proc: _Proc, deadline: float, probe: Callable[[], str | None]) -> None:
        last = "not probed yet"
        while True:
            rc = proc.popen.poll()
            if rc is not None:
                raise ControlPlaneError(
                    f"{proc.name} exited with code {rc} during start-up; "
                    f"last lines of {proc.log}:\n{_tail(proc.log)}"
                )
            result = probe()
            if result is None:
                return
            last = result
            if time.monotonic() >= deadline:
                raise ControlPlaneError(
                    f"{proc.name} not ready after {self.start_timeout:.0f}s start-up "
                    f"budget (last health answer: {last}); last lines of {proc.log}:\n"
                    f"{_tail(proc.log)}"
                )
            time.sleep(0.25)

    def _terminate(self, proc: _Proc) -> None:
        p = proc.popen
        try:
            if p.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGTERM)
                try:
                    p.wait(self.stop_timeout)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(p.pid, signal.SIGKILL)
                    p.wait(self.stop_timeout)
        finally:
            proc.log_file.close()
