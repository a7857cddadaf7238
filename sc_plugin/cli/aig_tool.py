"""`sc-aig`: inspect, convert and compare AIGs with the package's AIG core."""

from __future__ import annotations

import argparse
import json
import math
import time
from typing import Any, Callable, Sequence

from sc_plugin.aig.analysis import depth
from sc_plugin.aig.io import check_output_path, read_network, write_network
from sc_plugin.aig.truth import MAX_INPUTS
from sc_plugin.cli.common import run_cli
from sc_plugin.errors import CliParser, InterfaceMismatchError

__all__ = ["main"]

_EXIT_NOT_EQUIVALENT = 2
_EXIT_UNDECIDED = 3


def _checked(kind: type, accept: Callable[[Any], bool], requirement: str) -> Callable[[str], Any]:
    """An argparse type: `kind(text)` when `accept` takes it, else a usage error saying the `requirement`."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expects {'an integer' if kind is int else 'a number'}, "
                                             f"not {text!r}") from None
        if not accept(value):
            raise argparse.ArgumentTypeError(f"must be {requirement}, not {text}")
        return value

    return parse


_cut_size = _checked(int, lambda size: size == 0 or 2 <= size <= MAX_INPUTS, f"0 or in 2..{MAX_INPUTS}")
_seconds = _checked(float, lambda seconds: 0 < seconds < math.inf, "a positive number of seconds")


def _parser() -> argparse.ArgumentParser:
    parser = CliParser(
        prog="sc-aig",
        description="Inspect, convert and compare AND-inverter graphs: AIGER (.aig binary, .aag ASCII) or structural "
                    "Verilog (.v), by extension.",
        epilog="Exit status: 0 on success (for cec: equivalent), 1 on a user error, "
               f"{_EXIT_NOT_EQUIVALENT} if cec finds a difference, {_EXIT_UNDECIDED} if cec is undecided.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    info = sub.add_parser("info", help="print sizes, depth and cut statistics of a network")
    info.add_argument("file", help="input network (.aig, .aag or .v)")
    info.add_argument("--cut-size", type=_cut_size, default=8, metavar="K",
                      help=f"enumerate K-input priority cuts and report their count and time, K in 2..{MAX_INPUTS} "
                           "(default 8; 0 skips)")
    info.add_argument("--json", action="store_true", help="print one JSON object instead of text")

    convert = sub.add_parser("convert", help="convert between .aig, .aag and .v (by extension); removes dangling "
                                             "nodes with --cleanup")
    convert.add_argument("input", help="network to read (.aig, .aag or .v)")
    convert.add_argument("output", help="file to write; its extension chooses the format")
    convert.add_argument("--cleanup", action="store_true",
                         help="re-hash, propagate constants and drop dangling ANDs before writing")

    cec = sub.add_parser("cec", help="prove two networks equivalent, or find a counterexample")
    cec.add_argument("first", help="a network (.aig, .aag or .v)")
    cec.add_argument("second", help="the network to compare with it: same inputs and outputs, in order")
    cec.add_argument("--time-limit", type=_seconds, default=60.0, metavar="S",
                     help="seconds before the verdict is 'undecided' (default 60)")
    cec.add_argument("--method", choices=("auto", "abc", "sat", "simulation"), default="auto",
                     help="auto: exhaustive simulation up to 16 inputs, ABC &cec beyond (default)")
    return parser


def _info(args: argparse.Namespace) -> int:
    aig = read_network(args.file)
    report = {"file": args.file, "inputs": aig.num_pis - aig.num_latches, "outputs": aig.num_pos - aig.num_latches,
              "latches": aig.num_latches, "ands": aig.num_ands, "levels": depth(aig)}
    dangling = aig.num_ands - aig.cleanup().num_ands
    report["dangling_or_redundant_ands"] = dangling
    if args.cut_size:
        from sc_plugin.cuts import CutParams, enumerate_cuts

        start = time.perf_counter()
        cuts, _ = enumerate_cuts(aig, CutParams(max_cut_size=args.cut_size))
        report["cut_size"] = args.cut_size
        report["cuts"] = int(cuts.num_cuts)
        report["cut_time_s"] = round(time.perf_counter() - start, 3)
    if args.json:
        print(json.dumps(report))
    else:
        width = max(len(k) for k in report)
        for key, value in report.items():
            print(f"{key:<{width}}  {value}")
    return 0


def _convert(args: argparse.Namespace) -> int:
    check_output_path(args.output)
    aig = read_network(args.input)
    if args.cleanup:
        aig = aig.cleanup()
    write_network(aig, args.output)
    print(f"wrote {args.output}: {aig.num_ands} ANDs")
    return 0


def _cec(args: argparse.Namespace) -> int:
    from sc_plugin.verify.cec import Verdict, check_equivalence

    try:
        result = check_equivalence(read_network(args.first), read_network(args.second), method=args.method,
                                   time_limit_s=args.time_limit)
    except InterfaceMismatchError as exc:
        raise InterfaceMismatchError(f"{args.first} and {args.second}: {exc}; cannot compare them") from None
    print(f"{result.verdict.name.lower().replace('_', ' ')} ({result.method}, {result.time_s:.2f} s)"
          + (f": {result.message}" if result.message else ""))
    if result.verdict is Verdict.NOT_EQUIVALENT:
        if result.counterexample is not None:
            pattern = "".join(str(v) for v in result.counterexample)
            print(f"counterexample (inputs in order): {pattern}; output {result.failing_output} differs")
        return _EXIT_NOT_EQUIVALENT
    return 0 if result.verdict is Verdict.EQUIVALENT else _EXIT_UNDECIDED


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    return {"info": _info, "convert": _convert, "cec": _cec}[args.command](args)


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli("sc-aig", _main, argv)
