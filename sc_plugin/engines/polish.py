"""Polishing an engine's result: local moves on a small single-output network whose every node is simulated
exhaustively over its n <= 8 inputs.

With one truth table per node, a move is checked exactly: a node may take any implementation that leaves the
output unchanged on the care minterms, so observability don't cares (minterms where the node's value does not
reach the output) come for free. Moves:
- resubstitution: the node becomes a constant, another node (either polarity) or the AND of two nodes (either
  polarities, output too), none of them in its fanout cone or in the cone it frees;
- cut rewriting: the node's function over one of its cuts of at most `max_cut_size` leaves is rebuilt by the
  exact engine (the NPN4 library up to 4 leaves, SAT above). The cut's own don't cares are not used: they rarely
  gained, and they cost the library (the exact engine then runs SAT).
Each pass applies the move that frees the most ANDs net, after checking the rebuilt network on the care minterms;
passes repeat while one gains. `PolishingEngine` polishes another engine's results: the learned engine's circuits,
built one AND at a time, carry redundancy that its policy does not see. Before the local moves it runs ABC's
`restructure_script` on each circuit as built (one ABC process per call): ABC's scripts started from the truth table
begin from a sum of products or a decomposition, and another engine's structure often leads them to a smaller
circuit than either found alone.
`PolishParams` in, `PolishStats` out.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Sequence

from sc_plugin.abc.runner import optimize_each_with_abc
from sc_plugin.aig.analysis import fanout_counts
from sc_plugin.aig.network import CONST0, Aig
from sc_plugin.aig.simulate import cone_truth_table, cone_values, output_truth_tables
from sc_plugin.aig.truth import projection, table_mask
from sc_plugin.cuts.mffc import mffc_nodes
from sc_plugin.engines.base import Budget, Candidate, Engine, ask_engine, cares_of, make_candidate
from sc_plugin.errors import AbcError, AbcNotFoundError, AbcTimeoutError

__all__ = ["PolishParams", "PolishStats", "polish", "PolishingEngine"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PolishParams:
    """Settings of `polish`."""

    max_cut_size: int = 4  # leaves of the cuts rebuilt by the exact engine (up to 4: the NPN4 library, instant)
    max_cuts_per_node: int = 12  # the cuts with the fewest leaves are kept
    exact_time_ms: float = 20.0  # the exact engine's budget per cut function (SAT, above 4 leaves)
    max_moves: int = 32  # moves applied per network, at most
    # PolishingEngine: the inner engine may return up to this many times the caller's max_ands, since polishing
    # often brings a result under the bound that the caller would otherwise never see
    bound_slack: float = 1.5
    # PolishingEngine: ABC script run on each inner result before the local moves ('': none)
    restructure_script: str = "dc2; resyn2; dc2; resyn2"


@dataclass
class PolishStats:
    """What `polish` did (summed over the networks a PolishingEngine polished)."""

    networks: int = 0
    improved: int = 0  # networks that got smaller
    restructured: int = 0  # networks that ABC's restructure_script made smaller (PolishingEngine)
    ands_before: int = 0
    ands_after: int = 0
    moves: dict[str, int] = field(default_factory=dict)  # move kind -> times applied
    time_s: float = 0.0

    def add(self, other: PolishStats) -> None:
        self.networks += other.networks
        self.improved += other.improved
        self.restructured += other.restructured
        self.ands_before += other.ands_before
        self.ands_after += other.ands_after
        for kind, count in other.moves.items():
            self.moves[kind] = self.moves.get(kind, 0) + count
        self.time_s += other.time_s

    def report(self) -> str:
        moves = ", ".join(f"{kind} {count}" for kind, count in sorted(self.moves.items())) or "no moves"
        return (f"polish: {self.networks} networks, {self.restructured} restructured by ABC, {self.improved} "
                f"improved, {self.ands_before} -> {self.ands_after} ANDs ({moves}), {self.time_s:.2f}s")


@dataclass(frozen=True)
class _Move:
    """Replace `root` by `implementation` over the literals `leaves` of the current network."""

    gain: int  # ANDs freed less ANDs added (sharing with existing logic can only add to it)
    kind: str
    root: int
    implementation: Aig
    leaves: tuple[int, ...]


def _small_aig(num_inputs: int, output: int, ands: Sequence[tuple[int, int]] = ()) -> Aig:
    aig = Aig()
    for _ in range(num_inputs):
        aig.create_pi()
    for a, b in ands:
        aig.add_and_unhashed(a, b)
    aig.create_po(output)
    return aig


def _node_tables(aig: Aig) -> list[int]:
    inputs = {j + 1: projection(j, aig.num_pis) for j in range(aig.num_pis)}
    return [0, *inputs.values(), *cone_values(aig, list(aig.and_nodes()), inputs, table_mask(aig.num_pis))]


def _lit_table(tables: list[int], lit: int, full: int) -> int:
    return tables[lit >> 1] ^ (full if lit & 1 else 0)


def _fanout_cone(aig: Aig, root: int) -> set[int]:
    cone = {root}
    for node in range(root + 1, aig.num_nodes):
        if any(lit >> 1 in cone for lit in aig.fanins(node)):
            cone.add(node)
    return cone


def _observable(aig: Aig, tables: list[int], root: int, full: int) -> int:
    """The minterms on which complementing `root` changes the output."""
    flipped = list(tables)
    flipped[root] ^= full
    for node in range(root + 1, aig.num_nodes):
        a, b = aig.fanins(node)
        flipped[node] = _lit_table(flipped, a, full) & _lit_table(flipped, b, full)
    output = aig.pos[0]
    return _lit_table(tables, output, full) ^ _lit_table(flipped, output, full)


def _resubstitution(aig: Aig, tables: list[int], root: int, care: int, divisors: list[int], freed: int,
                    full: int) -> _Move | None:
    """The best resubstitution of `root` on the `care` minterms from `divisors` (node ids), or None."""
    target = tables[root]
    if care == 0:
        return _Move(freed, "constant", root, _small_aig(0, CONST0), ())
    for node in divisors:
        for complement in (0, 1):
            if (tables[node] ^ target ^ (full if complement else 0)) & care == 0:
                return _Move(freed, "resub0", root, _small_aig(1, 2 | complement), (2 * node,))
    if freed < 2:
        return None
    lits = [2 * node + complement for node in divisors for complement in (0, 1)]
    for complement in (0, 1):
        wanted = (target ^ (full if complement else 0)) & care  # AND(a, b) must cover these and no other care
        rejected = ~target & care if not complement else target & care
        covering = [lit for lit in lits if wanted & ~_lit_table(tables, lit, full) == 0]
        for i, a in enumerate(covering):
            left = _lit_table(tables, a, full) & rejected
            for b in covering[i + 1:]:
                if left & _lit_table(tables, b, full) == 0:
                    implementation = _small_aig(2, 2 * 3 + complement, [(2, 4)])
                    return _Move(freed - 1, "resub1", root, implementation, (a, b))
    return None


def _cuts(aig: Aig, params: PolishParams) -> list[list[tuple[int, ...]]]:
    """Per node, its cuts of at most max_cut_size leaves (the trivial cut first), the smallest kept."""
    cuts: list[list[tuple[int, ...]]] = [[(node,)] for node in range(aig.num_nodes)]
    for node in aig.and_nodes():
        a, b = (lit >> 1 for lit in aig.fanins(node))
        merged = {tuple(sorted(set(ca) | set(cb))) for ca in cuts[a] for cb in cuts[b]}
        merged = {cut for cut in merged if len(cut) <= params.max_cut_size and 0 not in cut}
        cuts[node] += sorted(merged, key=lambda cut: (len(cut), cut))[:params.max_cuts_per_node]
    return cuts


def _apply(aig: Aig, move: _Move) -> Aig:
    """The network with move.root driven by the move's implementation; the rest copied, hashed and cleaned."""
    new, literal_of = aig.copy_interface()

    def build(node: int) -> int:
        # depth-first: a divisor may come after the root in node order (it is never in the root's fanout)
        stack = [node]
        while stack:
            current = stack[-1]
            if literal_of[current] != -1:
                stack.pop()
                continue
            inputs = move.leaves if current == move.root else aig.fanins(current)
            missing = [lit >> 1 for lit in inputs if literal_of[lit >> 1] == -1]
            if missing:
                stack.extend(missing)
                continue
            mapped = [literal_of[lit >> 1] ^ (lit & 1) for lit in inputs]
            if current == move.root:
                literal_of[current] = new.instantiate(move.implementation, mapped)[0]
            else:
                literal_of[current] = new.create_and(*mapped)
            stack.pop()
        return literal_of[node]

    output = aig.pos[0]
    new.create_po(build(output >> 1) ^ (output & 1))
    return new.cleanup()


def _best_move(aig: Aig, care: int, params: PolishParams, exact: Engine | None, deadline: float | None
               ) -> _Move | None:
    full = table_mask(aig.num_pis)
    tables = _node_tables(aig)
    counts = fanout_counts(aig)
    best: _Move | None = None
    cut_requests: list[tuple[int, tuple[int, ...], int, int]] = []  # root, leaves, table, freed
    all_cuts = _cuts(aig, params) if exact is not None else None
    for root in reversed(aig.and_nodes()):
        if counts[root] == 0:
            continue
        freed = mffc_nodes(aig, root, (), counts)
        if best is None or len(freed) > best.gain:
            observed = _observable(aig, tables, root, full) & care
            excluded = _fanout_cone(aig, root) | freed
            divisors = [node for node in range(1, aig.num_nodes)
                        if node not in excluded and (counts[node] > 0 or not aig.is_and(node))]
            move = _resubstitution(aig, tables, root, observed, divisors, len(freed), full)
            if move is not None and (best is None or move.gain > best.gain):
                best = move
        for leaves in (all_cuts[root][1:] if all_cuts is not None else ()):
            cut_freed = len(mffc_nodes(aig, root, leaves, counts))
            if cut_freed >= 2 and (best is None or cut_freed > best.gain):
                cut_requests.append((root, leaves, cone_truth_table(aig, 2 * root, list(leaves)), cut_freed))
    if cut_requests and exact is not None:
        bound = max(request[3] for request in cut_requests) - 1
        budget = Budget(time_ms=params.exact_time_ms, max_ands=bound, deadline=deadline)
        functions = [(table, len(leaves)) for _, leaves, table, _ in cut_requests]
        found = exact.synthesize_batch(functions, budget=budget)
        for (root, leaves, _, cut_freed), candidate in zip(cut_requests, found):
            gain = 0 if candidate is None else cut_freed - candidate.ands
            if gain > (0 if best is None else best.gain):
                best = _Move(gain, "cut", root, candidate.implementation, tuple(2 * leaf for leaf in leaves))
    return best


def polish(aig: Aig, care: int | None = None, params: PolishParams = PolishParams(), *,
           exact: Engine | None = None, deadline: float | None = None) -> tuple[Aig, PolishStats]:
    """A network no larger than `aig` (one output, at most 8 inputs) with the same output on the `care` minterms
    (None: all). `exact` rebuilds cuts (None: resubstitution only); `deadline` (time.time()) stops it early."""
    start = time.perf_counter()
    if aig.num_pos != 1:
        raise ValueError(f"polish needs a network with one output, not {aig.num_pos}")
    full = table_mask(aig.num_pis)
    care = full if care is None else care & full
    target = output_truth_tables(aig)[0] & care
    stats = PolishStats(networks=1, ands_before=aig.num_ands)
    for _ in range(params.max_moves):
        if deadline is not None and time.time() >= deadline:
            break
        move = _best_move(aig, care, params, exact, deadline)
        if move is None:
            break
        candidate = _apply(aig, move)
        # the move was chosen on truth tables; the rebuilt network is checked again before it is kept
        if candidate.num_ands >= aig.num_ands or output_truth_tables(candidate)[0] & care != target:
            break
        aig = candidate
        stats.moves[move.kind] = stats.moves.get(move.kind, 0) + 1
    stats.ands_after = aig.num_ands
    stats.improved = int(stats.ands_after < stats.ands_before)
    stats.time_s = time.perf_counter() - start
    return aig, stats


class PolishingEngine:
    """Engine protocol over `inner`: its results, each restructured by ABC and polished (`polish`, with `exact`
    rebuilding cuts) and verified again; functions the inner engine proved optimal are returned as they are. Stats
    over all calls in `stats` (PolishStats). Without a working ABC the results are polished only."""

    def __init__(self, inner: Engine, params: PolishParams = PolishParams(), *, exact: Engine | None = None
                 ) -> None:
        self.engine = inner
        self.params = params
        self.exact = exact
        self.name = inner.name  # the circuit is still the inner engine's, made smaller
        self.stats = PolishStats()
        self._use_abc = bool(params.restructure_script)

    def synthesize(self, table: int, num_inputs: int, *, budget: Budget, care: int | None = None
                   ) -> Candidate | None:
        return self.synthesize_batch([(table, num_inputs)], budget=budget, cares=[care])[0]

    def synthesize_batch(self, functions: Sequence[tuple[int, int]], *, budget: Budget,
                         cares: Sequence[int | None] | None = None) -> list[Candidate | None]:
        cares = cares_of(functions, cares)
        bound = budget.max_ands
        inner_budget = budget if bound is None else replace(budget, max_ands=int(bound * self.params.bound_slack))
        results = list(ask_engine(self.engine, functions, budget=inner_budget, cares=cares))
        improvable = [i for i, candidate in enumerate(results)
                      if candidate is not None and not candidate.optimal and candidate.ands >= 2]
        if self._use_abc and improvable and budget.seconds_left() > 0:
            self._restructure(results, improvable, budget)
        for i in improvable:
            candidate = results[i]
            if budget.seconds_left() <= 0:
                break
            start = time.perf_counter()
            polished, stats = polish(candidate.implementation, cares[i], self.params, exact=self.exact,
                                     deadline=budget.deadline)
            self.stats.add(stats)
            if polished.num_ands < candidate.ands:
                better = make_candidate(candidate.table, candidate.num_inputs, polished, engine=candidate.engine,
                                        care=candidate.care, start_time=start - candidate.time_s)
                results[i] = better or candidate
            else:
                results[i] = replace(candidate, time_s=candidate.time_s + time.perf_counter() - start)
        return [None if candidate is None or (bound is not None and candidate.ands > bound) else candidate
                for candidate in results]

    def _restructure(self, results: list[Candidate | None], indices: list[int], budget: Budget) -> None:
        """Replaces results[i] (i in `indices`) by ABC's restructure_script run on it, where that is smaller and
        verifies. A failing ABC leaves the results as they are (and, when it is missing, is not asked again)."""
        start = time.perf_counter()
        # ABC takes milliseconds per small circuit: the limit is the caller's deadline, or a guard against a hang
        timeout_s = min(budget.seconds_left(), 10.0 + 0.1 * len(indices))
        try:
            restructured = optimize_each_with_abc([results[i].implementation for i in indices],
                                                  self.params.restructure_script, timeout_s=timeout_s)
        except AbcTimeoutError:
            log.info("the deadline came while ABC restructured %d results; they are polished as built", len(indices))
            return
        except AbcNotFoundError as exc:
            log.warning("%s; the learned engine's results are polished without ABC", exc)
            self._use_abc = False
            return
        except AbcError as exc:
            log.warning("ABC could not restructure %d results; they are polished as built: %s", len(indices), exc)
            return
        elapsed_each = (time.perf_counter() - start) / len(indices)
        for i, aig in zip(indices, restructured):
            candidate = results[i]
            if aig is not None and aig.num_ands < candidate.ands:
                better = make_candidate(candidate.table, candidate.num_inputs, aig, engine=candidate.engine,
                                        care=candidate.care, start_time=start - candidate.time_s)
                if better is not None:
                    results[i] = better
                    self.stats.restructured += 1
                    continue
            results[i] = replace(candidate, time_s=candidate.time_s + elapsed_each)
