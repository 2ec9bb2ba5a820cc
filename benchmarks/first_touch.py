"""What writing new page cache costs in pages the host took back, against pages freed
moments ago: why ``swarm_grpc.warm_free_memory`` runs before every timed pair download.

    python benchmarks/first_touch.py [--mib 32] [--files 32]

Some VMs (these CI machines: ``page_reporting`` on the kernel command line) report free
memory to their host, which takes it back; the next write to such a page faults on the
host. "grow" writes ``--files`` new files of ``--mib`` MiB and keeps them all until the
end, so the page cache grows past the few pages freed recently into pages the host holds
(or never backed); "warm" writes each file right after ``warm_free_memory`` and deletes
it. It prints each file's milliseconds, their medians and the ratio; on a machine that
keeps its memory the ratio is about 1. Memory freed in the last seconds (by a benchmark
just run) is still warm, and the first files of "grow" land in it: the per-file times
show where they leave it; run it on an idle machine, or with more ``--files``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from swarm import MIB
from swarm_grpc import warm_free_memory


def write_seconds(path: Path, size: int) -> float:
    chunk = os.urandom(MIB)
    started = time.perf_counter()
    with path.open("wb") as f:
        for _ in range(size // MIB):
            f.write(chunk)
    return time.perf_counter() - started


def page_reporting() -> str:
    words = Path("/proc/cmdline").read_text().split()
    return " ".join(w for w in words if w.startswith("page_reporting")) or "not on the cmdline"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--mib", type=int, default=32)
    p.add_argument("--files", type=int, default=32)
    p.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    args = p.parse_args()
    size = args.mib * MIB
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="p2pnet-first-touch-") as tmp:
        work = Path(tmp)
        grow = [write_seconds(work / f"kept-{i}", size) for i in range(args.files)]
        for i in range(args.files):
            (work / f"kept-{i}").unlink()
        warm = []
        for _ in range(args.files):
            warm_free_memory(work, 4 * size)
            warm.append(write_seconds(work / "content", size))
            (work / "content").unlink()
    g, w = statistics.median(grow) * 1000, statistics.median(warm) * 1000
    print(f"free page reporting: {page_reporting()}")
    print(f"grow, ms: {[round(s * 1000, 1) for s in grow]}")
    print(f"warm, ms: {[round(s * 1000, 1) for s in warm]}")
    print(
        f"writing {args.mib} MiB of new page cache: grow {g:.1f} ms, warm {w:.1f} ms, "
        f"grow / warm {g / w:.2f} (medians of {args.files} files)"
    )


if __name__ == "__main__":
    main()
