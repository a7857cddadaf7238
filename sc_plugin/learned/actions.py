"""The synthesis environment: states, the one action encoding, masks, step, termination and return.

A state holds the truth tables of the nodes built so far (the n inputs first, then one AND per step), the target T*
and the actions taken. Every table is tiled to 256 bits (`truth.tile`), stored as TT_WORDS uint64 words, so one model
and one mask computation serve every n <= 8.

Action (p, i, j) with i < j over node indices, p the polarity: bit 0 complements node i, bit 1 complements node j
  p=0: v_i & v_j   p=1: !v_i & v_j   p=2: v_i & !v_j   p=3: !v_i & !v_j
and is encoded as the flat index (p * MAX_NODES + i) * MAX_NODES + j; `encode_action` / `decode_action` are the only
place that knows this. Mask: i < j < num_nodes, result not constant, not equal to an existing node or its complement
(which also excludes every action already taken). The episode ends when the new node equals T* or !T* (the output
inverter is free), when max_ands ANDs are built, or when no action is left.

Each state also carries a shortcut (`_shortcut`): the legal actions that start the shortest completion found by
three resubstitution-style checks, and that completion's length in moves (the output inverter is free throughout):
  1 move:  one AND of two existing nodes is T* or !T*;
  2 moves: a new node r with r & x (or !r & x) = T* or !T* for an existing literal x;
  3 moves: two new nodes r, s with r & s = T* or !T* (literals of either polarity; an XOR of two existing nodes is
           one case), among the _MAX_PAIR_LITERALS candidates with the fewest minterms outside T* (or !T*).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sc_plugin.aig.network import Aig
from sc_plugin.aig.truth import MAX_INPUTS, TT_WORDS, projection, table_mask, to_words

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
    "trivial_implementation",
    "table_bits",
]

MAX_NODES = 40  # 8 inputs + up to 32 ANDs; fixes the action space so one encoding serves every state
NUM_ACTIONS = 4 * MAX_NODES * MAX_NODES
DEFAULT_MAX_ANDS = 30  # N_max: the paper's cap, and the default episode length
SIZE_WEIGHT = 0.5  # success return = 1 - SIZE_WEIGHT * size / max_ands: smaller circuits are worth more

_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)
_MAX_PAIR_LITERALS = 96  # candidates for the 3-move check's pairs (M^2 work); the median state has about 10
# Odd multipliers for a 64-bit hash of a 256-bit table: equal tables hash equal; a collision could only mask a valid
# action (never produce a wrong circuit, since results are verified).
_HASH_MULT = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93],
                      dtype=np.uint64)


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
    shortcut: tuple[int, ...] = ()  # legal actions starting the shortest completion found (module docstring)
    shortcut_moves: int = 0  # that completion's length in moves, 0 when none was found
    solved: bool = False  # the last node equals T* or !T*
    output_complemented: bool = False  # the last node equals !T*

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


def _hash(tables: np.ndarray) -> np.ndarray:
    """(..., TT_WORDS) uint64 -> (...) uint64."""
    with np.errstate(over="ignore"):
        return (tables * _HASH_MULT).sum(axis=-1, dtype=np.uint64) ^ (tables[..., 0] >> np.uint64(17))


def action_mask(tables: np.ndarray) -> np.ndarray:
    """(NUM_ACTIONS,) bool legal-action mask for nodes with these tiled tables ((num_nodes, TT_WORDS) uint64)."""
    return _mask_and_shortcut(tables, None)[0]


def _mask_and_shortcut(tables: np.ndarray, target: np.ndarray | None
                       ) -> tuple[np.ndarray, tuple[int, ...], int]:
    """(legal mask, shortcut actions, shortcut moves); see the module docstring."""
    rows, cols, results, hashes, legal = _legal_results(tables)
    mask = np.zeros((4, MAX_NODES, MAX_NODES), dtype=bool)
    mask[:, rows, cols] = legal
    if target is None:
        return mask.reshape(-1), (), 0
    finishing = _actions_matching(rows, cols, hashes, legal, target[None])
    if finishing:
        return mask.reshape(-1), finishing, 1
    two, three = _completing_results(tables, target, results, legal)
    for moves, hits in ((2, two), (3, three)):
        if hits.any():
            pol, pair = np.nonzero(hits)
            return mask.reshape(-1), tuple(int((p * MAX_NODES + rows[k]) * MAX_NODES + cols[k])
                                           for p, k in zip(pol, pair)), moves
    return mask.reshape(-1), (), 0


def actions_building(tables: np.ndarray, wanted: np.ndarray) -> tuple[int, ...]:
    """Legal actions, for nodes with these tiled tables, whose result is one of `wanted` ((K, TT_WORDS) tiled
    tables) or the complement of one."""
    rows, cols, _, hashes, legal = _legal_results(tables)
    return _actions_matching(rows, cols, hashes, legal, wanted)


def _legal_results(tables: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (rows, cols: all i < j), and per (polarity, pair) the result (4, P, TT_WORDS), its hash and legality
    (4, P)."""
    rows, cols = _pairs(tables.shape[0])
    both = np.stack([tables, tables ^ _ONES])  # (2, N, W): plain, complemented
    # results[p, k] = (v_i ^ c_i(p)) & (v_j ^ c_j(p)) for pair k = (i, j), shape (4, P, W)
    results = both[_POL_I][:, rows] & both[_POL_J][:, cols]
    nonconst = ~_is_zero(results) & ~_is_zero(results ^ _ONES)  # (4, P)
    hashes = _hash(results)  # (4, P)
    legal = nonconst & ~_hash_in(hashes, _hash(both.reshape(-1, TT_WORDS)))
    return rows, cols, results, hashes, legal


def _hash_in(hashes: np.ndarray, pool: np.ndarray) -> np.ndarray:
    pool = np.sort(pool)
    return pool[np.minimum(np.searchsorted(pool, hashes), len(pool) - 1)] == hashes


def _actions_matching(rows: np.ndarray, cols: np.ndarray, hashes: np.ndarray, legal: np.ndarray,
                      wanted: np.ndarray) -> tuple[int, ...]:
    goals = _hash(np.concatenate([wanted, wanted ^ _ONES]))
    pol, pair = np.nonzero(legal & _hash_in(hashes, goals))
    return tuple(int((p * MAX_NODES + rows[k]) * MAX_NODES + cols[k]) for p, k in zip(pol, pair))


def _completing_results(tables: np.ndarray, target: np.ndarray, results: np.ndarray, legal: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
    """(4, P) masks of the legal results that start a 2-move and a 3-move completion. Only literals covering the
    goal can be fanins of a final AND that gives it, and two such literals AND to the goal exactly when their excess
    minterms (outside the goal) are disjoint."""
    literals = np.concatenate([tables, tables ^ _ONES])  # (2N, W) existing literals
    outcomes = np.stack([results, results ^ _ONES])  # (2, 4, P, W) new literals, either polarity
    two = np.zeros(legal.shape, dtype=bool)
    three = np.zeros(legal.shape, dtype=bool)
    for goal in (target, target ^ _ONES):
        old = literals[_is_zero(goal & ~literals)] & ~goal  # (C, W) excess of covering existing literals
        where = np.nonzero(legal & _is_zero(goal & ~outcomes))  # covering new literals, (M,) per axis
        new = outcomes[where] & ~goal  # (M, W) their excess
        if len(new) and len(old):
            two[where[1:]] |= _is_zero(new[:, None, :] & old[None, :, :]).any(-1)
        if len(new) > _MAX_PAIR_LITERALS:  # rare; keep the M^2 work bounded, preferring the closest literals
            keep = np.argsort(table_bits(new).sum(-1), kind="stable")[:_MAX_PAIR_LITERALS]
            new, where = new[keep], tuple(axis[keep] for axis in where)
        if len(new) > 1:
            three[where[1:]] |= _is_zero(new[:, None, :] & new[None, :, :]).any(-1)
    return two, three


def _is_zero(tables: np.ndarray) -> np.ndarray:
    """(..., TT_WORDS) -> (...) bool: the table is all zeros (faster than .any over the short last axis)."""
    return (tables[..., 0] | tables[..., 1] | tables[..., 2] | tables[..., 3]) == 0


_POL_I = np.arange(4) & 1
_POL_J = np.arange(4) >> 1
_PAIRS: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _pairs(num_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    if num_nodes not in _PAIRS:
        _PAIRS[num_nodes] = np.triu_indices(num_nodes, k=1)
    return _PAIRS[num_nodes]


def initial_state(table: int, num_inputs: int, *, max_ands: int = DEFAULT_MAX_ANDS) -> State:
    """The start state for target `table`: only the inputs exist."""
    if not 1 <= num_inputs <= MAX_INPUTS:
        raise ValueError(f"{num_inputs} inputs: 1..{MAX_INPUTS} supported")
    if not 0 <= max_ands <= MAX_NODES - num_inputs:
        raise ValueError(f"max_ands={max_ands}: at most {MAX_NODES - num_inputs} for {num_inputs} inputs")
    tables = np.stack([to_words(projection(v, num_inputs), num_inputs) for v in range(num_inputs)])
    target = to_words(table, num_inputs)
    mask, shortcut, shortcut_moves = _mask_and_shortcut(tables, target)
    return State(num_inputs=num_inputs, target=target, tables=tables, actions=(), mask=mask, max_ands=max_ands,
                 shortcut=shortcut, shortcut_moves=shortcut_moves)


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
    is_target = bool(np.array_equal(new, state.target))
    is_complement = bool(np.array_equal(new, state.target ^ _ONES))
    mask, shortcut, shortcut_moves = _mask_and_shortcut(tables, state.target)
    return State(num_inputs=state.num_inputs, target=state.target, tables=tables,
                 actions=state.actions + (int(action),), mask=mask, max_ands=state.max_ands, shortcut=shortcut,
                 shortcut_moves=shortcut_moves, solved=is_target or is_complement,
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
    to N_max; a fixed scale, so values mean the same whatever cap a budget sets), else minus the normalised Hamming
    distance of the last node to T* or !T* (in [-0.5, 0])."""
    if state.solved:
        return 1.0 - SIZE_WEIGHT * solution_size(state) / DEFAULT_MAX_ANDS
    last = state.tables[-1]
    diff = np.unpackbits((last ^ state.target).view(np.uint8)).sum()
    distance = min(int(diff), 256 - int(diff)) / 256.0
    return -distance


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


def trivial_implementation(table: int, num_inputs: int) -> Aig | None:
    """A zero-AND AIG when the target is a constant or a literal, else None (those need no search)."""
    mask = table_mask(num_inputs)
    table &= mask
    aig = Aig()
    lits = [aig.create_pi() for _ in range(num_inputs)]
    if table in (0, mask):
        aig.create_po(int(table == mask))
        return aig
    for var in range(num_inputs):
        proj = projection(var, num_inputs)
        if table == proj or table == proj ^ mask:
            aig.create_po(lits[var] ^ int(table != proj))
            return aig
    return None


def table_bits(tables: np.ndarray) -> np.ndarray:
    """(..., TT_WORDS) uint64 -> (..., 256) uint8 bits, bit m = value on minterm m."""
    flat = np.ascontiguousarray(tables.astype("<u8")).view(np.uint8)
    return np.unpackbits(flat, axis=-1, bitorder="little")
