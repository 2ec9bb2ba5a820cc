"""The swarm transfer driver: runs :mod:`p2pnet_peer.swarm` sessions over a Transport."""
