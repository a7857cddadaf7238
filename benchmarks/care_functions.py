"""Issue 27 item 1 / issue 26 item 1: the engines on incompletely specified cut functions from real designs.

`build`: every EPFL and ISCAS85 circuit of at most --max-ands ANDs, after `strash; dc2`, has its 8-feasible priority
cuts enumerated as `sc-opt --dont-cares` does (area flow first); the cuts of 6-8 leaves whose leaves cannot take
every combination (`cuts.care.care_set` over the window `rewrite` uses) are kept, those freeing the most ANDs first,
at most --per-design distinct (table, care) pairs per circuit. Written as a tab-separated file that `sc-synth
--batch` reads (tt_hex, care_hex columns).

`measure`: each engine on those functions with their care sets, against the best ABC result for the same functions
completely specified (the abc engine's four scripts, smallest of them). Prints one Markdown row per engine:
functions solved, total ANDs over the functions every engine solved, and its ratio to the complete baseline there.

    python benchmarks/care_functions.py build [--out benchmarks/data/care_functions.tsv]
    python benchmarks/care_functions.py measure [--data ...] [--engines abc,exact,mcts] [--budget-ms 500] \
        [--checkpoint MODEL.pt] [--bare]

--checkpoint gives the learned engine (mcts, and the portfolio's) another model; --bare runs it without its
decomposition fallback and polishing, so the row shows what the network's search alone finds.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from sc_plugin.abc.runner import optimize_with_abc
from sc_plugin.aig.analysis import fanout_counts
from sc_plugin.aig.functions import needed_variables
from sc_plugin.aig.io import read_network
from sc_plugin.aig.truth import parse_hex, table_mask, to_hex
from sc_plugin.cli.synth import SYNTH_PORTFOLIO, read_batch_file
from sc_plugin.cuts import CutParams, enumerate_cuts, mffc_sizes
from sc_plugin.cuts.care import care_set, find_window
from sc_plugin.engines.abc_engine import AbcEngine
from sc_plugin.engines.base import Budget, ask_engine
from sc_plugin.engines.learned import MctsParams
from sc_plugin.engines.registry import EngineParams, make_engine
from sc_plugin.rewrite.optimize import RewriteParams

ROOT = Path(__file__).resolve().parents[1]
DESIGNS = [ROOT / "flows" / "designs" / suite for suite in ("epfl", "iscas85")]
DEFAULT_DATA = ROOT / "benchmarks" / "data" / "care_functions.tsv"


def build(out: Path, max_ands: int, per_design: int) -> None:
    params = RewriteParams()
    rows = ["tt_hex\tcare_hex\tn_inputs\tcircuit\troot\tfreed\tcare_minterms"]
    for folder in DESIGNS:
        for path in sorted(folder.glob("*.aig")):
            aig = read_network(path)
            if aig.num_ands > max_ands:
                continue
            aig, _ = optimize_with_abc(aig, "strash; dc2")
            cuts, _ = enumerate_cuts(aig, params.cuts)
            refs = fanout_counts(aig)
            rows_used = np.flatnonzero((refs[cuts.roots] > 0) & (cuts.num_leaves >= 6))
            freed = mffc_sizes(aig, cuts.roots[rows_used], cuts.leaves[rows_used], refs)
            seen: set[tuple[int, int]] = set()
            for index in np.argsort(-freed, kind="stable").tolist():
                if len(seen) >= per_design:
                    break
                cut = cuts.cut(int(rows_used[index]))
                window = find_window(aig, cut.leaves, params.window_inputs)
                if set(window.inputs) == set(cut.leaves):
                    continue
                care = care_set(aig, cut.leaves, window)
                n = cut.num_inputs
                if care == table_mask(n) or len(needed_variables(cut.table, care, n)) < 2 or \
                        (cut.table, care) in seen:
                    continue
                seen.add((cut.table, care))
                rows.append(f"{to_hex(cut.table, n)}\t{to_hex(care, n)}\t{n}\t{path.stem}\t{cut.root}\t"
                            f"{int(freed[index])}\t{bin(care).count('1')}")
            print(f"{path.stem}: {len(seen)} functions")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(rows) + "\n")
    print(f"{len(rows) - 1} functions written to {out}")


def _run(engine, functions: list[tuple[int, int]], cares: list[int | None], budget_ms: float,
         batch: int) -> tuple[list[int | None], float]:
    """ANDs per function (None: no result) and the wall time."""
    sizes: list[int | None] = []
    start = time.perf_counter()
    for first in range(0, len(functions), batch):
        found = ask_engine(engine, functions[first:first + batch], budget=Budget(time_ms=budget_ms),
                           cares=cares[first:first + batch])
        sizes += [None if c is None else c.ands for c in found]
    return sizes, time.perf_counter() - start


def measure(data: Path, engines: list[str], budget_ms: float, checkpoint: str | None, bare: bool) -> None:
    functions, cares = [], []
    for table_text, care_text in read_batch_file(data):
        table, n = parse_hex(table_text)
        functions.append((table, n))
        cares.append(parse_hex(care_text, n)[0] if care_text else None)
    baseline, baseline_s = _run(AbcEngine(), functions, [None] * len(functions), 10000.0, 100)
    results = {"abc, complete (baseline)": (baseline, baseline_s)}
    for name in engines:
        engine = make_engine(EngineParams(name=name, portfolio=SYNTH_PORTFOLIO,  # as sc-synth builds it
                                          mcts=MctsParams(checkpoint=checkpoint), use_mcts_fallback=not bare,
                                          use_mcts_polish=not bare))
        batch = {"abc": 100, "mcts": 64, "portfolio": 64}.get(name, 1)  # as sc-opt batches; exact works alone
        results[f"{name}, care set"] = _run(engine, functions, cares, budget_ms, batch)
    common = [i for i in range(len(functions)) if all(sizes[i] is not None for sizes, _ in results.values())]
    base_total = sum(baseline[i] for i in common)
    print(f"{len(functions)} functions ({sum(n for _, n in functions) / len(functions):.1f} inputs on average), "
          f"budget {budget_ms:g} ms per function; totals over the {len(common)} every row solved")
    print("| engine | solved | total ANDs | vs complete ABC | total on its own solved | complete ABC there | wall s |")
    print("|---|---|---|---|---|---|---|")
    for label, (sizes, wall_s) in results.items():
        solved = [i for i, size in enumerate(sizes) if size is not None]
        total = sum(sizes[i] for i in common)
        own, own_base = sum(sizes[i] for i in solved), sum(baseline[i] for i in solved if baseline[i] is not None)
        print(f"| {label} | {len(solved)}/{len(sizes)} ({100 * len(solved) / len(sizes):.1f}%) | {total} | "
              f"{total / base_total:.3f} | {own} | {own_base} | {wall_s:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build")
    build_parser.add_argument("--out", type=Path, default=DEFAULT_DATA)
    build_parser.add_argument("--max-ands", type=int, default=15000, help="skip circuits larger than this")
    build_parser.add_argument("--per-design", type=int, default=20)
    measure_parser = commands.add_parser("measure")
    measure_parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    measure_parser.add_argument("--engines", default="abc,exact,mcts")
    measure_parser.add_argument("--budget-ms", type=float, default=500.0)
    measure_parser.add_argument("--checkpoint", help="the learned engine's model (default: the shipped one)")
    measure_parser.add_argument("--bare", action="store_true",
                                help="the learned engine without its decomposition fallback and polishing")
    args = parser.parse_args()
    if args.command == "build":
        build(args.out, args.max_ands, args.per_design)
    else:
        measure(args.data, args.engines.split(","), args.budget_ms, args.checkpoint, args.bare)


if __name__ == "__main__":
    main()
