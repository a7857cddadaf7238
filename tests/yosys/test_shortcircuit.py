"""The `shortcircuit` pass, the `sc-yosys` driver and the stock-Yosys path through `sc-abc`.

Each flow follows Yosys's own pass tests: keep a gold copy, run the pass, assert the structure, prove equivalence
(equiv_make / equiv_simple / equiv_induct / equiv_status -assert; flip-flops are matched by name).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DESIGNS = Path(__file__).parent / "designs"
STOCK_YOSYS = "/usr/bin/yosys"
ABC_SCRIPT = Path(__file__).parents[2] / "yosys_scripts" / "sc_stock.abc"

PROVE = ("design -stash gate; design -copy-from gold -as gold {top}; design -copy-from gate -as gate {top}; "
         "equiv_make gold gate equiv; equiv_simple -seq 2; equiv_induct; equiv_status -assert")


def _sc_yosys(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, SC_CACHE=str(tmp_path / "cache.sqlite"))
    return subprocess.run([sys.executable, "-m", "sc_plugin.yosys.driver", *args], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=120)


def test_pass_keeps_boundaries_and_is_equivalent(tmp_path):
    flow = (f"read_verilog {DESIGNS / 'mixed.v'}; synth -top mixed -run :fine; techmap; opt_clean; "
            "design -save gold; shortcircuit -nocache; check -assert; "
            # only AND/NOT gates remain as logic; the boundaries are all still there, names included
            "select -assert-none t:$_OR_ t:$_XOR_ t:$_MUX_; select -assert-count 4 t:$_DFF_P_; "
            "select -assert-count 1 t:$mem_v2; select -assert-count 1 c:box t:bbox %i; "
            "select -assert-count 1 w:kept a:keep %i; select -assert-count 3 o:y o:z o:q; "
            "select -assert-count 1 w:r; " + PROVE.format(top="mixed"))
    result = _sc_yosys("-p", flow, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert "Equivalence successfully proven!" in result.stdout
    assert "proven equivalent" in result.stdout  # the pass's own proof of the extracted logic


def test_help_documents_every_option(tmp_path):
    result = _sc_yosys("-p", "help shortcircuit", tmp_path=tmp_path)
    assert result.returncode == 0
    for option in ("-k", "-engine", "-rounds", "-time_limit", "-timeout", "-budget_ms", "-workers", "-noverify",
                   "-cache", "-nocache", "-nocleanup", "-showtmp", "leaves alone", "Example"):
        assert option in result.stdout, option


def test_rollback_when_the_swap_fails():
    from pyosys import libyosys as ys

    import sc_plugin.yosys.shortcircuit_pass as sc_pass

    design = ys.Design()
    ys.run_pass(f"tee -q read_verilog {DESIGNS / 'adder.v'}; tee -q synth -top adder", design)
    before = design.module(ys.IdString("\\adder")).to_rtlil_str()
    real_emit = sc_pass._emit

    def failing_emit(module, plan, added_cells, added_wires):
        real_emit(module, plan, added_cells, added_wires)  # adds everything, then fails
        raise RuntimeError("injected failure")

    sc_pass._emit = failing_emit
    try:
        with pytest.raises(RuntimeError, match="injected failure"):
            ys.run_pass("tee -q shortcircuit -nocache", design)
    finally:
        sc_pass._emit = real_emit
    assert design.module(ys.IdString("\\adder")).to_rtlil_str() == before


def _modules(rtlil: Path) -> dict[str, str]:
    """Each module's RTLIL text, by name."""
    return dict(re.findall(r"^module \\(\S+)\n(.*?)^end$", rtlil.read_text(), re.MULTILINE | re.DOTALL))


def test_a_selection_limits_the_pass_to_the_modules_it_selects_whole(tmp_path):
    flow = (f"read_verilog {DESIGNS / 'two_modules.v'}; synth -top top; write_rtlil before.il; "
            "shortcircuit -nocache -engine abc maj; write_rtlil whole.il; "
            "select -assert-mod-count 2 %; "  # the selection ended with the pass
            "tee -o partial.log shortcircuit -nocache -engine abc top/t:$_OR_; write_rtlil partial.il")
    result = _sc_yosys("-p", flow, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    before, whole, partial = (_modules(tmp_path / name) for name in ("before.il", "whole.il", "partial.il"))
    assert whole["top"] == before["top"]
    assert whole["maj"] != before["maj"]  # its $_NAND_/$_OR_ gates became $_AND_/$_NOT_
    assert partial == whole
    assert "Skipping partially selected module \\top." in (tmp_path / "partial.log").read_text()


@pytest.mark.parametrize("args, message", [
    (["-p", "read_verilog designs/bad_syntax.v"], "syntax error"),
    (["designs/missing.v"], "missing.v"),
    (["-p", "read_verilog designs/adder.v; synth -top adder; shortcircuit -bogus"],
     "ERROR: Command syntax error: unknown option -bogus (see help shortcircuit)"),
    (["-p", "no_such_command"], "No such command"),
])
def test_errors_are_clear(tmp_path, args, message):
    shutil.copytree(DESIGNS, tmp_path / "designs")
    result = _sc_yosys(*args, tmp_path=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert message in output, output[-2000:]
    assert "Traceback" not in output


def _stock_yosys() -> str:
    if os.path.exists(STOCK_YOSYS) and shutil.which("sc-abc"):
        return STOCK_YOSYS
    if os.environ.get("SC_ALLOW_NO_STOCK_YOSYS") == "1":
        pytest.skip("Debian yosys or sc-abc missing and SC_ALLOW_NO_STOCK_YOSYS=1")
    pytest.fail(f"{STOCK_YOSYS} or sc-abc is missing (install.sh installs yosys; `pip install -e .` sc-abc); "
                "set SC_ALLOW_NO_STOCK_YOSYS=1 to skip")


def test_stock_yosys_through_sc_abc(tmp_path):
    yosys = _stock_yosys()
    flow = (f"read_verilog {DESIGNS / 'mixed.v'}; synth -top mixed -run :fine; techmap; opt -fast; "
            f"design -save gold; abc -exe sc-abc -script {ABC_SCRIPT} -g AND; opt_clean; "
            "select -assert-none t:$_OR_ t:$_XOR_; select -assert-count 4 t:$_DFF_P_; "
            "select -assert-count 1 w:kept; " + PROVE.format(top="mixed"))
    env = dict(os.environ, SC_CACHE=str(tmp_path / "cache.sqlite"))
    result = subprocess.run([yosys, "-p", flow], capture_output=True, text=True, env=env, cwd=tmp_path,
                            timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert "sc-abc: + sc_opt" in result.stdout and "proven equivalent" in result.stdout
    assert "Equivalence successfully proven!" in result.stdout


def test_sc_abc_rejects_a_bad_sc_opt_option(tmp_path):
    yosys = _stock_yosys()
    script = tmp_path / "bad.abc"
    script.write_text("strash\nsc_opt -bogus\nmap\n")
    result = subprocess.run([yosys, "-p", f"read_verilog {DESIGNS / 'adder.v'}; synth -top adder -run :fine; "
                             f"techmap; abc -exe sc-abc -script {script} -g AND"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode != 0
    assert "sc-abc" in result.stderr and "failed: return code 1" in result.stderr


def test_a_corrupt_cache_is_reported_in_the_yosys_log(tmp_path):
    (tmp_path / "corrupt.sqlite").write_bytes(b"not a database" * 100)
    result = _sc_yosys("-p", f"read_verilog {DESIGNS / 'adder.v'}; synth -top adder; "
                       "shortcircuit -engine abc -cache corrupt.sqlite -noverify", tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    warnings = [line for line in result.stdout.splitlines() if line.startswith("Warning: cache")]
    assert len(warnings) == 1 and "moved it to" in warnings[0], result.stdout[-3000:]
    assert list(tmp_path.glob("corrupt.sqlite.corrupt-*"))
