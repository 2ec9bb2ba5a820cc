"""Invalid specs are rejected with every problem, its field path and its line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from p2pnet_operator.spec import MAX_SPEC_BYTES, SpecError, from_dict, load_spec, load_spec_file

INVALID = sorted((Path(__file__).resolve().parents[2] / "examples" / "invalid").glob("*.yaml"))


def expected_message(path: Path) -> str:
    first = path.read_text().splitlines()[0]
    match = re.fullmatch(r"# expect: (.+)", first)
    assert match, f"{path.name} must start with '# expect: <message>'"
    return match.group(1)


def problems(text: str, source: str = "t.yaml") -> list[str]:
    with pytest.raises(SpecError) as e:
        load_spec(text, source)
    return e.value.messages


def test_there_are_invalid_examples() -> None:
    assert len(INVALID) >= 5


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_example_gives_its_message(path: Path) -> None:
    with pytest.raises(SpecError) as e:
        load_spec_file(path)
    assert len(e.value.problems) == 1, e.value.messages
    (message,) = e.value.messages
    assert message.startswith(str(path))
    assert message.endswith(expected_message(path))


def test_all_problems_are_reported_in_file_order() -> None:
    text = "name: x\nspec:\n  peerz: 4\n  duration: 10\n  dht:\n    alpha: 0\n"
    assert problems(text) == [
        "t.yaml:3:3: spec.peerz: unknown field (did you mean 'peers'?)",
        "t.yaml:4:3: spec.duration: expected a duration like '60s', '5m' or '1h30m', got 10",
        "t.yaml:6:5: spec.dht.alpha: must be >= 1, got 0",
    ]


def test_cross_field_rules() -> None:
    text = (
        "name: x\nspec:\n  peers: 10\n  bootstrapPeers: 4\n  dht: {k: 8, alpha: 9}\n"
        "  nat:\n    fraction: 0.9\n    relays: 7\n"
    )
    assert problems(text) == [
        "t.yaml:5:15: spec.dht.alpha: must be <= spec.dht.k (8), got 9",
        "t.yaml:7:5: spec.nat.fraction: puts 9 peers behind NAT, more than spec.peers"
        " - spec.bootstrapPeers - spec.nat.relays (-1): bootstrap peers and relays stay public",
        "t.yaml:8:5: spec.nat.relays: must be <= spec.peers - spec.bootstrapPeers (6), got 7",
    ]


def test_rule_on_a_default_points_at_the_nearest_written_ancestor() -> None:
    assert problems("name: x\nspec:\n  peers: 8\n") == [
        "t.yaml:2:1: spec.dht.k: must be <= spec.peers (8), got 20"
    ]
    assert problems("name: x\nspec:\n  peers: 8\n  dht: {alpha: 2}\n") == [
        "t.yaml:4:3: spec.dht.k: must be <= spec.peers (8), got 20"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\nspec: {peers: true}", "spec.peers: expected an integer, got True"),
        ("name: x\nspec: {peers: 6.5}", "spec.peers: expected an integer, got 6.5"),
        ("name: x\nspec: {dht: [1]}", "spec.dht: expected a mapping, got a list"),
        ("name: x\nspec: {nat: {fraction: 1.5}}", "spec.nat.fraction: must be <= 1, got 1.5"),
        ("name: x\nspec: {nat: {types: [symmetric, symmetric]}}", "must not repeat an item"),
        (
            "name: x\nspec: {nat: {types: [symmetric], weights: {symmetric: 1}}}",
            "spec.nat.weights: set either types or weights, not both",
        ),
        ("name: x\nspec: {nat: {weights: {symmetric: 0}}}", "at least one weight must be > 0"),
        (
            "name: x\nspec: {churn: {sessionTime: {mean: 1m, shape: 2}}}",
            "spec.churn.sessionTime.shape: only applies to the weibull distribution",
        ),
        ("name: x\nspec: {churn: {downtime: {}}}", "spec.churn.downtime.mean: required field"),
        ("name: x\nspec: {churn: {maxUnavailable: 0}}", "must be >= 1, got 0"),
        ("name: x\nspec: {churn: {maxUnavailable: '0%'}}", "must be >= 1, got '0%'"),
        ("name: x\nspec: {transfer: {pieceSize: 100}}", "must be >= 1024 bytes, got 100"),
        ("name: x\nspec: {duration: 500ms}", "spec.duration: must be >= 1s, got '500ms'"),
        ("name: x\nspec: {duration: 8d}", "spec.duration: expected a duration"),
        (
            "name: x\nspec: {gossip: {preset: wan}}",
            "spec.gossip.preset: must be one of lan, local; got 'wan'",
        ),
        ("spec: {peers: 4}", "name: required field is missing"),
        ("name: " + "a" * 41, "name: must be at most 40 characters long"),
        ("name: x\nextra: 1", "extra: unknown field"),
        ("- a\n- b", "expected a mapping with name and spec, got a list"),
        ("", "the spec is empty"),
        ("name: x\nname: y", "t.yaml:2:1: duplicate key 'name'"),
        ("name: x\n---\nname: y", "invalid YAML: expected a single document"),
        ("name: [x", "invalid YAML"),
        ("apiVersion: v1\nkind: P2PNetwork\nmetadata: {name: x}", "apiVersion: must be"),
        ("apiVersion: p2pnet.io/v1alpha1\nkind: P2PNetwork\nmetadata: {}", "metadata.name"),
        (
            "name: x\nspec:\n  workload:\n    files:\n      - {name: a, size: 1, downloaders: 1}\n"
            "      - {name: a, size: 2, downloaders: 1}\n",
            "t.yaml:6:10: spec.workload.files[1].name: duplicate name 'a'",
        ),
    ],
)
def test_problem_messages(text: str, message: str) -> None:
    assert any(message in m for m in problems(text)), problems(text)


def test_dict_input_has_paths_but_no_lines() -> None:
    with pytest.raises(SpecError) as e:
        from_dict({"metadata": {"name": "x"}, "kind": "P2PNetwork", "spec": {"peers": 1}})
    assert e.value.messages == [
        "<resource>: apiVersion: required field is missing (expected 'p2pnet.io/v1alpha1')",
        "<resource>: spec.peers: must be >= 2, got 1",
    ]


def test_size_cap_is_enforced_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("the parser must not see an oversized spec")

    monkeypatch.setattr(yaml, "compose", no_parsing)
    text = "name: x\n" + "#" * MAX_SPEC_BYTES
    with pytest.raises(SpecError, match="more than the 1048576 byte limit"):
        load_spec(text, "big.yaml")


def test_size_cap_is_enforced_before_reading_a_file(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as f:
        f.truncate(4 * MAX_SPEC_BYTES)
    with pytest.raises(SpecError) as e:
        load_spec_file(path)
    assert e.value.messages == [
        f"{path}: spec is {4 * MAX_SPEC_BYTES} bytes, more than the 1048576 byte limit"
    ]


def test_a_spec_just_under_the_cap_is_parsed() -> None:
    text = "name: x\n" + "#" * (MAX_SPEC_BYTES - 16) + "\n"
    assert load_spec(text).name == "x"


def test_alias_bombs_are_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    assert any("more than" in m and "values" in m for m in problems("\n".join(lines)))
    assert any("nested deeper" in m for m in problems("a: &a [*a]"))


def test_beta_above_k_names_the_field() -> None:
    assert problems("name: x\nspec:\n  peers: 8\n  dht: {k: 4, beta: 5}\n") == [
        "t.yaml:4:15: spec.dht.beta: must be <= spec.dht.k (4), got 5"
    ]
