"""Issue 27 item 3: what the learned engine adds to the portfolio at equal time.

The first N functions of a cut-function set, each given the same per-function budget by the portfolio with the
learned engine (the exact engine with its NPN4 library and ABC upper bound, then `mcts` asked only for results
smaller than the best so far, with its share of the time) and by the portfolio without it (the exact engine with the
whole time). The learned engine takes at most `--time-ratio` times what the exact engine took on a batch
(`PortfolioParams.followers_time_ratio`; inf: its whole share of the budget). Prints, per budget, a Markdown row:
functions where the learned engine's portfolio is smaller and where it is larger, total ANDs of each, functions the
learned engine won, and wall times; the abc engine alone is given for reference. Functions are asked in batches,
as `sc-opt` asks them.

    python benchmarks/learned_contribution.py [--set ../shared/benchmarks/cuts/cut8_tt.txt] [--limit 200]
                                              [--budgets-ms 200,1000] [--batch 50] [--time-ratio R]
                                              [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from sc_plugin.engines.base import Budget
from sc_plugin.engines.portfolio import PortfolioParams
from sc_plugin.engines.registry import EngineParams, make_engine
from sc_plugin.training.data import load_test_functions

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"


def run(engine, functions: list[tuple[int, int]], budget_ms: float, batch: int) -> tuple[list[int | None], float]:
    """ANDs per function (None: no result) and the wall time of all batches."""
    sizes: list[int | None] = []
    start = time.perf_counter()
    for first in range(0, len(functions), batch):
        found = engine.synthesize_batch(functions[first:first + batch], budget=Budget(time_ms=budget_ms))
        sizes += [None if c is None else c.ands for c in found]
    return sizes, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", default=str(SHARED / "cuts" / "cut8_tt.txt"))
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--budgets-ms", default="200,1000")
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--time-ratio", type=float, default=PortfolioParams().followers_time_ratio,
                        help="the learned engine's time at most this multiple of the exact engine's (default: "
                             "the portfolio's, %(default)s)")
    parser.add_argument("--json", type=Path, help="write the per-function sizes here")
    args = parser.parse_args()
    functions = load_test_functions([args.set])[:args.limit]
    print(f"{len(functions)} functions of {Path(args.set).name}\n")
    print("| budget/function | abc ANDs | without mcts: ANDs | with mcts: ANDs | smaller with mcts | larger with mcts "
          "| mcts wins | time without / with / abc |")
    print("|---|---|---|---|---|---|---|---|")
    records = []
    for budget_ms in (float(b) for b in args.budgets_ms.split(",")):
        abc_sizes, abc_s = run(make_engine(EngineParams(name="abc")), functions, budget_ms, args.batch)
        without = make_engine(EngineParams(name="portfolio", use_mcts_in_portfolio=False))
        with_mcts = make_engine(EngineParams(name="portfolio",
                                             portfolio=PortfolioParams(followers_time_ratio=args.time_ratio)))
        assert len(with_mcts.engines) == 2, "the learned engine did not load"
        plain, plain_s = run(without, functions, budget_ms, args.batch)
        learned, learned_s = run(with_mcts, functions, budget_ms, args.batch)
        both = [(a, b) for a, b in zip(plain, learned) if a is not None and b is not None]
        smaller = sum(b < a for a, b in both)
        larger = sum(b > a for a, b in both)
        print(f"| {budget_ms:g} ms | {sum(s for s in abc_sizes if s is not None)} | {sum(a for a, _ in both)} | "
              f"{sum(b for _, b in both)} | {smaller} | {larger} | {with_mcts.stats.wins.get('mcts', 0)} | "
              f"{plain_s:.0f} s / {learned_s:.0f} s / {abc_s:.0f} s |", flush=True)
        records.append({"budget_ms": budget_ms, "time_ratio": args.time_ratio, "abc": abc_sizes,
                        "without_mcts": plain, "with_mcts": learned,
                        "wins": with_mcts.stats.wins, "time_s": {"without": plain_s, "with": learned_s, "abc": abc_s}})
    if args.json:
        args.json.write_text(json.dumps(records))


if __name__ == "__main__":
    main()
