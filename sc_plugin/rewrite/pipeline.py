"""The one verified optimization pipeline behind `sc-opt`, the Yosys pass, `sc-abc` and the flows.

`optimize_verified(aig, params)` assembles the engine (with its worker pool and NPN cache) from one params
structure, rewrites the network, proves the result equivalent to the input, and returns the input unchanged, with
the reason in its stats, when anything fails. After a schedule, when the proof of the result against the input
stays undecided, the proof goes step by step: each network the schedule kept against the one before it. Neighbours
differ by one step, which `&cec` proves far more easily, and equivalence is transitive. Where a link stays
undecided, the last network proven is returned. Callers only map their options onto `OptimizeParams` and print
`OptimizeStats`. A caller that optimizes several networks (the pass, one per module) opens the engine once with
`open_engine` and passes it in.
"""

from __future__ import annotations

import logging
import math
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator, Mapping, Sequence

from sc_plugin.abc.mapping import MappingParams, mapped_areas
from sc_plugin.aig.aiger import read_aiger_bytes
from sc_plugin.aig.analysis import depth
from sc_plugin.aig.network import Aig
from sc_plugin.engines.base import Budget, Candidate, Engine, ask_engine
from sc_plugin.engines.cache import CachedEngine, SynthesisCache
from sc_plugin.engines.parallel import PoolParams, make_pool
from sc_plugin.engines.registry import EngineParams, cache_members, make_engine
from sc_plugin.errors import ScError
from sc_plugin.rewrite.optimize import RewriteParams, RewriteStats, rewrite
from sc_plugin.rewrite.schedule import Schedule, ScheduleStats, run_schedule
from sc_plugin.verify.cec import CecResult, Verdict, check_equivalence

__all__ = ["CacheParams", "ProofParams", "OptimizeParams", "OptimizeStats", "open_engine", "optimize_verified"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CacheParams:
    """The persistent NPN-class cache of synthesized functions."""

    enabled: bool = True  # read and write the cache
    path: str | None = None  # cache file; None: `default_cache_path()`
    reuse: bool = False  # answer from entries of any engine (default: the chosen engine's, a portfolio's members')


@dataclass(frozen=True)
class ProofParams:
    """The whole-network proof at the end."""

    enabled: bool = True  # prove the result equivalent to the input before returning it
    time_limit_s: float = 600.0  # an undecided proof counts as a failure
    # After a schedule the direct proof gets this part of the time limit, and the proof step by step the rest
    direct_fraction: float = 0.25


@dataclass(frozen=True)
class OptimizeParams:
    """Everything `optimize_verified` needs; each part nests the params of the step it configures."""

    rewrite: RewriteParams = RewriteParams()  # rounds, cuts, per-function budget, time limit
    engine: EngineParams = EngineParams()  # which engine and its settings
    pool: PoolParams = PoolParams()  # engine workers: this process, local processes or Ray actors
    cache: CacheParams = CacheParams()
    proof: ProofParams = ProofParams()
    schedule: Schedule | None = None  # with a time limit: spend it on this anytime schedule instead of rounds
    mapping: MappingParams = MappingParams()  # with a liberty file: keep the result only if it maps smaller


@dataclass
class OptimizeStats:
    """What `optimize_verified` did. `failure` is empty when the result is the optimized network."""

    rewrite: RewriteStats = field(default_factory=RewriteStats)
    schedule: ScheduleStats | None = None  # when a schedule ran
    engine: str = ""
    cache_hits: int = 0  # functions the cache answered (without running the engine)
    wins: dict[str, int] = field(default_factory=dict)  # engine -> functions whose result it built (fresh runs)
    proof: str = "not checked"  # "equivalent", "not checked", or the failed verdict
    proof_method: str = ""
    time_proof_s: float = 0.0
    steps_proven: tuple[int, int] | None = None  # (links proven, links) when the proof went step by step
    failure: str = ""  # why the input was returned unchanged
    area_before: float | None = None  # mapped area of the input (params.mapping.liberty set, a result to compare)
    area_after: float | None = None  # mapped area of the optimized network, kept or not
    kept_input: str = ""  # why the input was returned although optimization succeeded (it maps smaller)
    time_s: float = 0.0

    @property
    def ands_before(self) -> int:
        return self.rewrite.ands_before

    @property
    def ands_after(self) -> int:
        return self.rewrite.ands_after

    def report(self) -> str:
        r = self.rewrite
        proof = "proven equivalent" if self.proof == "equivalent" else f"proof: {self.proof}"
        if self.proof_method:
            proof += f" ({self.proof_method}, {self.time_proof_s:.1f} s)"
        if self.steps_proven is not None:
            proven, links = self.steps_proven
            proof += f", step by step: {proven} of {links} steps"
            if 0 < proven < links:
                proof += " (the result is the last network proven)"
        text = (f"ANDs {r.ands_before} -> {r.ands_after}, levels {r.levels_before} -> {r.levels_after}, "
                f"{r.rounds} rounds ({r.stopped_by or 'not run'}), {r.replacements} replacements, "
                f"{r.functions_requested} functions ({self.cache_hits} from the cache), {proof}, "
                f"{self.time_s:.1f} s")
        if len(self.wins) > 1 or (self.wins and self.engine == "portfolio"):
            text += "; won by " + ", ".join(f"{name} {count}" for name, count in
                                           sorted(self.wins.items(), key=lambda item: (-item[1], item[0])))
        if self.schedule is not None:
            text += f"; schedule: {self.schedule.report()}"
        if self.area_before is not None:
            text += f"; mapped area {self.area_before:.1f} -> {self.area_after:.1f}"
            text += f", input kept: {self.kept_input}" if self.kept_input else ""
        return text + (f"; input kept: {self.failure}" if self.failure else "")


@contextmanager
def open_engine(params: OptimizeParams) -> Iterator[Engine]:
    """The engine that `params` describe: worker pool (local processes or Ray actors) or in-process engine, behind
    the cache when enabled. The workers and the cache are closed on leaving the block, Ctrl-C included.

    The cache answers from the engine's own entries (a portfolio: also its members'), or from any engine's with
    `params.cache.reuse`. Between the cache and the engine, a counter records which engine built each fresh result
    (`OptimizeStats.wins`)."""
    cache = SynthesisCache(params.cache.path) if params.cache.enabled else None
    pool = None
    try:
        pool = make_pool(params.engine, params.pool)
        engine: Engine = _WinCounter(pool or make_engine(params.engine))
        if cache is not None:
            engine = CachedEngine(engine, cache, members=cache_members(params.engine), reuse=params.cache.reuse)
        yield engine
    finally:
        if pool is not None:
            pool.close()
        if cache is not None:
            cache.close()


def optimize_verified(aig: Aig, params: OptimizeParams = OptimizeParams(), *, engine: Engine | None = None,
                      measure: Callable[[Sequence[Aig]], Sequence[float]] | None = None
                      ) -> tuple[Aig, OptimizeStats]:
    """Optimizes `aig` for AND count and proves the result; returns (network, stats). `aig` is not modified.

    The network returned is the optimized one only when it has no more ANDs than the input and, unless
    `params.proof.enabled` is off, was proven equivalent to it; otherwise it is `aig` itself and
    `stats.failure` says why. A fault of an engine (ABC crashing, a model that does not load) is such a failure,
    not an exception. `engine` is an engine already opened with `open_engine`; None opens one for this call.

    With `params.mapping.liberty` set, the input and the result are both mapped to the library and the input is
    returned unless the result's area is smaller (`stats.kept_input` says so; it is not a failure). `measure`
    gives those areas, one per network, with the networks presented as the downstream mapping will see them; the
    first network is the input itself, so a caller whose input stands for more (the Yosys pass: a module left as
    it is) can measure that. None: `abc/mapping.py` maps them in their own node order.
    """
    start = time.perf_counter()
    verbose = params.rewrite.verbose
    if verbose:
        limit = params.rewrite.time_limit_s
        log.info("optimizing %d ANDs with engine %s%s", aig.num_ands, params.engine.name,
                 "" if limit is None else f", time limit {limit:g} s")
    stats = OptimizeStats(engine=params.engine.name)
    stats.rewrite = RewriteStats(ands_before=aig.num_ands, ands_after=aig.num_ands,
                                 levels_before=depth(aig), levels_after=depth(aig))
    try:
        if engine is None:
            with open_engine(params) as opened:
                result = _rewrite(aig, opened, params, stats)
        else:
            result = _rewrite(aig, engine, params, stats)
    except (ScError, OSError, RuntimeError, ValueError) as exc:
        stats.failure = f"optimization failed: {exc}"
        result = aig
    if not stats.failure and result is not aig and params.mapping.liberty is not None:
        result = _smaller_mapping(aig, result, params.mapping, stats, measure)  # before the proof: it costs less
    if not stats.failure and result is not aig and params.proof.enabled:
        if verbose:
            log.info("optimized to %d ANDs in %.1f s; proving the result equivalent to the input", result.num_ands,
                     stats.rewrite.time_s)
        path = stats.schedule.path if stats.schedule is not None else []
        proven = _prove(aig, result, params.proof, stats, path)
        if proven is not result and proven is not aig and params.mapping.liberty is not None:
            proven = _smaller_mapping(aig, proven, params.mapping, stats, measure)  # a network short of the result
        result = proven
        if verbose:
            steps = "" if stats.steps_proven is None else ", step by step: {} of {} steps".format(*stats.steps_proven)
            log.info("proof: %s%s%s in %.1f s", stats.proof, f" by {stats.proof_method}" if stats.proof_method else "",
                     steps, stats.time_proof_s)
    if stats.failure:
        result = aig
        stats.rewrite.ands_after, stats.rewrite.levels_after = stats.rewrite.ands_before, stats.rewrite.levels_before
    stats.time_s = time.perf_counter() - start
    return result, stats


def with_field(params: Any, path: str, value: Any) -> Any:
    """A copy of a frozen params structure with the field at dotted `path` (e.g. "cuts.max_cut_size") set."""
    head, _, rest = path.partition(".")
    return replace(params, **{head: with_field(getattr(params, head), rest, value) if rest else value})


class _WinCounter:
    """Engine protocol around another engine: counts, per `Candidate.engine`, the results it returns (a portfolio's
    are built by its members; the exact engine's by itself or, when it proves it optimal, by ABC)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.name = engine.name
        self.wins: dict[str, int] = {}

    def synthesize(self, table: int, num_inputs: int, *, budget: Budget,
                   care: int | None = None) -> Candidate | None:
        return self.synthesize_batch([(table, num_inputs)], budget=budget, cares=[care])[0]

    def synthesize_batch(self, functions: Sequence[tuple[int, int]], *, budget: Budget,
                         cares: Sequence[int | None] | None = None) -> list[Candidate | None]:
        results = ask_engine(self.engine, functions, budget=budget, cares=cares)
        for candidate in results:
            if candidate is not None:
                self.wins[candidate.engine] = self.wins.get(candidate.engine, 0) + 1
        return results


def _win_counter(engine: Engine) -> _WinCounter | None:
    inner = engine.engine if isinstance(engine, CachedEngine) else engine
    return inner if isinstance(inner, _WinCounter) else None


def _rewrite(aig: Aig, engine: Engine, params: OptimizeParams, stats: OptimizeStats) -> Aig:
    hits_before = engine.stats.hits if isinstance(engine, CachedEngine) else 0
    counter = _win_counter(engine)
    wins_before = dict(counter.wins) if counter is not None else {}
    if params.schedule is not None:
        result, stats.schedule = _scheduled(aig, engine, params, stats)
    else:
        result, stats.rewrite = rewrite(aig, engine, params.rewrite)
    stats.cache_hits = (engine.stats.hits - hits_before) if isinstance(engine, CachedEngine) else 0
    if counter is not None:
        stats.wins = {name: count - wins_before.get(name, 0) for name, count in counter.wins.items()
                      if count > wins_before.get(name, 0)}
    if result.num_ands > aig.num_ands:
        stats.failure = f"the result has more ANDs ({result.num_ands}) than the input ({aig.num_ands})"
    return result


def _smaller_mapping(original: Aig, result: Aig, params: MappingParams, stats: OptimizeStats,
                     measure: Callable[[Sequence[Aig]], Sequence[float]] | None) -> Aig:
    """`result` if it maps to a smaller area than `original`, else `original` (with the reason in the stats)."""
    try:
        if measure is not None:
            stats.area_before, stats.area_after = measure([original, result])
        else:
            stats.area_before, stats.area_after = (m.area for m in mapped_areas([original, result], params))
    except ScError as exc:
        stats.failure = f"mapping to {params.liberty} failed: {exc}"
        return original
    if stats.area_after < stats.area_before:
        return result
    stats.kept_input = (f"the optimized network ({result.num_ands} ANDs, {depth(result)} levels) does not map "
                        "smaller")
    r = stats.rewrite
    r.ands_after, r.levels_after = r.ands_before, r.levels_before
    return original


def _prove(original: Aig, result: Aig, params: ProofParams, stats: OptimizeStats, path: Sequence[bytes]) -> Aig:
    """`result` proven equivalent to `original`, directly or through `path` (the networks a schedule kept, the last
    being `result`); a network of the path when only it is proven; `original`, with the failure, when none is."""
    start = time.perf_counter()
    step_by_step = len(path) > 1  # a path of one network is the direct proof again
    direct_s = params.time_limit_s * (params.direct_fraction if step_by_step else 1.0)
    try:
        check = check_equivalence(original, result, time_limit_s=direct_s)
        if check.verdict is Verdict.UNDECIDED and step_by_step:
            proven, check = _prove_step_by_step(original, result, path, start + params.time_limit_s, stats)
            if proven is not result and proven is not original:  # a network short of the result
                stats.rewrite.ands_after, stats.rewrite.levels_after = proven.num_ands, depth(proven)
            result = proven
    except ScError as exc:
        stats.proof, stats.failure = "failed", f"equivalence check failed: {exc}"
        return original
    finally:
        stats.time_proof_s = time.perf_counter() - start
    stats.proof_method = check.method
    stats.proof = check.verdict.value
    if check.verdict is not Verdict.EQUIVALENT:
        stats.failure = f"equivalence check {check.verdict.value}: {check.message}"
    return result


def _prove_step_by_step(original: Aig, result: Aig, path: Sequence[bytes], deadline: float,
                        stats: OptimizeStats) -> tuple[Aig, CecResult]:
    """Proves each network of `path` equivalent to the one before it, from `original`, until the deadline (a
    `time.perf_counter()` value). Returns the last network proven (`result` for the whole path) with an equivalent
    verdict, or `original` with the first link's failed verdict; a refuted link (a step changed the function)
    always gives `original`."""
    proven, links_proven = original, 0
    check = CecResult(verdict=Verdict.UNDECIDED, method="", counterexample=None, failing_output=None, time_s=0.0,
                      message="no time left for the proof step by step")
    for index, data in enumerate(path):
        left_s = deadline - time.perf_counter()
        if left_s < 1.0:
            break
        network = result if index == len(path) - 1 else read_aiger_bytes(data)
        check = check_equivalence(proven, network, time_limit_s=left_s)
        if check.verdict is not Verdict.EQUIVALENT:
            break
        proven, links_proven = network, links_proven + 1
    stats.steps_proven = (links_proven, len(path))
    if check.verdict is Verdict.NOT_EQUIVALENT or not links_proven:
        return original, check
    if links_proven < len(path):
        check = replace(check, verdict=Verdict.EQUIVALENT,
                        message=f"{links_proven} of {len(path)} steps proven, then: {check.message}")
    return proven, check


def _scheduled(aig: Aig, engine: Engine, params: OptimizeParams, stats: OptimizeStats
               ) -> tuple[Aig, ScheduleStats]:
    """Runs the anytime schedule for the time limit; an `sc` step's settings override the pipeline's rewrite
    params (their dotted field paths, as `rewrite/options.py` resolved them)."""
    if params.rewrite.time_limit_s is None:
        raise ScError("a schedule needs a time limit")
    start = time.perf_counter()

    def sc_params(overrides: Mapping[str, Any]) -> RewriteParams:
        rewrite_params = params.rewrite
        for path, value in overrides.items():
            rewrite_params = with_field(rewrite_params, path, value)
        return rewrite_params

    slack = params.rewrite.depth_slack
    max_depth = None if math.isinf(slack) else stats.rewrite.levels_before + int(slack)
    result, schedule_stats = run_schedule(aig, params.schedule, params.rewrite.time_limit_s, engine=engine,
                                          sc_params=sc_params, max_depth=max_depth, verbose=params.rewrite.verbose)
    r = stats.rewrite
    r.ands_after, r.levels_after = result.num_ands, depth(result)
    r.stopped_by, r.time_s = "time limit", time.perf_counter() - start
    r.rounds, r.functions_requested = schedule_stats.sc_rounds, schedule_stats.sc_functions
    r.replacements = schedule_stats.sc_replacements
    return result, schedule_stats
