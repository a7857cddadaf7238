"""Combinational equivalence checking of two AIGs with the same interface.

Three methods give one kind of answer, a `CecResult`:

- "simulation": all 2**n input patterns (n <= 16); always decides.
- "sat": a miter of the two networks, Tseitin-encoded in process and solved with CaDiCaL (python-sat); when the
  time limit is reached the answer is UNDECIDED. For small and medium networks.
- "abc": ABC's `&cec` on the two networks written to temporary files; for large networks.
- "auto" (default): simulation up to 16 inputs, else ABC, else (no ABC binary) SAT.

EQUIVALENT is returned only with a proof: exhaustive simulation, an UNSAT miter, or ABC's "equivalent". Every
counterexample returned has been checked by simulating both networks on it. Outputs are matched by position,
inputs by position; latches count as inputs and outputs (see `network.py`), so this is combinational
equivalence with the latches aligned, as ABC's `&cec` does.
"""

from __future__ import annotations

import enum
import logging
import math
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass

import numpy as np
from pysat.solvers import Solver

from sc_plugin.abc.runner import AbcTimeoutError, find_abc, run_abc
from sc_plugin.aig.aiger import write_aiger
from sc_plugin.aig.network import Aig
from sc_plugin.aig.simulate import exhaustive_patterns, simulate_outputs
from sc_plugin.errors import AbcError, AbcNotFoundError, InterfaceMismatchError

__all__ = ["Verdict", "CecResult", "check_equivalence", "differs_on_random_patterns", "METHODS",
           "MAX_EXHAUSTIVE_INPUTS"]

log = logging.getLogger(__name__)

METHODS = ("auto", "simulation", "sat", "abc")
# Exhaustive simulation up to this many inputs: 2**16 patterns are 1024 words per node.
MAX_EXHAUSTIVE_INPUTS = 16
# Simulation chunks hold at most this many node values (uint64 words): 128 MiB per network.
_MAX_SIM_WORDS = 1 << 24
# Random patterns tried, in 64-pattern words, when ABC reports a difference but no usable counterexample.
_RANDOM_WORDS = 64
# ABC's `&cec -T` is approximate; the process is killed this much later (seconds, and fraction of the limit).
_ABC_GRACE_S = 5.0
_ABC_GRACE_FRACTION = 0.25
# SAT solver used for miters (python-sat name): CaDiCaL 1.9.5, the fastest here.
_SAT_SOLVER = "cd195"
# The solver runs in slices of conflicts with a time check between them; slices grow while time allows.
_FIRST_CONFLICT_SLICE = 1000
_MIN_CONFLICT_SLICE = 100
_MAX_CONFLICT_SLICE = 64000


class Verdict(enum.Enum):
    EQUIVALENT = "equivalent"
    NOT_EQUIVALENT = "not equivalent"
    UNDECIDED = "undecided"  # a time or resource limit was hit; never to be read as "equivalent"


@dataclass(frozen=True)
class CecResult:
    verdict: Verdict
    method: str  # "simulation", "sat" or "abc": the method that decided (or gave up)
    # One 0/1 value per primary input (input order, latch outputs last) on which the networks differ; None unless
    # NOT_EQUIVALENT, and None then only if ABC reported a difference that could not be reproduced in time.
    counterexample: list[int] | None
    failing_output: int | None  # an output index that differs under `counterexample`
    time_s: float
    message: str  # one line for logs: how the verdict was reached

    @property
    def equivalent(self) -> bool:
        return self.verdict is Verdict.EQUIVALENT


def check_equivalence(a: Aig, b: Aig, *, method: str = "auto", time_limit_s: float = 60.0,
                      abc_binary: str | None = None, seed: int = 0) -> CecResult:
    """Checks whether `a` and `b` compute the same outputs on every input pattern.

    method: one of METHODS (see the module docstring).
    time_limit_s: wall-clock budget for "sat" and "abc" (ABC gets its own `-T`, and is killed a little later);
        exhaustive simulation is bounded by its input limit and ignores it. Hitting it gives UNDECIDED.
    abc_binary: the ABC executable for "abc"; None means `find_abc()`.
    seed: seeds the random simulation that looks for a counterexample after ABC reports a difference.

    Raises `InterfaceMismatchError` (an ScError and a ValueError) if the interfaces differ (numbers of inputs,
    outputs or latches); ValueError if the method is unknown, or "simulation" is asked for more than
    MAX_EXHAUSTIVE_INPUTS inputs; `AbcNotFoundError` if "abc" is asked for and there is no ABC binary; `AbcError`
    if ABC fails.
    """
    if method not in METHODS:
        raise ValueError(f"unknown equivalence-checking method {method!r}; expected one of {', '.join(METHODS)}")
    _check_interfaces(a, b)
    start = time.perf_counter()
    if method == "auto":
        method = _auto_method(a, abc_binary)
    if method == "simulation":
        return _check_by_simulation(a, b, start)
    if method == "sat":
        return _check_by_sat(a, b, time_limit_s, start)
    return _check_by_abc(a, b, time_limit_s, abc_binary, seed, start)


def _check_interfaces(a: Aig, b: Aig) -> None:
    ours = (a.num_pis, a.num_pos, a.num_latches)
    theirs = (b.num_pis, b.num_pos, b.num_latches)
    if ours != theirs:
        raise InterfaceMismatchError(f"interfaces differ: {ours[0]}/{ours[1]}/{ours[2]} vs "
                                     f"{theirs[0]}/{theirs[1]}/{theirs[2]} inputs/outputs/latches")


def _auto_method(a: Aig, abc_binary: str | None) -> str:
    if a.num_pis <= MAX_EXHAUSTIVE_INPUTS:
        return "simulation"
    if abc_binary is not None:
        return "abc"
    try:
        find_abc()
    except AbcNotFoundError as exc:
        log.warning("%s; checking equivalence with the in-process SAT miter instead", exc)
        return "sat"
    return "abc"


def _result(verdict: Verdict, method: str, start: float, message: str, counterexample: list[int] | None = None,
            failing_output: int | None = None) -> CecResult:
    return CecResult(verdict=verdict, method=method, counterexample=counterexample, failing_output=failing_output,
                     time_s=time.perf_counter() - start, message=message)


# ---- simulation -------------------------------------------------------------------------------------------------


def _chunk_words(a: Aig, b: Aig) -> int:
    return max(1, _MAX_SIM_WORDS // max(a.num_nodes, b.num_nodes))


def _first_difference(a: Aig, b: Aig, patterns: np.ndarray) -> tuple[int, int] | None:
    """(pattern index, output index) of the first pattern on which the outputs differ, or None.

    patterns: uint64 (num_pis, num_words); pattern k is bit k % 64 of word k // 64. Simulated in chunks of words
    so that memory stays bounded on large networks.
    """
    step = _chunk_words(a, b)
    for first_word in range(0, patterns.shape[1], step):
        chunk = patterns[:, first_word:first_word + step]
        diff = simulate_outputs(a, chunk) ^ simulate_outputs(b, chunk)  # (num_pos, words)
        differing_words = np.flatnonzero(np.bitwise_or.reduce(diff, axis=0)) if diff.size else []
        if len(differing_words):
            word = int(differing_words[0])
            column = diff[:, word]
            output = int(np.flatnonzero(column)[0])
            bit = (int(column[output]) & -int(column[output])).bit_length() - 1
            return 64 * (first_word + word) + bit, output
    return None


def _pattern_bits(patterns: np.ndarray, index: int) -> list[int]:
    word, bit = divmod(index, 64)
    return [int(v >> np.uint64(bit)) & 1 for v in patterns[:, word]]


def _differing_output(a: Aig, b: Aig, counterexample: list[int]) -> int | None:
    """The first output on which `a` and `b` differ under one input pattern, or None if none does."""
    pattern = np.array(counterexample, dtype=np.uint64).reshape(-1, 1)
    diff = (simulate_outputs(a, pattern) ^ simulate_outputs(b, pattern)) & np.uint64(1)
    outputs = np.flatnonzero(diff[:, 0])
    return int(outputs[0]) if len(outputs) else None


def _check_by_simulation(a: Aig, b: Aig, start: float) -> CecResult:
    if a.num_pis > MAX_EXHAUSTIVE_INPUTS:
        raise ValueError(f"exhaustive simulation handles at most {MAX_EXHAUSTIVE_INPUTS} inputs, "
                         f"the networks have {a.num_pis}")
    patterns = exhaustive_patterns(a.num_pis)
    found = _first_difference(a, b, patterns)
    if found is None:
        return _result(Verdict.EQUIVALENT, "simulation", start,
                       f"equal on all {1 << a.num_pis} input patterns")
    index, output = found
    counterexample = _pattern_bits(patterns, index)
    return _result(Verdict.NOT_EQUIVALENT, "simulation", start, f"output {output} differs (exhaustive simulation)",
                   counterexample, output)


def differs_on_random_patterns(a: Aig, b: Aig, *, seed: int = 0) -> bool:
    """True when the networks have different interfaces or some output differs on random input patterns: a quick
    filter before a proof, never a proof of equivalence."""
    if (a.num_pis, a.num_pos, a.num_latches) != (b.num_pis, b.num_pos, b.num_latches):
        return True
    return _random_counterexample(a, b, seed) is not None


def _random_counterexample(a: Aig, b: Aig, seed: int) -> tuple[list[int], int] | None:
    rng = np.random.default_rng(seed)
    patterns = rng.integers(0, 1 << 64, size=(a.num_pis, _RANDOM_WORDS), dtype=np.uint64, endpoint=False)
    found = _first_difference(a, b, patterns)
    if found is None:
        return None
    index, output = found
    return _pattern_bits(patterns, index), output


# ---- SAT miter --------------------------------------------------------------------------------------------------


def _merge(a: Aig, b: Aig) -> tuple[Aig, list[int], list[int]]:
    """Both networks in one structurally hashed AIG over shared inputs; returns it and the output literals of each.

    Hashing merges the logic the two have in common, so unchanged parts cost the SAT solver nothing and
    outputs that hash to the same literal are equal without any search.
    """
    merged, _ = a.copy_interface()
    inputs = merged.pi_lits()
    return merged, merged.instantiate(a, inputs), merged.instantiate(b, inputs)


def _sat_counterexample(a: Aig, b: Aig, outputs: list[int] | None, deadline: float) -> list[int] | Verdict:
    """Searches for an input pattern on which some output in `outputs` (None: all) differs.

    Returns the pattern (0/1 per input), Verdict.EQUIVALENT if those outputs are proven equal, or
    Verdict.UNDECIDED if the deadline (a time.perf_counter() value) passed first.
    """
    merged, lits_a, lits_b = _merge(a, b)
    pairs = [(lits_a[o], lits_b[o]) for o in (range(a.num_pos) if outputs is None else outputs)
             if lits_a[o] != lits_b[o]]
    if not pairs:
        return Verdict.EQUIVALENT
    if any(x == y ^ 1 for x, y in pairs):
        return [0] * a.num_pis  # an output is the complement of the other: every pattern distinguishes them

    # Tseitin encoding of the cone of the compared outputs: node k is variable k + 1 (variable 1 is constant 0).
    def var(lit: int) -> int:
        return -((lit >> 1) + 1) if lit & 1 else (lit >> 1) + 1

    f0, f1 = merged.fanin0, merged.fanin1
    clauses = [[-1]]
    in_cone = bytearray(merged.num_nodes)
    stack = [lit >> 1 for pair in pairs for lit in pair]
    while stack:
        node = stack.pop()
        if in_cone[node] or not merged.is_and(node):
            continue
        in_cone[node] = 1
        out, x, y = node + 1, var(f0[node]), var(f1[node])
        clauses += ([-out, x], [-out, y], [out, -x, -y])
        stack += (f0[node] >> 1, f1[node] >> 1)
    # One selector per pair, true only if the pair differs; at least one must be true.
    selector = merged.num_nodes + 1
    any_differs = []
    for x, y in pairs:
        clauses += ([-selector, var(x), var(y)], [-selector, -var(x), -var(y)])
        any_differs.append(selector)
        selector += 1
    clauses.append(any_differs)

    if time.perf_counter() >= deadline:
        return Verdict.UNDECIDED
    with Solver(name=_SAT_SOLVER, bootstrap_with=clauses) as solver:
        satisfiable = _solve_until(solver, deadline)
        if satisfiable is None:
            return Verdict.UNDECIDED
        if not satisfiable:
            return Verdict.EQUIVALENT
        true_vars = {v for v in solver.get_model() if v > 0}
    return [int(i + 1 in true_vars) for i in range(1, a.num_pis + 1)]


def _solve_until(solver: Solver, deadline: float) -> bool | None:
    """Solves in slices of conflicts until an answer or the deadline; None if the deadline came first.

    python-sat's CaDiCaL ignores `interrupt()` (a solve would run on past any timer), so time is checked
    between slices; the solver keeps what it learned from one slice to the next. The deadline can be overrun
    by one slice, which is sized to take about half the remaining time at most.
    """
    conflicts = _FIRST_CONFLICT_SLICE
    while True:
        slice_start = time.perf_counter()
        solver.conf_budget(conflicts)
        satisfiable = solver.solve_limited()
        if satisfiable is not None:
            return satisfiable
        now = time.perf_counter()
        if now >= deadline:
            return None
        # Double the slice while it stays well inside the remaining time, else shrink it to fit.
        scale = min(2.0, 0.5 * (deadline - now) / max(now - slice_start, 1e-4))
        conflicts = max(_MIN_CONFLICT_SLICE, min(int(conflicts * scale), _MAX_CONFLICT_SLICE))


def _checked(a: Aig, b: Aig, counterexample: list[int]) -> int:
    """The failing output of a counterexample found by search; a pattern that distinguishes nothing is a bug."""
    output = _differing_output(a, b, counterexample)
    if output is None:
        raise RuntimeError("internal error: a SAT counterexample does not distinguish the networks")
    return output


def _check_by_sat(a: Aig, b: Aig, time_limit_s: float, start: float) -> CecResult:
    outcome = _sat_counterexample(a, b, None, start + time_limit_s)
    if outcome is Verdict.EQUIVALENT:
        return _result(Verdict.EQUIVALENT, "sat", start, "miter proven unsatisfiable")
    if outcome is Verdict.UNDECIDED:
        return _result(Verdict.UNDECIDED, "sat", start, f"SAT time limit of {time_limit_s:g} s reached")
    output = _checked(a, b, outcome)
    return _result(Verdict.NOT_EQUIVALENT, "sat", start, f"output {output} differs (SAT miter)", outcome, output)


# ---- ABC ----------------------------------------------------------------------------------------------------------

_ABC_VERDICT = re.compile(r"Networks are (NOT EQUIVALENT|not equivalent|equivalent|UNDECIDED|undecided)")
# &cec -T prints "Timed out after 5 seconds." and no verdict when its limit is reached.
_ABC_TIMED_OUT = re.compile(r"Timed out|[Rr]untime limit|Timeout \(")
_ABC_FAILING_OUTPUT = re.compile(r"zero-based number (\d+)")


def _check_by_abc(a: Aig, b: Aig, time_limit_s: float, abc_binary: str | None, seed: int,
                  start: float) -> CecResult:
    binary = abc_binary or find_abc()
    work_dir = tempfile.mkdtemp(prefix="sc_cec_")
    try:
        write_aiger(a, os.path.join(work_dir, "a.aig"))
        write_aiger(b, os.path.join(work_dir, "b.aig"))
        abc_limit_s = max(1, math.ceil(time_limit_s))
        kill_after_s = time_limit_s + max(_ABC_GRACE_S, _ABC_GRACE_FRACTION * time_limit_s)
        try:
            run = run_abc(f"&cec -T {abc_limit_s} a.aig b.aig", timeout_s=kill_after_s, cwd=work_dir,
                          binary=binary)
        except AbcTimeoutError:
            return _result(Verdict.UNDECIDED, "abc", start, f"ABC's &cec ran past {kill_after_s:g} s and was killed")
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    verdicts = _ABC_VERDICT.findall(run.output)
    if not verdicts and _ABC_TIMED_OUT.search(run.output):
        return _result(Verdict.UNDECIDED, "abc", start, f"ABC &cec: time limit of {abc_limit_s} s reached")
    if not verdicts:
        raise AbcError("&cec printed no verdict", binary=run.binary, command=run.command, output=run.output)
    verdict = verdicts[-1].lower()
    if verdict == "equivalent":
        return _result(Verdict.EQUIVALENT, "abc", start, "ABC &cec: networks are equivalent")
    if verdict == "undecided":
        return _result(Verdict.UNDECIDED, "abc", start, "ABC &cec: undecided")
    return _abc_difference(a, b, run.output, time_limit_s, seed, start)


def _abc_difference(a: Aig, b: Aig, output: str, time_limit_s: float, seed: int, start: float) -> CecResult:
    """ABC reported a difference: reproduce it by random simulation, else by SAT (first on the output ABC named).

    ABC's verdict stands even if no counterexample is found in time; the result then carries none.
    """
    found = _random_counterexample(a, b, seed)
    if found is not None:
        counterexample, failing = found
        return _result(Verdict.NOT_EQUIVALENT, "abc", start,
                       f"ABC &cec: not equivalent; output {failing} differs (random simulation)",
                       counterexample, failing)
    # The search gets what is left of the budget, but at least a tenth of it.
    deadline = max(start + time_limit_s, time.perf_counter() + 0.1 * time_limit_s)
    hint = _ABC_FAILING_OUTPUT.search(output)
    candidates: list[list[int] | None] = [None]
    if hint is not None and int(hint.group(1)) < a.num_pos:
        candidates.insert(0, [int(hint.group(1))])
    for outputs in candidates:
        outcome = _sat_counterexample(a, b, outputs, deadline)
        if isinstance(outcome, list):
            failing = _checked(a, b, outcome)
            return _result(Verdict.NOT_EQUIVALENT, "abc", start,
                           f"ABC &cec: not equivalent; output {failing} differs (SAT miter)", outcome, failing)
        if outcome is Verdict.UNDECIDED:
            break
        if outputs is None:
            # Our miter of all outputs is unsatisfiable: one of the two tools is wrong. Accept neither answer.
            log.error("ABC's &cec found the networks different but the SAT miter proves them equal")
            return _result(Verdict.UNDECIDED, "abc", start,
                           "ABC &cec says not equivalent but the SAT miter is unsatisfiable; contradiction")
    return _result(Verdict.NOT_EQUIVALENT, "abc", start,
                   "ABC &cec: not equivalent; no counterexample reproduced within the time limit")
