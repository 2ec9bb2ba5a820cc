"""The runtime requirements of each container image, pinned as pyproject.toml pins them.

python hack/image_requirements.py peer       # requirement lines for peer/Dockerfile
python hack/image_requirements.py operator   # ... for operator/Dockerfile

The images install the p2pnet wheel without its dependencies, then only these (and what
they require), so the peer image carries no kopf/matplotlib/locust and the operator image
no grpcio. tests/chart/test_images.py imports each image's entry module with every other
distribution hidden, so a missing requirement fails there, not in a cluster.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"

IMAGES: dict[str, tuple[str, ...]] = {
    "peer": ("grpcio", "grpcio-health-checking", "protobuf", "prometheus-client", "cryptography"),
    "operator": ("kopf", "kubernetes", "prometheus-client", "pyyaml", "cryptography"),
}
# What each image runs (the module its process imports first).
ENTRY_MODULES = {"peer": "p2pnet_peer.cli", "operator": "p2pnet_operator.handlers"}


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(spec: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
    if not match:
        raise ValueError(f"not a requirement: {spec!r}")
    return normalize(match.group(1))


def requirements(image: str, pyproject: Path = PYPROJECT) -> list[str]:
    """The pyproject.toml dependency lines for `image`'s packages, in IMAGES order."""
    deps = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    by_name = {requirement_name(d): d for d in deps}
    missing = [n for n in IMAGES[image] if normalize(n) not in by_name]
    if missing:
        raise SystemExit(f"{image}: not in pyproject.toml dependencies: {', '.join(missing)}")
    return [by_name[normalize(n)] for n in IMAGES[image]]


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in IMAGES:
        print(f"usage: image_requirements.py {{{','.join(IMAGES)}}}", file=sys.stderr)
        return 2
    print("\n".join(requirements(argv[0])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
