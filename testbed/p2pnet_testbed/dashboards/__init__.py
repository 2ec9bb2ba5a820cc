"""Grafana dashboards and Prometheus alert rules as code.

:mod:`.catalog` holds every dashboard as plain data (panels, PromQL, units), the one
source for the generated Grafana JSON (:mod:`.grafana`, ``hack/gen_dashboards.py``),
for ``p2pnet observe`` (which evaluates the same queries against a run's Prometheus) and
for the tests that check every query against real data. :mod:`.alerts` holds the alert
rules likewise.
"""

from p2pnet_testbed.dashboards.catalog import DASHBOARDS
from p2pnet_testbed.dashboards.model import Dashboard, Panel, Query

__all__ = ["DASHBOARDS", "Dashboard", "Panel", "Query"]
