"""NAT emulation for the local backend: real address translation in network namespaces.

As root with iproute2 and nftables, a run gets an "internet" (a bridge in its own
namespace, on the benchmarking range 198.18.0.0/15), one namespace per public peer host
on that bridge, and per NAT group a router namespace whose nftables rules implement the
group's NAT type in front of an inside namespace (10.x.y.0/24) where the group's peers
run. Everything is named ``<prefix>-...`` (prefix = ``p2pnet-<supervisor pid>``), torn
down at exit and on Ctrl-C, and a stale setup whose supervisor is gone is removed at the
next start (:mod:`.cleanup`). Without root or nft the run falls back to reachability
filtering in the transport (:mod:`p2pnet_peer.nat.emulation`) and says so.
"""
