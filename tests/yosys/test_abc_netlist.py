"""The netlist Yosys's `abc` hands to ABC, rebuilt by the pass: equal to `abc`'s own input.blif, before and after the
pass swaps its logic in; and the pass's mapped-area check end to end."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sc_plugin.yosys.abc_netlist import NetlistCell, abc_input_blif, dictionary_entries, entries_after_edit

DESIGNS = Path(__file__).parent / "designs"
REPO = Path(__file__).resolve().parents[2]
TINY_LIB = REPO / "tests" / "abc" / "data" / "tiny.lib"
C432 = REPO / "flows" / "designs" / "iscas85" / "c432.aig"


def test_entries_follow_yosys_dict_rules():
    # appended at the end; an erased entry's slot takes the last entry
    assert entries_after_edit(["a", "b", "c", "d"], ["x", "y"], ["b", "y", "a"]) == ["d", "x", "c"]
    assert dictionary_entries(["c", "b", "a"]) == ["a", "b", "c"]


def test_blif_numbers_signals_on_first_sight_and_marks_ports():
    cells = [NetlistCell("$_AND_", ("a", "b"), "n"), NetlistCell("$_XOR_", ("n", "zero"), "y"),
             NetlistCell("", ("y", "q"))]
    text = abc_input_blif(cells, canonical=lambda bit: bit, port_bits={"a", "b"},
                          constant=lambda bit: 0 if bit == "zero" else None)
    # a=0 b=1 n=2 zero=3 y=4; y feeds a boundary cell, so it is an output
    assert text.splitlines() == [".model netlist", ".inputs ys__n0 ys__n1", ".outputs ys__n4", ".names ys__n3",
                                 ".names ys__n0 ys__n1 ys__n2", "11 1", ".names ys__n2 ys__n3 ys__n4", "01 1", "10 1",
                                 ".end"]


def _abc_blif(design, ys, folder: Path) -> str:
    """Runs Yosys's abc with -nocleanup in `folder` and returns the netlist it wrote, comments dropped."""
    before = set(folder.glob("_tmp_yosys-abc-*"))
    ys.run_pass(f"tee -q abc -liberty {TINY_LIB} -nocleanup", design)
    (work,) = set(folder.glob("_tmp_yosys-abc-*")) - before
    lines = (work / "input.blif").read_text().splitlines()
    return "\n".join(line for line in lines if not line.startswith("#")) + "\n"


@pytest.fixture
def mixed(tmp_path, monkeypatch):
    """The mixed design (flip-flops, a memory, a blackbox, keep wires, XOR and MUX gates) down to gates, its
    flip-flops mapped to library cells (Yosys's `abc` would take built-in ones into its netlist)."""
    from pyosys import libyosys as ys

    monkeypatch.chdir(tmp_path)
    design = ys.Design()
    ys.run_pass(f"tee -q read_verilog {DESIGNS / 'mixed.v'}; tee -q synth -top mixed -run :fine; tee -q techmap; "
                f"tee -q opt -fast; tee -q dfflibmap -liberty {TINY_LIB}; tee -q opt_clean", design)
    return design, design.module(ys.IdString("\\mixed"))


def test_the_netlist_is_the_one_abc_writes(mixed, tmp_path, require_abc):
    from pyosys import libyosys as ys

    from sc_plugin.yosys.shortcircuit_pass import _abc_netlist

    design, module = mixed
    predicted = _abc_netlist(module)
    assert _abc_blif(design, ys, tmp_path) == predicted


def test_the_netlist_after_the_swap_is_known_before_it(mixed, tmp_path, require_abc):
    from pyosys import libyosys as ys

    from sc_plugin.abc.runner import optimize_with_abc
    from sc_plugin.yosys.shortcircuit_pass import ShortCircuitPass, _abc_netlist, _extract, _plan_emit

    design, module = mixed
    extraction = _extract(module)
    result, _ = optimize_with_abc(extraction.aig, "strash; dc2")  # other logic, same functions
    plan = _plan_emit(extraction, result)
    predicted = _abc_netlist(module, (extraction, plan))
    assert predicted != _abc_netlist(module)
    ShortCircuitPass._swap(module, extraction, plan)
    assert _abc_netlist(module) == predicted
    assert _abc_blif(design, ys, tmp_path) == predicted


def _area(log: str) -> float:
    return float(re.findall(r"Chip area for module '[^']*': ([0-9.]+)", log)[-1])


def test_the_pass_never_maps_larger_than_abc_alone(tmp_path, require_abc):
    """c432 through `abc -liberty`, without the pass and with it (library from the scratchpad): the pass predicts
    the area `abc` gives, and keeps the module as it is unless its logic maps smaller."""
    env = dict(os.environ, SC_CACHE=str(tmp_path / "cache.sqlite"))

    def run(pass_line: str) -> str:
        script = (f"read_aiger {C432}; hierarchy -auto-top; techmap; opt -fast; "
                  f"scratchpad -set abc.liberty {TINY_LIB}; {pass_line}; abc; stat -liberty {TINY_LIB}")
        done = subprocess.run([sys.executable, "-m", "sc_plugin.yosys.driver", "-p", script], capture_output=True,
                              text=True, env=env, cwd=tmp_path, timeout=300)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr
        return done.stdout

    baseline = _area(run("opt_clean"))
    log = run("shortcircuit -engine abc -k 6 -depth_slack 0")
    before, after = (float(x) for x in re.search(r"mapped area ([0-9.]+) -> ([0-9.]+)", log).groups())
    assert before == pytest.approx(baseline, abs=0.01)
    if "input kept" in log:
        assert _area(log) == pytest.approx(baseline, abs=0.01)
    else:
        assert after < before and _area(log) == pytest.approx(after, abs=0.01)
    assert "differs from the one measured" not in log
