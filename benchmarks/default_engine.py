"""Issue 27 item 2: may the portfolio become the default engine? `sc-opt --engine E --schedule none` (plain rewrite
rounds, no time limit, every other option at its default) with each engine on a few EPFL designs, one run at a
time, each in its own process with a cache of its own that starts empty (`--cache fresh`: the default path as a
new user meets it, where later rounds find the functions earlier rounds solved) or none (`--cache off`). Prints a
Markdown table of ANDs and times per design and engine, the portfolio's wins per member engine, and the time ratio
to the first engine; the issue's bar for a new default is at most 2x the abc engine's time.

    python benchmarks/default_engine.py [--designs ctrl,router,int2float,cavlc,i2c,priority]
                                        [--engines abc,portfolio] [--cache fresh|off]
                                        [--json results/default_engine.jsonl]

Times are wall-clock seconds of the whole process (model loading, reading, the proof included) and of the
optimization alone (`time_optimize_s`); on a shared machine they vary by some 20%.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DESIGNS = "ctrl,router,int2float,cavlc,i2c,priority"


def _sc_opt() -> list[str]:
    found = shutil.which("sc-opt")
    return [found] if found else [sys.executable, "-c", "from sc_plugin.cli.opt import main; raise SystemExit(main())"]


def run_one(design: Path, engine: str, extra: list[str], cache: str = "fresh") -> dict:
    """One sc-opt run: its JSON summary, the wins it printed, and the process's wall time."""
    with tempfile.TemporaryDirectory(prefix="sc_default_engine_") as folder:
        out = Path(folder) / "out.aig"
        cache_options = ["--cache", str(Path(folder) / "cache.sqlite")] if cache == "fresh" else ["--no-cache"]
        command = [*_sc_opt(), str(design), "-o", str(out), "--engine", engine, *cache_options, "--schedule", "none",
                   "-q", *extra]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        wall_s = time.perf_counter() - start
    record = {"design": design.stem, "engine": engine, "cache": cache, "wall_s": round(wall_s, 1),
              "rc": done.returncode}
    first = done.stdout.splitlines()[0] if done.stdout else ""
    found = re.search(r"ANDs (\d+) -> (\d+).*? (\d+) functions.*?, ([\d.]+) s(?:;|$)", first)
    if found:
        record.update(ands_before=int(found[1]), ands_after=int(found[2]), functions=int(found[3]),
                      time_s=float(found[4]))
    wins = re.search(r"won by ([^;]+)", first)
    record["wins"] = wins[1].strip() if wins else ""
    optimize = re.search(r"time: optimization ([\d.]+) s", done.stdout)
    record["time_optimize_s"] = float(optimize[1]) if optimize else None
    if done.returncode:
        record["error"] = (done.stderr.strip().splitlines() or [""])[-1]
    return record


def table(records: list[dict], engines: list[str]) -> str:
    base = engines[0]
    head = "| design | ANDs in | " + " | ".join(f"{e} ANDs | {e} s" for e in engines)
    head += "".join(f" | {e}/{base} time" for e in engines[1:]) + " |"
    lines = [head, "|" + "---|" * (2 + 2 * len(engines) + len(engines) - 1)]
    by = {(r["design"], r["engine"]): r for r in records}
    totals = {e: [0, 0.0] for e in engines}
    for design in dict.fromkeys(r["design"] for r in records):
        rows = [by.get((design, e), {}) for e in engines]
        cells = [str(rows[0].get("ands_before", "?"))]
        for e, r in zip(engines, rows):
            cells += [str(r.get("ands_after", "?")), f"{r.get('wall_s', float('nan')):.1f}"]
            totals[e][0] += r.get("ands_after", 0)
            totals[e][1] += r.get("wall_s", 0.0)
        cells += [f"{r.get('wall_s', 0) / rows[0]['wall_s']:.2f}x" if rows[0].get("wall_s") else "?"
                  for r in rows[1:]]
        lines.append(f"| {design} | " + " | ".join(cells) + " |")
    cells = [""] + [f"**{totals[e][0]}** | **{totals[e][1]:.1f}**" for e in engines]
    cells += [f"**{totals[e][1] / totals[base][1]:.2f}x**" if totals[base][1] else "?" for e in engines[1:]]
    lines.append("| total | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folder", type=Path, default=ROOT / "flows" / "designs" / "epfl")
    parser.add_argument("--designs", default=DESIGNS)
    parser.add_argument("--engines", default="abc,portfolio")
    parser.add_argument("--cache", choices=("fresh", "off"), default="fresh",
                        help="each run with a new empty cache file (the default path), or with --no-cache")
    parser.add_argument("--json", type=Path, help="append one JSON record per run here")
    parser.add_argument("extra", nargs="*", help="further sc-opt options, after --")
    args = parser.parse_args()
    engines = args.engines.split(",")
    records = []
    for name in args.designs.split(","):
        for engine in engines:
            record = run_one(args.folder / f"{name}.aig", engine, args.extra, args.cache)
            records.append(record)
            print(json.dumps(record), file=sys.stderr, flush=True)
            if args.json:
                args.json.parent.mkdir(parents=True, exist_ok=True)
                with open(args.json, "a") as handle:
                    handle.write(json.dumps(record) + "\n")
    print(table(records, engines))


if __name__ == "__main__":
    main()
