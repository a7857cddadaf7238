"""`sc-flow`: run a flow file (ShortCircuit against stock ABC) and write its results, table and plot."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Sequence

from sc_plugin.cli.common import run_cli
from sc_plugin.errors import CliParser
from sc_plugin.flows import RunParams, load_flow, read_records, run_flow, write_reports
from sc_plugin.flows.spec import repo_root

__all__ = ["main"]

PROG = "sc-flow"


def _parser() -> argparse.ArgumentParser:
    parser = CliParser(
        prog=PROG,
        description="Compare optimization flows (ABC scripts, sc-opt, the sc-opt + compress2rs loop, Yosys) on "
                    "designs named by a YAML flow file. Every output is proven equivalent to its input (ABC &cec, "
                    "time limit from the flow file); a failed or undecided proof is reported as a failure, never "
                    "as a gain.",
        epilog="Results (DIR, default flows/results/NAME): records.jsonl (one line per finished task, for "
               "--resume), results.csv, results.json, table.md, ratio_to_best_abc.png. "
               "Example: sc-flow run flows/quick.yaml")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="run a flow file and write its reports")
    run.add_argument("flow_file", metavar="FLOW.yaml", type=Path, help="flow file (designs, flows, proof settings)")
    run.add_argument("--out", type=Path, default=None, metavar="DIR",
                     help="results folder (default: flows/results/NAME next to the flow file)")
    run.add_argument("--jobs", type=int, default=1, metavar="N", help="tasks in N worker processes (default 1)")
    run.add_argument("--resume", action="store_true",
                     help="skip design x flow pairs already finished in DIR (unless their flow was edited)")
    run.add_argument("--designs", default="", metavar="A,B", help="only these designs (comma-separated names)")
    run.add_argument("--flows", default="", metavar="A,B", help="only these flows (comma-separated names)")
    run.add_argument("-q", "--quiet", action="store_true", help="no per-task lines on stderr")
    listing = commands.add_parser("list", help="list the flow files, or the designs and flows of one")
    listing.add_argument("flow_file", nargs="?", metavar="FLOW.yaml", type=Path,
                         help="flow file to describe (default: list every file in flows/)")
    report = commands.add_parser("report", help="rewrite the reports of DIR from its records (no running)")
    report.add_argument("flow_file", metavar="FLOW.yaml", type=Path, help="flow file the records were run from")
    report.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="results folder holding records.jsonl (default: flows/results/NAME next to the flow file)")
    return parser


def _out_dir(flow_file: Path, name: str, out: Path | None) -> Path:
    return out if out is not None else flow_file.resolve().parent / "results" / name


def _select_flows(spec, names: str):
    if not names:
        return spec
    from dataclasses import replace

    from sc_plugin.flows.spec import FlowSpecError
    wanted = names.split(",")
    unknown = sorted(set(wanted) - {f.name for f in spec.flows})
    if unknown:
        raise FlowSpecError(f"{spec.path}: no flow named {', '.join(unknown)}")
    return replace(spec, flows=tuple(f for f in spec.flows if f.name in wanted))


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "list":
        if args.flow_file is None:
            for path in sorted((repo_root() / "flows").glob("*.yaml")):
                spec = load_flow(path)
                print(f"{path.relative_to(repo_root())}: {len(spec.designs)} designs x {len(spec.flows)} flows"
                      + (f" - {spec.description}" if spec.description else ""))
            return 0
        spec = load_flow(args.flow_file)
        print(f"{spec.name} ({spec.kind}): verify {spec.verify_method} "
              f"(limit {spec.verify_time_limit_s:g} s)")
        print("designs: " + " ".join(d.name for d in spec.designs))
        for flow in spec.flows:
            print(f"  {flow.name}{' (baseline)' if flow.baseline else ''}, limit {flow.time_limit_s:g} s: "
                  + "; ".join(str(step) for step in flow.steps))
        return 0
    spec = load_flow(args.flow_file)
    out_dir = _out_dir(args.flow_file, spec.name, args.out)
    command = "sc-flow " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    if args.command == "report":
        records = read_records(out_dir)
        previous = out_dir / "results.json"
        if previous.exists():  # keep naming the run that produced the records, not this rewrite
            import json
            ran = json.loads(previous.read_text()).get("command", "")
            if ran.startswith(f"{PROG} run"):
                command = ran
        paths = write_reports(spec, records, out_dir, command=command)
        print(f"{len(records)} records; wrote " + ", ".join(str(p) for p in paths))
        return 0
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    spec = load_flow(args.flow_file, limit_designs=args.designs.split(",") if args.designs else None)
    spec = _select_flows(spec, args.flows)
    records = run_flow(spec, RunParams(out_dir=out_dir, jobs=args.jobs, resume=args.resume, quiet=args.quiet))
    if args.designs or args.flows:  # a partial run reports on everything the folder holds for the full file
        full = load_flow(args.flow_file)
        records = [r for r in read_records(out_dir) if any(f.name == r["flow"] for f in full.flows)]
        spec = full
    paths = write_reports(spec, records, out_dir, command=command)
    if not any(p.suffix == ".png" for p in paths):
        print(f"{PROG}: note: no plot (matplotlib missing or no baseline result)", file=sys.stderr)
    bad = [r for r in records if r["status"] != "ok"]
    print(f"{len(records)} tasks: {len(records) - len(bad)} ok, {len(bad)} not ok; reports in {out_dir}")
    print((out_dir / "table.md").read_text() if not args.quiet else "", end="")
    return 0 if not bad else 2


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli(PROG, _main, argv)


if __name__ == "__main__":
    sys.exit(main())
