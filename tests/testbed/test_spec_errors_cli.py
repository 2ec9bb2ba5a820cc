"""Bad specs are refused before anything starts, with the field path and the line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INVALID = sorted((REPO / "examples" / "invalid").glob("*.yaml"))


def expected_message(path: Path) -> str:
    for line in path.read_text().splitlines():
        m = re.match(r"#\s*expect:\s*(.+)", line)
        if m:
            return m.group(1).strip()
    raise AssertionError(f"{path} has no '# expect:' line")


@pytest.mark.parametrize("spec", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_spec_is_refused_with_field_and_line(spec: Path, tmp_path: Path, p2pnet) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    result = p2pnet("run", str(spec), "--out", str(out), cwd=tmp_path, timeout=60)
    assert result.returncode == 2, result.stderr
    assert expected_message(spec) in result.stderr
    assert "nothing was started" in result.stderr
    assert not out.exists(), "a run directory was created for an invalid spec"


def test_oversized_spec_is_refused_before_parsing(tmp_path: Path, p2pnet) -> None:  # type: ignore[no-untyped-def]
    spec = tmp_path / "huge.yaml"
    spec.write_text("name: huge\nspec:\n  peers: 4\n" + "#" * (2 * 1024 * 1024) + "\n")
    result = p2pnet("run", str(spec), "--out", str(tmp_path / "run"), cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert "more than the 1048576 byte limit" in result.stderr, result.stderr
    assert not (tmp_path / "run").exists()


def test_bad_override_is_refused(tmp_path: Path, p2pnet, repo: Path) -> None:  # type: ignore[no-untyped-def]
    result = p2pnet(
        "run",
        str(repo / "examples" / "quickstart.yaml"),
        "--peers",
        "1",
        "--out",
        str(tmp_path / "run"),
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 2
    assert "spec.peers" in result.stderr
    assert not (tmp_path / "run").exists()


def test_missing_file_is_a_clear_error(tmp_path: Path, p2pnet) -> None:  # type: ignore[no-untyped-def]
    result = p2pnet("run", str(tmp_path / "nope.yaml"), cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert "nope.yaml" in result.stderr
