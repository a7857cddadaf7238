"""Where multi-output window resynthesis pays (issue 26 item 2): `resynthesize_windows` run on networks already
optimized by ABC, and on the same networks as read after `strash; dc2`.

    nice -n 19 python benchmarks/windows_gain.py [--designs c432,c880,...] [--abc "SCRIPT"] [--time-limit 20]
                                                 [--max-inputs 6] [--max-gates 5] [--window-time 1]

For each design: ANDs after the ABC script, after window resynthesis (with the time limit), the windows tried and
improved, and the time; every result is checked against the ABC network (`sc_plugin.verify.cec`). Prints a
Markdown table.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sc_plugin.abc.runner import optimize_with_abc
from sc_plugin.aig.io import read_network
from sc_plugin.rewrite.windows import WindowParams, resynthesize_windows
from sc_plugin.verify.cec import check_equivalence

ROOT = Path(__file__).resolve().parents[1]
DESIGNS = "c432,c880,c1908,c3540,ctrl,router,int2float,cavlc,priority,i2c"
ABC_SCRIPT = "strash; dc2; &get -n; &deepsyn -T 5; &put"


def _design_path(name: str) -> Path:
    for suite in ("iscas85", "epfl"):
        path = ROOT / "flows" / "designs" / suite / f"{name}.aig"
        if path.exists():
            return path
    raise SystemExit(f"no design {name} in flows/designs/iscas85 or flows/designs/epfl")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--designs", default=DESIGNS)
    parser.add_argument("--abc", default=ABC_SCRIPT, help="ABC script that prepares each design")
    parser.add_argument("--time-limit", type=float, default=20.0, help="seconds of window resynthesis per design")
    parser.add_argument("--max-inputs", type=int, default=6)
    parser.add_argument("--max-gates", type=int, default=5)
    parser.add_argument("--window-time", type=float, default=1.0, help="SAT seconds per window")
    parser.add_argument("--no-dont-cares", action="store_true")
    args = parser.parse_args()
    params = WindowParams(max_inputs=args.max_inputs, max_gates=args.max_gates, window_time_s=args.window_time,
                          time_limit_s=args.time_limit, use_dont_cares=not args.no_dont_cares)
    print(f"ABC: `{args.abc}`; windows: max_inputs {args.max_inputs}, max_gates {args.max_gates}, "
          f"{args.window_time:g} s per window, {args.time_limit:g} s per design, "
          f"don't cares {'off' if args.no_dont_cares else 'on'}\n")
    print("| design | ANDs (ABC) | ANDs (windows) | saved | windows | tried | improved | stopped by | time s | cec |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|---|")
    total_before = total_after = 0
    for name in args.designs.split(","):
        prepared, _ = optimize_with_abc(read_network(_design_path(name)), args.abc, timeout_s=600)
        start = time.perf_counter()
        result, stats = resynthesize_windows(prepared, params)
        elapsed = time.perf_counter() - start
        proof = check_equivalence(prepared, result, time_limit_s=120).verdict.value
        total_before += prepared.num_ands
        total_after += result.num_ands
        print(f"| {name} | {prepared.num_ands} | {result.num_ands} | {prepared.num_ands - result.num_ands} | "
              f"{stats.windows_found} | {stats.windows_tried} | {stats.windows_improved} | {stats.stopped_by} | "
              f"{elapsed:.1f} | {proof} |", flush=True)
    print(f"| total | {total_before} | {total_after} | {total_before - total_after} | | | | | | |")


if __name__ == "__main__":
    main()
