"""PeerProcess: where a real peer process sits (session, process group), and that it stops."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from p2pnet_testbed.local.processes import PeerProcess


@pytest.mark.parametrize("own_session", [True, False])
def test_a_peer_process_stops_cleanly_in_a_session_of_its_own_or_in_ours(
    tmp_path: Path, own_session: bool
) -> None:
    """By default a peer leads a session of its own (a terminal's signals do not reach it;
    the kernel schedules it as its own group); with ``own_session=False`` it shares ours.
    Either way it leads its own process group, so SIGTERM reaches it and it exits 0."""
    proc = PeerProcess(tmp_path, "peer", metrics_port=-1, own_session=own_session)
    try:
        proc.wait_ready(timeout=120)
        assert os.getpgid(proc.pid) == proc.pid
        assert (os.getsid(proc.pid) == proc.pid) is own_session
        assert (os.getsid(proc.pid) == os.getsid(0)) is not own_session
    finally:
        code = proc.stop(grace=30)
    assert code == 0
    assert not proc.alive()
