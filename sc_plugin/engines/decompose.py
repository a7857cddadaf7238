"""Decomposition fallback: a wrapper that solves what its inner engine cannot by splitting the function.

The inner engine first gets every function with its share of the time. For each function it leaves unsolved, the
wrapper splits off one variable x, using the cofactors f0 = f(x=0) and f1 = f(x=1):

- a top-level gate with one part: f = x & f1 (f0 = 0), f = !x & f0 (f1 = 0), f = !x | f1 (f0 = 1),
  f = x | f0 (f1 = 1), each 1 AND, else f = x ^ f0 (f1 = !f0), 3 ANDs;
- else Shannon on the variable whose cofactors have the smallest supports: f = x ? f1 : f0, 3 ANDs, or 2 when one
  cofactor implies the other (f1 <= f0: f = f0 & (!x | f1); f0 <= f1: f = f0 | (x & f1)).

The parts, on their own supports (fewer inputs, where the learned policy is more reliable), go to the inner engine
in one batch per level; parts it leaves unsolved are split again, up to `max_depth` levels. Constants and literals
need no engine. The parts' AIGs are composed into one AIG, which becomes the result only through `make_candidate`.
A function the inner engine solves comes back exactly as the inner engine returned it. A care mask goes to the
inner engine with its function; the fallback decomposes the completion (`completions`) with the smallest support.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Sequence

from sc_plugin.aig.functions import completions, shrink_to_support, trivial_implementation
from sc_plugin.aig.network import Aig
from sc_plugin.aig.truth import cofactors, support, table_mask
from sc_plugin.engines.base import Budget, Candidate, Engine, ask_engine, cares_of, make_candidate

__all__ = ["DecomposeParams", "DecomposeStats", "DecomposingEngine", "KINDS"]

# How a node combines the literal of its variable x (complemented where the form says) with its parts' literals.
KINDS = ("and", "or", "xor", "mux")


@dataclass(frozen=True)
class DecomposeParams:
    """Settings of the decomposition fallback."""

    max_depth: int = 6  # levels of splitting below a function; 6 takes an 8-input function down to 2 inputs
    fallback_time_fraction: float = 0.25  # share of each function's time kept for the fallback, when it needs one
    # the share when the caller bounds the result (Budget.max_ands), as a portfolio does to ask for fewer ANDs than
    # another engine's circuit: the direct search seldom gets below such a bound, the parts' composition more often
    bounded_fallback_time_fraction: float = 0.6
    use_top_level: bool = True  # look for f = x AND / OR / XOR g before Shannon expansion
    use_shannon: bool = True  # Shannon expansion where no top-level form exists


@dataclass
class DecomposeStats:
    """Counters of one DecomposingEngine (all calls)."""

    functions: int = 0  # functions asked for
    solved_directly: int = 0  # by the inner engine alone
    solved_by_decomposition: int = 0  # composed from parts
    failed: int = 0  # neither
    splits: dict[str, int] = field(default_factory=dict)  # kind of split -> how often (over all levels)
    parts_asked: int = 0  # distinct parts given to the inner engine
    fallback_time_s: float = 0.0
    time_s: float = 0.0

    def report(self) -> str:
        splits = ", ".join(f"{kind} {self.splits[kind]}" for kind in KINDS if kind in self.splits)
        return (f"decompose: {self.functions} functions, {self.solved_directly} solved directly, "
                f"{self.solved_by_decomposition} by decomposition, {self.failed} failed; splits: {splits or 'none'}; "
                f"{self.parts_asked} parts asked, fallback {self.fallback_time_s:.2f}s of {self.time_s:.2f}s")


@dataclass
class _Node:
    """A function to implement: `table` over len(variables) inputs, depending on all of them; input i is input
    variables[i] of the function being decomposed."""

    table: int
    variables: tuple[int, ...]
    implementation: Aig | None = None  # over len(variables) inputs, once found
    kind: str = ""  # how it splits (one of KINDS), once split
    literal: tuple[int, bool] = (0, False)  # the split's variable (an input of the whole function), negated?
    parts: list[_Node] = field(default_factory=list)  # one part; for "mux" two, [f1, f0]
    implies: str = ""  # for "mux": `_implication` of its cofactors

    @property
    def key(self) -> tuple[int, int]:
        return self.table, len(self.variables)


def _node(table: int, num_inputs: int, variables: Sequence[int]) -> _Node:
    """The function `table` of num_inputs inputs (input i = variables[i]) as a node on its support."""
    small, used = shrink_to_support(table, num_inputs)
    node = _Node(small, tuple(variables[i] for i in used))
    node.implementation = trivial_implementation(small, len(used))
    return node


def _split(node: _Node, params: DecomposeParams) -> bool:
    """Splits `node` off one variable (see the module docstring); False when the params allow no split."""
    num_inputs = len(node.variables)
    mask = table_mask(num_inputs)
    halves = [cofactors(node.table, var, num_inputs) for var in range(num_inputs)]
    if params.use_top_level:
        for var, (f0, f1) in enumerate(halves):  # one AND first: a constant cofactor
            if f0 in (0, mask):  # f = x & f1, or !x | f1
                _set_split(node, "and" if f0 == 0 else "or", var, f0 == mask, [f1])
                return True
            if f1 in (0, mask):  # f = !x & f0, or x | f0
                _set_split(node, "and" if f1 == 0 else "or", var, f1 == 0, [f0])
                return True
        for var, (f0, f1) in enumerate(halves):  # then 3 ANDs over one part
            if f1 == f0 ^ mask:
                _set_split(node, "xor", var, False, [f0])
                return True
    if not params.use_shannon or num_inputs < 2:
        return False

    def cost(var: int) -> tuple[int, int]:
        # the parts' supports, then the cost of the mux; ties go to the lowest variable (min keeps the first)
        f0, f1 = halves[var]
        return len(support(f0, num_inputs)) + len(support(f1, num_inputs)), 2 if _implication(f0, f1) else 3

    var = min(range(num_inputs), key=cost)
    f0, f1 = halves[var]
    _set_split(node, "mux", var, False, [f1, f0])
    node.implies = _implication(f0, f1)
    return True


def _implication(f0: int, f1: int) -> str:
    """"f1<=f0" or "f0<=f1" when one cofactor implies the other (the mux then takes 2 ANDs), else ""."""
    return "f1<=f0" if f1 & ~f0 == 0 else "f0<=f1" if f0 & ~f1 == 0 else ""


def _set_split(node: _Node, kind: str, var: int, negated: bool, tables: list[int]) -> None:
    node.kind = kind
    node.literal = (node.variables[var], negated)
    node.parts = [_node(table, len(node.variables), node.variables) for table in tables]


def _cheapest_completion(table: int, num_inputs: int, care: int | None) -> int:
    """The function to decompose: `table`, or with a care mask its completion of smallest support."""
    if care is None:
        return table
    return min(completions(table, care, num_inputs), key=lambda full: len(support(full, num_inputs)))


def _solved(node: _Node) -> bool:
    return node.implementation is not None or bool(node.kind) and all(_solved(part) for part in node.parts)


def _build(node: _Node, aig: Aig, inputs: list[int]) -> int:
    """The literal of `node` in `aig`, whose input literals are `inputs` (node must be _solved)."""
    if node.implementation is not None:
        return aig.instantiate(node.implementation, [inputs[v] for v in node.variables])[0]
    var, negated = node.literal
    x = inputs[var] ^ int(negated)
    parts = [_build(part, aig, inputs) for part in node.parts]
    if node.kind == "and":
        return aig.create_and(x, parts[0])
    if node.kind == "or":
        return aig.create_or(x, parts[0])
    if node.kind == "xor":
        return aig.create_xor(x, parts[0])
    f1, f0 = parts
    if node.implies == "f1<=f0":
        return aig.create_and(f0, aig.create_or(x ^ 1, f1))
    if node.implies == "f0<=f1":
        return aig.create_or(f0, aig.create_and(x, f1))
    return aig.create_or(aig.create_and(x, f1), aig.create_and(x ^ 1, f0))


class DecomposingEngine:
    """Engine protocol over `inner`: its results where it finds one, else a composition of its results on smaller
    functions (module docstring). The inner engine gets 1 - fallback_time_fraction of each function's time
    (bounded_fallback_time_fraction under a size bound); the fallback gets the rest for every function the inner
    engine left unsolved, shared by its levels, and stops at the caller's deadline. Stats over all calls in `stats`
    (DecomposeStats)."""

    def __init__(self, inner: Engine, params: DecomposeParams = DecomposeParams()) -> None:
        for fraction in (params.fallback_time_fraction, params.bounded_fallback_time_fraction):
            if not 0.0 <= fraction < 1.0:
                raise ValueError("the fallback's time fractions must be in [0, 1)")
        self.engine = inner
        self.params = params
        self.name = inner.name  # what it returns is the inner engine's work, alone or composed
        self.stats = DecomposeStats()

    def synthesize(self, table: int, num_inputs: int, *, budget: Budget, care: int | None = None
                   ) -> Candidate | None:
        return self.synthesize_batch([(table, num_inputs)], budget=budget, cares=[care])[0]

    def synthesize_batch(self, functions: Sequence[tuple[int, int]], *, budget: Budget,
                         cares: Sequence[int | None] | None = None) -> list[Candidate | None]:
        """The inner engine's results, with the functions it left unsolved decomposed. The inner engine gets the
        care masks; the fallback implements the completion (`completions`) with the fewest inputs, completely."""
        start = time.perf_counter()
        cares = cares_of(functions, cares)
        fraction = (self.params.fallback_time_fraction if budget.max_ands is None
                    else self.params.bounded_fallback_time_fraction)
        inner_budget = replace(budget, time_ms=budget.time_ms * (1.0 - fraction))
        results = list(ask_engine(self.engine, functions, budget=inner_budget, cares=cares))
        inner_s = (time.perf_counter() - start) / max(len(functions), 1)
        failed = [i for i, candidate in enumerate(results) if candidate is None]
        self.stats.functions += len(functions)
        self.stats.solved_directly += len(functions) - len(failed)
        if failed and self.params.max_depth > 0:
            fallback_start = time.perf_counter()
            roots = {i: _node(_cheapest_completion(*functions[i], cares[i]), functions[i][1], range(functions[i][1]))
                     for i in failed}
            self._solve(list(roots.values()), budget, len(failed) * fraction)
            fallback_s = time.perf_counter() - fallback_start
            self.stats.fallback_time_s += fallback_s
            for i, root in roots.items():
                if _solved(root):
                    table, num_inputs = functions[i]
                    aig = Aig()
                    inputs = [aig.create_pi() for _ in range(num_inputs)]
                    aig.create_po(_build(root, aig, inputs))
                    candidate = make_candidate(table, num_inputs, aig, engine=self.name, care=cares[i],
                                               start_time=time.perf_counter() - inner_s - fallback_s / len(failed))
                    if candidate is not None and (budget.max_ands is None or candidate.ands <= budget.max_ands):
                        results[i] = candidate
        solved_by_decomposition = sum(results[i] is not None for i in failed)
        self.stats.solved_by_decomposition += solved_by_decomposition
        self.stats.failed += len(failed) - solved_by_decomposition
        self.stats.time_s += time.perf_counter() - start
        return results

    def _solve(self, roots: list[_Node], budget: Budget, shares: float) -> None:
        """Splits the unsolved nodes level by level and asks the inner engine for the new parts (once per distinct
        part), within the fallback's time: `shares` functions' budgets (the unsolved ones' fallback shares), cut
        short by the caller's deadline."""
        fallback_s = shares * budget.time_ms / 1000.0
        deadline = time.time() + fallback_s
        if budget.deadline is not None:
            deadline = min(deadline, budget.deadline)
        known: dict[tuple[int, int], Aig | None] = {}  # the inner engine's answer per part asked
        frontier = [root for root in roots if root.implementation is None]
        for level in range(self.params.max_depth):
            parts: list[_Node] = []
            for node in frontier:
                if _split(node, self.params):
                    self.stats.splits[node.kind] = self.stats.splits.get(node.kind, 0) + 1
                    parts.extend(part for part in node.parts if part.implementation is None)
            asked = list(dict.fromkeys(part.key for part in parts if part.key not in known))
            left_s = deadline - time.time()
            if asked and left_s > 0:
                # later levels have more, smaller parts: keep half of what is left for them, except at the last
                share = 1.0 if level == self.params.max_depth - 1 else 0.5
                sub_budget = replace(budget, time_ms=1000.0 * left_s * share / len(asked), deadline=deadline)
                self.stats.parts_asked += len(asked)
                for key, candidate in zip(asked, self.engine.synthesize_batch(asked, budget=sub_budget)):
                    known[key] = None if candidate is None else candidate.implementation
            frontier = []
            for part in parts:
                part.implementation = known.get(part.key)
                if part.implementation is None:
                    frontier.append(part)
            if not frontier or time.time() >= deadline:
                break
