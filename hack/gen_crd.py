"""Regenerate the committed P2PNetwork CRD from the spec model (p2pnet_operator.spec).

python hack/gen_crd.py            # rewrite deploy/helm/p2pnet/crds/p2pnetworks.p2pnet.io.yaml
python hack/gen_crd.py --out DIR  # write DIR/p2pnetworks.p2pnet.io.yaml instead (drift test)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from p2pnet_operator.spec.crd import CRD_NAME, crd_yaml

CRDS_DIR = Path(__file__).resolve().parent.parent / "deploy" / "helm" / "p2pnet" / "crds"


def generate(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{CRD_NAME}.yaml"
    target.write_text(crd_yaml(), encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=CRDS_DIR)
    args = parser.parse_args()
    print(f"wrote {generate(args.out)}")


if __name__ == "__main__":
    main()
