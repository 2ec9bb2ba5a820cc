"""Tiny UDP/TCP programs that check a NAT router from both sides (run with ip netns exec).

udp-echo   --bind IP:PORT ...        answer every datagram with the sender's ip:port
udp-session --bind IP:PORT --to IP:PORT ... --listen-s S
           send from one socket to each target, print what each saw (JSON), then
           print every datagram that arrives for S seconds (JSON lines)
udp-poke   --bind IP:PORT --to IP:PORT --tag T   send "poke:T" (three times)
tcp-echo   --bind IP:PORT ...        accept, write the peer's ip:port, close
tcp-session --bind IP:PORT --to IP:PORT --listen-s S
           listen on the port, connect from it to the target (port reuse), print what
           the target saw, then print every inbound connection's tag for S seconds
tcp-poke   --bind IP:PORT --to IP:PORT --tag T --timeout S   connect and send the tag
"""

from __future__ import annotations

import argparse
import json
import select
import socket
import sys
import time


def _endpoint(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host, int(port)


def _say(**fields: object) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


_started = time.monotonic()


def _wait_readable(sock: socket.socket, limit_s: float) -> bool:
    """Wait for ``sock``; False once ``limit_s`` passed or stdin closed (the test is done)."""
    while (left := _started + limit_s - time.monotonic()) > 0:
        readable, _, _ = select.select([sock, sys.stdin], [], [], left)
        if sock in readable:
            return True
        if sys.stdin in readable and not sys.stdin.readline():
            return False
    return False


def _udp(bind: str) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(_endpoint(bind))
    return s


def _tcp(bind: str) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(_endpoint(bind))
    return s


def udp_echo(args: argparse.Namespace) -> None:
    socks = [_udp(b) for b in args.bind]
    _say(ready=True)
    while True:
        readable, _, _ = select.select(socks, [], [])
        for s in readable:
            _, (host, port) = s.recvfrom(2048)
            s.sendto(f"{host}:{port}".encode(), (host, port))


def udp_session(args: argparse.Namespace) -> None:
    s = _udp(args.bind)
    observed: dict[str, str] = {}
    for target in args.to:
        s.sendto(b"hello", _endpoint(target))
        s.settimeout(2.0)
        try:
            data, _ = s.recvfrom(2048)
            observed[target] = data.decode()
        except TimeoutError:
            observed[target] = ""
    _say(observed=observed)
    while _wait_readable(s, args.listen_s):
        data, (host, port) = s.recvfrom(2048)
        _say(arrived=data.decode(errors="replace"), source=f"{host}:{port}")


def udp_poke(args: argparse.Namespace) -> None:
    s = _udp(args.bind)
    for _ in range(3):
        s.sendto(f"poke:{args.tag}".encode(), _endpoint(args.to))
        time.sleep(0.05)
    _say(sent=args.tag)


def tcp_echo(args: argparse.Namespace) -> None:
    servers = []
    for b in args.bind:
        s = _tcp(b)
        s.listen(16)
        servers.append(s)
    _say(ready=True)
    while True:
        readable, _, _ = select.select(servers, [], [])
        for s in readable:
            conn, (host, port) = s.accept()
            with conn:
                conn.sendall(f"{host}:{port}\n".encode())


def tcp_session(args: argparse.Namespace) -> None:
    listener = _tcp(args.bind)
    listener.listen(16)
    out = _tcp(args.bind)
    out.settimeout(3.0)
    target = args.to[0]
    try:
        out.connect(_endpoint(target))
        observed = out.makefile().readline().strip()
    except OSError as exc:
        observed = f"error: {exc}"
    _say(observed={target: observed})
    while _wait_readable(listener, args.listen_s):
        conn, (host, port) = listener.accept()
        with conn:
            conn.settimeout(2.0)
            try:
                tag = conn.recv(256).decode(errors="replace")
            except OSError:
                tag = ""
        _say(arrived=tag, source=f"{host}:{port}")


def tcp_poke(args: argparse.Namespace) -> None:
    s = _tcp(args.bind)
    s.settimeout(args.timeout)
    try:
        s.connect(_endpoint(args.to))
        s.sendall(f"poke:{args.tag}".encode())
        time.sleep(0.2)
        _say(connected=True, tag=args.tag)
    except OSError as exc:
        _say(connected=False, tag=args.tag, error=str(exc))
    finally:
        s.close()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="p2pnet-nat-probe", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for name, fn in (("udp-echo", udp_echo), ("tcp-echo", tcp_echo)):
        sp = sub.add_parser(name)
        sp.add_argument("--bind", action="append", required=True)
        sp.set_defaults(fn=fn)
    for name, fn in (("udp-session", udp_session), ("tcp-session", tcp_session)):
        sp = sub.add_parser(name)
        sp.add_argument("--bind", required=True)
        sp.add_argument("--to", action="append", required=True)
        sp.add_argument("--listen-s", type=float, default=2.0)
        sp.set_defaults(fn=fn)
    for name, fn in (("udp-poke", udp_poke), ("tcp-poke", tcp_poke)):
        sp = sub.add_parser(name)
        sp.add_argument("--bind", required=True)
        sp.add_argument("--to", required=True)
        sp.add_argument("--tag", required=True)
        sp.add_argument("--timeout", type=float, default=1.5)
        sp.set_defaults(fn=fn)
    args = p.parse_args(argv)
    args.fn(args)


if __name__ == "__main__":
    main()
