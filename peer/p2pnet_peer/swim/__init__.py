"""Sans-I/O SWIM: membership, failure detection and rumour dissemination.

Nothing here performs I/O, reads a clock or awaits: callers pass ``now`` (seconds on any
monotonic clock) and a ``random.Random``, turn what :class:`~p2pnet_peer.swim.protocol.Swim`
asks for (probe this member, push-pull with that one) into RPCs, and hand it what arrives.
"""
