"""The committed gRPC stubs are exactly what the .proto files generate."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_proto", ROOT / "hack" / "gen_proto.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_proto"] = module
    spec.loader.exec_module(module)
    return module


def stubs(root: Path) -> list[Path]:
    return [p for p in root.rglob("*_pb2*") if p.suffix in (".py", ".pyi")]


def test_committed_stubs_match_a_fresh_generation(tmp_path: Path) -> None:
    load_generator().generate(tmp_path)
    fresh = {p.relative_to(tmp_path): p.read_bytes() for p in stubs(tmp_path)}
    committed_dir = ROOT / "proto"
    committed = {p.relative_to(committed_dir): p.read_bytes() for p in stubs(committed_dir)}
    assert fresh, "generator produced nothing"
    assert sorted(fresh) == sorted(committed), "stub files differ: run python hack/gen_proto.py"
    stale = [str(name) for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"stale stubs {stale}: run python hack/gen_proto.py and commit"
