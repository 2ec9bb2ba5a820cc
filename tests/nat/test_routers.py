"""Each NAT type's router, checked from outside with real packets (netns mode, as root).

One module-wide topology: public hosts X, Y, Z and one NAT group per type. The inside
host sends from one port to X and Y; then outside hosts probe the mapping X saw:

- from X's contacted endpoint: a reply, so every type lets it in;
- from X on another port: full-cone and address-restricted only;
- from Z, never contacted: full-cone only;
- from Y's contacted endpoint, to the mapping made for X: every type but symmetric,
  whose mapping for X is not the one for Y (a new mapping per destination).

Observed external endpoints: endpoint-independent types keep the inside port for both
destinations; symmetric shows a different port per destination.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable

import pytest

from p2pnet_testbed.nat.topology import NatTopology

pytestmark = [pytest.mark.nat, pytest.mark.slow]

TYPES = ("full-cone", "address-restricted", "port-restricted", "symmetric")
UDP_EXPECTED = {
    "full-cone": {"reply", "other-port", "stranger", "other-dest"},
    "address-restricted": {"reply", "other-port", "other-dest"},
    "port-restricted": {"reply", "other-dest"},
    "symmetric": {"reply"},
}
TCP_EXPECTED = {
    "full-cone": {"other-port", "stranger"},
    "address-restricted": {"other-port"},
    "port-restricted": set(),
    "symmetric": set(),
}


def _finish(session: subprocess.Popen[str]) -> tuple[str, str]:
    """Let late packets land, then close the session's stdin: it prints what arrived."""
    time.sleep(0.5)
    return session.communicate(timeout=30)


def _group(topology: NatTopology, nat_type: str):  # type: ignore[no-untyped-def]
    return next(g for g in topology.groups.values() if g.nat_type == nat_type)


@pytest.mark.parametrize("nat_type", TYPES)
def test_udp_mapping_and_filtering(
    topology: NatTopology, nat_type: str, probe: Callable[..., subprocess.Popen[str]]
) -> None:
    x, y, z = (topology.public[i] for i in range(3))
    group = _group(topology, nat_type)
    inside_port = 4000 + group.index
    echoes = [probe(h.netns, "udp-echo", "--bind", f"{h.ip}:5000") for h in (x, y)]
    try:
        for echo in echoes:
            assert echo.stdout is not None and json.loads(echo.stdout.readline())["ready"]
        session = probe(
            group.netns, "udp-session", "--bind", f"{group.ip}:{inside_port}",
            "--to", f"{x.ip}:5000", "--to", f"{y.ip}:5000", "--listen-s", "20",
        )  # fmt: skip
        assert session.stdout is not None
        observed = json.loads(session.stdout.readline())["observed"]
        seen_by_x, seen_by_y = observed[f"{x.ip}:5000"], observed[f"{y.ip}:5000"]
        assert seen_by_x.split(":")[0] == group.ext_ip == seen_by_y.split(":")[0]
        if nat_type == "symmetric":
            assert seen_by_x != seen_by_y, "symmetric: a new mapping per destination"
        else:
            assert seen_by_x == seen_by_y == f"{group.ext_ip}:{inside_port}", "port kept"
        pokes = [
            probe(host.netns, "udp-poke", "--bind", f"{host.ip}:{port}", "--to", seen_by_x,
                  "--tag", tag)
            for host, port, tag in (
                (x, 5000, "reply"), (x, 6000, "other-port"), (z, 5000, "stranger"),
                (y, 5000, "other-dest"),
            )
        ]  # fmt: skip
        for poke in pokes:
            poke.communicate(timeout=30)
        out, err = _finish(session)
    finally:
        for echo in echoes:
            echo.kill()
            echo.communicate()
    arrived = {json.loads(line)["arrived"].removeprefix("poke:") for line in out.splitlines()}
    assert arrived == UDP_EXPECTED[nat_type], err


@pytest.mark.parametrize("nat_type", TYPES)
def test_tcp_inbound_connections(
    topology: NatTopology, nat_type: str, probe: Callable[..., subprocess.Popen[str]]
) -> None:
    x, _, z = (topology.public[i] for i in range(3))
    group = _group(topology, nat_type)
    inside_port = 4100 + group.index
    echo = probe(x.netns, "tcp-echo", "--bind", f"{x.ip}:5100")
    try:
        assert echo.stdout is not None and json.loads(echo.stdout.readline())["ready"]
        session = probe(
            group.netns, "tcp-session", "--bind", f"{group.ip}:{inside_port}",
            "--to", f"{x.ip}:5100", "--listen-s", "20",
        )  # fmt: skip
        assert session.stdout is not None
        seen = json.loads(session.stdout.readline())["observed"][f"{x.ip}:5100"]
        assert seen.split(":")[0] == group.ext_ip, seen
        if nat_type != "symmetric":
            assert seen == f"{group.ext_ip}:{inside_port}"
        pokes = [
            probe(host.netns, "tcp-poke", "--bind", f"{host.ip}:0", "--to", seen, "--tag", tag)
            for host, tag in ((x, "other-port"), (z, "stranger"))
        ]
        results = {}
        for poke in pokes:
            line = poke.communicate(timeout=30)[0].strip()
            result = json.loads(line)
            results[result["tag"]] = result["connected"]
        out, err = _finish(session)
    finally:
        echo.kill()
        echo.communicate()
    arrived = {json.loads(line)["arrived"].removeprefix("poke:") for line in out.splitlines()}
    assert arrived == TCP_EXPECTED[nat_type], err
    assert {tag for tag, ok in results.items() if ok} == TCP_EXPECTED[nat_type]
