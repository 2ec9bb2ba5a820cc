"""The DHT driver and service: the sans-I/O Kademlia core wired to a transport."""
