"""The learned engine `mcts`: the policy-value network guiding tree search (ShortCircuit), behind `Engine`.

Constants and literals are answered without search. Every other function is searched (`learned.search.search`),
many functions at once in `synthesize_batch` so one forward pass evaluates a leaf of every tree, and the smallest
solved episode is rebuilt as an AIG and returned only through `make_candidate` (exhaustive verification).
An incompletely specified function is searched with its care mask in the state (`learned.actions`): an episode
ends once the built node matches on the care minterms, and the network sees which minterms are cared for.
`MctsParams` in, `engine.stats` (`MctsStats`, over all calls) out; the module loads torch only when an engine is built.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from sc_plugin.aig.functions import trivial_implementation
from sc_plugin.engines.base import Budget, Candidate, cares_of, make_candidate
from sc_plugin.errors import ScError
from sc_plugin.learned.actions import DEFAULT_MAX_ANDS, MAX_NODES, State, build_aig, initial_state, solution_size
from sc_plugin.learned.search import SearchParams, search

__all__ = ["MctsEngine", "MctsParams", "MctsStats", "PRECISIONS", "search_dtype"]


@dataclass(frozen=True)
class MctsParams:
    """Settings of the learned engine."""

    checkpoint: str | None = None  # model file; None: the checkpoint shipped with the package
    simulations: int = 0  # tree-search simulations per move of the deterministic episode; 0 is greedy
    rollouts: int = 24  # episodes sampled from the policy after it, while the budget lasts
    rollout_temperature: float = 0.5  # softmax temperature of those samples
    c_puct: float = 1.25  # exploration weight of PUCT selection
    max_ands: int = DEFAULT_MAX_ANDS  # an episode that builds this many ANDs without a solution fails
    batch_size: int = 64  # functions searched in lock-step, one forward pass for all of them
    seed: int = 0  # of the sampling; the same seed gives the same circuits
    num_threads: int | None = 1  # torch threads; None leaves torch's default (the engine shares the machine)
    precision: str = "auto"  # the network's dtype in search, one of PRECISIONS (search_dtype)


@dataclass
class MctsStats:
    """Counters of one MctsEngine (all calls)."""

    functions: int = 0  # functions asked for
    trivial: int = 0  # constants and literals, answered without search
    solved: int = 0  # searched functions with a verified candidate (trivial ones not counted)
    episodes: int = 0  # deterministic episodes played, one per searched function
    rollouts: int = 0  # episodes sampled from the policy after them
    simulations: int = 0  # tree-search simulations over all episodes
    timed_out: int = 0  # episodes that the time budget cut short
    time_s: float = 0.0

    def report(self) -> str:
        return (f"mcts: {self.functions} functions, {self.trivial} trivial, {self.solved} solved by search, "
                f"{self.episodes} episodes, {self.rollouts} rollouts, {self.simulations} simulations, "
                f"{self.timed_out} timed out, {self.time_s:.2f}s")


PRECISIONS = ("auto", "float32", "bfloat16")


def search_dtype(precision: str) -> str:
    """The network's dtype in search: float32, bfloat16, or for "auto" bfloat16 where the CPU multiplies it natively
    (AVX-512 BF16 or AMX in /proc/cpuinfo's flags), which makes search faster, and float32 elsewhere, where
    bfloat16 would be emulated and slower."""
    if precision not in PRECISIONS:
        raise ScError(f"precision {precision!r}: choose one of {', '.join(PRECISIONS)}")
    if precision != "auto":
        return precision
    try:
        flags = set(Path("/proc/cpuinfo").read_text().split())
    except OSError:
        flags = set()
    return "bfloat16" if flags & {"avx512_bf16", "amx_bf16"} else "float32"


def _smaller(a: State | None, b: State | None) -> State | None:
    if a is None or b is None:
        return a or b
    return b if solution_size(b) < solution_size(a) else a


class MctsEngine:
    """Network-guided search: one deterministic episode (greedy when `simulations` is 0, else tree search with that
    many simulations per move), then `rollouts` episodes sampled from the policy at `rollout_temperature`, all
    batched, while the time budget lasts; the smallest verified result wins. A rollout stops once it has built as
    many ANDs as the smallest solution its function has so far (it cannot beat it), which saves network calls that
    could not pay off. Results never exceed `max_ands` (nor a budget's max_ands). The time budget is per function;
    in `synthesize_batch` a chunk of functions shares len(chunk) times the budget, and each candidate's time_s is
    the chunk's time divided by its size. A budget's deadline cuts the search short (it checks the clock between
    moves and simulation waves); chunks not started by then are answered None."""

    name = "mcts"

    def __init__(self, params: MctsParams = MctsParams()) -> None:
        # torch loads only when the learned engine is asked for, not with every engine
        import torch

        from sc_plugin.learned.checkpoint import default_checkpoint_path, load_model
        from sc_plugin.learned.model import network_evaluator

        if params.num_threads is not None:
            torch.set_num_threads(params.num_threads)  # the engine shares the machine with SAT and ABC workers
        self.params = params
        self.stats = MctsStats()
        self.checkpoint_path = str(params.checkpoint or default_checkpoint_path())
        self.model, payload = load_model(self.checkpoint_path)
        self.model.to(getattr(torch, search_dtype(params.precision)))
        self.checkpoint_info = {k: payload.get(k) for k in ("step", "metrics", "data", "created")}
        self.search_params = SearchParams(num_simulations=params.simulations, c_puct=params.c_puct)
        self.rollout_params = SearchParams(num_simulations=0, temperature=params.rollout_temperature)
        self._evaluate = network_evaluator(self.model)

    def synthesize(self, table: int, num_inputs: int, *, budget: Budget,
                   care: int | None = None) -> Candidate | None:
        return self.synthesize_batch([(table, num_inputs)], budget=budget, cares=[care])[0]

    def synthesize_batch(self, functions: Sequence[tuple[int, int]], *, budget: Budget,
                         cares: Sequence[int | None] | None = None) -> list[Candidate | None]:
        call_start = time.perf_counter()
        cares = cares_of(functions, cares)
        self.stats.functions += len(functions)
        results: list[Candidate | None] = [None] * len(functions)
        cap = self.params.max_ands if budget.max_ands is None else min(self.params.max_ands, budget.max_ands)
        pending: list[int] = []
        for index, ((table, num_inputs), care) in enumerate(zip(functions, cares)):
            start = time.perf_counter()
            trivial = trivial_implementation(table, num_inputs, care)
            if trivial is not None:
                results[index] = make_candidate(table, num_inputs, trivial, engine=self.name, start_time=start,
                                                optimal=True, care=care)
                self.stats.trivial += 1
            elif cap >= 1:
                pending.append(index)
        rng = np.random.default_rng(self.params.seed)
        for offset in range(0, len(pending), self.params.batch_size):
            chunk = pending[offset:offset + self.params.batch_size]
            # the chunk's share of the per-function budgets, cut short by the caller's deadline
            time_limit_s = min(budget.time_ms / 1000.0 * len(chunk), budget.seconds_left())
            if time_limit_s <= 0:
                break
            start = time.perf_counter()
            roots = [initial_state(functions[i][0], functions[i][1], max_ands=min(cap, MAX_NODES - functions[i][1]),
                                   care=cares[i]) for i in chunk]
            played = search(roots, self._evaluate, self.search_params, rng, time_limit_s=time_limit_s)
            self.stats.episodes += len(played)
            self.stats.simulations += sum(result.simulations for result in played)
            self.stats.timed_out += sum(result.timed_out for result in played)
            best = [result.best for result in played]
            left_s = time_limit_s - (time.perf_counter() - start)
            if self.params.rollouts > 0 and left_s > 0:
                known = {k: solution_size(state) for k, state in enumerate(best) if state is not None}
                sampled = search([root for root in roots for _ in range(self.params.rollouts)], self._evaluate,
                                 self.rollout_params, rng, time_limit_s=left_s,
                                 groups=[k for k in range(len(roots)) for _ in range(self.params.rollouts)],
                                 known_sizes=known)
                self.stats.rollouts += len(sampled)  # sampled without a tree: no simulations to count
                self.stats.timed_out += sum(result.timed_out for result in sampled)
                for k, result in enumerate(sampled):
                    best[k // self.params.rollouts] = _smaller(best[k // self.params.rollouts], result.best)
            share = (time.perf_counter() - start) / len(chunk)
            for index, state in zip(chunk, best):
                if state is not None:
                    table, num_inputs = functions[index]
                    results[index] = make_candidate(table, num_inputs, build_aig(state), engine=self.name,
                                                    start_time=time.perf_counter() - share, care=cares[index])
                    self.stats.solved += int(results[index] is not None)
        self.stats.time_s += time.perf_counter() - call_start
        return results
