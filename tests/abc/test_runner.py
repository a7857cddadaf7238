"""The ABC bridge: failure modes with stand-in ABC scripts, then the real binary on small circuits.

Tests that need the real ABC fail when it is missing, unless SC_ALLOW_NO_ABC=1 (then they skip), so that CI
cannot pass by skipping.
"""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path

import pytest

from sc_plugin.abc import (ABC_ALIASES, AbcTimeoutError, find_abc, optimize_each_with_abc, optimize_with_abc,
                           parse_all_print_stats, parse_print_stats, run_abc)
from sc_plugin.aig import Aig, output_truth_tables, read_aiger
from sc_plugin.errors import AbcError, AbcNotFoundError

BENCHMARKS = Path(__file__).resolve().parents[2] / "flows" / "designs"  # shipped with the repository
C17 = BENCHMARKS / "iscas85" / "c17.aig"
C432 = BENCHMARKS / "iscas85" / "c432.aig"
CTRL = BENCHMARKS / "epfl" / "ctrl.aig"




def fake_abc(tmp_path: Path, body: str) -> str:
    """A stand-in ABC: a shell script whose $SCRIPT is the script file run_abc passes with -f."""
    path = tmp_path / "fake-abc"
    path.write_text("#!/bin/sh\nSCRIPT=$3; SCRIPT=${SCRIPT#\\\"}; SCRIPT=${SCRIPT%\\\"}\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


# ---- finding the binary -------------------------------------------------------------------------------------------


def test_sc_abc_names_the_binary(tmp_path, monkeypatch):
    fake = fake_abc(tmp_path, "exit 0")
    monkeypatch.setenv("SC_ABC", fake)
    assert find_abc() == fake


def test_sc_abc_that_does_not_exist_is_an_error_not_a_fallback(tmp_path, monkeypatch):
    monkeypatch.setenv("SC_ABC", str(tmp_path / "no-such-abc"))
    with pytest.raises(AbcNotFoundError, match="SC_ABC"):
        find_abc()
    with pytest.raises(AbcNotFoundError):
        run_abc("ps")


def test_nothing_found_anywhere(monkeypatch):
    monkeypatch.delenv("SC_ABC", raising=False)
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr("sc_plugin.abc.runner._pyosys_abc", lambda: None)
    with pytest.raises(AbcNotFoundError, match="no ABC executable found"):
        find_abc()


def test_explicit_binary_that_cannot_run(tmp_path):
    not_executable = tmp_path / "abc"
    not_executable.write_text("not a program")
    with pytest.raises(AbcNotFoundError, match="cannot run ABC binary"):
        run_abc("ps", binary=str(not_executable))


# ---- failure modes, with stand-in scripts -----------------------------------------------------------------------


def test_script_file_holds_aliases_then_commands(tmp_path):
    fake = fake_abc(tmp_path, 'cat "$SCRIPT"; sleep 0.2')
    run = run_abc(["read x.aig", "resyn2", "ps"], binary=fake)
    assert run.command == "read x.aig\nresyn2\nps"
    assert run.output == ABC_ALIASES + "read x.aig\nresyn2\nps\n"
    assert run.binary == fake
    assert 0.2 <= run.wall_time_s < 30


def test_a_space_in_the_working_folder_is_fine(tmp_path):
    folder = tmp_path / "with space"
    folder.mkdir()
    fake = fake_abc(tmp_path, 'pwd; test -f "$SCRIPT" && echo script-found')
    run = run_abc("ps", binary=fake, cwd=folder)
    assert run.output.splitlines() == [str(folder), "script-found"]
    assert run.cwd == str(folder)


@pytest.mark.parametrize("line", [
    "Error: Empty network.",
    "** cmd error: unknown command 'resyn2'",
    'Cannot open input file "x.aig".',
    'Io_WriteAiger(): Cannot open the output file "/x/y.aig".',
    "Something did not work out.",
    "Reading network from file has failed.",
    'This command works only for AIGs (run "strash").',
])
def test_error_text_with_exit_status_zero(tmp_path, line):
    fake = fake_abc(tmp_path, f"echo 'some progress'\ncat <<'EOF'\n{line}\nEOF\nexit 0")
    with pytest.raises(AbcError) as info:
        run_abc("read x.aig; ps", binary=fake)
    assert line in str(info.value)
    assert info.value.binary == fake
    assert info.value.command == "read x.aig; ps"
    assert "some progress" in info.value.output


def test_benign_lines_are_not_errors(tmp_path):
    benign = ["BMC could not detect a failed output in 3 frames with 0 conflicts.",
              "Proved = 10. Failed = 0.",
              "Round   1 : Error = 0.500000",
              "Networks are NOT EQUIVALENT.  Time =     0.00 sec",
              "The network was strashed and balanced."]
    fake = fake_abc(tmp_path, "cat <<'EOF'\n" + "\n".join(benign) + "\nEOF")
    assert run_abc("ps", binary=fake).output.splitlines() == benign


def test_colour_codes_are_removed(tmp_path):
    fake = fake_abc(tmp_path, r"printf '\033[1;37mc17:\033[0m i/o = 5/ 2  and = 6  lev = 3\n'")
    assert run_abc("ps", binary=fake).output == "c17: i/o = 5/ 2  and = 6  lev = 3\n"


def test_nonzero_exit_status(tmp_path):
    fake = fake_abc(tmp_path, "echo 'all fine so far'; exit 3")
    with pytest.raises(AbcError, match="exited with status 3"):
        run_abc("ps", binary=fake)


def test_timeout_kills_abc_and_what_it_started(tmp_path):
    pid_file = tmp_path / "sleeper.pid"
    fake = fake_abc(tmp_path, f"sleep 30 & echo $! > {pid_file}; wait")
    start = time.perf_counter()
    with pytest.raises(AbcTimeoutError, match="time limit of 0.5 s"):
        run_abc("ps", binary=fake, timeout_s=0.5)
    assert time.perf_counter() - start < 5
    sleeper = int(pid_file.read_text())
    time.sleep(0.1)
    assert not _alive(sleeper)


def _alive(pid: int) -> bool:
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat_line.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie waiting for its parent is dead too


# ---- statistics lines -------------------------------------------------------------------------------------------

PRINT_STATS = "\x1b[1;37mc17:\x1b[0m i/o =    5/    2  lat =    0  and =      6  lev =  3"
AMP_PS = ("\x1b[1;37msin\x1b[0m : i/o =     24/     25  \x1b[1;36mand =    4946\x1b[0m  \x1b[1;35mlev =  170\x1b[0m "
          "(148.28)  mem = 0.06 MB")
LATCHES = "s27: i/o =    4/    1  lat =    3  and =     10  lev =  6"
MAPPED = "c17: i/o = 5/ 2  lat = 0  nd = 3  edge = 8  area = 7.00  delay = 2.00  lev = 2"


def test_parse_print_stats_line():
    stats = parse_print_stats(PRINT_STATS)
    assert (stats.inputs, stats.outputs, stats.ands, stats.levels, stats.latches) == (5, 2, 6, 3, 0)
    assert stats.raw == "c17: i/o =    5/    2  lat =    0  and =      6  lev =  3"


def test_parse_amp_ps_line():
    stats = parse_print_stats(AMP_PS)
    assert (stats.inputs, stats.outputs, stats.ands, stats.levels, stats.latches) == (24, 25, 4946, 170, 0)


def test_parse_latches():
    assert parse_print_stats(LATCHES).latches == 3


def test_parse_takes_the_last_line_and_skips_mapped_networks():
    output = "\n".join([PRINT_STATS, "some other line", AMP_PS, MAPPED, ""])
    assert [s.ands for s in parse_all_print_stats(output)] == [6, 4946]
    assert parse_print_stats(output).ands == 4946


def test_parse_without_statistics_is_an_error():
    with pytest.raises(AbcError, match="no AIG statistics line"):
        parse_print_stats(MAPPED + "\nNetworks are equivalent.\n")


# ---- the real ABC -------------------------------------------------------------------------------------------------


def test_real_abc_print_stats(require_abc):
    run = run_abc(f"read {C17}; ps; strash; &get; &ps", binary=require_abc)
    first, second = parse_all_print_stats(run.output)
    assert (first.inputs, first.outputs, first.ands, first.levels) == (5, 2, 6, 3)
    assert (second.inputs, second.outputs, second.ands, second.levels) == (5, 2, 6, 3)
    assert run.stats() == second


def test_real_abc_error_is_recognised(require_abc, tmp_path):
    with pytest.raises(AbcError, match="Cannot open input file"):
        run_abc("read no_such_file.aig; ps", binary=require_abc, cwd=tmp_path)
    with pytest.raises(AbcError, match="unknown command"):
        run_abc(f"read {C17}; no_such_command; ps", binary=require_abc)


def test_every_alias_script_runs(require_abc):
    scripts = re.findall(r'^alias (\S+) "', ABC_ALIASES, flags=re.MULTILINE)
    assert {"resyn2", "compress2rs", "resyn2rs", "drwsat2", "choice"} <= set(scripts)
    run = run_abc([f"read {C432}; strash; {name}; strash; ps" for name in scripts], binary=require_abc)
    stats = parse_all_print_stats(run.output)
    assert len(stats) == len(scripts)
    assert all((s.inputs, s.outputs) == (36, 7) and 0 < s.ands for s in stats)


def test_compress2rs_and_deepsyn_on_an_epfl_circuit(require_abc):
    # &deepsyn calls compress2rs internally: without ABC_ALIASES it fails with "Something did not work out".
    run = run_abc(f"read {CTRL}; strash; ps; compress2rs; ps; &get; &deepsyn -T 1; &ps", binary=require_abc,
                  timeout_s=30)
    original, compressed, deep = parse_all_print_stats(run.output)
    assert original.ands == 174
    assert compressed.ands < original.ands
    assert deep.ands < original.ands


def _named_ctrl() -> Aig:
    aig = read_aiger(CTRL)
    aig.pi_names = [f"in{i}" for i in range(aig.num_pis)]
    aig.po_names = [f"out{i}" for i in range(aig.num_pos)]
    aig.comments = ["kept comment"]
    return aig


def test_optimize_with_abc_keeps_function_names_and_comments(require_abc):
    aig = _named_ctrl()
    result, run = optimize_with_abc(aig, "compress2rs", binary=require_abc)
    assert result.num_ands < aig.num_ands
    assert output_truth_tables(result) == output_truth_tables(aig)  # 7 inputs: exhaustive
    assert result.pi_names == aig.pi_names
    assert result.po_names == aig.po_names
    assert result.comments == ["kept comment"]
    assert not os.path.exists(run.cwd)


def test_optimize_with_abc_deepsyn_script(require_abc):
    aig = _named_ctrl()
    result, _ = optimize_with_abc(aig, "&get; &deepsyn -T 1; &put", binary=require_abc, timeout_s=30)
    assert result.num_ands < aig.num_ands
    assert output_truth_tables(result) == output_truth_tables(aig)


def test_optimize_with_abc_unnamed_stay_unnamed_and_keep_temp(require_abc):
    aig = Aig()
    a, b, c = aig.create_pi(), aig.create_pi(), aig.create_pi()
    aig.create_po(aig.create_and(aig.create_and(a, b), aig.create_and(a, c)))
    result, run = optimize_with_abc(aig, "resyn2", binary=require_abc, keep_temp=True)
    try:
        assert result.pi_names == [None, None, None]
        assert result.po_names == [None]
        assert result.num_ands == 2
        assert output_truth_tables(result) == output_truth_tables(aig)
        assert sorted(os.listdir(run.cwd)) == ["input.aig", "output.aig"]
    finally:
        for name in os.listdir(run.cwd):
            os.remove(os.path.join(run.cwd, name))
        os.rmdir(run.cwd)


def test_optimize_each_with_abc_runs_the_script_on_each_network_alone(require_abc):
    redundant = Aig()
    a, b, c = redundant.create_pi(), redundant.create_pi(), redundant.create_pi()
    redundant.create_po(redundant.create_and(redundant.create_and(a, b), redundant.create_and(a, c)))
    networks = [redundant, _named_ctrl()]
    results = optimize_each_with_abc(networks, "resyn2", binary=require_abc)
    assert results[0].num_ands == 2
    assert results[1].num_ands < networks[1].num_ands
    for network, result in zip(networks, results):
        assert (result.num_pis, result.num_pos) == (network.num_pis, network.num_pos)
        assert output_truth_tables(result) == output_truth_tables(network)
    with pytest.raises(AbcError, match="unknown command"):
        optimize_each_with_abc(networks, "no_such_command", binary=require_abc)


def test_optimize_with_abc_failure(require_abc):
    with pytest.raises(AbcError, match="unknown command"):
        optimize_with_abc(_named_ctrl(), "no_such_command", binary=require_abc)
