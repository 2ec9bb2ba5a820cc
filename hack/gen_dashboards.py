"""Regenerate the committed Grafana dashboards and alert rules from their Python source
(p2pnet_testbed.dashboards), and the chart's copies of both (Helm reads files only from
inside the chart directory).

python hack/gen_dashboards.py             # rewrite dashboards/ and the chart's copies
python hack/gen_dashboards.py --out DIR   # write the same tree under DIR (drift test)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from p2pnet_testbed.dashboards import DASHBOARDS, alerts, grafana

REPO = Path(__file__).resolve().parent.parent
DASHBOARDS_DIR = Path("dashboards")
CHART_DIR = Path("deploy") / "helm" / "p2pnet"
RULES_FILE = "p2pnet-rules.yaml"


def files() -> dict[Path, str]:
    """Every generated file, relative to the repository root, with its text."""
    out: dict[Path, str] = {}
    rules = alerts.render()
    for base in (DASHBOARDS_DIR, CHART_DIR / "dashboards"):
        for d in DASHBOARDS:
            out[base / d.file_name] = grafana.render(d)
    out[DASHBOARDS_DIR / "alerts" / RULES_FILE] = rules
    out[CHART_DIR / "alerts" / RULES_FILE] = rules
    return out


def generate(root: Path) -> list[Path]:
    written = []
    for rel, text in files().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO)
    args = parser.parse_args()
    for path in generate(args.out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
