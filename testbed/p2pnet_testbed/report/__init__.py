"""The run report: report.json, PNG plots and report.html, rebuilt from a run directory's
saved data (spec.yaml, plan.json, events.jsonl) at any time with ``p2pnet report DIR``."""

from p2pnet_testbed.report.build import render_report

__all__ = ["render_report"]
