"""Sans-I/O swarm transfer: manifests, piece picking, choking, rate limits and penalties.

Nothing here performs I/O, reads a clock or awaits: callers pass ``now`` (seconds on any
monotonic clock) and a ``random.Random``, and turn what these objects decide into RPCs
(:mod:`p2pnet_peer.transfer` does that over a Transport).
"""
