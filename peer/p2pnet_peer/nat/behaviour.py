"""What each NAT type does, in RFC 4787 terms: one definition for the nftables routers
(netns mode), the transport-level emulation (fallback mode) and the reports.

- **Mapping** (which external port an inside endpoint gets): *endpoint-independent*
  (one mapping, reused for every destination; our routers also preserve the port) or
  *endpoint-dependent* (a new, random external port per destination: symmetric).
- **Filtering** (which new inbound packets a mapping lets in): *endpoint-independent*
  (anyone: full cone), *address-dependent* (hosts the inside endpoint has sent to),
  *address-and-port-dependent* (exactly the ip:port it has sent to).

| type                 | mapping              | filtering                    |
|----------------------|----------------------|------------------------------|
| public               | none                 | none                         |
| full-cone            | endpoint-independent | endpoint-independent         |
| address-restricted   | endpoint-independent | address-dependent            |
| port-restricted      | endpoint-independent | address-and-port-dependent   |
| symmetric            | endpoint-dependent   | address-and-port-dependent   |

Hole punching here is TCP simultaneous open with port reuse (libp2p's DCUtR over TCP):
each side listens on a fresh port P and dials the other's *predicted* external endpoint
(its observed external IP, port P) from P. A connection forms when one side's SYN is let
in by the other's NAT: see :func:`punch_direction_works`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

PUBLIC = "public"
FULL_CONE = "full-cone"
ADDRESS_RESTRICTED = "address-restricted"
PORT_RESTRICTED = "port-restricted"
SYMMETRIC = "symmetric"
NAT_TYPES = (FULL_CONE, ADDRESS_RESTRICTED, PORT_RESTRICTED, SYMMETRIC)


class Mapping(enum.Enum):
    NONE = "none"
    ENDPOINT_INDEPENDENT = "endpoint-independent"
    ENDPOINT_DEPENDENT = "endpoint-dependent"


class Filtering(enum.Enum):
    NONE = "none"
    ENDPOINT_INDEPENDENT = "endpoint-independent"
    ADDRESS_DEPENDENT = "address-dependent"
    ADDRESS_AND_PORT_DEPENDENT = "address-and-port-dependent"


@dataclass(frozen=True)
class NatBehaviour:
    name: str
    mapping: Mapping
    filtering: Filtering

    @property
    def predictable(self) -> bool:
        """Does an inside port keep the same external port for every destination?"""
        return self.mapping is not Mapping.ENDPOINT_DEPENDENT


BEHAVIOURS = {
    PUBLIC: NatBehaviour(PUBLIC, Mapping.NONE, Filtering.NONE),
    FULL_CONE: NatBehaviour(
        FULL_CONE, Mapping.ENDPOINT_INDEPENDENT, Filtering.ENDPOINT_INDEPENDENT
    ),
    ADDRESS_RESTRICTED: NatBehaviour(
        ADDRESS_RESTRICTED, Mapping.ENDPOINT_INDEPENDENT, Filtering.ADDRESS_DEPENDENT
    ),
    PORT_RESTRICTED: NatBehaviour(
        PORT_RESTRICTED, Mapping.ENDPOINT_INDEPENDENT, Filtering.ADDRESS_AND_PORT_DEPENDENT
    ),
    SYMMETRIC: NatBehaviour(
        SYMMETRIC, Mapping.ENDPOINT_DEPENDENT, Filtering.ADDRESS_AND_PORT_DEPENDENT
    ),
}


def behaviour(name: str) -> NatBehaviour:
    try:
        return BEHAVIOURS[name]
    except KeyError:
        raise ValueError(f"unknown NAT type {name!r}; one of {(PUBLIC, *NAT_TYPES)}") from None


def punch_direction_works(dialer: str, listener: str) -> bool:
    """Does the dialer's SYN reach the listener during a simultaneous open?

    The listener's external endpoint must be where the dialer aims (its mapping is
    predictable), and its filter must admit the dialer's real external endpoint, given
    that the listener itself sent to the dialer's *predicted* endpoint: always for
    endpoint-independent filtering, always for address-dependent (the IP is right), and
    for address-and-port-dependent only when the dialer's port was predictable too.
    """
    d, lis = behaviour(dialer), behaviour(listener)
    if not lis.predictable:
        return False
    if lis.filtering is Filtering.ADDRESS_AND_PORT_DEPENDENT:
        return d.predictable
    return True


def holepunch_possible(a: str, b: str, *, same_nat: bool = False) -> bool:
    """Can two peers of these types open a direct connection by hole punching?

    Behind the same NAT device the answer is no: the emulated routers do not hairpin
    (like many home routers), so such pairs stay relayed.
    """
    if same_nat:
        return False
    return punch_direction_works(a, b) or punch_direction_works(b, a)
