"""The alert rules pass ``promtool check rules`` and every alert's ``promtool test rules``
unit tests (dashboards/alerts/p2pnet-rules.test.yaml: one network that must fire it and
one that must not)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ALERTS = REPO / "dashboards" / "alerts"


@pytest.fixture
def promtool() -> str:
    binary = shutil.which("promtool")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's prometheus (hack/ci-system-packages.sh)")
        pytest.skip("promtool is not installed (apt-get install prometheus)")
    return binary


def test_promtool_check_rules(promtool: str) -> None:
    out = subprocess.run(
        [promtool, "check", "rules", str(ALERTS / "p2pnet-rules.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SUCCESS: 5 rules found" in out.stdout + out.stderr


def test_promtool_test_rules(promtool: str) -> None:
    out = subprocess.run(
        [promtool, "test", "rules", str(ALERTS / "p2pnet-rules.test.yaml")],
        capture_output=True,
        text=True,
        check=False,
        cwd=ALERTS,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_every_alert_has_a_firing_and_a_quiet_case() -> None:
    rules = yaml.safe_load((ALERTS / "p2pnet-rules.yaml").read_text())
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"]}
    tests = yaml.safe_load((ALERTS / "p2pnet-rules.test.yaml").read_text())["tests"]
    fired: set[str] = set()
    quiet: set[str] = set()
    for case in tests:
        for check in case["alert_rule_test"]:
            (fired if check["exp_alerts"] else quiet).add(check["alertname"])
            # the firing case names one network; the test's other networks stay quiet
    assert fired == alerts, f"alerts without a firing test: {alerts - fired}"
    assert quiet == alerts, f"alerts without a quiet test: {alerts - quiet}"
