"""Regenerates the shipped NPN4 library (`npn4_library.py`) with this project's own exact engine:

    python -m sc_plugin.engines.npn4_build --regenerate [--time-limit-s 600]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sc_plugin.engines.abc_engine import AbcEngine
from sc_plugin.engines.base import Budget
from sc_plugin.engines.exact_sat import ExactEngine, ExactParams
from sc_plugin.engines.npn4_library import (LIBRARY_PATH, NUM_CLASSES, class_representatives, clear_library_cache,
                                            encode_implementation, library_entries)
from sc_plugin.errors import ScError

__all__ = ["regenerate", "main"]


def regenerate(path: Path = LIBRARY_PATH, *, time_limit_s: float = 600.0, verbose: bool = True) -> int:
    """Solves every class representative with the exact engine (library off) and writes the data file.

    Returns the number of classes not proven optimal (their best found implementation is stored, flag 0).
    """
    # ABC's result is the upper bound: exact synthesis refutes the sizes below it or finds a smaller circuit
    engine = ExactEngine(ExactParams(use_library=False, use_npn=False), upper_bound=AbcEngine())
    reps = class_representatives()
    lines = ["# Optimal AIGs of the 222 NPN classes of 4-input functions (exact SAT synthesis, sc_plugin).",
             "# Regenerate: python -m sc_plugin.engines.npn4_build --regenerate",
             "# columns: representative tt_hex, ands, proven optimal (1/0), AND fanin literals a,b;..., output literal"]
    unproven = 0
    start = time.perf_counter()
    for index, rep in enumerate(reps):
        candidate = engine.synthesize(rep, 4, budget=Budget(time_ms=time_limit_s * 1000.0))
        if candidate is None:
            raise ScError(f"exact synthesis found no implementation of class {rep:04x} in {time_limit_s} s")
        unproven += not candidate.optimal
        aig = candidate.implementation
        lines.append(f"{rep:04x}\t{aig.num_ands}\t{int(candidate.optimal)}\t{encode_implementation(aig)}")
        if verbose:
            print(f"[{index + 1}/{len(reps)}] {rep:04x}: {aig.num_ands} ANDs, optimal={candidate.optimal}, "
                  f"{candidate.time_s:.2f}s (total {time.perf_counter() - start:.0f}s)", file=sys.stderr)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    clear_library_cache()
    return unproven


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sc_plugin.engines.npn4_build",
                                     description="Regenerate or check the shipped NPN4 optimal-AIG library.")
    parser.add_argument("--regenerate", action="store_true", help="solve all 222 classes and rewrite the data file")
    parser.add_argument("--time-limit-s", type=float, default=600.0,
                        help="time limit per class for --regenerate (default: 600)")
    parser.add_argument("--out", type=Path, default=LIBRARY_PATH, help=f"data file (default: {LIBRARY_PATH})")
    args = parser.parse_args(argv)
    if args.regenerate:
        unproven = regenerate(args.out, time_limit_s=args.time_limit_s)
        print(f"wrote {args.out}: {NUM_CLASSES} classes, {unproven} not proven optimal")
        return 0
    entries = library_entries()
    hist: dict[int, int] = {}
    for entry in entries:
        hist[entry.aig.num_ands] = hist.get(entry.aig.num_ands, 0) + 1
    print(f"{len(entries)} classes, {sum(e.optimal for e in entries)} proven optimal; ANDs histogram: "
          + ", ".join(f"{k}:{v}" for k, v in sorted(hist.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
