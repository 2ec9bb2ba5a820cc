"""The README values table is generated from values.schema.json, and describes every key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "deploy" / "helm" / "p2pnet"
SCRIPT = REPO / "hack" / "gen_values_table.py"


def _leaves(values: dict[str, Any], prefix: str = "") -> set[str]:
    out = set()
    for key, value in values.items():
        if isinstance(value, dict) and value:
            out |= _leaves(value, f"{prefix}{key}.")
        else:
            out.add(f"{prefix}{key}")
    return out


def test_readme_tables_are_up_to_date() -> None:
    assert "<!-- values-table:start -->" in (CHART / "README.md").read_text()
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, f"run: python hack/gen_values_table.py\n{result.stderr}"


def test_every_default_value_has_a_described_row() -> None:
    table = subprocess.run(
        [sys.executable, str(SCRIPT), "--print"], capture_output=True, text=True, check=True
    ).stdout
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        rows[cells[0].strip("`")] = cells[3]
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    missing = _leaves(values) - set(rows)
    assert not missing, f"values.yaml keys missing from values.schema.json: {sorted(missing)}"
    undescribed = [key for key, description in rows.items() if not description]
    assert not undescribed
