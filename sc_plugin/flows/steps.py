"""Runners: one design x flow task, one function per step kind.

`run_task` is what a worker process calls. It returns one record (a flat dict, a row of the results); it never
raises for a failure of the flow itself (ABC error, time limit, broken output), it records it. Status values:
    ok        the output was produced and, unless the flow file says `verify: {method: none}`, proven equivalent
    failed    the equivalence check said not equivalent or undecided: never counted as a gain
    timeout   the task ran past its time limit (the record keeps what was known then)
    error     a step raised (message says what)
"""

from __future__ import annotations

import csv
import importlib
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable

from sc_plugin.abc.runner import optimize_with_abc
from sc_plugin.aig import read_aiger
from sc_plugin.aig.analysis import depth
from sc_plugin.aig.network import Aig
from sc_plugin.aig.truth import parse_hex
from sc_plugin.errors import AbcTimeoutError
from sc_plugin.flows.liberty import run_yosys_step
from sc_plugin.flows.spec import STEP_DEFAULTS, Design, FlowDef, FlowSpec
from sc_plugin.rewrite.options import apply_options
from sc_plugin.rewrite.pipeline import OptimizeParams, open_engine, optimize_verified
from sc_plugin.verify.cec import check_equivalence

__all__ = ["RECORD_FIELDS", "run_task", "TaskTimeout", "abc_until_stable", "sc_then_abc_loop"]

RECORD_FIELDS = ["design", "flow", "status", "ands_in", "levels_in", "ands", "levels", "time_s", "verified",
                 "cec_s", "area", "cells", "message", "fingerprint"]


class TaskTimeout(BaseException):
    """Raised in a worker when its task's hard time limit arrives (SIGTERM). A BaseException, so that the ABC
    bridge's cleanup (it kills ABC on any BaseException) runs and no step swallows it as an ordinary error."""


class _Deadline:
    def __init__(self, limit_s: float):
        self.end = time.perf_counter() + limit_s

    def left(self) -> float:
        """Seconds left, at least 1 (ABC needs a positive limit; the hard limit catches the rest)."""
        return max(1.0, self.end - time.perf_counter())

    def passed(self) -> bool:
        return time.perf_counter() >= self.end


def abc_until_stable(aig: Aig, script: str, *, cap: int = 10, timeout_s: float | None = None) -> Aig:
    """Runs `script` repeatedly while it lowers the AND count, at most `cap` times; returns the smallest network."""
    deadline = _Deadline(timeout_s) if timeout_s is not None else None
    for _ in range(cap):
        result, _ = optimize_with_abc(aig, script, timeout_s=deadline.left() if deadline else None)
        if result.num_ands >= aig.num_ands:
            break
        aig = result
        if deadline is not None and deadline.passed():
            break
    return aig


def _pipeline_params(options: dict, time_limit_s: float) -> OptimizeParams:
    """A step's options (the pipeline's option names, see `rewrite/options.py`) over STEP_DEFAULTS, as params,
    with the time the task has left."""
    return apply_options({**STEP_DEFAULTS, "time_limit": max(time_limit_s, 1.0), **options})


def _sc_opt(aig: Aig, options: dict, deadline: _Deadline, notes: list[str]) -> Aig:
    result, stats = optimize_verified(aig, _pipeline_params(options, deadline.left()))
    if stats.schedule is not None:
        notes.append(f"schedule: {stats.schedule.report()}")  # which steps won, for the flow's table
    return result


def sc_then_abc_loop(aig: Aig, rewrite_step: Callable[[Aig], Aig], abc_step: Callable[[Aig], Aig], *,
                     max_iterations: int = 6, should_stop: Callable[[], bool] = lambda: False) -> tuple[Aig, int]:
    """Issue 6's loop: rewrite, then the ABC script, keeping the smaller of the two, while either gains.

    Returns the smallest network and the number of iterations run. `should_stop` is asked between iterations.
    """
    current = aig
    iterations = 0
    for iterations in range(1, max_iterations + 1):
        rewritten = rewrite_step(current)
        compressed = abc_step(rewritten)
        best = min((rewritten, compressed), key=lambda candidate: candidate.num_ands)
        if best.num_ands >= current.num_ands:
            break
        current = best
        if should_stop():
            break
    return current, iterations


def _sc_loop(aig: Aig, options: dict, deadline: _Deadline) -> Aig:
    params = _pipeline_params({k: v for k, v in options.items() if k not in ("then", "max_iterations")},
                              deadline.left())
    script = options.get("then", "compress2rs")
    with open_engine(params) as engine:
        def rewrite_step(current: Aig) -> Aig:
            step_params = replace(params, rewrite=replace(params.rewrite, time_limit_s=deadline.left()))
            return optimize_verified(current, step_params, engine=engine)[0]

        def abc_step(current: Aig) -> Aig:
            return optimize_with_abc(current, script, timeout_s=deadline.left())[0]

        result, _ = sc_then_abc_loop(aig, rewrite_step, abc_step, max_iterations=options.get("max_iterations", 6),
                                     should_stop=deadline.passed)
    return result


def _python(aig: Aig, step: dict) -> Aig:
    module_name, _, function_name = step["python"].partition(":")
    function = getattr(importlib.import_module(module_name), function_name)
    return function(aig, **step.get("args", {}))


def _run_aig_step(aig: Aig, step: dict, deadline: _Deadline, notes: list[str]) -> Aig:
    if "abc" in step:
        if "repeat" in step:
            return abc_until_stable(aig, step["abc"], cap=step["repeat"], timeout_s=deadline.left())
        return optimize_with_abc(aig, step["abc"], timeout_s=deadline.left())[0]
    if "sc_opt" in step:
        return _sc_opt(aig, step["sc_opt"], deadline, notes)
    if "sc_loop" in step:
        return _sc_loop(aig, step["sc_loop"], deadline)
    return _python(aig, step)


def _aig_task(spec: FlowSpec, design: Design, flow: FlowDef, record: dict) -> None:
    original = read_aiger(design.path)
    record.update(ands_in=original.num_ands, levels_in=depth(original))
    deadline = _Deadline(flow.time_limit_s)
    start = time.perf_counter()
    current = original
    notes: list[str] = []
    try:
        for step in flow.steps:
            current = _run_aig_step(current, step, deadline, notes)
    except AbcTimeoutError as exc:
        record.update(status="timeout", time_s=round(time.perf_counter() - start, 2), message=str(exc))
        return
    record.update(time_s=round(time.perf_counter() - start, 2), ands=current.num_ands, levels=depth(current),
                  message="; ".join(notes))
    if spec.verify_method == "none":
        record.update(status="ok", verified="skipped")
        return
    cec_start = time.perf_counter()
    result = check_equivalence(original, current, method=spec.verify_method, time_limit_s=spec.verify_time_limit_s)
    verdict = result.verdict.name.lower()
    record.update(cec_s=round(time.perf_counter() - cec_start, 2), verified=verdict)
    if verdict == "equivalent":
        record["status"] = "ok"
    else:
        record.update(status="failed", message=f"equivalence check {verdict}: {result.message}")


def _read_cut_set(path: Path, limit: int | None) -> list[dict]:
    with open(path) as handle:  # the *_tt.txt sets are tab-separated, the *_abc.csv files comma-separated
        lines = [line for line in handle if not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t" if path.suffix == ".txt" else ","))
    return rows[:limit] if limit else rows


def _cuts_task(spec: FlowSpec, design: Design, flow: FlowDef, record: dict) -> None:
    limit = spec.extra.get("limit")
    (step,) = flow.steps
    reference_path = design.path.with_name(design.path.name.replace("_tt", "").replace(".txt", "_abc.csv"))
    start = time.perf_counter()
    if "cuts_reference" in step:
        rows = _read_cut_set(reference_path, limit)
        column = step["cuts_reference"]
        if column not in rows[0]:
            raise ValueError(f"{reference_path.name} has no column {column!r}")
        record.update(ands_in=sum(int(r["cone_ands"]) for r in rows), ands=sum(int(r[column]) for r in rows),
                      status="ok", verified="reference", time_s=0.0, message=f"{len(rows)} functions from "
                      f"{reference_path.name}")
        return
    # A cut-set run measures the engine itself: no cache unless the step asks for one.
    params = apply_options({"no_cache": "cache" not in step["cuts"], "budget_ms": 1000.0, **step["cuts"]})
    rows = _read_cut_set(design.path, limit)
    functions = [parse_hex(r["tt_hex"]) for r in rows]
    deadline = _Deadline(flow.time_limit_s)
    found = []
    with open_engine(params) as engine:
        for first in range(0, len(functions), 50):
            found += engine.synthesize_batch(functions[first:first + 50], budget=params.rewrite.budget)
            if deadline.passed():
                break
    done = [c for c in found if c is not None]
    record.update(ands_in=sum(int(r["cone_ands"]) for r in rows[:len(found)]), ands=sum(c.ands for c in done),
                  levels=sum(c.levels for c in done), time_s=round(time.perf_counter() - start, 2))
    if len(found) < len(functions):
        record.update(status="timeout", message=f"{len(found)} of {len(functions)} functions before the limit")
    elif len(done) < len(functions) or not all(c.verified for c in done):
        record.update(status="failed", verified="incomplete",
                      message=f"{len(functions) - len(done)} of {len(functions)} functions not synthesized")
    else:
        record.update(status="ok", verified="equivalent", message=f"{len(functions)} functions, each verified "
                      "by exhaustive simulation")


def _liberty_task(spec: FlowSpec, design: Design, flow: FlowDef, record: dict) -> None:
    start = time.perf_counter()
    (step,) = flow.steps
    record.update(run_yosys_step(design, step, spec, timeout_s=flow.time_limit_s))
    record["time_s"] = round(time.perf_counter() - start, 2)


def run_task(spec: FlowSpec, design: Design, flow: FlowDef) -> dict:
    """Runs one design x flow task and returns its record; failures are recorded, not raised (except TaskTimeout)."""
    record = {field: None for field in RECORD_FIELDS}
    record.update(design=design.name, flow=flow.name, fingerprint=flow.fingerprint(), message="")
    runner = {"aig": _aig_task, "cuts": _cuts_task, "liberty": _liberty_task}[spec.kind]
    try:
        runner(spec, design, flow, record)
    except TaskTimeout:
        raise
    except Exception as exc:  # a flow's fault is a result to report, not a crash of the whole run
        record.update(status="error", message=f"{type(exc).__name__}: {exc}"[:500])
    return record
