"""`sc-opt`: whole-network area optimization by verified cut resynthesis (the pipeline of `rewrite/pipeline.py`)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import replace
from typing import Sequence

from sc_plugin.aig.io import check_output_path, read_network, write_network
from sc_plugin.cli.common import run_cli
from sc_plugin.errors import CliParser
from sc_plugin.rewrite.options import add_arguments, apply_options, options_from_namespace
from sc_plugin.rewrite.pipeline import OptimizeStats, optimize_verified

__all__ = ["main"]

PROG = "sc-opt"


def _parser() -> argparse.ArgumentParser:
    parser = CliParser(
        prog=PROG,
        description="Reduce the AND count of a network by resynthesizing its cut functions. Every replacement is "
                    "verified against its cone by exhaustive simulation, and the result against the input by "
                    "ABC's &cec (unless --no-verify), directly or, after a schedule, step by step. If anything "
                    "fails, OUT receives the input unchanged and the exit status is 1. Without --time-limit it runs "
                    "rounds of cut resynthesis only, which restructure little: on a network ABC has not optimized, "
                    "run ABC's compress2rs first, or give --time-limit S for the anytime schedule that interleaves "
                    "ABC's strongest commands with ShortCircuit rounds.",
        epilog="Files: .aig (binary AIGER), .aag (ASCII AIGER) or .v (a structural Verilog netlist, as Yosys writes "
               "after synth: assigns, gates and one clock's flip-flops; RTL goes through sc-yosys). Latches and "
               "flip-flops are kept as boundaries. Example: sc-opt design.aig -o design.opt.aig")
    parser.add_argument("input", metavar="IN", help="network to optimize")
    parser.add_argument("-o", "--output", metavar="OUT", required=True, help="where to write the result")
    add_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object on stdout")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    return parser


def _summary(args: argparse.Namespace, stats: OptimizeStats, time_read_s: float, time_write_s: float) -> dict:
    r, s = stats.rewrite, stats.schedule
    return {
        "input": args.input, "output": args.output, "engine": stats.engine,
        "ands_before": r.ands_before, "ands_after": r.ands_after,
        "levels_before": r.levels_before, "levels_after": r.levels_after,
        "rounds": r.rounds, "replacements": r.replacements, "stopped_by": r.stopped_by,
        "functions": r.functions_requested, "cache_hits": stats.cache_hits,
        "schedule": None if s is None else {"passes": s.passes, "ands_saved_by_step": s.gains,
                                            "seconds_by_step": {k: round(v, 3) for k, v in s.times_s.items()},
                                            "failures": s.failures},
        "verified": {"equivalent": True, "not checked": None}.get(stats.proof, False),
        "proof_steps": list(stats.steps_proven) if stats.steps_proven is not None else None,
        "time_optimize_s": round(r.time_s, 3), "time_proof_s": round(stats.time_proof_s, 3),
        "time_s": round(stats.time_s, 3), "time_read_s": round(time_read_s, 3),
        "time_write_s": round(time_write_s, 3), "error": stats.failure or None,
    }


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    params = apply_options(options_from_namespace(args), style="cli")
    check_output_path(args.output)  # before the work, not after it
    if not args.quiet:
        logging.basicConfig(level=logging.INFO, format=f"{PROG}: %(message)s", stream=sys.stderr)
        params = replace(params, rewrite=replace(params.rewrite, verbose=True))
    start = time.perf_counter()
    original = read_network(args.input)
    time_read_s = time.perf_counter() - start
    result, stats = optimize_verified(original, params)
    start = time.perf_counter()
    write_network(result, args.output)
    time_write_s = time.perf_counter() - start
    if args.json:
        print(json.dumps(_summary(args, stats, time_read_s, time_write_s)))
    else:
        r = stats.rewrite
        print(f"{args.input}: {stats.report()}")
        print(f"{args.input}: time: optimization {r.time_s:.1f} s ({r.stopped_by or 'not run'}), "
              f"proof {stats.time_proof_s:.1f} s, read {time_read_s:.1f} s, write {time_write_s:.1f} s")
    if stats.failure:
        print(f"{PROG}: error: {stats.failure}; output is the input", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli(PROG, _main, argv)
