"""``p2pnet observe RUN_DIR``: what Grafana would show for a run, without a Grafana server.

Prometheus is started on the run's saved TSDB (``RUN_DIR/prometheus/data``), every query of
every dashboard panel is evaluated over the run's time range, and each dashboard becomes
one PNG in ``RUN_DIR/dashboards/`` with ``panels.json`` listing what each query returned.
"""

from p2pnet_testbed.observe.run import ObserveError, observe

__all__ = ["ObserveError", "observe"]
