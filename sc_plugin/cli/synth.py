"""`sc-synth`: synthesize a small AIG for a truth table, or for every truth table of a file.

    sc-synth HEX [--care HEX] [--inputs N] [--engine E] [--budget-ms MS] [--out FILE.aig] [--json]
    sc-synth --batch FILE [--engine E] [--budget-ms MS] [--json-out FILE.jsonl]
    learned engine (mcts, and the portfolio's mcts): [--mcts-simulations S] [--mcts-rollouts R]
                                                   [--mcts-precision P] [--checkpoint CKPT]

Every result is verified by exhaustive simulation (on the care minterms, with a care set) before it is printed,
written or cached.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Sequence

from sc_plugin.aig.aiger import aiger_bytes, write_aiger
from sc_plugin.aig.functions import normalize_care
from sc_plugin.aig.truth import parse_hex, to_hex
from sc_plugin.cli.common import run_cli
from sc_plugin.progress import progress
from sc_plugin.engines.base import Budget, Candidate, Engine, ask_engine, wrapped_engines
from sc_plugin.engines.cache import CachedEngine, SynthesisCache, default_cache_path
from sc_plugin.engines.learned import PRECISIONS, MctsParams
from sc_plugin.engines.portfolio import PortfolioParams
from sc_plugin.engines.registry import ENGINE_NAMES, EngineParams, make_engine
from sc_plugin.errors import CliParser, ScError, TruthTableError
from sc_plugin.files import atomic_output, check_output_folder, read_text

__all__ = ["main", "read_batch_file", "candidate_record", "SYNTH_PORTFOLIO"]

PROG = "sc-synth"
DEFAULT_ENGINE = "portfolio"
DEFAULT_BUDGET_MS = 10000.0
# The portfolio's learned engine gets its whole share of --budget-ms: followers_time_ratio holds whole-design runs
# near the abc engine's time, and a user asking for functions asks for the best within the budget.
SYNTH_PORTFOLIO = PortfolioParams(followers_time_ratio=math.inf)
MCTS_ENGINES = ("mcts", "portfolio")  # the engines that the learned engine's options apply to
# the learned engine's options and their MctsParams fields; an option left out keeps the field's default
_MCTS_OPTIONS = {"--mcts-simulations": "simulations", "--mcts-rollouts": "rollouts", "--mcts-precision": "precision",
                 "--checkpoint": "checkpoint"}


def _parser() -> argparse.ArgumentParser:
    parser = CliParser(
        prog=PROG,
        description="Synthesize a small AND-inverter graph (2-input ANDs, free inverters) for a truth table of at "
                    "most 8 inputs. Every result is verified by exhaustive simulation. Results are cached per NPN "
                    "class in a SQLite file shared by all runs.",
        epilog="Truth tables are hex, most significant digit first (ABC's read_truth order): input j is bit j of "
               "the minterm index. Example: sc-synth e8 --engine exact  (majority of 3: 4 ANDs, proven optimal). "
               "A care set (--care) makes the function incompletely specified: only the minterms whose care bit "
               "is 1 must match (sc-synth 6 --care 7: XOR2 with minterm 3 free, so OR2 does: 1 AND). "
               "Batch files hold one function a line, 'TABLE_HEX [CARE_HEX]' (whitespace-separated; no care: every "
               "minterm matters), or the tab-separated cut format with a tt_hex column and an optional care_hex "
               "column (empty: every minterm); lines starting with # are comments. A care-set function is cached "
               "with its care set, and an entry also answers a request that cares about fewer minterms.")
    parser.add_argument("hex", nargs="?", help="the truth table (e.g. 8 = AND2, e8 = MAJ3, 6996 = XOR4)")
    parser.add_argument("--care", default=None, metavar="HEX",
                        help="care set, hex as the table: bit m set when the value on minterm m matters (default: "
                             "every minterm)")
    parser.add_argument("--inputs", type=int, default=None, metavar="N",
                        help="number of inputs (default: implied by the hex length, 2**N bits)")
    parser.add_argument("--engine", choices=ENGINE_NAMES, default=DEFAULT_ENGINE,
                        help=f"exact: SAT exact synthesis below ABC's result (proves optimality); abc: ABC dc2/resyn2 "
                             f"scripts; mcts: the learned engine; portfolio: exact (with ABC) plus mcts when "
                             f"available, smallest result (default: {DEFAULT_ENGINE})")
    parser.add_argument("--budget-ms", type=float, default=DEFAULT_BUDGET_MS, metavar="MS",
                        help=f"time budget per function in milliseconds (default: {DEFAULT_BUDGET_MS:g})")
    parser.add_argument("--out", type=Path, default=None, metavar="FILE.aig",
                        help="write the implementation as AIGER (.aag: ASCII, else binary); single function only")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object (single function)")
    parser.add_argument("--batch", type=Path, default=None, metavar="FILE",
                        help="synthesize every truth table of FILE instead of HEX")
    parser.add_argument("--json-out", type=Path, default=None, metavar="FILE.jsonl",
                        help="batch mode: write one JSON object per function to this file (default: none)")
    parser.add_argument("--cache", type=Path, default=None, metavar="PATH",
                        help=f"cache file (default: $SC_CACHE, else {default_cache_path()})")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    parser.add_argument("--quiet", action="store_true", help="batch mode: no progress bar")
    parser.add_argument("--verbose", action="store_true", help="print engine and cache statistics at the end")
    mcts = parser.add_argument_group("learned engine", f"for --engine {' or '.join(MCTS_ENGINES)} only")
    defaults = MctsParams()
    mcts.add_argument("--mcts-simulations", type=int, default=None, metavar="S",
                      help=f"tree-search simulations per move of the first episode; 0 follows the network's choice "
                           f"(default: {defaults.simulations})")
    mcts.add_argument("--mcts-rollouts", type=int, default=None, metavar="R",
                      help=f"episodes sampled from the network after it while the budget lasts "
                           f"(default: {defaults.rollouts})")
    mcts.add_argument("--mcts-precision", default=None, choices=PRECISIONS,
                      help="the network's dtype in search: auto is bfloat16 where the CPU multiplies it natively "
                           f"(faster there), else float32 (default: {defaults.precision})")
    mcts.add_argument("--checkpoint", default=None, metavar="CKPT",
                      help="model file, from sc-train (default: the model shipped with the package)")
    return parser


def read_batch_file(path: Path) -> list[tuple[str, str | None]]:
    """The (table hex, care hex or None) pairs of a batch file: 'TABLE_HEX [CARE_HEX]' a line, or the tab-separated
    format with a `tt_hex` column and an optional `care_hex` column (an empty field: no care set)."""
    functions: list[tuple[str, str | None]] = []
    columns = None  # (tt_hex column, care_hex column or None) from the header line
    for number, raw in enumerate(read_text(path).splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if "\t" in line or "," in line:
            fields = [f.strip() for f in line.replace(",", "\t").split("\t")]
            if columns is None:
                if "tt_hex" in fields:
                    columns = (fields.index("tt_hex"), fields.index("care_hex") if "care_hex" in fields else None)
                    continue
                raise ScError(f"{path}:{number}: a tab-separated file needs a header line with a tt_hex column")
            table_column, care_column = columns
            if table_column >= len(fields):
                raise ScError(f"{path}:{number}: no tt_hex column in this line")
            care = fields[care_column] if care_column is not None and care_column < len(fields) else ""
            functions.append((fields[table_column], care or None))
        else:
            words = line.split()
            if len(words) > 2:
                raise ScError(f"{path}:{number}: expected 'TABLE_HEX [CARE_HEX]', got {len(words)} fields")
            functions.append((words[0], words[1] if len(words) == 2 else None))
    return functions


def _parse_function(table_text: str, care_text: str | None, num_inputs: int | None) -> tuple[int, int, int | None]:
    """(table, num_inputs, care or None); the care set is hex over the table's inputs."""
    table, num_inputs = parse_hex(table_text, num_inputs)
    if care_text is None:
        return table, num_inputs, None
    try:
        care, _ = parse_hex(care_text, num_inputs)
    except TruthTableError as exc:
        raise TruthTableError(f"care set: {exc}") from None
    return table, num_inputs, care


def candidate_record(hex_text: str, table: int, num_inputs: int, candidate: Candidate | None,
                     care: int | None = None) -> dict:
    """One JSON record; `ands` and `aag` are null when nothing was found, `care_hex` when every minterm matters."""
    care = normalize_care(care, num_inputs)
    care_hex = None if care is None else to_hex(care, num_inputs)
    if candidate is None:
        return {"tt_hex": hex_text, "care_hex": care_hex, "n_inputs": num_inputs, "ands": None, "levels": None,
                "engine": None, "verified": False, "optimal": False, "time_s": None, "aag": None}
    return {"tt_hex": to_hex(table, num_inputs), "care_hex": care_hex, "n_inputs": num_inputs, "ands": candidate.ands,
            "levels": candidate.levels, "engine": candidate.engine, "verified": candidate.verified,
            "optimal": candidate.optimal, "time_s": round(candidate.time_s, 6),
            "aag": aiger_bytes(candidate.implementation, binary=False).decode()}


def _mcts_params(args: argparse.Namespace) -> MctsParams:
    """MctsParams with the options given; refuses them for engines that do not use the learned engine."""
    given = {option: value for option in _MCTS_OPTIONS
             if (value := getattr(args, option.lstrip("-").replace("-", "_"))) is not None}
    if given and args.engine not in MCTS_ENGINES:
        raise ScError(f"{', '.join(given)}: only for --engine {' or '.join(MCTS_ENGINES)}, not {args.engine}")
    for option in ("--mcts-simulations", "--mcts-rollouts"):
        if given.get(option, 0) < 0:
            raise ScError(f"{option} must be at least 0, got {given[option]}")
    if "--checkpoint" in given and not Path(given["--checkpoint"]).is_file():
        # checked here because a portfolio leaves out an mcts engine that fails to load rather than failing
        raise ScError(f"{given['--checkpoint']}: checkpoint file not found")
    return dataclasses.replace(MctsParams(), **{_MCTS_OPTIONS[option]: value for option, value in given.items()})


def _engine(args: argparse.Namespace, mcts: MctsParams) -> tuple[Engine, SynthesisCache | None]:
    engine = make_engine(EngineParams(name=args.engine, mcts=mcts, portfolio=SYNTH_PORTFOLIO))
    if args.no_cache:
        return engine, None
    cache = SynthesisCache(args.cache)
    return CachedEngine(engine, cache), cache


def _report(engine: Engine) -> None:
    for obj in wrapped_engines(engine):
        if hasattr(obj, "stats"):
            print(obj.stats.report(), file=sys.stderr)


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    if args.batch is None and args.hex is None:
        raise ScError("give a truth table HEX or --batch FILE")
    if args.batch is not None and args.hex is not None:
        raise ScError("give either a truth table HEX or --batch FILE, not both")
    if args.batch is not None and (args.out is not None or args.json or args.care is not None):
        raise ScError("--out, --json and --care are for a single function; use --json-out with --batch (and a care "
                      "column in the batch file)")
    if args.batch is None and args.json_out is not None:
        raise ScError("--json-out is for --batch; use --json to print a single function's record")
    if not 0 < args.budget_ms < math.inf:
        raise ScError(f"--budget-ms must be a positive number, got {args.budget_ms:g}")
    if args.out is not None:
        if args.out.suffix.lower() not in (".aig", ".aag"):
            raise ScError(f"{args.out}: --out writes AIGER; give a .aig or .aag file")
        check_output_folder(args.out)
    if args.json_out is not None:
        check_output_folder(args.json_out)
    mcts = _mcts_params(args)
    if args.verbose:
        logging.basicConfig(level=logging.INFO, format=f"{PROG}: %(message)s")
    if args.batch is not None:
        return _batch(args, mcts)
    table, num_inputs, care = _parse_function(args.hex, args.care, args.inputs)
    engine, cache = _engine(args, mcts)
    try:
        candidate = ask_engine(engine, [(table, num_inputs)], budget=Budget(time_ms=args.budget_ms), cares=[care])[0]
    finally:
        if cache is not None:
            cache.close()
    record = candidate_record(args.hex, table, num_inputs, candidate, care)
    if args.verbose:
        _report(engine)
    if candidate is None:
        if args.json:
            print(json.dumps(record))
        print(f"{PROG}: no implementation found within {args.budget_ms:g} ms", file=sys.stderr)
        return 2
    if args.out is not None:
        write_aiger(candidate.implementation, args.out)
    if args.json:
        print(json.dumps(record))
    else:
        print(f"{record['tt_hex']}{'' if care is None else ' care=' + record['care_hex']} inputs={num_inputs} "
              f"ands={candidate.ands} levels={candidate.levels} "
              f"engine={args.engine}{'' if candidate.engine == args.engine else ' circuit_by=' + candidate.engine} "
              f"optimal={'yes' if candidate.optimal else 'no'} "
              f"time={candidate.time_s:.3f}s")
    return 0


def _batch(args: argparse.Namespace, mcts: MctsParams) -> int:
    texts = read_batch_file(args.batch)
    functions, cares = [], []
    for number, (text, care_text) in enumerate(texts, start=1):
        try:
            table, num_inputs, care = _parse_function(text, care_text, args.inputs)
        except TruthTableError as exc:
            raise TruthTableError(f"{args.batch}: entry {number}: {exc}") from None
        functions.append((table, num_inputs))
        cares.append(care)
    engine, cache = _engine(args, mcts)
    budget = Budget(time_ms=args.budget_ms)
    # ABC batches well, and the learned engine searches a batch in lock-step; the SAT engines work one function at a
    # time, so small chunks keep the progress bar live
    chunk = {"abc": 100, "mcts": mcts.batch_size}.get(args.engine, 1)
    chunks = [list(range(i, min(i + chunk, len(functions)))) for i in range(0, len(functions), chunk)]
    results: list[Candidate | None] = []
    start = time.perf_counter()
    # the records replace --json-out only once the whole batch is done; until then they go to a temporary file
    with contextlib.ExitStack() as stack:
        if cache is not None:
            stack.callback(cache.close)
        out = stack.enter_context(atomic_output(args.json_out)) if args.json_out is not None else None
        for indices in progress(chunks, label=f"{PROG} {args.engine}", enabled=not args.quiet):
            found = ask_engine(engine, [functions[i] for i in indices], budget=budget, cares=[cares[i] for i in indices])
            for i, candidate in zip(indices, found):
                results.append(candidate)
                if out is not None:
                    out.write(json.dumps(candidate_record(texts[i][0], *functions[i], candidate, cares[i])) + "\n")
                    out.flush()
    wall = time.perf_counter() - start
    found = [c for c in results if c is not None]
    times = [c.time_s for c in found]
    print(f"{len(results)} functions, {len(found)} verified, {sum(c.optimal for c in found)} proven optimal, "
          f"total ANDs {sum(c.ands for c in found)}, median time {statistics.median(times) if times else 0:.3f}s, "
          f"total time {sum(times):.1f}s (wall {wall:.1f}s)")
    if args.verbose:
        _report(engine)
    return 0 if len(found) == len(results) else 2


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli(PROG, _main, argv)


if __name__ == "__main__":
    sys.exit(main())
