"""NAT traversal: reachability (AutoNAT), circuit relays, hole punching (DCUtR), and the
fallback-mode emulation. Decisions live in sans-I/O modules (behaviour, addresses,
config, reachability, paths, relay_book, emulation); node, relay, service, transport
and the punchers drive them over a transport."""
