"""Best-of engine: runs several engines on each function within one budget and keeps the smallest verified result.

Order per batch: the exact engine first (it answers <= 4-input functions from the NPN4 library, takes ABC's result
as its upper bound and searches below it with SAT, proving ABC optimal when every smaller size is refuted), then
the other engines (e.g. the learned MCTS engine), each asked only for results smaller than the best so far, only
where that has at least `followers_min_ands` ANDs, and given its share of the time: one call per batch, bounded by
the loosest of the functions' bounds, whose results count only where they beat their own function's best. A
function's result is the smallest verified candidate; ties go to the earlier engine.
Every engine gets the caller's deadline; past it, only the first engine is asked. Care masks go to every engine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Sequence

from sc_plugin.engines.base import Budget, Candidate, Engine, ask_engine, cares_of

__all__ = ["PortfolioParams", "PortfolioStats", "PortfolioEngine"]


@dataclass(frozen=True)
class PortfolioParams:
    # Share of each function's time budget given to the first engine when more engines follow (the rest is split
    # evenly among the followers). Small: the exact engine's ABC bound and NPN4 library answers take little of it,
    # and its SAT search below ABC's size rarely finishes on 6-8-input functions, where the learned engine with its
    # fallback and polishing uses the time better on functions ABC builds poorly.
    first_engine_time_fraction: float = 0.1
    # The engines after the first are asked only for functions whose best result so far has at least this many
    # ANDs: below it the learned engine has not beaten ABC's scripts, and asking it would cost its whole share
    followers_min_ands: int = 12
    # The followers together take at most this multiple of the time the first engine took on the batch (inf: only
    # their share of the budget bounds them). The first engine runs ABC on every function, so 1.0 holds the
    # portfolio near twice the abc engine's time, whatever the per-function budget.
    followers_time_ratio: float = 1.0


@dataclass
class PortfolioStats:
    functions: int = 0
    wins: dict[str, int] | None = None  # engine name -> functions where it gave the returned result
    time_s: float = 0.0

    def report(self) -> str:
        wins = ", ".join(f"{k} {v}" for k, v in sorted((self.wins or {}).items()))
        return f"portfolio: {self.functions} functions, wins: {wins or 'none'}, {self.time_s:.2f}s"


def _bound(max_ands: int | None, best: Candidate | None) -> int | None:
    """The most ANDs a further result may have: fewer than the best so far, and within the caller's bound."""
    if best is None:
        return max_ands
    return best.ands - 1 if max_ands is None else min(max_ands, best.ands - 1)


class PortfolioEngine:
    """Engine protocol over a list of engines (the first gets the largest share of the time)."""

    name = "portfolio"

    def __init__(self, engines: Sequence[Engine], params: PortfolioParams = PortfolioParams()) -> None:
        if not engines:
            raise ValueError("a portfolio needs at least one engine")
        self.engines = list(engines)
        self.params = params
        self.stats = PortfolioStats(wins={})

    def synthesize(self, table: int, num_inputs: int, *, budget: Budget,
                   care: int | None = None) -> Candidate | None:
        return self.synthesize_batch([(table, num_inputs)], budget=budget, cares=[care])[0]

    def synthesize_batch(self, functions: Sequence[tuple[int, int]], *, budget: Budget,
                         cares: Sequence[int | None] | None = None) -> list[Candidate | None]:
        start = time.perf_counter()
        cares = cares_of(functions, cares)
        best: list[Candidate | None] = [None] * len(functions)
        spent = [0.0] * len(functions)
        # an engine that could not be built (`registry.DeferredEngine.failed`) takes no share of the time
        engines = [engine for engine in self.engines if not getattr(engine, "failed", False)]
        followers = len(engines) - 1
        first_engine_s = 0.0
        for position, engine in enumerate(engines):
            if followers == 0:
                share = 1.0
            elif position == 0:
                share = self.params.first_engine_time_fraction
            else:
                share = (1.0 - self.params.first_engine_time_fraction) / followers
            todo = [i for i, c in enumerate(best) if c is None or not (
                    c.optimal or (position > 0 and c.ands < self.params.followers_min_ands))]
            if not todo:
                break
            # one call for the whole batch, bounded by the loosest of the functions' bounds: an engine that works
            # in batches (the learned engine) would lose its batching to one call per distinct bound; a result
            # that does not beat its own function's best is dropped below
            bounds = [_bound(budget.max_ands, best[i]) for i in todo]
            indices = [i for i, bound in zip(todo, bounds) if bound is None or bound >= 0]
            if indices and not (position > 0 and budget.seconds_left() <= 0):
                # past the deadline the first engine still answers what needs no search (constants, literals,
                # library)
                loosest = None if None in bounds else max(bounds)
                time_ms = budget.time_ms * share
                if position > 0:
                    time_ms = min(time_ms, 1000.0 * self.params.followers_time_ratio * first_engine_s
                                  / (followers * len(indices)))
                sub = replace(budget, time_ms=time_ms, max_ands=loosest)  # keeps the deadline
                asked_at = time.perf_counter()
                results = ask_engine(engine, [functions[i] for i in indices], budget=sub,
                                     cares=[cares[i] for i in indices])
                if position == 0:
                    first_engine_s = time.perf_counter() - asked_at
                for i, candidate in zip(indices, results):
                    if candidate is None:
                        continue
                    spent[i] += candidate.time_s
                    if best[i] is None or candidate.ands < best[i].ands or (
                            candidate.ands == best[i].ands and candidate.optimal and not best[i].optimal):
                        best[i] = candidate
        for i, candidate in enumerate(best):
            if candidate is not None:
                self.stats.wins[candidate.engine] = self.stats.wins.get(candidate.engine, 0) + 1
                best[i] = replace(candidate, time_s=max(candidate.time_s, spent[i]))
        self.stats.functions += len(functions)
        self.stats.time_s += time.perf_counter() - start
        return best
