"""The synthesis environment: states, the one action encoding, masks, step, termination and return.

A state holds the truth tables of the nodes built so far (the n inputs first, then one AND per step), the target T*,
its care mask C (the minterms whose value matters; all ones for a completely specified target) and the actions
taken. Every table is tiled to 256 bits (`truth.tile`), stored as TT_WORDS uint64 words, so one model
and one mask computation serve every n <= 8.

Action (p, i, j) with i < j over node indices, p the polarity: bit 0 complements node i, bit 1 complements node j
  p=0: v_i & v_j   p=1: !v_i & v_j   p=2: v_i & !v_j   p=3: !v_i & !v_j
and is encoded as the flat index (p * MAX_NODES + i) * MAX_NODES + j; `encode_action` / `decode_action` are the only
place that knows this. Mask: i < j < num_nodes, result not constant, not equal to an existing node or its complement
(which also excludes every action already taken). The episode ends when the new node equals T* or !T* on the care
minterms (the output inverter is free), when max_ands ANDs are built, or when no action is left. Everything that
compares a node with the target (the end test, the return, the shortcut checks below) counts care minterms only,
and the network is told which minterms those are (`model.featurize`'s don't-care block).

Each state also carries a shortcut (`_shortcut`): the legal actions that start the shortest completion found by
three resubstitution-style checks, and that completion's length in moves (the output inverter is free throughout;
"=" is equality on the care minterms):
  1 move:  one AND of two existing nodes is T* or !T*;
  2 moves: a new node r with r & x (or !r & x) = T* or !T* for an existing literal x;
  3 moves: two new nodes r, s with r & s = T* or !T* (literals of either polarity; an XOR of two existing nodes is
           one case), among the _MAX_PAIR_LITERALS candidates with the fewest care minterms outside T* (or !T*).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from sc_plugin.aig.network import Aig
from sc_plugin.aig.npn import mix64, popcount64
from sc_plugin.aig.truth import MAX_INPUTS, projection, table_mask, to_words

__all__ = [
    "MAX_NODES",
    "NUM_ACTIONS",
    "DEFAULT_MAX_ANDS",
    "State",
    "encode_action",
    "decode_action",
    "initial_state",
    "step",
    "action_mask",
    "actions_building",
    "terminal_return",
    "solution_size",
    "build_aig",
    "table_bits",
]

MAX_NODES = 40  # 8 inputs + up to 32 ANDs; fixes the action space so one encoding serves every state
NUM_ACTIONS = 4 * MAX_NODES * MAX_NODES
DEFAULT_MAX_ANDS = 30  # N_max: the paper's cap, and the default episode length
SIZE_WEIGHT = 0.5  # success return = 1 - SIZE_WEIGHT * size / max_ands: smaller circuits are worth more

_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)
_MAX_PAIR_LITERALS = 96  # candidates for the 3-move check's pairs (M^2 work); typical states have far fewer


def encode_action(polarity: int, i: int, j: int) -> int:
    """Flat action index of (p, i, j); requires 0 <= p < 4 and 0 <= i < j < MAX_NODES."""
    assert 0 <= polarity < 4 and 0 <= i < j < MAX_NODES, (polarity, i, j)
    return (polarity * MAX_NODES + i) * MAX_NODES + j


def decode_action(action: int) -> tuple[int, int, int]:
    """(p, i, j) of a flat action index."""
    polarity, rest = divmod(int(action), MAX_NODES * MAX_NODES)
    i, j = divmod(rest, MAX_NODES)
    return polarity, i, j


@dataclass(frozen=True)
class State:
    """One point of an episode. Arrays are never mutated; `step` returns a new state."""

    num_inputs: int
    target: np.ndarray  # (TT_WORDS,) uint64, tiled T*
    tables: np.ndarray  # (num_nodes, TT_WORDS) uint64, tiled; rows 0..n-1 are the inputs
    actions: tuple[int, ...]  # flat actions taken, one per AND
    mask: np.ndarray  # (NUM_ACTIONS,) bool, legal actions
    max_ands: int  # episode length cap (N_max, or less when a budget asks for smaller results)
    care: np.ndarray  # (TT_WORDS,) uint64, tiled care mask C; all ones for a completely specified target
    shortcut: tuple[int, ...] = ()  # legal actions starting the shortest completion found (module docstring)
    shortcut_moves: int = 0  # that completion's length in moves, 0 when none was found
    solved: bool = False  # the last node equals T* or !T* on the care minterms
    output_complemented: bool = False  # the last node equals !T* on the care minterms

    @property
    def num_nodes(self) -> int:
        return self.tables.shape[0]

    @property
    def num_ands(self) -> int:
        return self.tables.shape[0] - self.num_inputs

    @property
    def finishing(self) -> tuple[int, ...]:
        """Legal actions that build T* or !T*."""
        return self.shortcut if self.shortcut_moves == 1 else ()

    @property
    def done(self) -> bool:
        return self.solved or self.num_ands >= self.max_ands or not self.mask.any()


def action_mask(tables: np.ndarray) -> np.ndarray:
    """(NUM_ACTIONS,) bool legal-action mask for nodes with these tiled tables ((num_nodes, TT_WORDS) uint64)."""
    return _mask_and_shortcut(tables, None, None)[0]


def actions_building(tables: np.ndarray, wanted: np.ndarray) -> tuple[int, ...]:
    """Legal actions, for nodes with these tiled tables, whose result is one of `wanted` ((K, TT_WORDS) tiled
    tables) or the complement of one."""
    results, legal = _pair_results(tables)
    return _flat_actions(tables.shape[0], legal & _results_in(results, np.ascontiguousarray(wanted)))


def _mask_and_shortcut(tables: np.ndarray, target: np.ndarray | None, care: np.ndarray | None
                       ) -> tuple[np.ndarray, tuple[int, ...], int]:
    """(legal mask, shortcut actions, shortcut moves); see the module docstring."""
    num_nodes = tables.shape[0]
    results, legal = _pair_results(tables)
    rows, cols = _pairs(num_nodes)
    mask = np.zeros((4, MAX_NODES, MAX_NODES), dtype=bool)
    mask[:, rows, cols] = legal
    if target is None:
        return mask.reshape(-1), (), 0
    moves = _completion_moves(tables, target, care, results, legal, _MAX_PAIR_LITERALS)
    if not moves.any():
        return mask.reshape(-1), (), 0
    fewest = int(moves[moves > 0].min())
    return mask.reshape(-1), _flat_actions(num_nodes, moves == fewest), fewest


def _flat_actions(num_nodes: int, chosen: np.ndarray) -> tuple[int, ...]:
    """Flat actions of the True entries of a (4, P) per-(polarity, pair) array, polarity-major."""
    rows, cols = _pairs(num_nodes)
    pol, pair = np.nonzero(chosen)
    return tuple(int((p * MAX_NODES + rows[k]) * MAX_NODES + cols[k]) for p, k in zip(pol, pair))


_PAIRS: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _pairs(num_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) of all pairs i < j, row-major: pair k of the (4, P) arrays below."""
    if num_nodes not in _PAIRS:
        _PAIRS[num_nodes] = np.triu_indices(num_nodes, k=1)
    return _PAIRS[num_nodes]


# Kernels (numba): one state's scan is ~3000 results of four words, too small for numpy calls to pay off.

@numba.njit(cache=True)
def _table_hash(table):
    return mix64(table[0] ^ mix64(table[1] ^ mix64(table[2] ^ mix64(table[3]))))


@numba.njit(cache=True)
def _equal(a, flip, b):
    """a ^ flip == b, word by word (flip is 0 or all ones); loops over words: no temporary arrays."""
    for w in range(a.shape[0]):
        if (a[w] ^ flip) != b[w]:
            return False
    return True


@numba.njit(cache=True)
def _covers(literal, flip, goal):
    """goal implies literal ^ flip."""
    for w in range(goal.shape[0]):
        if goal[w] & ~(literal[w] ^ flip):
            return False
    return True


@numba.njit(cache=True)
def _excesses_disjoint(a, flip_a, b, flip_b, forbidden):
    """(a ^ flip_a) & (b ^ flip_b) has no minterm in `forbidden` (the care minterms outside the goal)."""
    for w in range(forbidden.shape[0]):
        if (a[w] ^ flip_a) & (b[w] ^ flip_b) & forbidden[w]:
            return False
    return True


@numba.njit(cache=True)
def _matches(results, target, care):
    """(4, P) bool: the result equals the target or its complement on the care minterms."""
    found = np.zeros(results.shape[:2], dtype=np.bool_)
    for p in range(results.shape[0]):
        for k in range(results.shape[1]):
            same = True
            opposite = True
            for w in range(target.shape[0]):
                diff = (results[p, k, w] ^ target[w]) & care[w]
                same &= diff == 0
                opposite &= diff == care[w]
            found[p, k] = same or opposite
    return found


@numba.njit(cache=True)
def _pair_results(tables):
    """results (4, P, TT_WORDS): per polarity p and pair k = (i, j), (v_i ^ c_i(p)) & (v_j ^ c_j(p)); legal (4, P):
    the result is not constant and equals no existing node or its complement."""
    num_nodes, words = tables.shape
    hashes = np.empty(2 * num_nodes, dtype=np.uint64)  # literal 2i + f is node i complemented when f = 1
    complemented = np.empty(words, dtype=np.uint64)
    for i in range(num_nodes):
        hashes[2 * i] = _table_hash(tables[i])
        for w in range(words):
            complemented[w] = ~tables[i, w]
        hashes[2 * i + 1] = _table_hash(complemented)
    order = np.argsort(hashes)
    sorted_hashes = hashes[order]
    zero = np.zeros(words, dtype=np.uint64)
    num_pairs = num_nodes * (num_nodes - 1) // 2
    results = np.empty((4, num_pairs, words), dtype=np.uint64)
    legal = np.zeros((4, num_pairs), dtype=np.bool_)
    for p in range(4):
        flip_i = _ONES if p & 1 else np.uint64(0)
        flip_j = _ONES if p & 2 else np.uint64(0)
        k = 0
        for i in range(num_nodes):
            for j in range(i + 1, num_nodes):
                result = results[p, k]
                for w in range(words):
                    result[w] = (tables[i, w] ^ flip_i) & (tables[j, w] ^ flip_j)
                if not _equal(result, np.uint64(0), zero) and not _equal(result, _ONES, zero):
                    legal[p, k] = not _is_literal(tables, sorted_hashes, order, result)
                k += 1
    return results, legal


@numba.njit(cache=True)
def _is_literal(tables, sorted_hashes, order, table):
    """`table` is an existing node or its complement, found through the literals' sorted hashes and checked word by
    word (no false match)."""
    h = _table_hash(table)
    at = np.searchsorted(sorted_hashes, h)
    while at < len(sorted_hashes) and sorted_hashes[at] == h:
        literal = order[at]
        if _equal(tables[literal // 2], _ONES if literal % 2 else np.uint64(0), table):
            return True
        at += 1
    return False


@numba.njit(cache=True)
def _results_in(results, wanted):
    """(4, P) bool: the result equals one of `wanted` (K, TT_WORDS) or the complement of one."""
    found = np.zeros(results.shape[:2], dtype=np.bool_)
    for p in range(results.shape[0]):
        for k in range(results.shape[1]):
            for g in range(wanted.shape[0]):
                if _equal(results[p, k], np.uint64(0), wanted[g]) or _equal(results[p, k], _ONES, wanted[g]):
                    found[p, k] = True
                    break
    return found


@numba.njit(cache=True)
def _completion_moves(tables, target, care, results, legal, max_pair_literals):
    """(4, P) int8: for each legal result, the fewest moves of a completion it starts (1, 2 or 3; 0 if none seen),
    computed only up to the fewest found for any result. A goal is T* or !T* on the care minterms: its ones must be
    covered, the care minterms where it is 0 are forbidden. Only literals covering a goal can be fanins of a final
    AND giving it, and two covering literals AND to the goal exactly when their excess minterms (the forbidden ones
    they contain) are disjoint."""
    finishing = legal & _matches(results, target, care)
    if finishing.any():
        return finishing.astype(np.int8)
    moves = np.zeros(legal.shape, dtype=np.int8)
    goals = np.empty((2, target.shape[0]), dtype=np.uint64)
    goals[0] = target & care
    goals[1] = ~target & care
    covering = [_covering_results(results, legal, goal) for goal in goals]
    found = False
    for g in range(2):
        goal, forbidden, new = goals[g], goals[1 - g], covering[g]
        old = _covering_nodes(tables, goal)
        for m in range(len(new)):
            p, k = new[m, 0], new[m, 1]
            for c in range(len(old)):
                if _excesses_disjoint(results[p, k], _flip(new[m, 2]), tables[old[c, 0]], _flip(old[c, 1]),
                                      forbidden):
                    moves[p, k] = 2
                    found = True
                    break
    if found:
        return moves
    for g in range(2):
        forbidden, new = goals[1 - g], covering[g]
        if len(new) > max_pair_literals:  # rare; bound the M^2 work, keeping the literals closest to the goal
            excess = np.zeros(len(new), dtype=np.int64)
            for m in range(len(new)):
                for w in range(forbidden.shape[0]):
                    excess[m] += popcount64((results[new[m, 0], new[m, 1], w] ^ _flip(new[m, 2])) & forbidden[w])
            new = new[np.argsort(excess, kind="mergesort")[:max_pair_literals]]
        for a in range(len(new)):
            for b in range(a + 1, len(new)):
                if _excesses_disjoint(results[new[a, 0], new[a, 1]], _flip(new[a, 2]),
                                      results[new[b, 0], new[b, 1]], _flip(new[b, 2]), forbidden):
                    moves[new[a, 0], new[a, 1]] = 3
                    moves[new[b, 0], new[b, 1]] = 3
    return moves


@numba.njit(cache=True)
def _flip(complemented):
    return _ONES if complemented else np.uint64(0)


@numba.njit(cache=True)
def _covering_nodes(tables, goal):
    """(C, 2) rows (node, complemented) of the existing literals that cover the goal."""
    rows = np.empty((2 * tables.shape[0], 2), dtype=np.int64)
    count = 0
    for node in range(tables.shape[0]):
        for complemented in range(2):
            if _covers(tables[node], _flip(complemented), goal):
                rows[count, 0] = node
                rows[count, 1] = complemented
                count += 1
    return rows[:count]


@numba.njit(cache=True)
def _covering_results(results, legal, goal):
    """(M, 3) rows (polarity, pair, complemented) of the legal results that, in that polarity, cover the goal."""
    rows = np.empty((2 * results.shape[0] * results.shape[1], 3), dtype=np.int64)
    count = 0
    for p in range(results.shape[0]):
        for k in range(results.shape[1]):
            if legal[p, k]:
                for complemented in range(2):
                    if _covers(results[p, k], _flip(complemented), goal):
                        rows[count, 0] = p
                        rows[count, 1] = k
                        rows[count, 2] = complemented
                        count += 1
    return rows[:count]


def initial_state(table: int, num_inputs: int, *, max_ands: int = DEFAULT_MAX_ANDS, care: int | None = None
                  ) -> State:
    """The start state for target `table` on the `care` minterms (None: all): only the inputs exist."""
    if not 1 <= num_inputs <= MAX_INPUTS:
        raise ValueError(f"{num_inputs} inputs: 1..{MAX_INPUTS} supported")
    if not 0 <= max_ands <= MAX_NODES - num_inputs:
        raise ValueError(f"max_ands={max_ands}: at most {MAX_NODES - num_inputs} for {num_inputs} inputs")
    tables = np.stack([to_words(projection(v, num_inputs), num_inputs) for v in range(num_inputs)])
    target = to_words(table, num_inputs)
    care_words = to_words(table_mask(num_inputs) if care is None else care, num_inputs)
    mask, shortcut, shortcut_moves = _mask_and_shortcut(tables, target, care_words)
    return State(num_inputs=num_inputs, target=target, tables=tables, actions=(), mask=mask, max_ands=max_ands,
                 care=care_words, shortcut=shortcut, shortcut_moves=shortcut_moves)


def step(state: State, action: int) -> State:
    """The state after building the AND of `action`; the action must be legal."""
    if state.done:
        raise ValueError("step on a finished episode")
    if not state.mask[action]:
        raise ValueError(f"illegal action {decode_action(action)}")
    polarity, i, j = decode_action(action)
    a = state.tables[i] ^ (_ONES if polarity & 1 else np.uint64(0))
    b = state.tables[j] ^ (_ONES if polarity & 2 else np.uint64(0))
    new = a & b
    tables = np.concatenate([state.tables, new[None]], axis=0)
    diff = (new ^ state.target) & state.care
    is_target = not diff.any()
    is_complement = bool(np.array_equal(diff, state.care))
    mask, shortcut, shortcut_moves = _mask_and_shortcut(tables, state.target, state.care)
    return State(num_inputs=state.num_inputs, target=state.target, tables=tables,
                 actions=state.actions + (int(action),), mask=mask, max_ands=state.max_ands, care=state.care,
                 shortcut=shortcut, shortcut_moves=shortcut_moves, solved=is_target or is_complement,
                 output_complemented=is_complement and not is_target)


def solution_size(state: State) -> int:
    """ANDs in the cone of the last node (dead nodes built on the way do not count)."""
    if not state.actions:
        return 0
    n = state.num_inputs
    needed = [False] * state.num_nodes
    needed[-1] = True
    size = 0
    for node in range(state.num_nodes - 1, n - 1, -1):
        if needed[node]:
            size += 1
            _, i, j = decode_action(state.actions[node - n])
            needed[i] = needed[j] = True
    return size


def terminal_return(state: State) -> float:
    """Return of a finished episode: 1 - SIZE_WEIGHT * size / DEFAULT_MAX_ANDS on success (in [0.5, 1] for sizes up
    to N_max; a fixed scale, so values mean the same whatever cap a budget sets), else minus the Hamming distance of
    the last node to T* or !T* on the care minterms, as a share of them (in [-0.5, 0])."""
    if state.solved:
        return 1.0 - SIZE_WEIGHT * solution_size(state) / DEFAULT_MAX_ANDS
    last = state.tables[-1]
    diff = int(np.unpackbits(((last ^ state.target) & state.care).view(np.uint8)).sum())
    cared = int(np.unpackbits(state.care.view(np.uint8)).sum())
    return -min(diff, cared - diff) / max(cared, 1)


def build_aig(state: State) -> Aig:
    """The AIG of a solved episode: inputs 0..n-1, one output driven by the last node (complemented if needed)."""
    if not state.solved:
        raise ValueError("build_aig needs a solved state")
    aig = Aig()
    lits = [aig.create_pi() for _ in range(state.num_inputs)]
    for action in state.actions:
        polarity, i, j = decode_action(action)
        lits.append(aig.create_and(lits[i] ^ (polarity & 1), lits[j] ^ (polarity >> 1)))
    aig.create_po(lits[-1] ^ int(state.output_complemented))
    return aig.cleanup()


def table_bits(tables: np.ndarray) -> np.ndarray:
    """(..., TT_WORDS) uint64 -> (..., 256) uint8 bits, bit m = value on minterm m."""
    flat = np.ascontiguousarray(tables.astype("<u8")).view(np.uint8)
    return np.unpackbits(flat, axis=-1, bitorder="little")
