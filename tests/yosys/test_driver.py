"""The `sc-yosys` driver: errors shown with -q too, and no temporary folder left behind on any path out."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DESIGNS = Path(__file__).parent / "designs"


def _sc_yosys(*args: str, tmp_path: Path, stdin: str = "") -> subprocess.CompletedProcess:
    temp = tmp_path / "temp"
    temp.mkdir(exist_ok=True)
    env = dict(os.environ, SC_CACHE=str(tmp_path / "cache.sqlite"), TMPDIR=str(temp))
    return subprocess.run([sys.executable, "-m", "sc_plugin.yosys.driver", *args], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=120, input=stdin)


FAILURES = [
    (["-p", "read_verilog designs/bad_syntax.v"], "syntax error"),
    (["designs/bad_syntax.v"], "syntax error"),
    (["-p", "read_verilog designs/missing.v"], "missing.v"),
    (["-p", "no_such_command"], "No such command"),
    (["-p", "read_verilog designs/adder.v; synth -top adder; shortcircuit -bogus"],
     "ERROR: Command syntax error: unknown option -bogus (see help shortcircuit)"),
    # a user error (ScError) raised while the pass runs, here a Verilog file given as the model, reads as its
    # message alone, without the exception's class
    (["-p", "read_verilog designs/adder.v; synth -top adder; shortcircuit -engine mcts -checkpoint designs/adder.v"],
     "ERROR: designs/adder.v: not a readable checkpoint"),
]


@pytest.mark.parametrize("args, message", FAILURES)
def test_quiet_runs_still_show_the_error_and_leave_no_temporary_folder(tmp_path, args, message):
    shutil.copytree(DESIGNS, tmp_path / "designs")
    result = _sc_yosys("-q", *args, tmp_path=tmp_path)
    assert result.returncode == 1
    assert message in result.stderr and "ERROR" in result.stderr, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
    assert os.listdir(tmp_path / "temp") == []


def test_successful_runs_leave_no_temporary_folder_and_quiet_prints_nothing(tmp_path):
    shutil.copytree(DESIGNS, tmp_path / "designs")
    result = _sc_yosys("-q", "-p", "read_verilog designs/adder.v; synth -top adder", "-l", "run.log",
                       tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    assert "Executing SYNTH pass" in (tmp_path / "run.log").read_text()  # -l still gets the whole log
    assert os.listdir(tmp_path / "temp") == []


@pytest.mark.parametrize("args, message", [
    (["-Z"], "unrecognized arguments: -Z (see sc-yosys --help)"),
    (["-l", "nodir/log.txt", "-p", "help"], "nodir/log.txt: folder {cwd}/nodir does not exist"),
    (["script.tcl"], "script.tcl: Tcl scripts are not supported (pyosys has no Tcl); use a .ys script"),
])
def test_driver_errors_are_one_line_with_status_1(tmp_path, args, message):
    (tmp_path / "script.tcl").write_text("yosys read_verilog design.v\n")
    result = _sc_yosys(*args, tmp_path=tmp_path)
    assert result.returncode == 1
    assert result.stderr == f"sc-yosys: error: {message.format(cwd=tmp_path)}\n"
    assert result.stdout == ""


def test_the_shell_goes_on_after_an_error_in_the_pass(tmp_path):
    commands = f"read_verilog {DESIGNS / 'adder.v'}\nsynth -top adder\nshortcircuit -bogus\nwrite_rtlil after.il\n"
    result = _sc_yosys(tmp_path=tmp_path, stdin=commands)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "unknown option -bogus" in result.stdout + result.stderr
    assert "the command failed" in result.stderr and "Traceback" not in result.stderr
    assert "module \\adder" in (tmp_path / "after.il").read_text()  # the next command ran, on the same design


def test_an_error_of_the_pass_reaches_the_log_file_too(tmp_path):
    shutil.copytree(DESIGNS, tmp_path / "designs")
    result = _sc_yosys("-q", "-l", "run.log", "-p", "read_verilog designs/adder.v; synth -top adder; "
                       "shortcircuit -engine mcts -checkpoint designs/adder.v", tmp_path=tmp_path)
    assert result.returncode == 1
    error = "ERROR: designs/adder.v: not a readable checkpoint"
    assert error in result.stderr
    assert (tmp_path / "run.log").read_text().splitlines()[-1].startswith(error)
