"""report.json's NAT section from synthetic run events: the type-pair matrix and rates."""

from __future__ import annotations

from typing import Any

from p2pnet_testbed.report.summary import summarize


def conn(
    peer: int, remote: int, local: str, remote_nat: str, path: str, ok: bool
) -> dict[str, Any]:
    return {
        "t": 1.0,
        "type": "nat_connection",
        "peer": peer,
        "remote_peer": remote,
        "local_nat": local,
        "remote_nat": remote_nat,
        "same_nat": False,
        "path": path,
        "outcome": "success" if ok else "failure",
    }


def test_matrix_rates_and_mode() -> None:
    plan = {"peers": [{"nat": "public"}, {"nat": "symmetric"}, {"nat": "symmetric"},
                      {"nat": "port-restricted"}]}  # fmt: skip
    events = [
        {"t": 0.0, "type": "run_start", "nat_mode": "fallback", "nat_reason": "forced"},
        conn(0, 1, "public", "symmetric", "relay", True),
        conn(0, 1, "public", "symmetric", "holepunch", True),
        conn(1, 2, "symmetric", "symmetric", "relay", True),
        conn(3, 1, "port-restricted", "symmetric", "relay", True),
        conn(3, 1, "port-restricted", "symmetric", "holepunch", False),  # not allowed: no count
        conn(2, 0, "symmetric", "public", "direct", False),
        {"t": 2.0, "type": "nat_status", "peer": 1, "nat": "symmetric", "status": "private"},
        {"t": 2.0, "type": "nat_holepunch_refused", "peer": 1, "remote_peer": 2},
        {"t": 3.0, "type": "nat_setup", "seconds": 0.0},
    ]
    nat = summarize({}, plan, events)["nat"]
    assert nat["mode"] == "fallback" and nat["reason"] == "forced"
    assert nat["paths"] == {"direct": 1, "holepunch": 2, "relay": 3}
    assert nat["outcomes"]["holepunch"] == {"success": 1, "failure": 1}
    assert nat["matrix"]["public->symmetric"]["holepunch"] == {"success": 1, "failure": 0}
    assert nat["holepunch_attempts"] == 1 and nat["holepunch_success_rate"] == 1.0
    assert nat["symmetric_pair_holepunches"] == 0
    assert nat["holepunch_refused"] == 1
    assert nat["connect_success_rate"] == 0.75  # (2, 0) never connected
    assert nat["relayed_fraction"] == 0.6667  # (1, 2) and (3, 1) stayed relayed
    assert nat["reachability"] == {"symmetric": {"private": 1}}
    assert nat["peers_behind_nat"] == 3


def test_no_nat_run() -> None:
    nat = summarize({}, {"peers": [{"nat": "public"}]}, [{"t": 0.0, "type": "run_start"}])["nat"]
    assert nat["mode"] == "none" and nat["holepunch_success_rate"] is None
    assert nat["paths"] == {"direct": 0, "holepunch": 0, "relay": 0}
