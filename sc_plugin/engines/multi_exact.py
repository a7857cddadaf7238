"""SAT-based exact synthesis of a multi-output, incompletely specified function: the smallest AIG whose AND gates
are shared between the outputs.

Input: `num_inputs` (k <= 8) and, per output, a truth table and a care mask (bit m set: the value on minterm m
matters). Output: an AIG with k inputs and one output per function, each output a step, an input or the constant,
possibly complemented, agreeing with its function on its care minterms.

Encoding (the single-output one of `exact_sat.py`, generalised; written for this module). Every step is kept
normal (0 on minterm 0): an AND with complemented fanins and output is one of the four 2-input operators with an
odd number of ones among f(0,1), f(1,0), f(1,1). Variables: s[i][(j, k)] (step i reads nodes j < k), the three
operator bits per step, x[i][t] (the value of step i on minterm t), and per output o a selection sel[o][v] of the
node that drives it (constant, input or step) and its polarity p[o]. Only minterms some output cares about are
simulated, so satisfiability don't cares of a window shrink the encoding as well as the circuit.
Symmetry breaking, valid for minimal circuits: every step is read by a later step or an output; no step equals the
constant or an input on the simulated minterms; if step i + 1 does not read step i, its pair is not smaller
(colexicographically) than step i's.

Sizes are searched from a lower bound up, so the first satisfiable size is minimal. (Searching down from
`max_ands` would be anytime, but the symmetry breaking asks for exactly r useful steps, so refuting r would not
refute smaller sizes, and it needs more calls.) CaDiCaL in
python-sat cannot be interrupted, so the clock is checked while clauses are built and between slices of conflicts.
Every circuit is checked by exhaustive simulation over the care sets before it is returned.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Sequence

from pysat.solvers import Solver

from sc_plugin.aig.network import Aig
from sc_plugin.aig.simulate import output_truth_tables
from sc_plugin.aig.truth import MAX_INPUTS, projection, table_mask
from sc_plugin.engines.exact_sat import decode_gate

__all__ = ["MultiExactParams", "MultiExactStats", "multi_exact_synthesize", "meets_care"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MultiExactParams:
    """Knobs of multi-output exact synthesis; defaults suit small windows on 2 shared CPU cores."""

    solver_name: str = "cd195"  # python-sat solver (CaDiCaL 1.9.5, as the single-output engine)
    conflicts_per_slice: int = 1000  # most conflicts between two clock checks (CaDiCaL cannot be interrupted)


@dataclass
class MultiExactStats:
    """What one call (or, added up, many calls) did."""

    calls: int = 0
    found: int = 0  # calls that returned a circuit (minimal: every smaller size was refuted)
    timed_out: int = 0  # calls that the deadline ended
    sat_calls: int = 0
    conflicts: int = 0
    rejected: int = 0  # decoded circuits that failed the simulation check (a bug; never returned)
    time_s: float = 0.0

    def add(self, other: MultiExactStats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def report(self) -> str:
        return (f"multi-exact: {self.calls} calls, {self.found} found, "
                f"{self.timed_out} timed out, {self.sat_calls} SAT calls, {self.conflicts} conflicts, "
                f"{self.rejected} rejected, {self.time_s:.2f}s")


def meets_care(implementation: Aig, functions: Sequence[tuple[int, int]], num_inputs: int) -> bool:
    """Whether `implementation` (num_inputs inputs, one output per function) agrees with every (table, care) on
    its care minterms, by exhaustive simulation."""
    if implementation.num_pis != num_inputs or implementation.num_pos != len(functions):
        return False
    mask = table_mask(num_inputs)
    return all((got ^ table) & care & mask == 0
               for got, (table, care) in zip(output_truth_tables(implementation), functions))


def multi_exact_synthesize(functions: Sequence[tuple[int, int]], num_inputs: int, *, max_ands: int,
                           deadline: float | None = None, params: MultiExactParams = MultiExactParams()
                           ) -> tuple[Aig | None, MultiExactStats]:
    """The smallest AIG found with at most `max_ands` ANDs for the (table, care) pairs, or None when there is none
    (every size up to `max_ands` refuted) or the `deadline` (a time.perf_counter() value) passed first.

    A returned circuit has been checked by exhaustive simulation over the care sets.
    """
    if not 0 <= num_inputs <= MAX_INPUTS:
        raise ValueError(f"{num_inputs} inputs, at most {MAX_INPUTS} supported")
    start = time.perf_counter()
    stats = MultiExactStats(calls=1)
    mask = table_mask(num_inputs)
    functions = [(table & care & mask, care & mask) for table, care in functions]
    try:
        if max_ands < 0:
            return None, stats
        lower = 0 if all(_is_trivial(table, care, num_inputs) for table, care in functions) else 1
        for size in range(lower, max_ands + 1):
            status, aig = _solve_size(functions, num_inputs, size, params, deadline, stats)
            if status is None:
                stats.timed_out += 1
                break
            if status:
                stats.found += 1
                return aig, stats
        return None, stats
    finally:
        stats.time_s = time.perf_counter() - start


def _is_trivial(table: int, care: int, num_inputs: int) -> bool:
    """Whether the constant, an input or a complement meets (table, care) with no AND."""
    candidates = [0] + [projection(j, num_inputs) for j in range(num_inputs)]
    return any((value ^ table) & care in (0, care) for value in candidates)


class _OutOfTime(Exception):
    """The deadline passed while the encoding was being built."""


class _Encoding:
    """CNF for 'an r-step AIG computes every (table, care) on its care minterms'."""

    def __init__(self, functions: Sequence[tuple[int, int]], num_inputs: int, num_steps: int,
                 deadline: float | None) -> None:
        self.deadline = deadline
        self.n = n = num_inputs
        self.r = r = num_steps
        self.functions = functions
        union = 0
        for _, care in functions:
            union |= care
        # minterm 0 is never simulated: every node is 0 there
        self.minterms = [t for t in range(1, 1 << n) if (union >> t) & 1]
        self.clauses: list[list[int]] = []
        self.num_vars = 0
        # values[v][index of t in minterms]: a bool for the constant (node 0) and inputs (1..n), a variable else
        self.values: list[list] = [[False] * len(self.minterms)]
        self.values += [[bool((t >> j) & 1) for t in self.minterms] for j in range(n)]
        self.pairs: list[list[tuple[int, int, int]]] = []  # per step: (j, k, var), nodes 1..n+i, colex order
        self.ops: list[tuple[int, int, int]] = []  # per step: f(0,1), f(1,0), f(1,1)
        for i in range(r):
            node = n + 1 + i
            self.pairs.append([(j, k, self._new()) for k in range(2, node) for j in range(1, k)])
            self.ops.append((self._new(), self._new(), self._new()))
            self.values.append([self._new() for _ in self.minterms])
        self.selects: list[list[int]] = [[self._new() for _ in range(n + r + 1)] for _ in functions]
        self.polarities = [self._new() for _ in functions]
        for i in range(r):
            self._step_clauses(i)
        self._output_clauses()
        self._symmetry_clauses()

    def _new(self) -> int:
        self.num_vars += 1
        return self.num_vars

    def _check_time(self) -> None:
        if self.deadline is not None and time.perf_counter() >= self.deadline:
            raise _OutOfTime

    def _step_clauses(self, i: int) -> None:
        add = self.clauses.append
        node = self.n + 1 + i
        f01, f10, f11 = self.ops[i]
        for clause in ([f01, f10, f11], [f01, -f10, -f11], [-f01, f10, -f11], [-f01, -f10, f11]):
            add(clause)  # odd parity: AND, the two ANDNOTs, OR
        add([s for _, _, s in self.pairs[i]])
        out = self.values[node]
        op_of = {(0, 1): f01, (1, 0): f10, (1, 1): f11}
        for j, k, s in self.pairs[i]:
            self._check_time()
            for index, (a, b) in enumerate(zip(self.values[j], self.values[k])):
                x = out[index]
                for bv in (0, 1):
                    if isinstance(a, bool) and a != bool(bv):
                        continue
                    for cv in (0, 1):
                        if isinstance(b, bool) and b != bool(cv):
                            continue
                        # "s and fanin j = bv and fanin k = cv" implies x = op(bv, cv)
                        base = [-s]
                        if not isinstance(a, bool):
                            base.append(-a if bv else a)
                        if not isinstance(b, bool):
                            base.append(-b if cv else b)
                        if bv == 0 and cv == 0:
                            add(base + [-x])
                        else:
                            f = op_of[(bv, cv)]
                            add(base + [-x, f])
                            add(base + [x, -f])

    def _output_clauses(self) -> None:
        add = self.clauses.append
        position = {t: index for index, t in enumerate(self.minterms)}
        for (table, care), selects, p in zip(self.functions, self.selects, self.polarities):
            add(list(selects))
            cared = [t for t in range(1 << self.n) if (care >> t) & 1]
            for v, sel in enumerate(selects):
                self._check_time()
                for t in cared:
                    target = bool((table >> t) & 1)
                    x = False if t == 0 else self.values[v][position[t]]
                    # node XOR polarity == target
                    if isinstance(x, bool):
                        add([-sel, p if target != x else -p])
                    elif target:
                        add([-sel, x, p])
                        add([-sel, -x, -p])
                    else:
                        add([-sel, -x, p])
                        add([-sel, x, -p])

    def _symmetry_clauses(self) -> None:
        add = self.clauses.append
        n, r = self.n, self.r
        for i in range(r):
            node = n + 1 + i
            readers = [s for i2 in range(i + 1, r) for j, k, s in self.pairs[i2] if node in (j, k)]
            add(readers + [selects[node] for selects in self.selects])
            if self.minterms:
                xs = self.values[node]
                add(list(xs))  # not the constant 0
                for v in range(1, n + 1):
                    add([-x if value else x for x, value in zip(xs, self.values[v])])
        # consecutive independent steps in colex order of their pairs (step i + 1's list extends step i's)
        for i in range(r - 1):
            self._check_time()
            node = n + 1 + i
            for p_index, (_, _, sp) in enumerate(self.pairs[i]):
                for j, k, sq in self.pairs[i + 1][:p_index]:
                    if node not in (j, k):
                        add([-sp, -sq])

    def decode(self, model: Sequence[int]) -> Aig:
        true = {lit for lit in model if lit > 0}
        aig = Aig()
        lits = [0] + [aig.create_pi() for _ in range(self.n)]
        for i in range(self.r):
            j, k = next((j, k) for j, k, s in self.pairs[i] if s in true)
            lits.append(decode_gate(aig, lits[j], lits[k], *(v in true for v in self.ops[i])))
        for selects, p in zip(self.selects, self.polarities):
            v = next(v for v, sel in enumerate(selects) if sel in true)
            aig.create_po(lits[v] ^ int(p in true))
        return aig.cleanup()


_CLAUSES_PER_LOAD = 20000  # clauses handed to the solver between two clock checks


def _solve_size(functions: Sequence[tuple[int, int]], num_inputs: int, num_steps: int, params: MultiExactParams,
                deadline: float | None, stats: MultiExactStats) -> tuple[bool | None, Aig | None]:
    """True (with a checked circuit of at most num_steps ANDs), False (refuted) or None (out of time)."""
    try:
        enc = _Encoding(functions, num_inputs, num_steps, deadline)
    except _OutOfTime:
        return None, None
    stats.sat_calls += 1
    with Solver(name=params.solver_name) as solver:
        for first in range(0, len(enc.clauses), _CLAUSES_PER_LOAD):
            if deadline is not None and time.perf_counter() >= deadline:
                return None, None
            solver.append_formula(enc.clauses[first:first + _CLAUSES_PER_LOAD])
        while True:
            if deadline is not None and time.perf_counter() >= deadline:
                return None, None
            before = solver.accum_stats().get("conflicts", 0)
            solver.conf_budget(params.conflicts_per_slice)
            status = solver.solve_limited()
            stats.conflicts += solver.accum_stats().get("conflicts", 0) - before
            if status is False:
                return False, None
            if status is True:
                aig = enc.decode(solver.get_model())
                if not meets_care(aig, functions, num_inputs):
                    stats.rejected += 1
                    log.error("multi-output exact synthesis decoded a wrong circuit for %d outputs over %d inputs; "
                              "dropped", len(functions), num_inputs)
                    return None, None
                return True, aig
