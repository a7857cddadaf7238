"""Monte Carlo tree search over the environment of `actions.py`, around any `evaluate` callable.

`evaluate(states) -> (logits (B, NUM_ACTIONS) float, values (B,) float)` is the only thing search needs from a
model (a stub returning zeros is a valid model). Search is small functions: `expand` (a node gets the network's
prior over its legal actions and a value), `select_slot` (PUCT with normalised Q), `simulate` (descend to a leaf),
`backup`, `choose_slot` (the move played: argmax of the best return discovered below each child, not visit counts),
and `search` drives many functions in lock-step so that one forward pass evaluates one leaf of every tree.

When a state knows a short completion (`State.shortcut`: T* or !T* in one, two or three moves), the prior goes
entirely to the moves that start it: they end the episode soonest that the environment's checks can see. Returns are
those of `actions.terminal_return`; a leaf that is not terminal is valued by `leaf_value`. Every solved state met
anywhere (during simulations or on the played path) is kept: the smallest is the result. With a care mask in the
states, "T*" means T* on the care minterms throughout (ends, returns and shortcuts come from `actions`).
`num_simulations=0` is greedy mode: follow the network's argmax over legal actions, one forward pass per move.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from sc_plugin.learned.actions import (DEFAULT_MAX_ANDS, NUM_ACTIONS, SIZE_WEIGHT, State, solution_size, step,
                                       terminal_return)

__all__ = ["SearchParams", "SearchResult", "PlayedMove", "Node", "Evaluate", "LEAF_VALUES", "search", "new_node",
           "expand", "add_dirichlet_noise", "select_slot", "simulate", "backup", "choose_slot", "min_max_q",
           "action_weights", "leaf_value"]

Evaluate = Callable[[Sequence[State]], tuple[np.ndarray, np.ndarray]]
LEAF_VALUES = ("shortcut", "network")
NO_SOLUTION = 1 << 30  # the size bound of an episode whose function has no known solution
UNKNOWN_VALUE = 0.0  # "shortcut" leaf value with no known completion: between failures (<= 0) and successes (>= 0.5)


@dataclass(frozen=True)
class SearchParams:
    num_simulations: int = 8  # simulations per move; 0 = greedy (network argmax, no tree)
    c_puct: float = 1.25  # exploration weight c in Q + c * P * sqrt(N) / (1 + n)
    dirichlet_alpha: float = 0.3  # root noise concentration
    dirichlet_fraction: float = 0.0  # share of root prior replaced by Dirichlet noise; 0 = off (evaluation)
    stop_when_unbeatable: bool = True  # end a function's episode once its built ANDs reach the best size found
    temperature: float = 0.0  # > 0: sample the move from visits**(1/T) (prior**(1/T) in greedy mode), not argmax
    temperature_moves: int = 1 << 30  # only the first this many moves of an episode are sampled (self-play)
    leaf_value: str = "shortcut"  # value of a non-terminal leaf: "shortcut" or "network" (see `leaf_value`)

    def __post_init__(self) -> None:
        if self.leaf_value not in LEAF_VALUES:
            raise ValueError(f"leaf_value {self.leaf_value!r}: one of {', '.join(LEAF_VALUES)}")


@dataclass
class Node:
    """A tree node. Per-child statistics are arrays over `legal` (slot k is action legal[k])."""

    state: State
    terminal: bool
    legal: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # (K,) flat actions
    prior: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (K,) probabilities
    children: list = field(default_factory=list)  # (K,) Node or None
    visits: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # (K,)
    value_sum: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (K,)
    best: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (K,) best return seen below, -inf if none
    value: float = 0.0  # network value (non-terminal) or true return (terminal)
    expanded: bool = False


@dataclass
class PlayedMove:
    state: State
    weights: np.ndarray  # (NUM_ACTIONS,) visit distribution (the prior when nothing was visited)
    discovered: float  # best return found below this state by its search, -inf if none


@dataclass
class SearchResult:
    best: State | None  # the smallest solved state found, or None
    path: State  # the last state of the played episode
    moves: list[PlayedMove]  # one per played move
    simulations: int  # simulations run for this function
    timed_out: bool


def new_node(state: State) -> Node:
    node = Node(state=state, terminal=state.done)
    if node.terminal:
        node.value = terminal_return(state)
    return node


def expand(node: Node, logits: np.ndarray, value: float) -> None:
    """Stores the prior (softmax of logits over the legal actions) and the value of a non-terminal node."""
    assert logits.shape == (NUM_ACTIONS,), f"evaluate returned logits of shape {logits.shape}, not ({NUM_ACTIONS},)"
    assert np.isfinite(value), f"evaluate returned value {value}"
    legal = np.flatnonzero(node.state.mask)
    chosen = logits[legal].astype(np.float64)
    assert np.all(np.isfinite(chosen)), "evaluate returned non-finite logits for legal actions"
    chosen = np.exp(chosen - chosen.max())
    if node.state.shortcut:  # the moves that finish soonest take all the prior (the network's order among them)
        on_shortcut = np.isin(legal, node.state.shortcut).astype(np.float64)
        chosen = on_shortcut * chosen + 0.0
        chosen = chosen if chosen.sum() > 0 else on_shortcut
    node.legal = legal
    node.prior = chosen / chosen.sum()
    node.children = [None] * len(legal)
    node.visits = np.zeros(len(legal), np.int64)
    node.value_sum = np.zeros(len(legal))
    node.best = np.full(len(legal), -np.inf)
    node.value = float(value)
    node.expanded = True


def add_dirichlet_noise(node: Node, params: SearchParams, rng: np.random.Generator) -> None:
    if params.dirichlet_fraction > 0 and len(node.legal) > 1:
        noise = rng.dirichlet([params.dirichlet_alpha] * len(node.legal))
        node.prior = (1 - params.dirichlet_fraction) * node.prior + params.dirichlet_fraction * noise


def min_max_q(node: Node) -> np.ndarray:
    """(K,) child Q values in [0, 1]: mean return of visited children, the node's own value for unvisited ones,
    min-max normalised over those values (as mctx's qtransform_by_min_max)."""
    q = np.where(node.visits > 0, node.value_sum / np.maximum(node.visits, 1), node.value)
    low, high = min(q.min(), node.value), max(q.max(), node.value)
    return (q - low) / (high - low) if high > low else np.zeros_like(q)


def select_slot(node: Node, params: SearchParams, rng: np.random.Generator,
                q_transform: Callable[[Node], np.ndarray] = min_max_q) -> int:
    """PUCT: argmax of Q + c * P * sqrt(N) / (1 + n); exact ties broken at random (as mctx does), so a flat prior
    does not always explore the same child first."""
    total = node.visits.sum()
    score = q_transform(node) + params.c_puct * node.prior * np.sqrt(total + 1) / (1 + node.visits)
    best = np.flatnonzero(score == score.max())
    return int(best[0]) if len(best) == 1 else int(rng.choice(best))


def simulate(root: Node, params: SearchParams, rng: np.random.Generator) -> tuple[list[tuple[Node, int]], Node]:
    """Descends from `root` to a leaf (unexpanded or terminal), creating the leaf node. Returns (path of
    (node, slot) pairs, leaf)."""
    path: list[tuple[Node, int]] = []
    node = root
    while node.expanded and not node.terminal:
        slot = select_slot(node, params, rng)
        child = node.children[slot]
        if child is None:
            child = new_node(step(node.state, int(node.legal[slot])))
            node.children[slot] = child
        path.append((node, slot))
        node = child
    return path, node


def backup(path: list[tuple[Node, int]], value: float) -> None:
    for node, slot in path:
        node.visits[slot] += 1
        node.value_sum[slot] += value
        node.best[slot] = max(node.best[slot], value)


def choose_slot(node: Node, temperature: float = 0.0, rng: np.random.Generator | None = None) -> int:
    """The move played: the child with the best return discovered below it (visited children only), or the prior's
    argmax when nothing was visited (greedy mode); ties go to the higher prior. With temperature > 0 the move is
    sampled instead, from visits**(1/temperature) (prior**(1/temperature) when nothing was visited)."""
    visited = node.visits.sum() > 0
    if temperature > 0 and rng is not None:
        weights = (node.visits.astype(np.float64) if visited else node.prior) ** (1.0 / temperature)
        return int(rng.choice(len(weights), p=weights / weights.sum()))
    if not visited:
        return int(np.argmax(node.prior))
    best = np.where(node.visits > 0, node.best, -np.inf)
    return int(np.lexsort((node.prior, best))[-1])


def action_weights(node: Node) -> np.ndarray:
    """(NUM_ACTIONS,) visit distribution at a node (the prior when unvisited): a training target for phase 2."""
    weights = np.zeros(NUM_ACTIONS)
    visits = node.visits.astype(np.float64)
    weights[node.legal] = visits / visits.sum() if visits.sum() > 0 else node.prior
    return weights


@dataclass
class _Game:
    root: Node
    group: int
    best: State | None = None
    best_size: int = NO_SOLUTION
    moves: list = field(default_factory=list)
    simulations: int = 0
    finished: bool = False

    def record(self, state: State) -> None:
        if state.solved:
            size = solution_size(state)
            if size < self.best_size:
                self.best, self.best_size = state, size


def leaf_value(state: State, network_value: float, params: SearchParams) -> float:
    """The value backed up from a non-terminal leaf. "network": the value head's. "shortcut": the return of the
    completion the environment already knows (`State.shortcut`, a size of at most num_ands + shortcut_moves), else
    UNKNOWN_VALUE. "shortcut" is the default because the value head ranks states off the gold path poorly (compare
    both with benchmarks/heldout_compare.py --leaf-value). With it, Q stays flat until a search meets a known
    completion or an episode's end, so visits follow the prior and c_puct changes little."""
    if params.leaf_value == "network":
        return network_value
    if state.shortcut_moves:
        return 1.0 - SIZE_WEIGHT * (state.num_ands + state.shortcut_moves) / DEFAULT_MAX_ANDS
    return UNKNOWN_VALUE


def _expand_all(nodes: list[Node], evaluate: Evaluate, params: SearchParams) -> list[float]:
    """One forward pass for all nodes; expands them and returns their leaf values."""
    logits, values = evaluate([node.state for node in nodes])
    logits, values = np.asarray(logits), np.asarray(values)
    assert logits.shape == (len(nodes), NUM_ACTIONS), f"evaluate returned logits {logits.shape}"
    assert values.shape == (len(nodes),), f"evaluate returned values {values.shape}"
    for node, node_logits, value in zip(nodes, logits, values):
        expand(node, node_logits, leaf_value(node.state, float(value), params))
    return [node.value for node in nodes]


def search(roots: Sequence[State], evaluate: Evaluate, params: SearchParams, rng: np.random.Generator, *,
           time_limit_s: float | None = None, groups: Sequence[int] | None = None,
           known_sizes: dict[int, int] | None = None) -> list[SearchResult]:
    """Plays one episode per root state, all in lock-step (one batched evaluation per simulation wave).

    Stops early at `time_limit_s` (wall clock for the whole call); results then hold what was found so far.
    Episodes with equal `groups` ids search one function (default: each its own), so with `stop_when_unbeatable`
    a solution found by one also ends the others once they have built as many ANDs; `known_sizes` maps a group to
    the size of a solution found before this call, which bounds them the same way.
    """
    start = time.perf_counter()
    games = [_Game(root=new_node(state), group=k if groups is None else groups[k]) for k, state in enumerate(roots)]
    group_best = dict(known_sizes or {})  # group -> smallest solution size known

    def record(game: _Game, state: State) -> None:
        game.record(state)
        group_best[game.group] = min(group_best.get(game.group, NO_SOLUTION), game.best_size)

    timed_out = False
    for game in games:
        if game.root.terminal:
            record(game, game.root.state)
            game.finished = True
    while True:
        active = [g for g in games if not g.finished]
        if not active:
            break
        if time_limit_s is not None and time.perf_counter() - start > time_limit_s:
            timed_out = True
            break
        unexpanded = [g.root for g in active if not g.root.expanded]
        if unexpanded:
            _expand_all(unexpanded, evaluate, params)
        for game in active:
            add_dirichlet_noise(game.root, params, rng)
        for _ in range(params.num_simulations):
            waiting: list[tuple[_Game, list, Node]] = []
            for game in active:
                path, leaf = simulate(game.root, params, rng)
                game.simulations += 1
                if leaf.terminal:
                    record(game, leaf.state)
                    backup(path, leaf.value)
                else:
                    waiting.append((game, path, leaf))
            if waiting:
                values = _expand_all([leaf for _, _, leaf in waiting], evaluate, params)
                for (game, path, _), value in zip(waiting, values):
                    backup(path, value)
            if time_limit_s is not None and time.perf_counter() - start > time_limit_s:
                break
        for game in active:
            root = game.root
            temperature = params.temperature if len(game.moves) < params.temperature_moves else 0.0
            slot = choose_slot(root, temperature, rng)
            discovered = float(root.best.max()) if len(root.best) else -np.inf
            game.moves.append(PlayedMove(root.state, action_weights(root), discovered))
            child = root.children[slot]
            if child is None:
                child = new_node(step(root.state, int(root.legal[slot])))
                root.children[slot] = child
            game.root = child
            if child.terminal:
                record(game, child.state)
                game.finished = True
            elif params.stop_when_unbeatable and child.state.num_ands >= group_best.get(game.group, NO_SOLUTION):
                game.finished = True
    return [SearchResult(best=g.best, path=g.root.state, moves=g.moves, simulations=g.simulations,
                         timed_out=timed_out and not g.finished) for g in games]
