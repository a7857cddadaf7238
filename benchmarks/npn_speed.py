"""Per-call speed of npn_canonize (best of 3 passes) and class invariance of the 8-input semi-canonical form."""
import random
import time
from pathlib import Path

from sc_plugin.aig.npn import NpnTransform, npn_canonize

CUTS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "cuts"


def per_call_us(tables, n):
    npn_canonize(tables[0], n)  # lazy tables, numba cache load
    passes = []
    for _ in range(3):
        start = time.perf_counter()
        for table in tables:
            npn_canonize(table, n)
        passes.append(time.perf_counter() - start)
    return min(passes) / len(tables) * 1e6


rng = random.Random(0)
for n in range(1, 9):
    tables = [rng.getrandbits(1 << n) for _ in range(3000 if n <= 4 else 300)]
    print(f"n={n}: {per_call_us(tables, n):7.1f} us/call, random tables")
for name, n in (("cut6_tt.txt", 6), ("cut8_tt.txt", 8), ("cut8_tt_hard.txt", 8)):
    rows = [line.split("\t") for line in open(CUTS / name) if not line.startswith(("#", "id"))]
    tables = [int(row[1], 16) for row in rows]
    changed = 0
    for table in tables:
        form = npn_canonize(table, n)[0]
        for _ in range(3):
            perm = list(range(n))
            rng.shuffle(perm)
            moved = NpnTransform(n, tuple(perm), rng.getrandbits(n), bool(rng.getrandbits(1))).apply(table)
            if npn_canonize(moved, n)[0] != form:
                changed += 1
                break
    print(f"{name}: {per_call_us(tables, n):7.1f} us/call mean; {changed} of {len(tables)} classes got another "
          f"form under 3 random NPN transforms")
