"""The `yosys` step (flows of kind liberty): synthesize a design with a Yosys script through `sc-yosys` and read the
mapped cell area and cell count from Yosys's `stat` output.

The script runs after the design is read and its top chosen
(`sc-yosys -q -l LOG -D LIBERTY=LIB -D NAME=VALUE... DESIGN -p 'hierarchy -auto-top' -s SCRIPT`): LIBERTY is a
plain-text copy of the shared gf180mcu liberty file (decompressed once per task), and `defines` become further
`-D NAME=VALUE` (yosys_scripts/sc_liberty.ys: `SC_PASS: ""` gives the baseline without the pass).
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sc_plugin.flows.spec import Design, FlowSpec, repo_root, shared_root

__all__ = ["run_yosys_step", "parse_stat", "LIBERTY_GZ"]

LIBERTY_GZ = "liberty/gf180mcu_fd_sc_mcu7t5v0__tt_025C_5v00.lib.gz"
_AREA = re.compile(r"Chip area for (?:top )?module\s+'?\\?([^':]+)'?:\s*([0-9.eE+-]+)")
_CELLS = re.compile(r"^\s*(?:Number of cells:\s*(\d+)|(\d+)\s+cells\s*$)", re.MULTILINE)


def parse_stat(log: str) -> tuple[float | None, int | None]:
    """The last chip area and cell count that `stat` printed in `log` (None where absent)."""
    areas = _AREA.findall(log)
    cells = [int(a or b) for a, b in _CELLS.findall(log)]
    return (float(areas[-1][1]) if areas else None, cells[-1] if cells else None)


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
        defines = {"LIBERTY": str(liberty), **{name: str(value) for name, value in step.get("defines", {}).items()}}
        argv = [sys.executable, "-m", "sc_plugin.yosys.driver", "-q", "-l", str(log_path)]
        for name, value in defines.items():
            argv += ["-D", f"{name}={value}"]
        argv += [str(design.path), "-p", "hierarchy -auto-top", "-s", str(script)]
        try:
            completed = subprocess.run(argv, cwd=work, capture_output=True, text=True, timeout=timeout_s)
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
    return {"status": "ok", "area": area, "cells": cells, "verified": "by pass" if with_pass else "not checked"}
