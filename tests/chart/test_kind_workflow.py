"""The kind-e2e workflow (it runs in users' CI, never here) is consistent with the repo:
the images it builds are the ones ci/kind-values.yaml installs, and what it applies, waits
for and checks exists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from p2pnet_operator.render import labels as L

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "kind-e2e.yml"


def _workflow() -> tuple[dict[str, Any], str]:
    text = WORKFLOW.read_text()
    return yaml.safe_load(text), text


def _run_steps(flow: dict[str, Any]) -> str:
    (job,) = flow["jobs"].values()
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_builds_both_images_and_installs_them_with_the_kind_values() -> None:
    flow, _ = _workflow()
    values = yaml.safe_load((REPO / flow["env"]["VALUES"]).read_text())
    script = _run_steps(flow)
    for image in ("peer", "operator"):
        ref = values[image]["image"]
        tag = f"{ref['repository']}:{ref['tag']}"
        assert f"docker build -f {image}/Dockerfile -t {tag} ." in script
        assert tag in script.split("kind load docker-image", 1)[1].splitlines()[0]
        assert ref["pullPolicy"] == "Never"  # loaded into kind, never pulled
    assert 'helm install p2pnet deploy/helm/p2pnet -n "$NAMESPACE"' in script


def test_applies_waits_for_and_checks_the_quick_start() -> None:
    flow, _ = _workflow()
    script = _run_steps(flow)
    example = yaml.safe_load((REPO / "examples" / "quickstart.yaml").read_text())
    assert flow["env"]["NETWORK"] == example["metadata"]["name"]
    assert "kubectl apply -f examples/quickstart.yaml" in script
    assert "--for=condition=Ready" in script
    assert f"{L.PEER}=0" in script and f"{L.NETWORK}=$NETWORK" in script
    assert (REPO / "hack" / "cluster_smoke.py").exists() and "< hack/cluster_smoke.py" in script
    assert L.service_name("$NETWORK") in script  # peers' stable DNS names


def test_collects_logs_on_failure() -> None:
    flow, _ = _workflow()
    (job,) = flow["jobs"].values()
    on_failure = [s for s in job["steps"] if s.get("if") == "failure()"]
    assert any("kind export logs" in s.get("run", "") for s in on_failure)
    assert any(s.get("uses", "").startswith("actions/upload-artifact@") for s in on_failure)
    assert job["timeout-minutes"] <= 60
