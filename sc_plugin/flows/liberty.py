"""The `yosys` step (flows of kind liberty): synthesize a design with a Yosys script through `sc-yosys` and read the
mapped cell area and cell count from Yosys's `stat` output, and the pass's AND counts and AIG levels from its
summary lines.

The script runs after the design is read and its top chosen
(`sc-yosys -q -l LOG -D LIBERTY=LIB -D NAME=VALUE... DESIGN -p 'hierarchy -auto-top' -s SCRIPT`), in the design's
folder (a design given as a .ys script reads its sources by relative paths, see flows/designs/rtl). LIBERTY is a
plain-text copy of the shared gf180mcu liberty file (decompressed once per task), and `defines` become further
`-D NAME=VALUE`, with ${REPO} replaced by the repository root and ${OPENLANE_AREA_<n>} by OpenLane's "AREA n"
commands (`flows/openlane.py`; yosys_scripts/sc_liberty.ys: `SC_PASS: ""` gives the baseline without the pass,
`ABC_SETUP` other ABC mapping commands).
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sc_plugin.flows.openlane import area_script
from sc_plugin.flows.spec import Design, FlowSpec, repo_root, shared_root

__all__ = ["run_yosys_step", "parse_stat", "parse_pass_summary", "expand_define", "LIBERTY_GZ"]

LIBERTY_GZ = "liberty/gf180mcu_fd_sc_mcu7t5v0__tt_025C_5v00.lib.gz"
_AREA = re.compile(r"Chip area for (?:top )?module\s+'?\\?([^':]+)'?:\s*([0-9.eE+-]+)")
# "Number of cells: 85" (older Yosys), "85 cells", or "85 1.46E+03 cells" (count and area, Yosys 0.5x and later).
_CELLS = re.compile(r"^\s*(?:Number of cells:\s*(\d+)|(\d+)\s+(?:[0-9.eE+-]+\s+)?cells\s*$)", re.MULTILINE)
_OPENLANE_AREA = re.compile(r"\$\{OPENLANE_AREA_(\d+)\}")
OPENLANE_CONSTRAINTS = "yosys_scripts/openlane_gf180mcu.sdc"  # OpenLane's gf180mcu driving cell and output load
_PASS_SUMMARY = re.compile(r"Module \S+: ANDs (\d+) -> (\d+), levels (\d+) -> (\d+)")


def parse_stat(log: str) -> tuple[float | None, int | None]:
    """The last chip area and cell count that `stat` printed in `log` (None where absent)."""
    areas = _AREA.findall(log)
    cells = [int(a or b) for a, b in _CELLS.findall(log)]
    return (float(areas[-1][1]) if areas else None, cells[-1] if cells else None)


def expand_define(value: str) -> str:
    """A define's value with ${REPO} and ${OPENLANE_AREA_<n>} filled in."""
    value = value.replace("${REPO}", str(repo_root()))
    constraints = str(repo_root() / OPENLANE_CONSTRAINTS)
    return _OPENLANE_AREA.sub(lambda match: area_script(int(match.group(1)), constraints), value)


def parse_pass_summary(log: str) -> dict:
    """The pass's AND counts (summed over its modules) and AIG levels (the deepest module) before and after, as
    record fields; empty when it logged no summary (no pass, or no module it could improve)."""
    summaries = [tuple(map(int, match)) for match in _PASS_SUMMARY.findall(log)]
    if not summaries:
        return {}
    return {"ands_in": sum(s[0] for s in summaries), "ands": sum(s[1] for s in summaries),
            "levels_in": max(s[2] for s in summaries), "levels": max(s[3] for s in summaries)}


def run_yosys_step(design: Design, step: dict, spec: FlowSpec, *, timeout_s: float) -> dict:
    script = Path(step["yosys"].replace("${REPO}", str(repo_root())))
    if not script.is_absolute():
        script = (spec.path.parent / script) if (spec.path.parent / script).exists() else repo_root() / script
    if not script.exists():
        return {"status": "error", "message": f"Yosys script {script} does not exist (yet)"}
    with tempfile.TemporaryDirectory(prefix="sc_flow_yosys_") as work:
        liberty = Path(work) / "gf180mcu.lib"
        with gzip.open(shared_root() / LIBERTY_GZ) as source, open(liberty, "wb") as target:
            shutil.copyfileobj(source, target)
        log_path = Path(work) / "yosys.log"
        defines = {"LIBERTY": str(liberty), **{name: expand_define(str(value))
                                               for name, value in step.get("defines", {}).items()}}
        argv = [sys.executable, "-m", "sc_plugin.yosys.driver", "-q", "-l", str(log_path)]
        for name, value in defines.items():
            argv += ["-D", f"{name}={value}"]
        argv += [str(design.path), "-p", "hierarchy -auto-top", "-s", str(script)]
        try:
            completed = subprocess.run(argv, cwd=design.path.parent, capture_output=True, text=True,
                                       timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return {"status": "timeout", "message": f"Yosys ran past {timeout_s:g} s"}
        log = log_path.read_text() if log_path.exists() else completed.stdout
        if completed.returncode != 0:
            tail = (completed.stderr or completed.stdout).strip().splitlines()[-3:]
            return {"status": "error", "message": f"sc-yosys exited {completed.returncode}: {' | '.join(tail)}"}
    area, cells = parse_stat(log)
    if area is None:
        return {"status": "error", "message": "no 'Chip area' in the Yosys log (does the script run stat -liberty?)"}
    # The shortcircuit pass proves each module's rewrite itself and leaves the module unchanged otherwise.
    with_pass = defines.get("SC_PASS", "shortcircuit") != "" and "shortcircuit" in script.read_text()
    return {"status": "ok", "area": area, "cells": cells, "verified": "by pass" if with_pass else "not checked",
            **parse_pass_summary(log)}
