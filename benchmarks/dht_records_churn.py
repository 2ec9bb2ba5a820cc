"""Do records survive restart churn? Get success over virtual time, hand-off on and off.

    python benchmarks/dht_records_churn.py --seeds 5 --duration 300

Every peer in this process on the in-memory network under virtual time. 32 peers (2 of
them bootstrap peers that never leave), k=8. About once a second a random other peer
crashes while fewer than 4 are down, and comes back after an exponential downtime (mean
4 s) with the same identity, a new address and an empty store: restart churn. Each
second one live peer puts a fresh record (never republished within the run) and another
gets one put at least a second earlier. A get succeeds when it returns the value. The
run is done twice per seed, with the DHT's hand-off on and off. The last line printed
is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import random

from p2pnet_peer.peer import PeerConfig
from p2pnet_peer.simulation import SimulatedNetwork
from p2pnet_peer.transport.memory import MemoryNetwork
from p2pnet_peer.virtual_time import run_virtual

PEERS, BOOTSTRAP, K, MAX_DOWN, DOWNTIME_MEAN_S = 32, 2, 8, 4, 4.0


async def one_run(seed: int, duration: float, hand_off: bool) -> tuple[int, int]:
    rng = random.Random(seed)
    base = PeerConfig.local()
    dht = base.dht.with_overrides(k=K, alpha=3, request_timeout=3.0, hand_off=hand_off)
    config = dataclasses.replace(base, dht=dht)
    ok = total = 0
    network = MemoryNetwork(latency=0.005)
    async with SimulatedNetwork(network, config, seed=seed, maintain=True) as sim:
        await sim.grow(PEERS, bootstrap=BOOTSTRAP)
        seeds = [p.address for p in list(sim)[:BOOTSTRAP]]
        identities = {p.address: p.identity for p in sim}
        stored: list[tuple[float, bytes, bytes]] = []
        down = 0
        loop = asyncio.get_running_loop()
        start = loop.time()

        async def restart(address: str) -> None:
            nonlocal down
            identity = identities.pop(address)
            await sim.stop(address)
            down += 1
            await asyncio.sleep(rng.expovariate(1 / DOWNTIME_MEAN_S))
            back = sim.add(identity)
            identities[back.address] = identity
            down -= 1
            await back.join(seeds)

        restarts = []
        while loop.time() - start < duration:
            await asyncio.sleep(1.0)
            if down < MAX_DOWN:
                others = [p.address for p in sim if p.address not in seeds]
                restarts.append(asyncio.create_task(restart(rng.choice(others))))
            key, value = rng.randbytes(32), rng.randbytes(64)
            await rng.choice(list(sim)).dht.put(key, value, republish=False)
            stored.append((loop.time(), key, value))
            ready = [s for s in stored if loop.time() - s[0] >= 1.0]
            if ready:
                _, key, value = rng.choice(ready)
                got = await rng.choice(list(sim)).dht.find_value(key)
                total += 1
                ok += got.record is not None and got.record.value == value
        await asyncio.gather(*restarts, return_exceptions=True)
    return ok, total


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--duration", type=float, default=300.0, help="virtual seconds per run")
    args = p.parse_args()
    result: dict[str, object] = {"peers": PEERS, "k": K, "duration_s": args.duration}
    for hand_off in (True, False):
        ok = total = 0
        for seed in range(args.seeds):
            o, t = run_virtual(one_run(seed, args.duration, hand_off))
            ok, total = ok + o, total + t
        label = "hand_off" if hand_off else "no_hand_off"
        print(f"{label}: {ok}/{total} gets found their value")
        result[f"get_success_{label}"] = round(ok / total, 4) if total else None
        result[f"gets_{label}"] = total
    print(json.dumps(result))


if __name__ == "__main__":
    main()
