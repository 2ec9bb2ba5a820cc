"""Circuit addresses: how a peer behind NAT is reached through a relay.

``<64 hex peer id>.p2p-circuit.<relay host>:<relay port>`` reads "this peer, through the
circuit relay at host:port" (libp2p's ``/p2p/R/p2p-circuit/p2p/A``). It is a valid
``host:port`` for every check on the wire, so it travels in PeerInfo.address like any
other address; only the NAT transport ever dials it, through the relay. Its first label
(64 characters) is longer than DNS allows (63), so a resolver refuses it locally should
anything else ever try: it cannot leak into a DNS query.
"""

from __future__ import annotations

MARK = ".p2p-circuit."
ID_HEX = 64


def circuit_address(relay: str, peer_id: bytes) -> str:
    return f"{peer_id.hex()}{MARK}{relay}"


def parse_circuit(address: str) -> tuple[str, bytes] | None:
    """``(relay address, peer id)`` for a circuit address, else None."""
    head, mark, relay = address.partition(MARK)
    if not mark or len(head) != ID_HEX or not relay:
        return None
    try:
        return relay, bytes.fromhex(head)
    except ValueError:
        return None


def is_circuit(address: str) -> bool:
    return parse_circuit(address) is not None


def host_of(address: str) -> str:
    return address.rpartition(":")[0]
