"""The anytime schedule: steps from the best network so far, never larger, wrong outputs dropped."""

import itertools
from dataclasses import replace

import pytest
from networks import factored, four_ands, redundant

from sc_plugin.aig import output_truth_tables
from sc_plugin.engines.base import NullEngine
from sc_plugin.errors import AbcTimeoutError, ScError
from sc_plugin.rewrite import schedule as schedule_module
from sc_plugin.rewrite.optimize import RewriteParams
from sc_plugin.rewrite.options import apply_options
from sc_plugin.rewrite.schedule import (ScheduleStats, _step_seconds, load_schedule, run_schedule,
                                        schedule_from_mapping)


def _run(steps, monkeypatch=None, time_limit_s=2.0, **keys):
    schedule = schedule_from_mapping({"steps": steps, **keys}, where="test")
    return run_schedule(redundant(), schedule, time_limit_s, engine=NullEngine(),
                        sc_params=lambda overrides: RewriteParams(max_rounds=1))


def test_abc_steps_improve_and_the_best_is_kept(require_abc):
    # a limit no host reaches: unchanged, unrandomized passes end the run long before it
    result, stats = _run([{"name": "fold", "abc": "strash; dc2"}, {"name": "sc", "sc": {}}], passes=1,
                         time_limit_s=60.0)
    assert result.num_ands == 3 and output_truth_tables(result) == output_truth_tables(redundant())
    assert stats.gains == {"fold": 2} and stats.history[0] == ("fold", 3)
    assert stats.passes == 2  # the second pass saved nothing, and no step is randomized


def test_a_wrong_or_larger_step_output_is_dropped(monkeypatch):
    wrong = redundant()
    wrong.pos[0] ^= 1  # the complement: same size, another function
    larger = redundant()
    a, b = larger.pi_lits()[:2]
    larger.create_and(larger.create_and(a, b ^ 1), b)  # dangling, but counted until cleanup
    outputs = itertools.cycle([wrong, larger])
    monkeypatch.setattr(schedule_module, "optimize_with_abc", lambda aig, script, timeout_s: (next(outputs), None))
    result, stats = _run([{"name": "liar", "abc": "&deepsyn -S {SEED}"}], time_limit_s=1.5, passes=1)
    assert result.num_ands == 5 and output_truth_tables(result) == output_truth_tables(redundant())
    assert stats.gains.get("liar", 0) == 0 and stats.passes > 1  # randomized: passes go on to the limit


def test_a_failing_step_is_recorded_and_skipped(monkeypatch):
    def crash(aig, script, timeout_s):
        raise ScError("ABC died on signal 11")
    monkeypatch.setattr(schedule_module, "optimize_with_abc", crash)
    result, stats = _run([{"name": "crash", "abc": "anything"}], time_limit_s=1.0)
    assert result.num_ands == 5 and "signal 11" in stats.failures["crash"]


def test_a_step_gets_its_minimum_seconds_or_is_skipped(monkeypatch):
    seen = []
    monkeypatch.setattr(schedule_module, "optimize_with_abc",
                        lambda aig, script, timeout_s: (seen.append(script), (aig, None))[1])
    steps = [{"name": "long", "abc": "x -T {T}", "min_s": 4}, {"name": "short", "abc": "y -T {T}"}]
    _run(steps, time_limit_s=6.0, passes=1)
    assert seen == ["x -T 3", "y -T 2"]  # 3/4 of its 4 s (its share alone: 3 s); then 3/4 of 3 s
    seen.clear()
    _run(steps, time_limit_s=3.0, passes=1)
    assert seen == ["y -T 1"]  # less than 4 s left: skipped


def test_a_step_with_a_share_is_killed_at_twice_its_seconds(monkeypatch):
    timeouts = {}
    monkeypatch.setattr(schedule_module, "optimize_with_abc",
                        lambda aig, script, timeout_s: (timeouts.setdefault(script, timeout_s), (aig, None))[1])
    steps = [{"name": "short", "abc": "x -T {T}", "share": 1}, {"name": "long", "abc": "y -T {T}", "share": 3},
             {"name": "untimed", "abc": "z", "share": 0}]
    _run(steps, time_limit_s=8.0, passes=1)
    assert timeouts["x -T 1"] == pytest.approx(4.0)  # its 2 s, twice
    assert 7.5 < timeouts["y -T 4"] <= 8.0  # twice its 6 s, capped by the time left
    assert 7.5 < timeouts["z"] <= 8.0  # no share: all the time left


def test_a_fixed_script_with_a_share_may_use_half_the_time_left(monkeypatch):
    timeouts = {}
    monkeypatch.setattr(schedule_module, "optimize_with_abc",
                        lambda aig, script, timeout_s: (timeouts.setdefault(script, timeout_s), (aig, None))[1])
    steps = [{"name": "fixed", "abc": "x", "share": 1}, {"name": "timed", "abc": "y -T {T}", "share": 9}]
    _run(steps, time_limit_s=20.0, passes=1)
    assert 9.5 < timeouts["x"] <= 10.0  # its slice is 2 s: killed at 4 s, were it timed
    assert 19.0 < timeouts["y -T 13"] <= 20.0  # twice its 18 s, capped by the time left


def test_a_script_without_time_or_seed_is_not_rerun_on_the_same_network(monkeypatch):
    scripts = []
    monkeypatch.setattr(schedule_module, "optimize_with_abc",
                        lambda aig, script, timeout_s: (scripts.append(script), (aig, None))[1])
    _run([{"name": "seeded", "abc": "x -S {SEED}"}, {"name": "fixed", "abc": "y", "share": 0}], time_limit_s=1.0)
    assert scripts.count("y") == 1 and scripts.count("x -S 1") == 1  # passes went on; "y" saw one network


def test_after_the_first_pass_time_goes_to_the_steps_that_save():
    schedule = schedule_from_mapping({"steps": [{"name": "win", "abc": "x -T {T}", "share": 1},
                                                {"name": "idle", "abc": "y -T {T}", "share": 3},
                                                {"name": "fast", "abc": "w", "share": 4},
                                                {"name": "fixed", "abc": "z", "share": 0}]}, where="test")
    stats = ScheduleStats(passes=1)
    probe = {"win": 2.0, "idle": 6.0, "fast": 8.0, "fixed": 0.0}
    assert _step_seconds(schedule, stats, 16.0) == probe  # the probe: shares
    stats = ScheduleStats(passes=2, gains={"win": 1, "fast": 100},
                          times_s={"win": 2.0, "idle": 6.0, "fast": 0.1, "fixed": 1.0})
    seconds = _step_seconds(schedule, stats, 16.0)
    # win: 2 * 2 / 4 = 1 against idle: 6 * 1 / 12 = 0.5, of the pass's 16 s; the fixed scripts keep their slices
    # and take no part of the split, however much they saved
    assert seconds == pytest.approx({"win": 16 / 1.5, "idle": 16 * 0.5 / 1.5, "fast": 8.0, "fixed": 0.0})
    stats.gains["win"] = 19  # now idle's 16 * 0.5 / 10.5 s are less than a run: it sits the pass out
    assert _step_seconds(schedule, stats, 16.0) == pytest.approx({"win": 16 * 10 / 10.5, "fast": 8.0, "fixed": 0.0})
    fixed = replace(schedule, adaptive=False)
    assert _step_seconds(fixed, stats, 16.0) == probe


def test_a_fixed_script_that_saved_nothing_is_not_rerun_when_adaptive(monkeypatch):
    scripts = []

    def abc(aig, script, timeout_s):
        scripts.append(script)
        return (factored() if script.startswith("x") else aig), None  # a new network each time, kept as equal
    monkeypatch.setattr(schedule_module, "optimize_with_abc", abc)
    steps = [{"name": "seeded", "abc": "x -S {SEED}"}, {"name": "fixed", "abc": "y", "share": 0}]
    _run(steps, time_limit_s=1.0)
    assert scripts.count("y") == 1 and scripts.count("x -S 1") == 1
    scripts.clear()
    _run(steps, time_limit_s=1.0, adaptive=False)
    assert scripts.count("y") > 1  # without adaptation it runs on every new network


def test_a_repeated_step_runs_again_while_it_saves(monkeypatch):
    smaller = {5: four_ands, 4: factored, 3: factored}

    def abc(aig, script, timeout_s):
        return smaller[aig.num_ands](), None
    monkeypatch.setattr(schedule_module, "optimize_with_abc", abc)
    result, stats = _run([{"name": "iterated", "abc": "y", "share": 0, "repeat": 10},
                          {"name": "seeded", "abc": "x -S {SEED}"}], time_limit_s=1.0)
    # 5 -> 4 -> 3, and a third run that saves nothing ends the repetition, all before the next step
    assert [name for name, _ in stats.history[:4]] == ["iterated"] * 3 + ["seeded"]
    assert [ands for _, ands in stats.history[:3]] == [4, 3, 3] and stats.gains["iterated"] == 2
    assert result.num_ands == 3


def test_a_step_killed_at_its_limit_next_gets_twice_its_seconds_or_sits_out(monkeypatch):
    timeouts = []

    def abc(aig, script, timeout_s):
        timeouts.append(timeout_s)
        raise AbcTimeoutError("ABC ran past its time limit", binary="abc")
    monkeypatch.setattr(schedule_module, "optimize_with_abc", abc)
    result, stats = _run([{"name": "slow", "abc": "z -T {T} -S {SEED}"}], time_limit_s=4.0, passes=4)
    # pass 1: its 1 s, killed at 2 s; pass 2: 2 s, killed at 4 s (capped by the time left); then 4 s are not left,
    # and a pass in which no step can run ends the schedule
    assert len(timeouts) == 2 and timeouts[0] == pytest.approx(2.0) and 3.5 < timeouts[1] <= 4.0
    assert result.num_ands == 5 and "time limit" in stats.failures["slow"]


@pytest.mark.parametrize("data, message", [
    ({"steps": []}, "non-empty list"), ({"steps": [{"abc": "x", "sc": {}}]}, "exactly one"),
    ({"steps": [{"abc": "x", "colour": 1}]}, "unknown keys colour"), ({"steps": [{"abc": "x", "min_s": -1}]}, "min_s"),
    ({"steps": [{"abc": "x"}, {"abc": "y"}, {"name": "step1", "abc": "z"}]}, "names must differ"),
    ({"steps": [{"abc": "x", "repeat": 0}]}, "repeat"), ({"steps": [{"abc": "x"}], "passes": 0},
                                                                       "passes"),
])
def test_bad_schedules_are_refused(data, message):
    with pytest.raises(ScError, match=message):
        schedule_from_mapping(data, where="test")


def test_options_choose_a_schedule_only_with_a_time_limit():
    assert apply_options({}).schedule is None
    timed = apply_options({"time_limit": 5})
    assert timed.schedule is not None and timed.schedule.name == "default"
    assert apply_options({"time_limit": 5, "schedule": "none"}).schedule is None
    inline = apply_options({"time_limit": 5, "schedule": {"steps": [{"sc": {"k": 6, "rounds": 2}}]}}).schedule
    assert inline.steps[0].sc == {"cuts.max_cut_size": 6, "max_rounds": 2}
    with pytest.raises(ScError, match="needs a time limit"):
        apply_options({"schedule": "default"})
    with pytest.raises(ScError, match="cannot be set per step"):
        apply_options({"time_limit": 5, "schedule": {"steps": [{"sc": {"engine": "mcts"}}]}})
    with pytest.raises(ScError, match="cannot read"):
        load_schedule("no_such_schedule")


def test_the_shipped_ablation_is_the_default_without_its_shortcircuit_steps():
    default, ablation = load_schedule("default"), load_schedule("abc_only")
    assert ablation.steps == tuple(step for step in default.steps if step.sc is None)
    assert (ablation.passes, ablation.accept_equal, ablation.adaptive) == (
        default.passes, default.accept_equal, default.adaptive)


def test_a_step_output_deeper_than_the_bound_is_dropped(require_abc):
    chain = redundant()  # dc2 folds its five ANDs into a & (b | c | d): three ANDs on three levels
    schedule = schedule_from_mapping({"steps": [{"name": "fold", "abc": "strash; dc2"}], "passes": 1}, where="test")
    for max_depth, ands in ((None, 3), (2, 5)):
        result, _ = run_schedule(chain, schedule, 2.0, engine=NullEngine(), max_depth=max_depth,
                                 sc_params=lambda overrides: RewriteParams(max_rounds=1))
        assert result.num_ands == ands
