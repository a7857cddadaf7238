"""Self-play (phase 2): search episodes played with exploration, turned into training samples.

A game is one `search` episode for one target function, with Dirichlet noise at every root and the first moves
sampled from the visit counts. A game yields:
- every played state, with the search's visit distribution as policy target and, as value target, the discovered
  return: the best return found below that state or any later state of the game (the end state's return if nothing
  better was found). When the function comes with a gold cone (its implementation in the source circuit), a share
  `expert_mix` of the policy target goes to the actions that build a gold node not built yet: the states the
  network reaches by its own mistakes get a teacher (DAgger), which phase 1's gold prefixes never give them;
- when the game solved its function and `imitate_solutions` is on, the states of the smallest solution's cone built
  in order (dead nodes dropped), with the uniform distribution over the cone's buildable ANDs as policy target and
  the solution's return as value target: the search's best result teaches the policy directly, as gold does in
  phase 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from sc_plugin.learned.actions import (DEFAULT_MAX_ANDS, MAX_NODES, State, actions_building, decode_action,
                                       encode_action, initial_state, solution_size, terminal_return)
from sc_plugin.learned.search import Evaluate, SearchParams, SearchResult, search
from sc_plugin.training.data import Sample

__all__ = ["SelfPlayParams", "SelfPlayTask", "GameResult", "play_games", "move_samples", "solution_samples"]


@dataclass(frozen=True)
class SelfPlayParams:
    simulations: int = 8  # per move
    c_puct: float = 1.25
    dirichlet_alpha: float = 0.3  # root noise concentration (AlphaZero used 0.03-0.3 for 19x19 to chess)
    dirichlet_fraction: float = 0.25  # share of the root prior replaced by noise
    temperature: float = 1.0  # the first temperature_moves moves are sampled from visits**(1/temperature)
    temperature_moves: int = 3
    max_ands: int = DEFAULT_MAX_ANDS
    imitate_solutions: bool = True  # add the best solution's cone as samples (see the module docstring)
    expert_mix: float = 0.5  # share of a played state's policy target given to the gold cone's buildable nodes

    def search_params(self) -> SearchParams:
        return SearchParams(num_simulations=self.simulations, c_puct=self.c_puct,
                            dirichlet_alpha=self.dirichlet_alpha, dirichlet_fraction=self.dirichlet_fraction,
                            temperature=self.temperature, temperature_moves=self.temperature_moves)


@dataclass(frozen=True)
class SelfPlayTask:
    table: int
    num_inputs: int
    gold: np.ndarray | None = None  # (K, TT_WORDS) tiled tables of a known implementation's ANDs, if any
    care: int | None = None  # care mask of the table; None: completely specified


@dataclass
class GameResult:
    table: int
    num_inputs: int
    size: int | None  # ANDs of the smallest solution found, None when the game failed
    samples: list[Sample]


def play_games(tasks: Sequence[SelfPlayTask], evaluate: Evaluate, params: SelfPlayParams,
               rng: np.random.Generator) -> list[GameResult]:
    """One game per task, all searched in lock-step (batched network evaluation)."""
    roots = [initial_state(t.table, t.num_inputs, care=t.care,
                           max_ands=min(params.max_ands, MAX_NODES - t.num_inputs)) for t in tasks]
    results = search(roots, evaluate, params.search_params(), rng)
    games = []
    for task, result in zip(tasks, results):
        samples = move_samples(result, task.gold, params.expert_mix)
        if result.best is not None and params.imitate_solutions:
            samples += solution_samples(result.best)
        size = solution_size(result.best) if result.best is not None else None
        games.append(GameResult(table=task.table, num_inputs=task.num_inputs, size=size, samples=samples))
    return games


def move_samples(result: SearchResult, gold: np.ndarray | None = None, expert_mix: float = 0.0) -> list[Sample]:
    """The played states with visit-distribution policy targets (mixed with the gold continuation when `gold` is
    given) and discovered-return value targets."""
    later = terminal_return(result.path) if result.path.done else -np.inf
    values = []
    for move in reversed(result.moves):
        later = max(later, move.discovered)
        values.append(later)
    samples = []
    for move, value in zip(result.moves, reversed(values)):
        if not np.isfinite(value):  # a game stopped by its time limit before any return was seen
            continue
        weights = move.weights
        expert = actions_building(move.state.tables, gold) if gold is not None and expert_mix > 0 else ()
        if expert:
            weights = (1 - expert_mix) * weights
            weights[list(expert)] += expert_mix / len(expert)
        actions = np.flatnonzero(weights)
        samples.append(Sample(num_inputs=move.state.num_inputs, target=move.state.target, care=move.state.care,
                              tables=move.state.tables, actions=actions,
                              weights=weights[actions].astype(np.float32), value=value))
    return samples


def solution_samples(solved: State) -> list[Sample]:
    """The solution's cone rebuilt without dead nodes, one sample per build step: the policy target is uniform over
    the cone's ANDs not built yet whose fanins exist, the value target the solution's return."""
    n = solved.num_inputs
    needed = np.zeros(solved.num_nodes, dtype=bool)
    needed[:n] = True
    needed[-1] = True
    for node in range(solved.num_nodes - 1, n - 1, -1):
        if needed[node]:
            _, i, j = decode_action(solved.actions[node - n])
            needed[i] = needed[j] = True
    kept = np.flatnonzero(needed)
    position = np.full(solved.num_nodes, -1)
    position[kept] = np.arange(len(kept))
    # (polarity, i, j) of each kept AND in the compacted numbering; the renumbering keeps i < j
    ands = []
    for node in kept[n:]:
        polarity, i, j = decode_action(solved.actions[node - n])
        ands.append((polarity, int(position[i]), int(position[j])))
    tables = solved.tables[kept]
    value = terminal_return(solved)
    samples = []
    for built in range(len(ands)):
        num_nodes = n + built
        buildable = [encode_action(p, i, j) for k, (p, i, j) in enumerate(ands)
                     if k >= built and j < num_nodes]
        samples.append(Sample(num_inputs=n, target=solved.target, care=solved.care, tables=tables[:num_nodes],
                              actions=np.array(buildable, dtype=np.int64),
                              weights=np.full(len(buildable), 1.0 / len(buildable), np.float32), value=value))
    return samples
