"""Which stored records a newly seen peer should hold too (the Kademlia paper's join rule).

A record lives on the k peers closest to its key. When a peer joins, or comes back from
a restart that lost its store, no publisher knows it should hold something until the
next republish, which can be hours away; meanwhile every restart of a holder leaves one
replica fewer. So a peer that holds a record and learns of a newcomer among the k
closest to the record's key (by its own view of the network, itself included) stores the
record on the newcomer. Pure: the caller supplies the view and sends the records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from p2pnet_peer.kademlia.ids import as_int


def keys_for_newcomer(
    newcomer: bytes,
    self_id: bytes,
    keys: Iterable[bytes],
    closest_known: Callable[[bytes], list[bytes]],
    k: int,
) -> list[bytes]:
    """The ``keys`` for which ``newcomer`` is among the k closest of the peers
    ``closest_known(key)`` (our k closest contacts to the key) plus ourselves."""
    wanted = []
    n = as_int(newcomer)
    for key in keys:
        t = as_int(key)
        others = {i for i in closest_known(key) if i != newcomer} | {self_id}
        nearer = sum(1 for i in others if as_int(i) ^ t < n ^ t)
        if nearer < k:
            wanted.append(key)
    return wanted
