"""Runs `sc-synth --batch` on the shared cut files for each engine and compares totals with ABC's baselines.

    python benchmarks/synth_cuts.py --set cut6 --engines abc exact portfolio --budget-ms 10000 [--limit 200]
    python benchmarks/synth_cuts.py --set cut6 --compare-only   # re-read the JSONL files of an earlier run

Writes results/cuts/<set>_<engine>[_first<N>].jsonl (one line per function, from sc-synth) and prints, per
engine, the total ANDs next to the `*_abc.csv` columns over the same functions, the count proven optimal, and for
the exact engine the share of functions with best ABC <= 9 ANDs that were proven optimal within the budget.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "cuts"
RESULTS = Path(__file__).resolve().parents[1] / "results" / "cuts"


def _abc_rows(set_name: str) -> list[dict]:
    with (SHARED / f"{set_name}_abc.csv").open() as handle:
        return list(csv.DictReader(handle))


def _run(set_name: str, engine: str, budget_ms: float, limit: int | None, cache: Path | None) -> Path:
    source = SHARED / ("cut8_tt_hard.txt" if set_name == "cut8_hard" else f"{set_name}_tt.txt")
    suffix = f"_first{limit}" if limit else ""
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{set_name}_{engine}{suffix}.jsonl"
    if limit:
        lines = [l for l in source.read_text().splitlines() if l.strip() and not l.startswith("#")]
        subset = RESULTS / f"{set_name}{suffix}.txt"
        subset.write_text("\n".join(lines[:limit + 1]) + "\n")  # header + limit rows
        source = subset
    command = ["sc-synth", "--batch", str(source), "--engine", engine, "--budget-ms", str(budget_ms),
               "--json-out", str(out)]
    command += ["--cache", str(cache)] if cache is not None else ["--no-cache"]
    print("$", " ".join(command), flush=True)
    subprocess.run(command, check=False)
    return out


def _compare(set_name: str, engine: str, path: Path) -> None:
    rows = _abc_rows(set_name)
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    rows = rows[:len(records)]
    for row, record in zip(rows, records):
        if int(row["tt_hex"], 16) != int(record["tt_hex"], 16):
            raise SystemExit(f"{path}: row order differs from {set_name}_abc.csv at {row['tt_hex']}")
    found = [r for r in records if r["ands"] is not None]
    ours = sum(r["ands"] for r in found)
    cols = {c: sum(int(row[c]) for row in rows) for c in ("cone_ands", "resyn2_and", "dc2_resyn2_and",
                                                        "best_abc_and")}
    print(f"{set_name} {engine}: {len(records)} functions, {len(found)} verified, "
          f"{sum(r['optimal'] for r in found)} proven optimal; total ANDs {ours} vs best ABC {cols['best_abc_and']} "
          f"(ratio {ours / cols['best_abc_and']:.4f}), dc2;resyn2 {cols['dc2_resyn2_and']}, resyn2 "
          f"{cols['resyn2_and']}, cone {cols['cone_ands']}; time {sum(r['time_s'] or 0 for r in records):.0f}s")
    better = sum(1 for row, r in zip(rows, records) if r["ands"] is not None and r["ands"] < int(row["best_abc_and"]))
    worse = sum(1 for row, r in zip(rows, records) if r["ands"] is not None and r["ands"] > int(row["best_abc_and"]))
    print(f"  smaller than best ABC on {better} functions, larger on {worse}")
    small = [(row, r) for row, r in zip(rows, records) if int(row["best_abc_and"]) <= 9]
    if small and engine in ("exact", "portfolio"):
        proven = [r for _, r in small if r["optimal"] and (r["time_s"] or 0) <= 10.0]
        print(f"  best ABC <= 9 ANDs: {len(small)} functions, {len(proven)} proven optimal within 10 s "
              f"({100.0 * len(proven) / len(small):.1f}%)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="cut6", choices=["cut6", "cut8", "cut8_hard"], help="cut file (default cut6)")
    parser.add_argument("--engines", nargs="+", default=["abc", "exact", "portfolio"], help="engines to run")
    parser.add_argument("--budget-ms", type=float, default=10000.0, help="per-function budget (default 10000)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N functions (default: all)")
    parser.add_argument("--cache", type=Path, default=None, help="cache file (default: no cache)")
    parser.add_argument("--compare-only", action="store_true", help="do not run, compare existing JSONL files")
    args = parser.parse_args()
    for engine in args.engines:
        suffix = f"_first{args.limit}" if args.limit else ""
        path = RESULTS / f"{args.set}_{engine}{suffix}.jsonl"
        if not args.compare_only:
            path = _run(args.set, engine, args.budget_ms, args.limit, args.cache)
        if path.exists():
            _compare(args.set, engine, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
