"""``p2pnet-peer``: run one peer (or many in one process) over gRPC.

Every flag can also be set by an environment variable (what pods use): ``--listen`` is
``P2PNET_LISTEN``, ``--bootstrap`` is ``P2PNET_BOOTSTRAP`` (comma-separated), and so on.
A flag given on the command line wins over the variable.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import signal
import sys
from pathlib import Path

from p2pnet_peer import heap, logs
from p2pnet_peer.config_sections import peer_config_from_json
from p2pnet_peer.daemon import PeerHost, StartError, split_host_port
from p2pnet_peer.identity import Identity
from p2pnet_peer.peer import PeerConfig

log = logging.getLogger("p2pnet.cli")

ENV = {
    "listen": ("P2PNET_LISTEN", "0.0.0.0:7000"),
    "advertise": ("P2PNET_ADVERTISE", None),
    "bootstrap": ("P2PNET_BOOTSTRAP", ""),
    "metrics_port": ("P2PNET_METRICS_PORT", "9100"),
    "identity_seed": ("P2PNET_IDENTITY_SEED", None),
    "count": ("P2PNET_COUNT", "1"),
    "preset": ("P2PNET_PRESET", "lan"),
    "k": ("P2PNET_DHT_K", None),
    "alpha": ("P2PNET_DHT_ALPHA", None),
    "beta": ("P2PNET_DHT_BETA", None),
    "peer_config": ("P2PNET_PEER_CONFIG", None),
    "ready_file": ("P2PNET_READY_FILE", None),
    "log_level": ("P2PNET_LOG_LEVEL", "info"),
    "data_dir": ("P2PNET_DATA_DIR", None),
    "upload_rate": ("P2PNET_UPLOAD_RATE", None),
    "piece_size": ("P2PNET_PIECE_SIZE", None),
    "unchoke_slots": ("P2PNET_UNCHOKE_SLOTS", None),
    "optimistic_slots": ("P2PNET_OPTIMISTIC_SLOTS", None),
}
SWARM_KNOBS = {  # option -> SwarmConfig field
    "upload_rate": "upload_rate",
    "piece_size": "piece_size",
    "unchoke_slots": "regular_slots",
    "optimistic_slots": "optimistic_slots",
}


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("must be at least 1")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not -1 <= value <= 65535:
        raise ValueError("must be a port 0..65535, or -1 to disable")
    return value


def _seed(text: str) -> bytes:
    raw = bytes.fromhex(text)
    if len(raw) != 32:
        raise ValueError("must be 64 hex characters (32 bytes)")
    return raw


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="p2pnet-peer", description=__doc__.split("\n")[0])
    add = p.add_argument
    add("--listen", help="host:port to serve gRPC on; port 0 picks a free one [P2PNET_LISTEN]")
    add(
        "--advertise",
        help="host:port other peers dial (default: the listen address) [P2PNET_ADVERTISE]",
    )
    add("--bootstrap", help="comma-separated host:port of peers to join through [P2PNET_BOOTSTRAP]")
    add(
        "--metrics-port",
        help="port for GET /metrics; 0 picks a free one, -1 disables; with "
        "--count N, peer i uses port+i [P2PNET_METRICS_PORT]",
    )
    add(
        "--identity-seed",
        help="64 hex chars: a deterministic Ed25519 identity (peer i of "
        "--count uses SHA-256(seed || i)); default: random [P2PNET_IDENTITY_SEED]",
    )
    add("--count", help="peers to host in this process [P2PNET_COUNT]")
    add("--preset", choices=["lan", "local"], help="protocol timing preset [P2PNET_PRESET]")
    add("--k", help="DHT bucket size and replication [P2PNET_DHT_K]")
    add("--alpha", help="DHT lookup parallelism [P2PNET_DHT_ALPHA]")
    add(
        "--beta",
        help="DHT resilient lookup termination: end once the beta closest answered; "
        "default: once the k closest answered [P2PNET_DHT_BETA]",
    )
    add(
        "--peer-config",
        help='protocol configs as JSON sections over --preset, e.g. \'{"dht": {"k": 8}, '
        '"swim": {"preset": "local"}}\' (what the operator gives pods); the flags above '
        "win over it [P2PNET_PEER_CONFIG]",
    )
    add(
        "--ready-file",
        help="write the peers' IDs and addresses here as JSON once listening, "
        "again once joined [P2PNET_READY_FILE]",
    )
    add("--log-level", help="debug, info, warning or error [P2PNET_LOG_LEVEL]")
    add(
        "--data-dir",
        help="keep swarm transfer pieces here (resumable; peer i of --count uses "
        "DIR/peer-i); default: in memory [P2PNET_DATA_DIR]",
    )
    add(
        "--upload-rate",
        help="swarm upload limit per peer in bytes/s, 0 = unlimited (emulates an access "
        "link) [P2PNET_UPLOAD_RATE]",
    )
    add("--piece-size", help="swarm piece size in bytes for Publish [P2PNET_PIECE_SIZE]")
    add("--unchoke-slots", help="tit-for-tat unchoke slots [P2PNET_UNCHOKE_SLOTS]")
    add(
        "--optimistic-slots",
        help="optimistic unchoke slots; 0 with --unchoke-slots 0 makes a free rider "
        "[P2PNET_OPTIMISTIC_SLOTS]",
    )
    return p


def resolve(args: argparse.Namespace) -> dict[str, object]:
    """Flags, else environment, else defaults; each value checked, errors name the source."""
    checks = {
        "count": _positive_int,
        "metrics_port": _port,
        "identity_seed": _seed,
        "k": _positive_int,
        "alpha": _positive_int,
        "beta": _positive_int,
        "upload_rate": _non_negative_int,
        "piece_size": _positive_int,
        "unchoke_slots": _non_negative_int,
        "optimistic_slots": _non_negative_int,
    }
    out: dict[str, object] = {}
    for name, (env, default) in ENV.items():
        given = getattr(args, name)
        source = f"--{name.replace('_', '-')}"
        if given is None and env in os.environ:
            given, source = os.environ[env], env
        value: object = given if given is not None else default
        if value is not None and name in checks:
            try:
                value = checks[name](str(value))
            except ValueError as exc:
                raise SystemExit(f"p2pnet-peer: {source}: {exc} (got {given!r})") from None
        out[name] = value
    try:
        split_host_port(str(out["listen"]))
        if out["advertise"]:
            split_host_port(str(out["advertise"]))
    except ValueError as exc:
        raise SystemExit(f"p2pnet-peer: {exc}") from None
    return out


def _config(opts: dict[str, object]) -> PeerConfig:
    config = PeerConfig.local() if opts["preset"] == "local" else PeerConfig.lan()
    if opts["peer_config"]:
        try:
            config = peer_config_from_json(str(opts["peer_config"]), str(opts["preset"]))
        except ValueError as exc:
            raise SystemExit(f"p2pnet-peer: --peer-config / P2PNET_PEER_CONFIG: {exc}") from None
    changes = {n: opts[n] for n in ("k", "alpha", "beta") if opts[n] is not None}
    swarm = {f: opts[o] for o, f in SWARM_KNOBS.items() if opts[o] is not None}
    try:
        if changes:
            config = dataclasses.replace(config, dht=config.dht.with_overrides(**changes))
        if swarm:
            config = dataclasses.replace(config, swarm=config.swarm.with_overrides(**swarm))
    except ValueError as exc:
        raise SystemExit(f"p2pnet-peer: {exc}") from None
    return config


def _identity(seed: bytes | None, index: int) -> Identity:
    if seed is None:
        return Identity.generate()
    if index == 0:
        return Identity.from_seed(seed)
    return Identity.from_seed(hashlib.sha256(seed + index.to_bytes(4, "big")).digest())


def _write_ready(path: str | None, host: PeerHost, joined: bool) -> None:
    if not path:
        return
    body = {"pid": os.getpid(), "joined": joined, "peers": [p.describe() for p in host.peers]}
    tmp = Path(path).with_suffix(".tmp")
    tmp.write_text(json.dumps(body))
    tmp.replace(path)


async def serve(opts: dict[str, object]) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    count = int(opts["count"])  # type: ignore[call-overload]
    listen_host, listen_port = split_host_port(str(opts["listen"]))
    metrics_port = int(opts["metrics_port"])  # type: ignore[call-overload]
    bootstrap = [b.strip() for b in str(opts["bootstrap"]).split(",") if b.strip()]
    data_dir = Path(str(opts["data_dir"])) if opts["data_dir"] else None
    async with PeerHost(_config(opts)) as host:
        try:
            for i in range(count):
                port = listen_port + i if listen_port else 0
                metrics = None
                if metrics_port >= 0:
                    metrics = f"{listen_host}:{metrics_port + i if metrics_port else 0}"
                await host.start_peer(
                    _identity(opts["identity_seed"], i),  # type: ignore[arg-type]
                    f"{listen_host}:{port}",
                    advertise=str(opts["advertise"]) if opts["advertise"] and count == 1 else None,
                    metrics_listen=metrics,
                    data_dir=data_dir / f"peer-{i}" if data_dir else None,
                )
        except StartError as exc:
            log.error("start failed", extra={"reason": str(exc)})
            print(f"p2pnet-peer: {exc}", file=sys.stderr)
            return 2
        _write_ready(opts["ready_file"], host, joined=False)  # type: ignore[arg-type]
        seeds = bootstrap or [host.peers[0].address]
        join: asyncio.Future[object] = asyncio.ensure_future(
            asyncio.gather(*(host.run_peer(p, seeds) for p in host.peers))
        )
        waiter: asyncio.Future[object] = asyncio.ensure_future(stop.wait())
        await asyncio.wait({join, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if join.done():
            join.result()
            _write_ready(opts["ready_file"], host, joined=True)  # type: ignore[arg-type]
            log.info("ready", extra={"peers": count})
            await waiter
        else:
            join.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await join
        log.info("shutting down", extra={"peers": count})
        await host.stop_all(grace=2.0)
    return 0


def main(argv: list[str] | None = None) -> None:
    opts = resolve(parser().parse_args(argv))
    logs.configure(str(opts["log_level"]))
    heap.keep_freed_memory()
    sys.exit(asyncio.run(serve(opts)))


if __name__ == "__main__":
    main()
