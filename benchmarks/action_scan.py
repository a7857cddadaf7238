"""Time of the environment's per-state scan (legal mask plus the 1/2/3-move shortcut) on random-walk states.

    python benchmarks/action_scan.py [--set cut8] [--functions 60] [--seed 1]

Walks random legal episodes from the first N functions of a shared cut set and prints the mean milliseconds per
state of `actions.step`'s scan, with and without the shortcut (the mask alone is what `action_mask` costs).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from sc_plugin.learned.actions import _mask_and_shortcut, initial_state, step

CUTS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "cuts"
SETS = {"cut8": ("cut8_tt.txt", 8), "cut8_hard": ("cut8_tt_hard.txt", 8), "cut6": ("cut6_tt.txt", 6)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", default="cut8", choices=list(SETS))
    parser.add_argument("--functions", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    name, num_inputs = SETS[args.set]
    tables = [line.split()[1] for line in open(CUTS / name) if line[:1].isdigit()][:args.functions]
    rng = np.random.default_rng(args.seed)
    states = []
    for table in tables:
        state = initial_state(int(table, 16), num_inputs)
        while not state.done:
            states.append(state)
            state = step(state, int(rng.choice(np.flatnonzero(state.mask))))
    for label, with_target in (("mask + shortcut", True), ("mask only", False)):
        start = time.perf_counter()
        for state in states:
            _mask_and_shortcut(state.tables, state.target if with_target else None)
        print(f"{label}: {1000 * (time.perf_counter() - start) / len(states):.3f} ms per state "
              f"({len(states)} states)")


if __name__ == "__main__":
    main()
