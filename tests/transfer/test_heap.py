"""The peer process keeps freed piece-sized buffers mapped (p2pnet_peer.heap)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

PROBE = """
import resource, sys
from p2pnet_peer import heap
if sys.argv[1] == "tuned":
    assert heap.keep_freed_memory()
def churn(rounds):
    for i in range(rounds):
        a = bytes(256 * 1024)  # zero-filled: every page is written
        b = bytearray(a)
        del a, b
churn(8)  # the allocator settles (glibc raises its mmap threshold on a first free)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
churn(200)
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def faults(mode: str) -> int:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True
    )
    return int(out.stdout)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="tunes glibc's malloc only")
def test_freed_piece_buffers_are_reused_without_faulting_pages_in() -> None:
    """200 rounds of two 256 KiB buffers: glibc's defaults return them to the kernel and
    fault each page in again (64 pages a buffer); tuned, the heap keeps and reuses them."""
    default = faults("default")
    if default < 200 * 16:
        pytest.skip(f"this glibc already reuses them ({default} faults untuned)")
    assert faults("tuned") < 200  # under one fault a round, from about 100
