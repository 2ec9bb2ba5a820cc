"""Regenerate the committed gRPC stubs from proto/p2pnet/v1/*.proto.

python hack/gen_proto.py            # rewrite proto/p2pnet/v1/*_pb2*.py(i)
python hack/gen_proto.py --out DIR  # write them under DIR instead (drift test)
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

PROTO_ROOT = Path(__file__).resolve().parent.parent / "proto"


def generate(out: Path) -> list[Path]:
    sources = sorted(PROTO_ROOT.glob("p2pnet/v1/*.proto"))
    include = resources.files("grpc_tools") / "_proto"
    args = [
        "protoc",
        f"-I{PROTO_ROOT}",
        f"-I{include}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        f"--grpc_python_out={out}",
        *(str(p.relative_to(PROTO_ROOT)) for p in sources),
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    return sources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROTO_ROOT)
    args = parser.parse_args()
    sources = generate(args.out)
    print(f"generated stubs for {len(sources)} files under {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
