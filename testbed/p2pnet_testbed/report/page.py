"""report.html: the figures and plots on one self-contained page (images beside it)."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return html.escape(str(value))


def headline_rows(report: dict[str, Any]) -> list[tuple[str, Any]]:
    lk, gs, tr, ch = report["lookups"], report["gossip"], report["transfer"], report["churn"]
    return [
        ("complete", report["complete"]),
        ("peers", report["peers"]),
        ("duration (s)", report["duration_s"]),
        ("lookups", lk["count"]),
        ("lookup success rate", lk["success_rate"]),
        ("hops p50 / p99", f"{_fmt(lk['hops_p50'])} / {_fmt(lk['hops_p99'])}"),
        ("lookup ms p50 / p99", f"{_fmt(lk['ms_p50'])} / {_fmt(lk['ms_p99'])}"),
        ("get success rate", report["gets"]["success_rate"]),
        ("rumours / max convergence rounds", f"{gs['rumours']} / {_fmt(gs['rounds_max'])}"),
        ("transfer Mbit/s", tr["mbps"]),
        ("churn events (applied / planned)", f"{ch['events']} / {ch['planned']}"),
        ("NAT mode / paths", f"{report['nat']['mode']} / {report['nat']['paths']}"),
    ]


def _src(image: Path, out: Path) -> str:
    """The image's path relative to the page (dashboards/ images sit in a subfolder)."""
    return image.relative_to(out).as_posix() if image.is_relative_to(out) else image.name


def write_page(report: dict[str, Any], images: list[Path], out: Path) -> Path:
    rows = "\n".join(
        f"<tr><th>{html.escape(k)}</th><td>{_fmt(v)}</td></tr>" for k, v in headline_rows(report)
    )
    figures = "\n".join(
        f'<figure><img src="{html.escape(_src(p, out))}" alt="{html.escape(p.stem)}"></figure>'
        for p in images
    )
    title = f"p2pnet run: {html.escape(str(report['network']))}"
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 1.5em; }}
th, td {{ border: 1px solid #ccc; padding: 0.3em 0.8em; text-align: left; }}
figure {{ display: inline-block; margin: 0.5em; }}
pre {{ background: #f6f6f6; padding: 1em; overflow-x: auto; }}
</style></head><body>
<h1>{title}</h1>
<p>End: {html.escape(str(report["end_reason"]))}</p>
<table>{rows}</table>
{figures}
<h2>report.json</h2>
<pre>{html.escape(json.dumps(report, indent=2)[:200_000])}</pre>
</body></html>
"""
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path
