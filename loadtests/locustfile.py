"""Locust gRPC users for p2pnet peers: see p2pnet_testbed.load.locustfile.

locust -f loadtests/locustfile.py --host runs/<run dir>            # a local run
locust -f loadtests/locustfile.py --host <network>-peers.<ns>.svc:7000   # a cluster
p2pnet load RUN_DIR --users 20 --rate 200 --duration 30s           # headless, CSV + HTML
"""

from p2pnet_testbed.load.locustfile import PeerUser

__all__ = ["PeerUser"]
