"""Whole-network area optimization by cut resynthesis: rounds of cut enumeration, batched resynthesis, DAG-aware
gain accounting, verified stitching. The Python API behind `sc-opt` and the Yosys pass.

One round: enumerate priority cuts; keep the (node, cut) pairs whose freed cone is larger than the smallest
possible implementation of the cut's function; hand all their distinct functions to the engine as one batch; score
each candidate by its DAG-aware gain; accept the best non-conflicting replacements, each verified against its cone
by exhaustive simulation; rebuild. Rounds repeat until one gains nothing or a round or time limit is reached.

Time limit: every phase reads the clock. Cut enumeration may use `cut_time_fraction` of the time a round has left
(the ANDs enumerated by then are the only ones rewritten); the engine gets the deadline in its `Budget`, less the
time stitching is expected to take, and is asked in chunks that shrink as the deadline nears. A round that the
time limit cut short ends the run with `stopped_by` "time limit"; "no gain" means a whole round found nothing.
With `verbose`, long phases log progress lines (at most one every `_PROGRESS_INTERVAL_S`), and each round a summary.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field, replace
from typing import Callable

import numba
import numpy as np

from sc_plugin.aig.analysis import depth, fanout_counts, levels
from sc_plugin.aig.network import Aig
from sc_plugin.aig.functions import needed_variables
from sc_plugin.aig.truth import table_mask
from sc_plugin.cuts import CutParams, NetworkCuts, enumerate_cuts, mffc_sizes
from sc_plugin.cuts.care import Window, care_set, cut_window, fanout_view, window_nodes
from sc_plugin.engines.base import Budget, Candidate, Engine, ask_engine
from sc_plugin.rewrite.stitch import Replacement, evaluate_replacement, stitch
from sc_plugin.rewrite.verify import verify_replacement

__all__ = ["RewriteParams", "RewriteStats", "rewrite"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RewriteParams:
    """Parameters of `rewrite`."""

    # Area flow first keeps many 6-8-leaf cuts; leaf count first starves them (see cuts/enumeration.py).
    cuts: CutParams = CutParams(use_area_flow_first=True)  # cut enumeration (k, priority cut limit)
    budget: Budget = Budget(time_ms=200.0)  # engine budget per distinct function
    max_rounds: int = 10  # stop after this many rounds even if the last one gained
    time_limit_s: float | None = None  # wall-clock limit; the best verified network so far is returned
    # most functions per engine call (fewer when the time limit nears); a progress line can follow each call, so
    # a call should take seconds, not minutes (64 functions: about 6 s of ABC, one batch of the learned engine)
    engine_batch_size: int = 64
    cut_time_fraction: float = 0.5  # under a time limit: the share of a round's time left cut enumeration may use
    allow_zero_gain: bool = False  # also accept replacements that save no AND but lower the root's level
    # Levels the result may exceed the input's depth by (inf: no bound). AND count alone deepens XOR-rich logic
    # (Yosys's sincos test design went from 31 to 54 levels), which timing-driven flows cannot take.
    depth_slack: float = math.inf
    # Also resynthesize cuts as incompletely specified functions: leaf combinations that never occur (found by
    # simulating a window of at most `window_inputs` inputs below the cut) are don't cares, and the engine gets the
    # cut's function with that care mask; each replacement is then checked over its window. Tried on the
    # `max_dont_care_cuts` cuts that free the most ANDs per round.
    use_dont_cares: bool = False
    window_inputs: int = 12
    max_dont_care_cuts: int = 2000
    # With use_dont_cares, also observability don't cares: leaf combinations whose root value no node this many
    # levels above the root sees (0: none). Such a replacement changes its root's function, so replacements whose
    # windows overlap it are not stitched in the same round. The region above the root has at most
    # `odc_max_nodes` nodes (fewer levels when it would have more).
    odc_levels: int = 0
    odc_max_nodes: int = 64
    verbose: bool = False  # log one line per round, and progress lines during long phases


@dataclass
class RewriteStats:
    """What `rewrite` did."""

    ands_before: int = 0
    ands_after: int = 0
    levels_before: int = 0
    levels_after: int = 0
    rounds: int = 0
    replacements: int = 0  # accepted and stitched
    functions_requested: int = 0  # distinct functions handed to the engine, over all rounds
    candidates_found: int = 0  # of those, how many the engine implemented
    rejected_by_verification: int = 0  # replacements dropped because their cone check failed (should stay 0)
    stopped_by: str = ""  # "no gain", "round limit", "time limit"
    time_cuts_s: float = 0.0
    time_engine_s: float = 0.0
    time_stitch_s: float = 0.0
    time_s: float = 0.0
    round_ands: list[int] = field(default_factory=list)  # AND count after each round

    def report(self) -> str:
        return (f"ANDs {self.ands_before} -> {self.ands_after}, levels {self.levels_before} -> {self.levels_after}, "
                f"{self.rounds} rounds ({self.stopped_by}), {self.replacements} replacements, "
                f"{self.functions_requested} functions ({self.candidates_found} implemented), "
                f"time {self.time_s:.1f} s (cuts {self.time_cuts_s:.1f}, engine {self.time_engine_s:.1f}, "
                f"stitch {self.time_stitch_s:.1f})")


_PROGRESS_INTERVAL_S = 5.0  # at most one progress line this often (round summaries are always logged)
# What selecting and stitching cost after synthesis, before a round has measured it on this machine: rebuilding
# the network, per AND, and scoring one (node, cut) pair whose function has a candidate (then verifying it).
_STITCH_S_PER_AND = 1.2e-5
_SCORE_S_PER_PLAN = 1.3e-4


class _ProgressLog:
    """Progress lines through `log.info` when verbose, at most one every `_PROGRESS_INTERVAL_S` unless forced."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self._last = time.perf_counter()

    def __call__(self, message: str, *args, force: bool = False) -> None:
        if self.verbose and (force or time.perf_counter() - self._last >= _PROGRESS_INTERVAL_S):
            log.info(message, *args)
            self._last = time.perf_counter()


class _Clock:
    """The time limit of one `rewrite` call (a time.perf_counter() deadline), what it cut short in the current
    round, and the time the round's selection and stitching will need (kept free of synthesis)."""

    def __init__(self, time_limit_s: float | None, start: float) -> None:
        self.deadline = None if time_limit_s is None else start + time_limit_s
        self.cut_short = False  # the time limit stopped this round's cut enumeration or synthesis
        self.num_ands = 0  # of the network this round rewrites
        self.plans_scored = 0  # (node, cut) pairs whose function has a candidate so far this round
        self._stitch_scale = 1.0  # measured over predicted time of selection and stitching, last round

    def start_round(self, num_ands: int) -> None:
        self.cut_short, self.num_ands, self.plans_scored = False, num_ands, 0

    def left_s(self) -> float:
        """Seconds until the deadline (negative once past it); infinity without a time limit."""
        return math.inf if self.deadline is None else self.deadline - time.perf_counter()

    def stitch_s(self, plans: int, num_ands: int | None = None) -> float:
        """Predicted time of selecting among `plans` scored pairs and stitching a network of `num_ands` ANDs
        (default: this round's network)."""
        ands = self.num_ands if num_ands is None else num_ands
        return self._stitch_scale * (_STITCH_S_PER_AND * ands + _SCORE_S_PER_PLAN * plans)

    def note_stitch(self, seconds: float) -> None:
        """Calibrates the prediction with the measured time of this round's selection and stitching."""
        self._stitch_scale = min(10.0, max(0.1, seconds / self.stitch_s(self.plans_scored) * self._stitch_scale))


@numba.njit(cache=True)
def _required_kernel(fanins: np.ndarray, num_pis: int, max_depth: int) -> np.ndarray:
    # Nodes are in topological order, so one backward sweep settles every node after all its fanouts.
    required = np.full(fanins.shape[0], max_depth, dtype=np.int64)
    for node in range(fanins.shape[0] - 1, num_pis, -1):
        bound = required[node] - 1
        for side in range(2):
            fanin = fanins[node, side] >> 1
            if bound < required[fanin]:
                required[fanin] = bound
    return required


def _required_levels(aig: Aig, max_depth: int) -> np.ndarray:
    """The highest level each node may have for every output to stay within `max_depth` (outputs' drivers and
    dangling nodes: `max_depth`)."""
    return _required_kernel(aig.fanin_array(), aig.num_pis, max_depth)


# A (node, cut) pair to resynthesize: root, leaves, ANDs freed, and the window whose care set its function was
# synthesized on (None: the cut's complete function).
_Plan = tuple[int, tuple[int, ...], int, Window | None]
# A function asked of the engine: (table, num_inputs, care mask or None for a completely specified one).
_Function = tuple[int, int, int | None]


def _dont_care_plans(aig: Aig, cuts: NetworkCuts, rows: np.ndarray, freed_sizes: np.ndarray, params: RewriteParams,
                     clock: _Clock) -> list[tuple[int, tuple[int, ...], int, _Function, Window]]:
    """(root, leaves, freed, function with its care mask, window) for the cuts in `rows` (those freeing the most
    ANDs first) whose care set (`care_set`; with `odc_levels`, over a window with the root's fanout region) leaves
    out some combination and that free more ANDs than the inputs the care set still needs allow
    (`needed_variables`)."""
    view = fanout_view(aig) if params.odc_levels else None
    found = []
    for index in np.argsort(-freed_sizes, kind="stable")[:params.max_dont_care_cuts].tolist():
        if clock.left_s() <= 0:
            clock.cut_short = True
            break
        cut = cuts.cut(int(rows[index]))
        window = cut_window(aig, cut.root, cut.leaves, params.odc_levels, view, params.window_inputs,
                            params.odc_max_nodes)
        if view is None and set(window.inputs) == set(cut.leaves):
            continue  # nothing below the leaves to simulate: every combination counts
        care = care_set(aig, cut.leaves, window)
        if care == table_mask(cut.num_inputs):
            continue
        freed = int(freed_sizes[index])
        bound = max(len(needed_variables(cut.table, care, cut.num_inputs)) - 1, 0)
        if freed > bound or (freed == bound and params.allow_zero_gain):
            found.append((cut.root, cut.leaves, freed, (cut.table, cut.num_inputs, care), window))
    return found


def _select(aig: Aig, plans: list[_Plan], candidates: dict[_Function, Candidate], tables: list[_Function],
            allow_zero_gain: bool, required: np.ndarray | None = None) -> list[Replacement]:
    """Scores every plan with a candidate and greedily keeps the best non-conflicting replacements.

    required: the highest level each root may take (`_required_levels`); a replacement whose root would end
    higher is refused. None: no bound."""
    refs = fanout_counts(aig).tolist()
    node_levels = levels(aig).tolist()
    best_by_root: dict[int, Replacement] = {}
    for (root, leaves, _, window), key in zip(plans, tables):
        candidate = candidates.get(key)
        if candidate is None:
            continue
        replacement = evaluate_replacement(aig, root, leaves, candidate.implementation, refs, node_levels, window)
        if required is not None and replacement.new_level > required[root]:
            continue
        lowers_level = replacement.new_level < node_levels[root]
        if replacement.gain > 0 or (allow_zero_gain and replacement.gain == 0 and lowers_level):
            best = best_by_root.get(root)
            if best is None or (replacement.gain, -replacement.new_level) > (best.gain, -best.new_level):
                best_by_root[root] = replacement
    ranked = sorted(best_by_root.values(), key=lambda r: (-r.gain, r.new_level, r.root))
    # A replacement relies on its root, leaves and reused nodes, and on the nodes its window check read; one with
    # observability don't cares changes the functions of its region's nodes that are not outputs. Stitched
    # together, no replacement may free a node another relies on, nor rely on, free or change a node another
    # changes: each check then still holds in the network with all of them.
    touched: set[int] = set()  # nodes freed by accepted replacements
    kept: set[int] = set()  # roots, leaves and reused nodes of accepted replacements
    relied: set[int] = set()  # window nodes of accepted replacements
    changed: set[int] = set()  # nodes whose function accepted replacements change
    # window nodes matter only next to a replacement that changes functions: without one, none are listed
    changes_functions = any(r.window is not None and r.window.region is not None for r in ranked)
    accepted = []
    for replacement in ranked:
        relies_on = {replacement.root, *replacement.leaves, *replacement.reused}
        window = replacement.window
        reads = (frozenset() if window is None or not changes_functions
                 else window_nodes(aig, replacement.root, window))
        changes = frozenset() if window is None or window.region is None else (
            set(window.region.nodes) - set(window.region.outputs))
        if (not relies_on.isdisjoint(touched) or _meets(replacement.freed, kept, touched)
                or _meets(changed, relies_on, reads, replacement.freed) or _meets(changes, kept, relied, touched)):
            continue
        touched |= replacement.freed
        kept |= relies_on
        relied |= reads
        changed |= changes
        accepted.append(replacement)
    return accepted


def _meets(nodes: set[int] | frozenset[int], *others: set[int] | frozenset[int]) -> bool:
    """Whether `nodes` shares a node with any of `others`."""
    return any(not nodes.isdisjoint(other) for other in others)


def _distinct_functions(cuts: NetworkCuts, rows: np.ndarray) -> tuple[list[_Function], list[int], np.ndarray]:
    """The distinct functions (table, num_inputs, None) of the cuts in `rows`, in the order of their first row; how
    many of the rows have each; and for every row the index of its function in that list."""
    if len(rows) == 0:
        return [], [], np.zeros(0, dtype=np.int64)
    keys = np.concatenate([cuts.tables[rows], cuts.num_leaves[rows, None].astype(np.uint64)], axis=1)
    _, first, inverse, counts = np.unique(keys, axis=0, return_index=True, return_inverse=True, return_counts=True)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    functions = []
    for row in rows[first[order]].tolist():
        cut = cuts.cut(row)
        functions.append((cut.table, cut.num_inputs, None))
    return functions, counts[order].tolist(), rank[inverse.reshape(-1)]


def _synthesize(engine: Engine, functions: list[_Function], plan_counts: list[int], params: RewriteParams,
                clock: _Clock, report: Callable[[int, int], None]) -> tuple[dict[_Function, Candidate], int]:
    """Asks the engine for the functions (plan_counts[i]: the (node, cut) pairs of functions[i]) in chunks of at most
    `engine_batch_size`; returns the candidates and how many functions were asked. `report(asked, found)` follows
    every chunk.

    Under a time limit a function costs its synthesis (the time per function measured so far; before any
    measurement, the per-function budget) and, should it succeed, the scoring of its plans, which selection needs
    after synthesis. Each chunk takes functions in order while their cost fills at most half the time left (so
    chunks shrink as the deadline nears); a function whose cost exceeds all the time left is passed over. The
    engine's budget carries the deadline that leaves time for scoring and stitching. Functions not asked are left
    out, and `clock.cut_short` is set.
    """
    candidates: dict[_Function, Candidate] = {}
    start = time.perf_counter()
    pending = list(range(len(functions)))  # indices neither asked nor passed over, in order
    asked = 0
    late = False  # the last chunk returned after its deadline: the engine may have given up on some functions
    while pending:
        budget = params.budget
        if clock.deadline is None:
            chunk, pending = pending[:params.engine_batch_size], pending[params.engine_batch_size:]
        else:
            left_s = clock.left_s() - clock.stitch_s(clock.plans_scored)
            each_s = (time.perf_counter() - start) / asked if asked else params.budget.time_ms / 1000.0
            chunk, rest, spent = [], [], 0.0
            for position, index in enumerate(pending):
                cost = each_s + clock.stitch_s(plan_counts[index], 0)
                if cost > left_s:
                    continue  # passed over: even alone it would overrun the deadline
                if chunk and (spent + cost > 0.5 * left_s or len(chunk) == params.engine_batch_size):
                    rest = pending[position:]
                    break
                chunk.append(index)
                spent += cost
            pending = rest
            if not chunk:
                break
            scoring_s = clock.stitch_s(sum(plan_counts[index] for index in chunk), 0)
            budget = replace(params.budget, deadline=time.time() + left_s - scoring_s)
        results = ask_engine(engine, [functions[index][:2] for index in chunk], budget=budget,
                             cares=[functions[index][2] for index in chunk])
        for index, candidate in zip(chunk, results):
            if candidate is not None:
                candidates[functions[index]] = candidate
                clock.plans_scored += plan_counts[index]
        late = budget.deadline is not None and time.time() >= budget.deadline
        asked += len(chunk)
        report(asked, len(candidates))
    if asked < len(functions) or late:
        clock.cut_short = True
    return candidates, asked


def _round(aig: Aig, engine: Engine, params: RewriteParams, stats: RewriteStats, clock: _Clock,
           progress: _ProgressLog, max_depth: int | None = None) -> tuple[Aig, int]:
    """One round; returns the new network and the number of replacements stitched. With `max_depth`, the new
    network is no deeper than that (precondition: `aig` is not). Sets `clock.cut_short` when the time limit cut
    the cut enumeration or the synthesis short."""
    start = time.perf_counter()
    number = stats.rounds + 1
    cut_limit_s = None if clock.deadline is None else max(0.0, params.cut_time_fraction * clock.left_s())

    def cut_progress(done: int, total: int) -> None:
        progress("round %d: cuts of %d of %d ANDs enumerated", number, done, total)

    cuts, cut_stats = enumerate_cuts(aig, params.cuts, time_limit_s=cut_limit_s, progress=cut_progress)
    clock.cut_short |= not cut_stats.complete
    refs = fanout_counts(aig)
    rows = np.flatnonzero(refs[cuts.roots] > 0)
    freed_sizes = mffc_sizes(aig, cuts.roots[rows], cuts.leaves[rows], refs)
    # A cut can gain only if it frees more ANDs than its smallest conceivable implementation needs: one less than
    # the number of leaves its function depends on (zero for constants and literals).
    bounds = np.maximum(cuts.support_sizes()[rows] - 1, 0)
    useful = (freed_sizes > bounds) | ((freed_sizes == bounds) & params.allow_zero_gain)
    # don't cares can lower a cut's bound: every cut that frees an AND is a candidate
    dont_care_plans = (_dont_care_plans(aig, cuts, rows, freed_sizes, params, clock) if params.use_dont_cares
                       else [])
    rows, freed_sizes = rows[useful], freed_sizes[useful]
    distinct, plan_counts, function_of_row = _distinct_functions(cuts, rows)
    known = set(distinct)
    for *_, key, _ in dont_care_plans:
        if key not in known:
            known.add(key)
            distinct.append(key)
            plan_counts.append(1)
    stats.time_cuts_s += time.perf_counter() - start

    start = time.perf_counter()
    progress("round %d: %d cuts of %d ANDs%s, %d functions to synthesize", number, cuts.num_cuts, cut_stats.num_ands,
             "" if cut_stats.complete else " (stopped by the time limit)", len(distinct))

    def synthesis_progress(asked: int, found: int) -> None:
        progress("round %d: synthesized %d of %d functions, %d implemented", number, asked, len(distinct), found)

    candidates, asked = _synthesize(engine, distinct, plan_counts, params, clock, synthesis_progress)
    stats.functions_requested += asked
    stats.candidates_found += len(candidates)
    stats.time_engine_s += time.perf_counter() - start

    start = time.perf_counter()
    # the (node, cut) pairs whose function has a candidate: the only ones selection can use
    implemented = np.array([key in candidates for key in distinct], dtype=bool)
    plans: list[_Plan] = []
    tables: list[_Function] = []
    chosen = implemented[function_of_row]
    for row, freed, function in zip(rows[chosen].tolist(), freed_sizes[chosen].tolist(),
                                    function_of_row[chosen].tolist()):
        cut = cuts.cut(row)
        plans.append((cut.root, cut.leaves, freed, None))
        tables.append(distinct[function])
    for root, leaves, freed, key, window in dont_care_plans:
        if key in candidates:
            plans.append((root, leaves, freed, window))
            tables.append(key)
    required = None if max_depth is None else _required_levels(aig, max_depth)
    result, count = _stitch_verified(aig, _select(aig, plans, candidates, tables, params.allow_zero_gain, required),
                                     stats)
    if max_depth is not None and count and depth(result) > max_depth:
        # Replacements that each fit the bound can add up past it (one raises a node below another one's leaves).
        # Those that raise no root cannot: keep only them.
        strict = _select(aig, plans, candidates, tables, params.allow_zero_gain, levels(aig))
        result, count = _stitch_verified(aig, strict, stats)
    stats.time_stitch_s += time.perf_counter() - start
    return result, count


def _stitch_verified(aig: Aig, accepted: list[Replacement], stats: RewriteStats) -> tuple[Aig, int]:
    """`aig` with the accepted replacements that pass their cone check; returns it and how many were stitched."""
    verified = []
    for replacement in accepted:
        if verify_replacement(aig, replacement.root, replacement.leaves, replacement.implementation,
                              replacement.window):
            verified.append(replacement)
        else:
            stats.rejected_by_verification += 1
            log.error("replacement of node %d failed its cone check and was dropped", replacement.root)
    return (stitch(aig, verified) if verified else aig), len(verified)


def rewrite(aig: Aig, engine: Engine, params: RewriteParams = RewriteParams()) -> tuple[Aig, RewriteStats]:
    """Optimizes `aig` for AND count with `engine`; returns the optimized copy and stats. `aig` is not modified.

    Every replacement is verified against its cone before it is stitched; whole-network equivalence checking is
    the caller's choice (`sc_plugin.verify.cec`), as it costs more than a round on large networks.
    """
    start = time.perf_counter()
    stats = RewriteStats(ands_before=aig.num_ands, levels_before=depth(aig))
    best = aig.cleanup()
    stats.stopped_by = "round limit"
    clock = _Clock(params.time_limit_s, start)
    progress = _ProgressLog(params.verbose)
    max_depth = None if math.isinf(params.depth_slack) else stats.levels_before + int(params.depth_slack)
    for _ in range(params.max_rounds):
        if clock.left_s() <= 0:
            stats.stopped_by = "time limit"
            break
        clock.start_round(best.num_ands)
        round_start, stitch_before = time.perf_counter(), stats.time_stitch_s
        candidate, count = _round(best, engine, params, stats, clock, progress, max_depth)
        if count:
            clock.note_stitch(stats.time_stitch_s - stitch_before)
        stats.rounds += 1
        improved = candidate.num_ands < best.num_ands or (
            params.allow_zero_gain and candidate.num_ands == best.num_ands and depth(candidate) < depth(best))
        if improved:
            best = candidate
            stats.replacements += count
        stats.round_ands.append(best.num_ands)
        progress("round %d: %d ANDs, %d replacements, %.1f s%s", stats.rounds, best.num_ands, count,
                 time.perf_counter() - round_start, "; cut short by the time limit" if clock.cut_short else "",
                 force=True)
        if not improved:
            # only a whole round that found nothing means there is nothing left to find
            stats.stopped_by = "time limit" if clock.cut_short else "no gain"
            break
    stats.ands_after = best.num_ands
    stats.levels_after = depth(best)
    stats.time_s = time.perf_counter() - start
    return best, stats
