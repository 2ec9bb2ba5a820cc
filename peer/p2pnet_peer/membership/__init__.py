"""The membership driver and service: the sans-I/O SWIM core wired to a transport."""
