"""The verified pipeline: optimize, prove, and keep the input on any failure."""

import logging
from dataclasses import replace

import pytest
from networks import factored, four_ands, redundant

from sc_plugin.aig import output_truth_tables
from sc_plugin.engines.cache import CachedEngine
from sc_plugin.errors import AbcError
from sc_plugin.rewrite import pipeline
from sc_plugin.rewrite import schedule as schedule_module
from sc_plugin.rewrite.options import apply_options
from sc_plugin.rewrite.pipeline import OptimizeParams, open_engine, optimize_verified
from sc_plugin.rewrite.schedule import schedule_from_mapping
from sc_plugin.verify.cec import CecResult, Verdict


class _CrashingEngine:
    name = "crashing"

    def synthesize(self, table, num_inputs, *, budget):
        raise AbcError("ABC died on signal 11")

    def synthesize_batch(self, functions, *, budget):
        raise AbcError("ABC died on signal 11")


@pytest.fixture
def exact_no_cache() -> OptimizeParams:
    return apply_options({"engine": "exact", "no_cache": True})


def test_optimizes_and_proves(exact_no_cache, require_abc):
    aig = redundant()
    result, stats = optimize_verified(aig, exact_no_cache)
    assert result.num_ands == 3 and stats.ands_before == 5 and stats.ands_after == 3
    assert stats.proof == "equivalent" and stats.proof_method and not stats.failure
    assert output_truth_tables(result) == output_truth_tables(aig)
    assert "proven equivalent" in stats.report()


def test_an_engine_fault_keeps_the_input(exact_no_cache):
    aig = redundant()
    result, stats = optimize_verified(aig, exact_no_cache, engine=_CrashingEngine())
    assert result is aig and stats.ands_after == 5
    assert "signal 11" in stats.failure and "input kept" in stats.report()


def test_a_failed_proof_keeps_the_input(exact_no_cache, monkeypatch):
    refuted = CecResult(verdict=Verdict.NOT_EQUIVALENT, method="abc", counterexample=None, failing_output=0,
                        time_s=0.0, message="stand-in refutation")
    monkeypatch.setattr(pipeline, "check_equivalence", lambda *args, **kwargs: refuted)
    aig = redundant()
    result, stats = optimize_verified(aig, exact_no_cache)
    assert result is aig and stats.ands_after == 5
    assert stats.proof == "not equivalent" and "stand-in refutation" in stats.failure


def test_no_verify_skips_the_proof(exact_no_cache):
    params = apply_options({"no_verify": True}, exact_no_cache)
    result, stats = optimize_verified(redundant(), params)
    assert result.num_ands == 3 and stats.proof == "not checked" and not stats.failure


def test_open_engine_puts_the_cache_in_front(tmp_path):
    with open_engine(apply_options({"engine": "exact", "cache": str(tmp_path / "c.sqlite")})) as engine:
        assert isinstance(engine, CachedEngine) and engine.engine.name == "exact"
    with open_engine(apply_options({"engine": "exact", "no_cache": True})) as engine:
        assert engine.name == "exact" and not isinstance(engine, CachedEngine)


def test_verbose_logs_the_start_and_the_proof_on_its_own(exact_no_cache, monkeypatch, caplog):
    proven = CecResult(verdict=Verdict.EQUIVALENT, method="stand-in", counterexample=None, failing_output=None,
                       time_s=0.0, message="")
    monkeypatch.setattr(pipeline, "check_equivalence", lambda *args, **kwargs: proven)
    caplog.set_level(logging.INFO, logger="sc_plugin.rewrite.pipeline")
    params = apply_options({"time_limit": 30, "schedule": "none"}, exact_no_cache)
    optimize_verified(redundant(), params)
    assert not [r for r in caplog.records if r.name == "sc_plugin.rewrite.pipeline"]  # quiet unless verbose
    optimize_verified(redundant(), replace(params, rewrite=replace(params.rewrite, verbose=True)))
    lines = [r.getMessage() for r in caplog.records if r.name == "sc_plugin.rewrite.pipeline"]
    assert lines[0] == "optimizing 5 ANDs with engine exact, time limit 30 s"
    assert lines[1].startswith("optimized to 3 ANDs in ") and lines[1].endswith("proving the result equivalent "
                                                                                  "to the input")
    assert lines[2].startswith("proof: equivalent by stand-in in ")


def _scheduled_run(monkeypatch, decide):
    """optimize_verified with a schedule whose one step takes redundant() from 5 ANDs to 4, then 3, and a proof
    in which `decide(a, b)` answers for the pair of networks given by their AND counts (None: the real check)."""
    smaller = {5: four_ands, 4: factored, 3: factored}
    monkeypatch.setattr(schedule_module, "optimize_with_abc", lambda aig, script, timeout_s: (smaller[aig.num_ands](),
                                                                                            None))
    real_check = pipeline.check_equivalence

    def check(a, b, **kwargs):
        verdict = decide(a.num_ands, b.num_ands)
        if verdict is None:
            return real_check(a, b, **kwargs)
        return CecResult(verdict=verdict, method="stand-in", counterexample=None, failing_output=None, time_s=0.0,
                         message=f"stand-in {verdict.value}")
    monkeypatch.setattr(pipeline, "check_equivalence", check)
    params = apply_options({"engine": "exact", "no_cache": True, "time_limit": 1.0})
    params = replace(params, schedule=schedule_from_mapping(
        {"steps": [{"name": "step", "abc": "y", "share": 0, "repeat": 10}], "passes": 1}, where="test"))
    return optimize_verified(redundant(), params)


def test_an_undecided_direct_proof_is_made_step_by_step(monkeypatch):
    result, stats = _scheduled_run(monkeypatch, lambda a, b: Verdict.UNDECIDED if (a, b) == (5, 3) else None)
    assert result.num_ands == 3 and output_truth_tables(result) == output_truth_tables(redundant())
    assert stats.proof == "equivalent" and not stats.failure and stats.steps_proven == (3, 3)  # 5->4, 4->3, 3->3
    assert "step by step: 3 of 3 steps" in stats.report()


def test_a_step_left_undecided_gives_the_last_network_proven(monkeypatch):
    result, stats = _scheduled_run(monkeypatch, lambda a, b: Verdict.UNDECIDED if b == 3 else None)
    assert result.num_ands == 4 and output_truth_tables(result) == output_truth_tables(redundant())
    assert stats.proof == "equivalent" and not stats.failure and stats.ands_after == 4
    assert stats.steps_proven == (1, 3) and "the result is the last network proven" in stats.report()


def test_a_refuted_step_keeps_the_input(monkeypatch):
    decide = {(5, 3): Verdict.UNDECIDED, (4, 3): Verdict.NOT_EQUIVALENT}
    result, stats = _scheduled_run(monkeypatch, lambda a, b: decide.get((a, b)))
    assert result.num_ands == 5 and stats.ands_after == 5
    assert stats.proof == "not equivalent" and "stand-in not equivalent" in stats.failure
