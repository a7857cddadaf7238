"""Liberty-mapped area with and without the `shortcircuit` pass: yosys_scripts/sc_liberty.ys run twice.

    python benchmarks/liberty_area.py DESIGN [--top TOP] [--liberty LIB(.gz)] [--pass-args "..."]

DESIGN: Verilog (.v/.sv) or AIGER (.aig; e.g. an EPFL benchmark from ../shared/benchmarks/epfl). The default
liberty is the shared gf180mcu 7-track library, decompressed to a temporary file. Prints chip area, cell count and
wall time of both runs, and whether the pass proved its result equivalent (it proves every module's new logic
against the extracted logic with &cec before changing the design).
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "yosys_scripts" / "sc_liberty.ys"
DEFAULT_LIB = ROOT.parent / "shared" / "liberty" / "gf180mcu_fd_sc_mcu7t5v0__tt_025C_5v00.lib.gz"


def _run(design: Path, top: str | None, liberty: str, sc_pass: str, log: Path) -> dict:
    reader = "read_aiger" if design.suffix in (".aig", ".aag") else "read_verilog -sv"
    hierarchy = f"hierarchy -top {top}" if top else "hierarchy -auto-top"
    argv = [sys.executable, "-m", "sc_plugin.yosys.driver", "-q", "-l", str(log), "-D", f"LIBERTY={liberty}",
            "-D", f"SC_PASS={sc_pass}", "-p", f"{reader} {design}; {hierarchy}", "-s", str(SCRIPT)]
    start = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True)
    wall_s = time.perf_counter() - start
    text = log.read_text() if log.exists() else ""
    if result.returncode != 0:
        sys.exit(f"sc-yosys failed ({result.returncode}):\n{result.stderr[-2000:]}\n{text[-2000:]}")
    area = re.findall(r"Chip area for (?:module|top module) '[^']*': ([0-9.]+)", text)
    cells = re.findall(r"^\s+(\d+)\s+(?:\S+\s+)?cells$", text, re.MULTILINE) or \
        re.findall(r"Number of cells:\s+(\d+)", text)
    return {"area": float(area[-1]) if area else float("nan"), "cells": int(cells[-1]) if cells else -1,
            "wall_s": wall_s, "proven": "proven equivalent" in text,
            "pass_line": "\n".join(l.strip() for l in text.splitlines() if "ANDs" in l and "Module" in l)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("design", type=Path)
    parser.add_argument("--top", default=None)
    parser.add_argument("--liberty", default=str(DEFAULT_LIB))
    parser.add_argument("--pass-args", default="-k 8 -engine abc")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sc_liberty_") as folder:
        liberty = args.liberty
        if liberty.endswith(".gz"):
            plain = os.path.join(folder, "cells.lib")
            with gzip.open(liberty, "rb") as source, open(plain, "wb") as target:
                shutil.copyfileobj(source, target)
            liberty = plain
        base = _run(args.design.resolve(), args.top, liberty, "", Path(folder) / "base.log")
        ours = _run(args.design.resolve(), args.top, liberty, f"shortcircuit {args.pass_args}",
                    Path(folder) / "sc.log")
    print(f"design: {args.design.name}  liberty: {Path(args.liberty).name}")
    print(f"{'flow':<28}{'chip area':>12}{'cells':>8}{'time s':>8}")
    print(f"{'sc_liberty.ys without pass':<28}{base['area']:>12.2f}{base['cells']:>8}{base['wall_s']:>8.1f}")
    print(f"{'sc_liberty.ys with pass':<28}{ours['area']:>12.2f}{ours['cells']:>8}{ours['wall_s']:>8.1f}")
    change = 100.0 * (ours["area"] - base["area"]) / base["area"]
    print(f"area change: {change:+.2f}%   pass result proven equivalent: {ours['proven']}")
    if ours["pass_line"]:
        print(ours["pass_line"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
