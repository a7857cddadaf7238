from __future__ import annotations

import pytest

from sc_plugin.aig.simulate import output_truth_tables
from sc_plugin.engines.abc_engine import AbcEngine, AbcParams
from sc_plugin.engines.base import Budget
from sc_plugin.errors import AbcError

FUNCTIONS = [(0x8, 2), (0xE8, 3), (0xCA, 3), (0x96, 3), (0x6996, 4), (0x404040404040EA40, 6), (0x0, 3), (0xAA, 3),
             (0x20332F3320332033, 6)]


def test_batch_runs_in_two_processes_and_every_result_verifies(require_abc):
    engine = AbcEngine()
    results = engine.synthesize_batch(FUNCTIONS, budget=Budget())
    # the cheap scripts on every function, then the expensive ones on 0x6996, which they leave at 9 ANDs
    assert engine.stats.processes == 2
    for (table, n), candidate in zip(FUNCTIONS, results):
        assert candidate is not None and candidate.verified
        assert candidate.implementation.num_pis == n
        assert output_truth_tables(candidate.implementation) == [table]
    assert [c.ands for c in results[:4]] == [1, 4, 3, 6]
    assert results[6].ands == 0 and results[7].ands == 0


def test_the_expensive_scripts_run_only_where_the_cheap_ones_leave_large_circuits(require_abc):
    small = FUNCTIONS[:4]  # the cheap scripts leave at most 6 ANDs
    engine = AbcEngine()
    assert [c.ands for c in engine.synthesize_batch(small, budget=Budget())] == [1, 4, 3, 6]
    assert engine.stats.processes == 1
    everywhere = AbcEngine(AbcParams(expensive_min_ands=0))
    assert [c.ands for c in everywhere.synthesize_batch(small, budget=Budget())] == [1, 4, 3, 6]
    assert everywhere.stats.processes == 2


def test_functions_stay_independent(require_abc):
    # the same function alone and inside a batch gets the same size: no sharing across functions
    engine = AbcEngine()
    alone = engine.synthesize(0x20332F3320332033, 6, budget=Budget())
    batch = engine.synthesize_batch(FUNCTIONS, budget=Budget())
    assert alone.ands == batch[-1].ands == 7


@pytest.mark.parametrize("script", ["bdd; muxes; strash; dc2", "dsd; strash; dc2"])
def test_bdd_commands_run_once_per_input_count_and_each_table_gets_its_own_result(tmp_path, monkeypatch, script,
                                                                                  require_abc):
    runs = tmp_path / "runs.txt"
    monkeypatch.setenv("SC_ABC", _stand_in_abc(tmp_path, f'cat "$script" >> {runs}\nexec {require_abc} "$@"'))
    params = AbcParams(scripts=(script,), expensive_min_ands=0)
    batch = AbcEngine(params).synthesize_batch(FUNCTIONS, budget=Budget())
    head = script.split(";")[0]
    nontrivial_inputs = {n for (table, n) in FUNCTIONS if table not in (0x0, 0xAA)}  # constant, projection
    assert runs.read_text().count(f"{head};") == len(nontrivial_inputs)
    alone = [AbcEngine(params).synthesize(table, n, budget=Budget()) for table, n in FUNCTIONS]
    for (table, n), together, single in zip(FUNCTIONS, batch, alone):
        assert output_truth_tables(together.implementation) == [table] and together.implementation.num_pis == n
        assert together.ands == single.ands


def test_max_ands_filters(require_abc):
    assert AbcEngine().synthesize(0x96, 3, budget=Budget(max_ands=2)) is None


# ---- ABC failing: stand-in binaries ---------------------------------------------------------------------------------


def _stand_in_abc(tmp_path, body: str) -> str:
    """An executable that ABC's runner calls as `abc -s -f "SCRIPT"`; `$script` is the script's path."""
    path = tmp_path / "abc"
    path.write_text("#!/bin/sh\nfor arg; do script=$(printf '%s' \"$arg\" | tr -d '\"'); done\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


def test_a_function_that_crashes_abc_costs_only_itself(tmp_path, monkeypatch, caplog, require_abc):
    # ABC dies on signal 11 whenever its script holds XOR3 (96): the batch is split until XOR3 is alone
    crashing = _stand_in_abc(tmp_path, f'grep -q "read_truth 96;" "$script" && kill -SEGV $$\nexec {require_abc} "$@"')
    monkeypatch.setenv("SC_ABC", crashing)
    engine = AbcEngine(AbcParams(scripts=("strash; dc2",), batch_size=100))
    results = engine.synthesize_batch(FUNCTIONS, budget=Budget())
    crashed = FUNCTIONS.index((0x96, 3))
    assert results[crashed] is None
    for (table, n), candidate in zip(FUNCTIONS, results):
        assert candidate is not None or table == 0x96
        assert candidate is None or output_truth_tables(candidate.implementation) == [table]
    assert engine.stats.skipped == 1 and "skipped (ABC failed on them)" in engine.stats.report()
    warnings = [r.getMessage() for r in caplog.records if "ABC failed on function 96" in r.getMessage()]
    assert len(warnings) == 1 and "signal 11" in warnings[0]
    # known now: not tried again, not logged again
    processes = engine.stats.processes
    assert engine.synthesize(0x96, 3, budget=Budget()) is None
    assert engine.stats.processes == processes and engine.stats.skipped == 2
    assert len([r for r in caplog.records if "ABC failed on function 96" in r.getMessage()]) == 1


@pytest.mark.parametrize("body, message", [
    ("exit 1", "ABC exited with status 1"),
    ("kill -SEGV $$", "ABC died on signal 11"),
    ("exit 0", "ABC wrote none of its"),  # exits normally but writes nothing
])
def test_a_broken_abc_fails_the_call_at_once(tmp_path, monkeypatch, caplog, body, message):
    monkeypatch.setenv("SC_ABC", _stand_in_abc(tmp_path, body))
    engine = AbcEngine()
    with pytest.raises(AbcError, match=message) as info:
        engine.synthesize_batch(FUNCTIONS, budget=Budget())
    assert "\n" not in str(info.value) and len(str(info.value)) < 400
    assert engine.stats.retries == 0 and len(caplog.records) <= 1


def test_care_sets_run_abc_on_completions(require_abc):
    """x0 & x1 & x3 where leaf x2 equals x0 & x1 on the care set: a completion drops x0 and x1 (1 AND instead of 2);
    XOR2 with minterm 3 free: the 1-fill is OR2. Complete functions in the same batch are unchanged."""
    table, care = 0x8800, 0x8787
    engine = AbcEngine()
    results = engine.synthesize_batch([(table, 4), (0x6, 2), (table, 4)], budget=Budget(), cares=[care, 0x7, None])
    assert engine.stats.processes == 1
    assert [(c.ands, c.care) for c in results] == [(1, care), (1, 0x7), (2, None)]
    for (t, m), candidate in zip([(table, care), (0x6, 0x7)], results):
        assert (output_truth_tables(candidate.implementation)[0] ^ t) & m == 0


def test_a_solved_table_is_not_run_again_and_other_completions_get_the_first_scripts(tmp_path, monkeypatch,
                                                                                      require_abc):
    """The care-set function of test_care_sets_run_abc_on_completions after its complete function: the table as
    given is remembered with its result (the cheap scripts leave 2 ANDs, so the expensive ones do not run), and its
    three other completions run the first two scripts."""
    runs = tmp_path / "runs.txt"
    recording = _stand_in_abc(tmp_path, f'grep read_truth "$script" >> {runs}\nexec {require_abc} "$@"')
    monkeypatch.setenv("SC_ABC", recording)
    table, care = 0x8800, 0x8787
    engine = AbcEngine()
    complete = engine.synthesize(table, 4, budget=Budget())
    assert len(runs.read_text().splitlines()) == AbcParams().completion_scripts
    runs.write_text("")
    partial, again = engine.synthesize_batch([(table, 4), (table, 4)], budget=Budget(), cares=[care, None])
    lines = runs.read_text().splitlines()
    assert len(lines) == 3 * 2 and not any("dsd" in line or "bdd" in line for line in lines)
    assert not any("read_truth 80;" in line for line in lines)  # the table on its support, x0 & x1 & x3
    assert engine.stats.processes == 2 and engine.stats.reused == 2  # the table: in the call, and from before
    assert (partial.ands, partial.care, again.ands, again.care) == (1, care, complete.ands, None)
    assert (output_truth_tables(partial.implementation)[0] ^ table) & care == 0
