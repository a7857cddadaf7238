"""SAT-based exact synthesis: the smallest AIG (2-input ANDs, complemented edges, free output inverter).

Encoding (Knuth, TAOCP 7.2.2.2, restricted to AND-type steps). For r steps over n inputs, node v = n + i is step i.
Every node is kept *normal* (value 0 on minterm 0): an AND with complemented fanins and a complemented output is
one of the four normal 2-input functions with an odd number of ones among f(0,1), f(1,0), f(1,1) -- AND, the two
ANDNOTs and OR. The target is normalised by the free output inverter, so minterm 0 never needs a clause.

Variables: s[i][(j, k)] (step i reads nodes j < k), f[i][bc] (the step's value when its fanins are b, c), and
x[i][t] (the step's value on minterm t, 1 <= t < 2**n; constants for the inputs and the last step). Clauses:
at least one pair per step; simulation clauses per (step, pair, minterm, fanin values); odd parity of f.
Symmetry breaking: every step but the last is read by a later step; if step i + 1 does not read step i then
its pair is not smaller (colexicographically) than step i's pair.

Sizes are searched upward from a lower bound (support size - 1), so the first satisfiable size is minimal and the
result is proven optimal. CaDiCaL 1.9.5 in python-sat has no `interrupt`, so time limits are enforced by solving in
slices of conflicts and checking the clock between slices. An 8-input encoding holds up to 2M clauses, and building
it, loading it into the solver and one slice of `conflicts_per_slice` conflicts each take about a second, so the
clock is also checked while the clauses are built and loaded, and slices are sized by the measured time per
conflict to end by the time limit.

Functions whose support is smaller than `num_inputs` are solved on their support only; functions of at most four
support variables are answered from the shipped NPN4 library (`npn4_library.py`) unless `use_library` is off.

Incompletely specified functions (a care mask): the simulation clauses cover the care minterms only, so the solver
chooses the values on the others, and when minterm 0 is a don't care the output polarity is a variable too. The
search runs over all `num_inputs` inputs (a don't care can make an input the function does not need useful: a leaf
that equals the AND of two others on the care set replaces them), from the lower bound of the inputs every
implementation needs (`needed_variables`), so its result is proven minimal like a complete function's. The library
and NPN canonization serve completely specified functions only; care-set outcomes are remembered per (table, care).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from typing import Sequence

from pysat.solvers import Solver

from sc_plugin.aig.functions import (expand_support, needed_variables, normalize_care, npn_key, shrink_to_support,
                                     trivial_implementation)
from sc_plugin.aig.network import Aig
from sc_plugin.aig.truth import MAX_INPUTS, table_mask
from sc_plugin.engines.base import Budget, Candidate, Engine, ask_engine, cares_of, make_candidate
from sc_plugin.engines.npn4_library import library_entries, library_implementation, library_is_optimal
from sc_plugin.errors import ScError

__all__ = [
    "ExactParams",
    "ExactStats",
    "ExactOutcome",
    "ExactEngine",
    "exact_synthesize",
    "decode_gate",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExactParams:
    """Knobs of the exact engine; defaults suit 2 shared CPU cores."""

    solver_name: str = "cd195"  # python-sat solver; CaDiCaL 1.9.5 was the fastest measured (GUIDE section 4)
    conflicts_per_slice: int = 2000  # most conflicts between two clock checks (CaDiCaL cannot be interrupted)
    conflict_limit: int | None = None  # total conflicts per function over all sizes; None = time budget only
    max_steps: int = 16  # never try more ANDs than this (the encoding grows quadratically with the size)
    use_library: bool = True  # answer functions of <= 4 support variables from the shipped NPN4 library
    use_npn: bool = True  # solve the NPN-canonical form and remember outcomes per class in this engine
    # time to build one clause and load it into the solver: a size whose encoding would take longer than the time
    # left is not started (the search gives up at once rather than at its deadline)
    seconds_per_clause: float = 1e-6


@dataclass
class ExactStats:
    """Counters of one ExactEngine (all calls)."""

    calls: int = 0
    library_hits: int = 0
    memo_hits: int = 0
    solved_optimal: int = 0  # a result proven minimal
    gave_up: int = 0  # time or conflict budget ran out before any solution of the SAT search
    no_solution: int = 0  # calls that returned None
    sat_calls: int = 0
    conflicts: int = 0
    time_s: float = 0.0

    def report(self) -> str:
        return (f"exact: {self.calls} calls, {self.library_hits} library, {self.memo_hits} memo, "
                f"{self.solved_optimal} optimal, {self.gave_up} gave up, {self.no_solution} none, "
                f"{self.sat_calls} SAT calls, {self.conflicts} conflicts, {self.time_s:.2f}s")


@dataclass
class ExactOutcome:
    """What one exact run established about a function.

    `aig` is the smallest implementation found (None if none); every size below `lower_bound` is proven
    unsatisfiable, so `aig` is optimal exactly when aig.num_ands == lower_bound. `timed_out` says the budget ended
    the search (otherwise it ended on a solution or on `max_ands`).
    """

    aig: Aig | None
    lower_bound: int
    timed_out: bool
    conflicts: int = 0
    sat_calls: int = 0

    @property
    def optimal(self) -> bool:
        return self.aig is not None and self.aig.num_ands == self.lower_bound


# ---- the encoding --------------------------------------------------------------------------------------------


class _OutOfTime(Exception):
    """The time limit passed while an encoding was being built."""


class _Encoding:
    """The CNF for 'an r-step AIG computes `target` on the `care` minterms' over n inputs (None: all minterms).

    When minterm 0 is cared for, the target is normal (bit 0 clear) and the output is not complemented; when it is
    a don't care, the variable `polarity` says whether the output is complemented. Raises _OutOfTime when
    `deadline` (a time.perf_counter() value) passes while the clauses are being built.
    """

    def __init__(self, target: int, num_inputs: int, num_steps: int, deadline: float | None = None,
                 care: int | None = None) -> None:
        self.deadline = deadline
        self.n = n = num_inputs
        self.r = r = num_steps
        self.target = target
        self.care = table_mask(n) if care is None else care
        # the simulated minterms: every node is normal, so minterm 0 needs no clause
        self.minterms = [t for t in range(1, 1 << n) if (self.care >> t) & 1]
        self.clauses: list[list[int]] = []
        self.next_var = 1
        self.polarity = None if self.care & 1 else self._new()
        # pairs[i]: list of (j, k, var) for step i
        self.pairs: list[list[tuple[int, int, int]]] = []
        self.ops: list[tuple[int, int, int]] = []  # f(0,1), f(1,0), f(1,1) vars per step
        # xs[v]: per simulated minterm (position in self.minterms) either a constant (True/False) or a variable
        self.xs: list[list] = []
        for v in range(n):
            self.xs.append([bool((t >> v) & 1) for t in self.minterms])
        for i in range(r):
            node = n + i
            self.pairs.append([(j, k, self._new()) for k in range(node) for j in range(k)])
            self.ops.append((self._new(), self._new(), self._new()))
            if i < r - 1:
                self.xs.append([self._new() for _ in self.minterms])
            elif self.polarity is None:
                self.xs.append([bool((target >> t) & 1) for t in self.minterms])
            else:  # the last step is the target, complemented when `polarity` holds
                last = [self._new() for _ in self.minterms]
                for x, t in zip(last, self.minterms):
                    out = x if (target >> t) & 1 else -x
                    self.clauses += [[out, self.polarity], [-out, -self.polarity]]
                self.xs.append(last)
        for i in range(r):
            self._step_clauses(i)
        self._symmetry_clauses()
        self._distinct_from_inputs()
        self._symmetric_variable_clauses()

    def _new(self) -> int:
        var = self.next_var
        self.next_var += 1
        return var

    def _check_time(self) -> None:
        if self.deadline is not None and time.perf_counter() >= self.deadline:
            raise _OutOfTime

    def _step_clauses(self, i: int) -> None:
        add = self.clauses.append
        node = self.n + i
        f01, f10, f11 = self.ops[i]
        # odd parity of (f01, f10, f11): the four normal AND-type functions
        add([f01, f10, f11])
        add([f01, -f10, -f11])
        add([-f01, f10, -f11])
        add([-f01, -f10, f11])
        add([s for _, _, s in self.pairs[i]])  # at least one pair (several would all hold; decoding picks one)
        xi = self.xs[node]
        op_of = {(0, 1): f01, (1, 0): f10, (1, 1): f11}
        for j, k, s in self.pairs[i]:
            self._check_time()
            xj, xk = self.xs[j], self.xs[k]
            for a, b, out in zip(xj, xk, xi):
                for bv in (0, 1):
                    # literal "x_j != bv" or skip/satisfied if constant
                    if isinstance(a, bool):
                        if a != bool(bv):
                            continue
                        la = None
                    else:
                        la = -a if bv else a
                    for cv in (0, 1):
                        if isinstance(b, bool):
                            if b != bool(cv):
                                continue
                            lb = None
                        else:
                            lb = -b if cv else b
                        base = [-s]
                        if la is not None:
                            base.append(la)
                        if lb is not None:
                            base.append(lb)
                        if bv == 0 and cv == 0:
                            # normal step: 0 when both fanins are 0
                            if isinstance(out, bool):
                                if out:
                                    add(base)
                            else:
                                add(base + [-out])
                            continue
                        f = op_of[(bv, cv)]
                        if isinstance(out, bool):
                            add(base + [f] if out else base + [-f])
                        else:
                            add(base + [-out, f])
                            add(base + [out, -f])

    def _symmetry_clauses(self) -> None:
        add = self.clauses.append
        n, r = self.n, self.r
        # every step but the last is read by a later step
        for i in range(r - 1):
            node = n + i
            users = [s for i2 in range(i + 1, r) for j, k, s in self.pairs[i2] if j == node or k == node]
            add(users)
        # colexicographic order of consecutive independent steps; pairs are generated in colex order (k, then j)
        for i in range(r - 1):
            self._check_time()
            node = n + i
            prev = self.pairs[i]
            nxt = self.pairs[i + 1]
            for p_index, (_, _, sp) in enumerate(prev):
                for q_index in range(p_index):
                    j, k, sq = nxt[q_index]
                    if k != node and j != node:
                        add([-sp, -sq])
            # the same pair twice in a row: the operators strictly increase, (f01, f10) read as a 2-bit number
            o1, o2 = self.ops[i], self.ops[i + 1]
            for (_, _, sp), (_, _, sq) in zip(prev, nxt):
                for u in range(4):
                    for w in range(u + 1):
                        add([-sp, -sq, _neq(o1[0], u >> 1), _neq(o1[1], u & 1),
                             _neq(o2[0], w >> 1), _neq(o2[1], w & 1)])

    def _distinct_from_inputs(self) -> None:
        """Every internal step differs from the constant and from every input on the care minterms (it would be
        redundant)."""
        for i in range(self.r - 1):
            xi = self.xs[self.n + i]
            self.clauses.append(list(xi))
            for v in range(self.n):
                self.clauses.append([-x if (t >> v) & 1 else x for x, t in zip(xi, self.minterms)])

    def _symmetric_variable_clauses(self) -> None:
        """If swapping inputs a < b leaves the target and the care set unchanged, b is not read before a is
        (Knuth's symmetry rule): a step reading b but not a needs an earlier step that reads a."""
        n = self.n
        for a in range(n):
            for b in range(a + 1, n):
                if not (_swap_symmetric(self.target & self.care, n, a, b) and _swap_symmetric(self.care, n, a, b)):
                    continue
                earlier: list[int] = []
                for i in range(self.r):
                    for j, k, s in self.pairs[i]:
                        if (j == b or k == b) and j != a and k != a:
                            self.clauses.append([-s] + earlier)
                    earlier = earlier + [s for j, k, s in self.pairs[i] if j == a or k == a]

    def decode(self, model: Sequence[int], output_complemented: bool) -> Aig:
        """The AIG of a model; `output_complemented` applies when minterm 0 is cared for (else `polarity` says)."""
        true = {lit for lit in model if lit > 0}
        if self.polarity is not None:
            output_complemented = self.polarity in true
        aig = Aig()
        lits = [aig.create_pi() for _ in range(self.n)]
        for i in range(self.r):
            j, k = next((j, k) for j, k, s in self.pairs[i] if s in true)
            lits.append(decode_gate(aig, lits[j], lits[k], *(v in true for v in self.ops[i])))
        aig.create_po(lits[-1] ^ int(output_complemented))
        return aig


def decode_gate(aig: Aig, a: int, b: int, f01: bool, f10: bool, f11: bool) -> int:
    """The literal of a step whose operator outputs f01, f10, f11 on (a, b) = (0, 1), (1, 0), (1, 1) (and 0 on
    (0, 0)): one AND with the inputs' polarities, or an OR."""
    if f11 and not f01 and not f10:
        return aig.create_and(a, b)
    if f01 and not f10 and not f11:
        return aig.create_and(a ^ 1, b)
    if f10 and not f01 and not f11:
        return aig.create_and(a, b ^ 1)
    return aig.create_and(a ^ 1, b ^ 1) ^ 1  # OR


def _neq(var: int, value: int) -> int:
    """The literal 'var != value'."""
    return -var if value else var


def _swap_symmetric(table: int, num_inputs: int, a: int, b: int) -> bool:
    swapped = 0
    for m in range(1 << num_inputs):
        if (table >> m) & 1:
            bit_a, bit_b = (m >> a) & 1, (m >> b) & 1
            m2 = m & ~((1 << a) | (1 << b)) | (bit_a << b) | (bit_b << a)
            swapped |= 1 << m2
    return swapped == table


def _estimated_clauses(num_inputs: int, num_steps: int, num_minterms: int) -> int:
    """About how many clauses `_Encoding` has: the simulation clauses dominate, some 3.5 per (step, pair of
    earlier nodes, simulated minterm) once constants have removed or shortened some."""
    pairs = sum((num_inputs + i) * (num_inputs + i - 1) // 2 for i in range(num_steps))
    return int(3.5 * pairs * num_minterms)


_CLAUSES_PER_LOAD = 20000  # clauses handed to the solver between two clock checks
_FIRST_SLICE_CONFLICTS = 100  # the first slice measures the time per conflict; later ones are sized by it


def _solve_size(target: int, num_inputs: int, num_steps: int, params: ExactParams, deadline: float,
                conflict_budget: int | None, outcome: ExactOutcome, care: int | None = None
                ) -> tuple[bool | None, Aig | None]:
    """True/False/None (budget ran out) for 'num_steps steps suffice', and the AIG when True."""
    # the free output inverter normalises the target, unless minterm 0 is a don't care (then the encoding chooses)
    complemented = bool(target & 1) and (care is None or bool(care & 1))
    normal = target ^ (table_mask(num_inputs) if complemented else 0)
    try:
        enc = _Encoding(normal, num_inputs, num_steps, deadline=deadline, care=care)
    except _OutOfTime:
        return None, None
    outcome.sat_calls += 1
    with Solver(name=params.solver_name) as solver:
        for first in range(0, len(enc.clauses), _CLAUSES_PER_LOAD):
            if time.perf_counter() >= deadline:
                return None, None
            solver.append_formula(enc.clauses[first:first + _CLAUSES_PER_LOAD])
        seconds_per_conflict = 0.0
        while True:
            slice_budget = params.conflicts_per_slice
            if conflict_budget is not None:
                left = conflict_budget - outcome.conflicts
                if left <= 0:
                    return None, None
                slice_budget = min(slice_budget, left)
            left_s = deadline - time.perf_counter()
            if left_s <= 0:
                return None, None
            # size the slice to end by the deadline (large encodings spend about a millisecond per conflict)
            if seconds_per_conflict > 0:
                slice_budget = max(1, min(slice_budget, int(left_s / seconds_per_conflict)))
            else:
                slice_budget = min(slice_budget, _FIRST_SLICE_CONFLICTS)
            before = solver.accum_stats().get("conflicts", 0)
            slice_start = time.perf_counter()
            solver.conf_budget(slice_budget)
            status = solver.solve_limited()
            conflicts = solver.accum_stats().get("conflicts", 0) - before
            outcome.conflicts += conflicts
            if conflicts:
                seconds_per_conflict = (time.perf_counter() - slice_start) / conflicts
            if status is True:
                return True, enc.decode(solver.get_model(), complemented)
            if status is False:
                return False, None


def exact_synthesize(table: int, num_inputs: int, *, params: ExactParams = ExactParams(),
                     max_ands: int | None = None, time_limit_s: float = 10.0, lower_bound: int = 0,
                     care: int | None = None) -> ExactOutcome:
    """Searches sizes upward from max(lower_bound, needed inputs - 1) to min(max_ands, params.max_steps), for an
    AIG that computes `table` on the `care` minterms (None: all).

    A lower bound proven by an earlier run may be passed to skip sizes already refuted. Does not verify (callers
    use make_candidate).
    """
    deadline = time.perf_counter() + time_limit_s
    care = normalize_care(care, num_inputs)
    trivial = trivial_implementation(table, num_inputs, care)
    if trivial is not None:
        return ExactOutcome(trivial, 0, False)
    size = max(lower_bound, len(needed_variables(table, care, num_inputs)) - 1, 1)
    limit = params.max_steps if max_ands is None else min(max_ands, params.max_steps)
    outcome = ExactOutcome(None, size, False)
    simulated = bin((table_mask(num_inputs) if care is None else care) & ~1).count("1")
    while size <= limit:
        clauses = _estimated_clauses(num_inputs, size, simulated)
        if clauses * params.seconds_per_clause >= deadline - time.perf_counter():
            outcome.timed_out = True  # building the encoding alone would take the time left, or more
            return outcome
        status, aig = _solve_size(table, num_inputs, size, params, deadline, params.conflict_limit, outcome, care)
        if status is None:
            outcome.timed_out = True
            return outcome
        if status:
            outcome.aig = aig
            return outcome
        size += 1
        outcome.lower_bound = size
    return outcome


# ---- the engine ----------------------------------------------------------------------------------------------


class ExactEngine:
    """Engine protocol over `exact_synthesize`: support reduction, NPN4 library, NPN memo, verification.

    With an `upper_bound` engine (e.g. ABC), its result is computed first (batched), exact synthesis only searches
    below it, and when every smaller size is refuted that result is returned marked optimal: the exact engine's
    proof, another engine's circuit. Returns None when the budget runs out before a solution or when no solution
    has at most budget.max_ands ANDs. `last_lower_bound` is the proven lower bound of the last function.
    Incompletely specified functions are solved over all their inputs, without the library and NPN canonization
    (module docstring); the upper bound engine gets their care masks too.
    """

    name = "exact"

    def __init__(self, params: ExactParams = ExactParams(), *, upper_bound: Engine | None = None) -> None:
        self.params = params
        self.upper_bound = upper_bound
        self.stats = ExactStats()
        self.last_lower_bound = 0
        self._library_broken = False
        # (NPN class or, with a care mask, the table itself, inputs, care) -> (implementation or None, lower bound)
        self._memo: dict[tuple[int, int, int | None], tuple[Aig | None, int]] = {}

    def synthesize(self, table: int, num_inputs: int, *, budget: Budget,
                   care: int | None = None) -> Candidate | None:
        return self.synthesize_batch([(table, num_inputs)], budget=budget, cares=[care])[0]

    def _library(self):
        """(library_implementation, library_is_optimal), or None when disabled or unloadable (then SAT is used
        and a warning says why, once per engine)."""
        if not self.params.use_library or self._library_broken:
            return None
        try:
            library_entries()
        except ScError as exc:
            log.warning("%s; solving <= 4-input functions with SAT instead", exc)
            self._library_broken = True
            return None
        return library_implementation, library_is_optimal

    def synthesize_batch(self, functions: Sequence[tuple[int, int]], *, budget: Budget,
                         cares: Sequence[int | None] | None = None) -> list[Candidate | None]:
        cares = cares_of(functions, cares)
        uppers: list[Candidate | None] = [None] * len(functions)
        if self.upper_bound is not None:
            uppers = ask_engine(self.upper_bound, functions, budget=budget, cares=cares)
        results = []
        for (table, num_inputs), care, upper in zip(functions, cares, uppers):
            start = time.perf_counter() - (upper.time_s if upper is not None else 0.0)
            self.stats.calls += 1
            try:
                results.append(self._synthesize(table, num_inputs, care, budget, start, upper))
            finally:
                self.stats.time_s += time.perf_counter() - start
        return results

    def _synthesize(self, table: int, num_inputs: int, care: int | None, budget: Budget, start: float,
                    upper: Candidate | None) -> Candidate | None:
        if not 0 <= num_inputs <= MAX_INPUTS:
            raise ValueError(f"{num_inputs} inputs, at most {MAX_INPUTS} supported")
        table &= table_mask(num_inputs)
        if care is None:
            small, variables = shrink_to_support(table, num_inputs)
        else:  # every input may help (class docstring)
            small, variables = table & care, list(range(num_inputs))
        k = len(variables)
        self.last_lower_bound = max(0, len(needed_variables(small, care, k)) - 1)
        trivial = trivial_implementation(small, k, care)
        if trivial is not None:
            self.last_lower_bound = 0
            return make_candidate(table, num_inputs, expand_support(trivial, variables, num_inputs),
                                  engine=self.name, start_time=start, optimal=True, care=care)
        library = self._library() if k <= 4 and care is None else None
        if library is not None:
            impl = library[0](small, k)
            optimal = library[1](small, k)
            self.stats.library_hits += 1
            if optimal:
                self.last_lower_bound = impl.num_ands
            if upper is not None and upper.ands <= impl.num_ands:
                # as small: the upper bound's circuit is kept, as below, so that the exact engine changes a
                # rewrite's choices only where it finds fewer ANDs
                return replace(upper, optimal=upper.optimal or optimal, time_s=time.perf_counter() - start)
            if budget.max_ands is not None and impl.num_ands > budget.max_ands:
                return None
            return make_candidate(table, num_inputs, expand_support(impl, variables, num_inputs),
                                  engine=self.name, start_time=start, optimal=optimal)
        canon, transform = small, None
        if self.params.use_npn and care is None:
            npn = npn_key(small, k)
            canon, transform = npn.canon, npn.transform
        key = (canon, k, care)
        memo_aig, lower = self._memo.get(key, (None, 0))
        if key in self._memo:
            self.stats.memo_hits += 1
        max_ands = budget.max_ands
        for bound in (memo_aig.num_ands if memo_aig is not None else None,
                      upper.ands if upper is not None else None):
            if bound is not None:
                max_ands = bound - 1 if max_ands is None else min(max_ands, bound - 1)
        if memo_aig is None or memo_aig.num_ands > lower:
            left_s = min(budget.time_ms / 1000.0 - (time.perf_counter() - start), budget.seconds_left())
            outcome = exact_synthesize(canon, k, params=self.params, max_ands=max_ands, time_limit_s=left_s,
                                       lower_bound=lower, care=care)
            self.stats.sat_calls += outcome.sat_calls
            self.stats.conflicts += outcome.conflicts
            lower = max(lower, outcome.lower_bound)
            if outcome.aig is not None:
                memo_aig = outcome.aig
            self._memo[key] = (memo_aig, lower)
            if outcome.timed_out and outcome.aig is None:
                self.stats.gave_up += 1
        self.last_lower_bound = max(self.last_lower_bound, lower)
        candidate = None
        if memo_aig is not None and (budget.max_ands is None or memo_aig.num_ands <= budget.max_ands) and (
                upper is None or memo_aig.num_ands < upper.ands):
            impl_small = transform.undo_aig(memo_aig) if transform is not None else memo_aig
            candidate = make_candidate(table, num_inputs, expand_support(impl_small, variables, num_inputs),
                                       engine=self.name, start_time=start, optimal=memo_aig.num_ands <= lower,
                                       care=care)
        elif upper is not None:
            candidate = replace(upper, optimal=upper.optimal or upper.ands <= lower,
                                time_s=time.perf_counter() - start)
        if candidate is None:
            self.stats.no_solution += 1
        elif candidate.optimal:
            self.stats.solved_optimal += 1
        return candidate
