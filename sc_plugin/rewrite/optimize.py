"""Whole-network area optimization by cut resynthesis: rounds of cut enumeration, batched resynthesis, DAG-aware
gain accounting, verified stitching. The Python API behind `sc-opt` and the Yosys pass.

One round: enumerate priority cuts; keep the (node, cut) pairs whose freed cone is larger than the smallest
possible implementation of the cut's function; hand all their distinct functions to the engine as one batch; score
each candidate by its DAG-aware gain; accept the best non-conflicting replacements, each verified against its cone
by exhaustive simulation; rebuild. Rounds repeat until one gains nothing or a round or time limit is reached.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np

from sc_plugin.aig.analysis import depth, fanout_counts, levels
from sc_plugin.aig.network import Aig
from sc_plugin.aig.truth import support
from sc_plugin.cuts import CutParams, enumerate_cuts, mffc_sizes
from sc_plugin.engines.base import Budget, Candidate, Engine
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
    engine_batch_size: int = 256  # functions per engine call; the time limit is checked between calls
    allow_zero_gain: bool = False  # also accept replacements that save no AND but lower the root's level
    verbose: bool = False  # log one line per round


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


def _lower_bound(table: int, num_inputs: int) -> int:
    """Fewest ANDs any implementation needs: one less than the support size (zero for constants and literals)."""
    return max(0, len(support(table, num_inputs)) - 1)


def _select(aig: Aig, plans: list[tuple[int, tuple[int, ...], int]], candidates: dict[tuple[int, int], Candidate],
            tables: list[tuple[int, int]], allow_zero_gain: bool) -> list[Replacement]:
    """Scores every plan with a candidate and greedily keeps the best non-conflicting replacements."""
    refs = fanout_counts(aig).tolist()
    node_levels = levels(aig).tolist()
    best_by_root: dict[int, Replacement] = {}
    for (root, leaves, _), key in zip(plans, tables):
        candidate = candidates.get(key)
        if candidate is None:
            continue
        replacement = evaluate_replacement(aig, root, leaves, candidate.implementation, refs, node_levels)
        lowers_level = replacement.new_level < node_levels[root]
        if replacement.gain > 0 or (allow_zero_gain and replacement.gain == 0 and lowers_level):
            best = best_by_root.get(root)
            if best is None or (replacement.gain, -replacement.new_level) > (best.gain, -best.new_level):
                best_by_root[root] = replacement
    ranked = sorted(best_by_root.values(), key=lambda r: (-r.gain, r.new_level, r.root))
    touched: set[int] = set()  # nodes freed by accepted replacements
    kept: set[int] = set()  # nodes accepted replacements rely on (roots, leaves, reused nodes)
    accepted = []
    for replacement in ranked:
        relies_on = {replacement.root, *replacement.leaves, *replacement.reused}
        if relies_on & touched or replacement.freed & kept or replacement.freed & touched:
            continue
        touched |= replacement.freed
        kept |= relies_on
        accepted.append(replacement)
    return accepted


def _synthesize(engine: Engine, functions: list[tuple[int, int]], params: RewriteParams, deadline: float | None
                ) -> dict[tuple[int, int], Candidate]:
    """Asks the engine for every function, in chunks so that the deadline is honoured between chunks."""
    candidates: dict[tuple[int, int], Candidate] = {}
    for first in range(0, len(functions), params.engine_batch_size):
        if deadline is not None and time.perf_counter() >= deadline:
            break
        chunk = functions[first:first + params.engine_batch_size]
        for key, candidate in zip(chunk, engine.synthesize_batch(chunk, budget=params.budget)):
            if candidate is not None:
                candidates[key] = candidate
    return candidates


def _round(aig: Aig, engine: Engine, params: RewriteParams, stats: RewriteStats, deadline: float | None
           ) -> tuple[Aig, int]:
    """One round; returns the new network and the number of replacements stitched."""
    start = time.perf_counter()
    cuts, _ = enumerate_cuts(aig, params.cuts)
    refs = fanout_counts(aig)
    freed_sizes = mffc_sizes(aig, cuts.roots, cuts.leaves, refs)
    plans: list[tuple[int, tuple[int, ...], int]] = []
    tables: list[tuple[int, int]] = []
    # A cut can gain only if it frees more ANDs than its smallest conceivable implementation needs.
    for row in np.flatnonzero(refs[cuts.roots] > 0):
        cut = cuts.cut(int(row))
        freed = int(freed_sizes[row])
        bound = _lower_bound(cut.table, cut.num_inputs)
        if freed > bound or (params.allow_zero_gain and freed == bound):
            plans.append((cut.root, cut.leaves, freed))
            tables.append((cut.table, cut.num_inputs))
    stats.time_cuts_s += time.perf_counter() - start

    start = time.perf_counter()
    distinct = list(dict.fromkeys(tables))
    candidates = _synthesize(engine, distinct, params, deadline)
    stats.functions_requested += len(distinct)
    stats.candidates_found += len(candidates)
    stats.time_engine_s += time.perf_counter() - start

    start = time.perf_counter()
    accepted = _select(aig, plans, candidates, tables, params.allow_zero_gain)
    verified = []
    for replacement in accepted:
        if verify_replacement(aig, replacement.root, replacement.leaves, replacement.implementation):
            verified.append(replacement)
        else:
            stats.rejected_by_verification += 1
            log.error("replacement of node %d failed its cone check and was dropped", replacement.root)
    result = stitch(aig, verified) if verified else aig
    stats.time_stitch_s += time.perf_counter() - start
    return result, len(verified)


def rewrite(aig: Aig, engine: Engine, params: RewriteParams = RewriteParams()) -> tuple[Aig, RewriteStats]:
    """Optimizes `aig` for AND count with `engine`; returns the optimized copy and stats. `aig` is not modified.

    Every replacement is verified against its cone before it is stitched; whole-network equivalence checking is
    the caller's choice (`sc_plugin.verify.cec`), as it costs more than a round on large networks.
    """
    start = time.perf_counter()
    stats = RewriteStats(ands_before=aig.num_ands, levels_before=depth(aig))
    best = aig.cleanup()
    stats.stopped_by = "round limit"
    deadline = None if params.time_limit_s is None else start + params.time_limit_s
    for _ in range(params.max_rounds):
        if deadline is not None and time.perf_counter() >= deadline:
            stats.stopped_by = "time limit"
            break
        candidate, count = _round(best, engine, params, stats, deadline)
        stats.rounds += 1
        improved = candidate.num_ands < best.num_ands or (
            params.allow_zero_gain and candidate.num_ands == best.num_ands and depth(candidate) < depth(best))
        if improved:
            best = candidate
            stats.replacements += count
        stats.round_ands.append(best.num_ands)
        if params.verbose:
            log.info("round %d: %d ANDs, %d replacements", stats.rounds, best.num_ands, count)
        if not improved:
            stats.stopped_by = "no gain"
            break
    stats.ands_after = best.num_ands
    stats.levels_after = depth(best)
    stats.time_s = time.perf_counter() - start
    return best, stats
