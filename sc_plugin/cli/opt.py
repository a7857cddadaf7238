"""`sc-opt`: whole-network area optimization by verified cut resynthesis."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from sc_plugin.aig.io import read_network, write_network
from sc_plugin.cli.common import run_cli
from sc_plugin.engines.base import Budget
from sc_plugin.engines.cache import CachedEngine, SynthesisCache, default_cache_path
from sc_plugin.engines.parallel import ProcessPoolEngine
from sc_plugin.engines.registry import ENGINE_NAMES, make_engine
from sc_plugin.rewrite.optimize import RewriteParams, RewriteStats, rewrite
from sc_plugin.verify.cec import Verdict, check_equivalence

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    defaults = RewriteParams()
    parser = argparse.ArgumentParser(
        prog="sc-opt",
        description="Reduce the AND count of a network by resynthesizing its cut functions. Every replacement is "
                    "verified against its cone by exhaustive simulation, and the result against the input by "
                    "ABC's &cec (unless --no-verify). If anything fails, OUT receives the input unchanged and the "
                    "exit status is 1.",
        epilog="Files: .aig (binary AIGER), .aag (ASCII AIGER) or .v (structural Verilog of assign/AND/NOT). "
               "Latches in AIGER input are kept as boundaries. Example: sc-opt design.aig -o design.opt.aig")
    parser.add_argument("input", metavar="IN", help="network to optimize")
    parser.add_argument("-o", "--output", metavar="OUT", required=True, help="where to write the result")
    parser.add_argument("--k", type=int, default=defaults.cuts.max_cut_size, metavar="K",
                        help=f"largest cut (inputs of a resynthesized function), 2..8 (default "
                             f"{defaults.cuts.max_cut_size})")
    parser.add_argument("--cuts-per-node", type=int, default=defaults.cuts.max_cuts_per_node, metavar="C",
                        help=f"priority cuts kept per node (default {defaults.cuts.max_cuts_per_node})")
    parser.add_argument("--engine", choices=ENGINE_NAMES, default="abc",
                        help="resynthesis engine (default abc: fastest on large designs; portfolio is strongest)")
    parser.add_argument("--budget-ms", type=float, default=defaults.budget.time_ms, metavar="MS",
                        help=f"engine time per distinct function (default {defaults.budget.time_ms:g})")
    parser.add_argument("--rounds", type=int, default=defaults.max_rounds, metavar="N",
                        help=f"most rounds; stops earlier when a round gains nothing (default {defaults.max_rounds})")
    parser.add_argument("--time-limit", type=float, default=None, metavar="S",
                        help="seconds; the best verified network found by then is returned (default: none)")
    parser.add_argument("--zero-gain", action="store_true",
                        help="also accept replacements that save no AND but lower the level")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="resynthesize in N worker processes (default 1: in this process)")
    parser.add_argument("--verify", dest="verify", action="store_true", default=True,
                        help="prove the result equivalent to the input with ABC's &cec (default)")
    parser.add_argument("--no-verify", dest="verify", action="store_false",
                        help="skip the final proof (each replacement is still checked against its cone)")
    parser.add_argument("--cec-time-limit", type=float, default=600.0, metavar="S",
                        help="seconds for the final proof; undecided counts as a failure (default 600)")
    parser.add_argument("--cache", type=Path, default=None, metavar="PATH",
                        help=f"NPN-class cache file (default: $SC_CACHE, else {default_cache_path()})")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object on stdout")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    return parser


def _summary(args: argparse.Namespace, stats: RewriteStats, verified: bool | None, cache_hits: int,
             total_s: float, failure: str) -> dict:
    return {
        "input": args.input, "output": args.output, "engine": args.engine,
        "ands_before": stats.ands_before, "ands_after": stats.ands_after,
        "levels_before": stats.levels_before, "levels_after": stats.levels_after,
        "rounds": stats.rounds, "replacements": stats.replacements, "stopped_by": stats.stopped_by,
        "functions": stats.functions_requested, "cache_hits": cache_hits,
        "verified": verified, "time_s": round(total_s, 3), "error": failure or None,
    }


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if not 2 <= args.k <= 8:
        parser.error("--k must be between 2 and 8")
    start = time.perf_counter()
    if not args.quiet:
        logging.basicConfig(level=logging.INFO, format="sc-opt: %(message)s", stream=sys.stderr)
    original = read_network(args.input)
    cuts = replace(RewriteParams().cuts, max_cut_size=args.k, max_cuts_per_node=args.cuts_per_node)
    params = RewriteParams(cuts=cuts,
                           budget=Budget(time_ms=args.budget_ms), max_rounds=args.rounds,
                           time_limit_s=args.time_limit, allow_zero_gain=args.zero_gain, verbose=not args.quiet)
    pool = ProcessPoolEngine(args.engine, args.workers) if args.workers > 1 else None
    engine = pool or make_engine(args.engine)
    cache = None if args.no_cache else SynthesisCache(args.cache)
    if cache is not None:
        engine = CachedEngine(engine, cache)
    failure = ""
    try:
        result, stats = rewrite(original, engine, params)
    finally:
        if pool is not None:
            pool.close()
        if cache is not None:
            cache.close()
    verified: bool | None = None
    if args.verify:
        check = check_equivalence(original, result, time_limit_s=args.cec_time_limit)
        verified = check.verdict is Verdict.EQUIVALENT
        if not verified:
            failure = f"equivalence check {check.verdict.name.lower()}: {check.message}; output is the input"
    if failure:
        result = original
        stats.ands_after, stats.levels_after = stats.ands_before, stats.levels_before
    write_network(result, args.output)
    hits = engine.stats.hits if isinstance(engine, CachedEngine) else 0
    summary = _summary(args, stats, verified, hits, time.perf_counter() - start, failure)
    if args.json:
        print(json.dumps(summary))
    else:
        proof = {True: "verified", False: "NOT verified", None: "not checked"}[verified]
        print(f"{args.input}: ANDs {stats.ands_before} -> {stats.ands_after}, levels {stats.levels_before} -> "
              f"{stats.levels_after}, {stats.replacements} replacements, {hits} cache hits, {proof}, "
              f"{summary['time_s']:.1f} s")
    if failure:
        print(f"sc-opt: error: {failure}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli("sc-opt", _main, argv)
