"""Generate the Helm chart's values table from values.schema.json (and values.yaml defaults).

python hack/gen_values_table.py          # rewrite the table in every README that has markers
python hack/gen_values_table.py --check  # exit 1 if a README's table is out of date
python hack/gen_values_table.py --print  # print the table

The table sits between `<!-- values-table:start -->` and `<!-- values-table:end -->` in
deploy/helm/p2pnet/README.md (and in README.md, when it has the markers).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
CHART = REPO / "deploy" / "helm" / "p2pnet"
READMES = (CHART / "README.md", REPO / "README.md")
START, END = "<!-- values-table:start -->", "<!-- values-table:end -->"


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Merge a `$ref` (to #/$defs/...) into the node; the node's own keys win."""
    if "$ref" not in node:
        return node
    target: Any = root
    for part in node["$ref"].removeprefix("#/").split("/"):
        target = target[part]
    merged = {**_resolve(target, root), **node}
    merged.pop("$ref")
    return merged


def _type(node: dict[str, Any]) -> str:
    if "enum" in node:
        return " \\| ".join(json.dumps(v) for v in node["enum"])
    kind = node.get("type", "any")
    if kind == "object" and "additionalProperties" in node:
        return "map"
    return str(kind)


def rows(
    node: dict[str, Any], root: dict[str, Any], values: Any, prefix: str = ""
) -> Iterator[tuple[str, str, str, str]]:
    """(key, type, default, description) for every leaf under `node`."""
    for key, child in node.get("properties", {}).items():
        child = _resolve(child, root)
        path = f"{prefix}{key}"
        default = values.get(key) if isinstance(values, dict) else None
        if child.get("type") == "object" and child.get("properties"):
            yield from rows(child, root, default or {}, f"{path}.")
            continue
        description = " ".join(str(child.get("description", "")).split())
        shown = "(unset)" if default is None else f"`{json.dumps(default)}`"
        yield path, _type(child), shown, description


def table(chart: Path = CHART) -> str:
    schema = json.loads((chart / "values.schema.json").read_text())
    values = yaml.safe_load((chart / "values.yaml").read_text())
    lines = ["| Key | Type | Default | Description |", "|---|---|---|---|"]
    for key, kind, default, description in rows(schema, schema, values):
        description = description.replace("|", "\\|")
        lines.append(f"| `{key}` | {kind} | {default} | {description} |")
    return "\n".join(lines)


def replace_block(text: str, block: str) -> str:
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    return pattern.sub(lambda _: f"{START}\n{block}\n{END}", text, count=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="fail on an out-of-date table")
    mode.add_argument("--print", action="store_true", help="print the table")
    args = parser.parse_args(argv)
    block = table()
    if args.print:
        print(block)
        return 0
    stale = []
    for readme in READMES:
        if not readme.exists() or START not in readme.read_text():
            continue
        text = readme.read_text()
        updated = replace_block(text, block)
        if updated != text:
            stale.append(readme)
            if not args.check:
                readme.write_text(updated)
    for readme in stale:
        verb = "out of date" if args.check else "rewrote"
        print(f"{verb}: {readme.relative_to(REPO)}", file=sys.stderr)
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
