"""Sans-I/O Kademlia: routing table, iterative lookup and record stores.

Nothing here performs I/O, reads a clock or awaits: callers pass ``now`` (seconds on any
monotonic clock) and a ``random.Random``, and turn what these objects ask for into RPCs.
"""
