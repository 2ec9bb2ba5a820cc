"""What a peer host makes of the NAT fields of a start command (see local/agent.py):

- ``nat_mode``: "netns", "fallback" or absent (NAT traversal off);
- ``nat``: the planner's NAT type ("public" or a type);
- ``relay``: true for a relay peer; ``via``: the relay address a peer behind NAT is
  reached through (it advertises the circuit address);
- ``ext_host``: fallback mode, the emulated external host of its NAT group (its own
  listening host when public);
- ``control_path``: netns mode, a unix socket the supervisor drives the peer through;
- ``metrics_netns`` and ``metrics_outside``: netns mode, serve /metrics on that address
  in that namespace (the supervisor's), where Prometheus can scrape it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from p2pnet_peer.daemon import HostedPeer, StartError, split_host_port
from p2pnet_peer.identity import Identity
from p2pnet_peer.metrics_http import bound_port, start_metrics_server
from p2pnet_peer.nat.addresses import circuit_address
from p2pnet_peer.nat.emulation import EmulatedNat
from p2pnet_peer.nat.node import NatSetup
from p2pnet_testbed.nat.rootns import listen_in


@dataclass(frozen=True)
class NatOptions:
    setup: NatSetup | None
    advertise: str | None
    control: str | None


def nat_options(cmd: dict[str, Any], identity: Identity) -> NatOptions:
    mode = cmd.get("nat_mode")
    control = f"unix:{cmd['control_path']}" if cmd.get("control_path") else None
    if mode not in ("netns", "fallback"):
        return NatOptions(None, None, control)
    label = str(cmd.get("nat", "public"))
    emulation = None
    if mode == "fallback":
        ext_host = str(cmd.get("ext_host") or cmd["listen"].rpartition(":")[0])
        emulation = EmulatedNat(label, ext_host)
    setup = NatSetup(listen="", relay=bool(cmd.get("relay")), emulation=emulation, label=label)
    via = cmd.get("via")
    advertise = circuit_address(str(via), identity.id) if via and label != "public" else None
    return NatOptions(setup, advertise, control)


async def serve_metrics_outside(hosted: HostedPeer, cmd: dict[str, Any]) -> str:
    """Serve the peer's /metrics in the supervisor's namespace; returns the host ("" when
    the command does not ask for it)."""
    if not cmd.get("metrics_netns") or not cmd.get("metrics_outside"):
        return ""
    host, port = split_host_port(str(cmd["metrics_outside"]))
    try:
        sock = listen_in(str(cmd["metrics_netns"]), host, port)
    except OSError as exc:
        raise StartError(f"cannot serve metrics on {host}:{port} outside: {exc}") from None
    if hosted.metrics_server is not None:
        hosted.metrics_server.close()
    hosted.metrics_server = await start_metrics_server(
        hosted.peer.metrics.registry, host, port, sock=sock
    )
    hosted.metrics_port = bound_port(hosted.metrics_server)
    return host
