"""Writing a download's pieces into a fresh content file: allocated up front or sparse.

DiskPieceStore allocates the content file when it opens (``posix_fallocate``); this
prints what that does to the cost of writing the pieces, allocation included, on the
filesystem holding ``--dir``. Rounds alternate the two ways on the same machine; each
writes a new file and removes it, so page-cache growth does not favour either.

    python benchmarks/piece_writes.py --dir /tmp --file-mib 32 --rounds 15
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from pathlib import Path

MIB = 1024 * 1024


def write_file(path: Path, pieces: list[bytes], allocate: bool) -> float:
    """Seconds to create ``path`` and write ``pieces`` at their offsets (in a shuffled
    order, as rarest-first delivers them), the allocation counted."""
    size = sum(map(len, pieces))
    order = list(range(len(pieces)))
    random.Random(len(pieces)).shuffle(order)
    started = time.perf_counter()
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        if allocate:
            os.posix_fallocate(fd, 0, size)
        else:
            os.ftruncate(fd, size)
        piece = len(pieces[0])
        for index in order:
            os.pwrite(fd, pieces[index], index * piece)
        return time.perf_counter() - started
    finally:
        os.close(fd)
        path.unlink()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--dir", type=Path, default=Path("/tmp"))
    p.add_argument("--file-mib", type=int, default=32)
    p.add_argument("--piece-kib", type=int, default=256)
    p.add_argument("--rounds", type=int, default=15)
    args = p.parse_args()
    piece = args.piece_kib * 1024
    pieces = [os.urandom(piece) for _ in range(args.file_mib * MIB // piece)]
    path = args.dir / f"piece-writes-{os.getpid()}.bin"
    sparse: list[float] = []
    allocated: list[float] = []
    for round_index in range(args.rounds):
        ways = [(False, sparse), (True, allocated)]
        for allocate, times in ways if round_index % 2 == 0 else ways[::-1]:
            times.append(write_file(path, pieces, allocate))
    s, a = statistics.median(sparse) * 1000, statistics.median(allocated) * 1000
    print(f"{args.file_mib} MiB in {len(pieces)} pieces, {args.rounds} rounds, medians:")
    print(f"  sparse file:    {s:.2f} ms")
    print(f"  allocated file: {a:.2f} ms (allocation counted)")
    print(f"  allocated / sparse: {a / s:.2f}")


if __name__ == "__main__":
    main()
