"""How a peer reaches other peers: real gRPC, or an in-memory network for simulation.

Both implement :class:`p2pnet_peer.transport.base.Transport`: a unary call and a
server-streaming call addressed by ``(address, service, method)`` carrying protobuf
messages, and a place to register the services a peer serves. Protocol drivers only ever
talk to that interface, so one driver runs in pods, local processes and the simulator.
"""
