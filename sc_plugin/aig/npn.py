"""NPN canonization of truth tables of up to 8 inputs.

Two functions are NPN-equivalent when one becomes the other by permuting the inputs, negating some inputs and
negating the output. Every function of the class maps to one representative, so a cache or a library of
optimal circuits needs one entry per class instead of one per function.

Convention (truth tables as in `truth.py`: bit m is the value on minterm m, input j is bit j of m). A transform
`t` maps the original function f to

    g(y) = output_negation XOR f(x),   where   x[permutation[i]] = y[i] XOR bit i of input_negations.

So canonical input i reads original input `permutation[i]`, negated when bit i of `input_negations` is set (the
bitmask is indexed by canonical position, not by original input). `t.apply(f) == g` and `t.undo(g) == f`.

Forms computed by `npn_canonize`:

- n <= 6, exact: the smallest table (as an integer) over all 2 * 2**n * n! transforms. n <= 4 is looked up in
  tables built once, lazily, per width (65536 entries for 4 inputs, about 0.2 s); n = 5, 6 enumerate every
  permutation by adjacent swaps (Steinhaus-Johnson-Trotter) and, for each, every input polarity by Gray code,
  on one 64-bit word.
- n = 7, 8, semi-canonical. Invariants first, each computed only from what the transforms still free cannot
  change, so every function of the class reaches the same normalized state up to the remaining ties:
  output polarity with fewer ones (both tried when balanced); input polarity with fewer ones in the positive
  cofactor (inputs with balanced cofactors stay "flexible"); linear inputs (f = x XOR rest, flipping x
  complements f) are found, and instead of flipping them the complement of each candidate is compared; colour
  refinement (1-dimensional Weisfeiler-Lehman) over the inputs with the 2x2 cofactor counts of every input pair,
  made independent of flexible polarities, which also fixes the polarity of a flexible input whose cofactors
  meet the fixed inputs differently; inputs ordered by (cofactor count, largest first; colour). What is left,
  permutations within each group of equal colour (skipped when the table is symmetric in the group) times the
  polarities of the flexible non-linear inputs, is searched exactly for the smallest table while that is at most
  `_TIE_SEARCH_BUDGET` candidates (about 8 ns each). Then the result is a class invariant. Beyond the budget a
  deterministic greedy descent (accept any single flip or swap that lowers the table) ends the search, and two
  functions of the class may get different forms (measured: 3 random transforms of each class changed the form
  for 4 of the 1000 EPFL 8-input cut classes in `benchmarks/cuts/cut8_tt.txt` and 8 of the 500 in
  `cut8_tt_hard.txt`). `is_exact_npn(n)` is False for n = 7, 8.

Functions that do not depend on some inputs are canonized over all n inputs like any other.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numba
import numpy as np

from sc_plugin.aig.network import Aig
from sc_plugin.aig.truth import MAX_INPUTS, table_mask, tile

__all__ = ["NpnTransform", "npn_canonize", "is_exact_npn", "EXACT_NPN_MAX_INPUTS", "popcount64", "mix64"]

EXACT_NPN_MAX_INPUTS = 6  # widths above this get the semi-canonical form
_LOOKUP_MAX_INPUTS = 4  # widths up to this are answered from precomputed tables
# Most candidates the 7/8-input tie search may enumerate (each is one flip or swap on 256 bits plus a compare).
_TIE_SEARCH_BUDGET = 50000
_M64 = 0xFFFFFFFFFFFFFFFF


# ---- the transform --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NpnTransform:
    """An NPN transform: g(y) = output_negation ^ f(x) with x[permutation[i]] = y[i] ^ bit i of input_negations.

    `permutation[i]` is the original input read by input i of the transformed function; bit i of
    `input_negations` (indexed by transformed position) says whether it is read negated.
    """

    num_inputs: int
    permutation: tuple[int, ...]
    input_negations: int
    output_negation: bool

    def __post_init__(self) -> None:
        if not 0 <= self.num_inputs <= MAX_INPUTS:
            raise ValueError(f"NPN transforms support 0..{MAX_INPUTS} inputs, got {self.num_inputs}")
        if sorted(self.permutation) != list(range(self.num_inputs)):
            raise ValueError(f"{self.permutation} is not a permutation of {self.num_inputs} inputs")
        if not 0 <= self.input_negations < (1 << self.num_inputs):
            raise ValueError(f"input negation mask {self.input_negations:#x} has bits beyond "
                             f"{self.num_inputs} inputs")

    @classmethod
    def identity(cls, num_inputs: int) -> NpnTransform:
        return cls(num_inputs, tuple(range(num_inputs)), 0, False)

    def apply(self, table: int) -> int:
        """The transformed function g of the original table f (apply(f) == canonical form)."""
        return _transform_table(table, self.num_inputs, self.permutation, self.input_negations,
                                self.output_negation)

    def inverse(self) -> NpnTransform:
        """The transform that maps g back to f: inverse().apply(apply(f)) == f."""
        n = self.num_inputs
        position_of = [0] * n  # original input -> transformed position
        for i, var in enumerate(self.permutation):
            position_of[var] = i
        negations = 0
        for var in range(n):
            negations |= ((self.input_negations >> position_of[var]) & 1) << var
        return NpnTransform(n, tuple(position_of), negations, self.output_negation)

    def undo(self, table: int) -> int:
        """The original function f of a transformed table g (undo(canonical) == f)."""
        return self.inverse().apply(table)

    def undo_aig(self, implementation: Aig) -> Aig:
        """An AIG for f, given `implementation` of g (num_inputs PIs in variable order, one PO, no latches).

        Only wires change: PI i of the implementation becomes original input permutation[i], complemented when
        bit i of input_negations is set, and the output is complemented when output_negation is set. The AND
        nodes are copied one for one (no hashing or folding), so the AND count is exactly the implementation's.
        The result keeps the implementation's PI and PO names position by position (PI j is variable j).
        """
        n = self.num_inputs
        if implementation.num_pis != n or implementation.num_pos != 1 or implementation.num_latches:
            raise ValueError(f"undo_aig needs {n} PIs, 1 PO and no latches, got {implementation!r}")
        new, node_map = implementation.copy_interface()
        for i, var in enumerate(self.permutation):
            node_map[i + 1] = 2 * (var + 1) + ((self.input_negations >> i) & 1)
        f0, f1 = implementation.fanin0, implementation.fanin1
        for node in implementation.and_nodes():
            a = node_map[f0[node] >> 1] ^ (f0[node] & 1)
            b = node_map[f1[node] >> 1] ^ (f1[node] & 1)
            node_map[node] = new.add_and_unhashed(a, b)
        po = implementation.pos[0]
        new.create_po(node_map[po >> 1] ^ (po & 1) ^ int(self.output_negation), implementation.po_names[0])
        return new


def is_exact_npn(num_inputs: int) -> bool:
    """True when `npn_canonize` returns the exact canonical form (one table per NPN class) for this width."""
    return num_inputs <= EXACT_NPN_MAX_INPUTS


def npn_canonize(table: int, num_inputs: int) -> tuple[int, NpnTransform]:
    """The NPN canonical (n <= 6) or semi-canonical (n = 7, 8) form of `table`, and the transform reaching it.

    Returns (canonical, t) with t.apply(table) == canonical. Bits of `table` beyond 2**num_inputs are ignored.
    See the module docstring for the forms.
    """
    if not 0 <= num_inputs <= MAX_INPUTS:
        raise ValueError(f"NPN canonization supports 0..{MAX_INPUTS} inputs, got {num_inputs}")
    table &= table_mask(num_inputs)
    if num_inputs <= _LOOKUP_MAX_INPUTS:
        canon, transforms = _lookup_tables(num_inputs)
        return canon[table], transforms[table]
    if num_inputs <= EXACT_NPN_MAX_INPUTS:
        swaps, flips = _enumeration_sequences(num_inputs)
        canon, perm_code, negations, out = _exact_canonize_word(np.uint64(tile(table, num_inputs) & _M64),
                                                                num_inputs, swaps, flips)
        canon = int(canon) & table_mask(num_inputs)
    else:
        # A writable array (bytearray), so the kernel is compiled for one array type only.
        words = np.frombuffer(bytearray(tile(table, num_inputs).to_bytes(32, "little")), dtype=np.uint64)
        canon_words, perm_code, negations, out = _semi_canonize_words(words, num_inputs, _TIE_SEARCH_BUDGET,
                                                                      _plain_changes_table())
        canon = int.from_bytes(canon_words.tobytes(), "little") & table_mask(num_inputs)
    return canon, _decode_transform(num_inputs, int(perm_code), int(negations), int(out))


def _decode_transform(num_inputs: int, perm_code: int, negations: int, out: int) -> NpnTransform:
    """Kernels return the permutation packed 3 bits per position, position 0 lowest."""
    permutation = tuple((perm_code >> (3 * i)) & 7 for i in range(num_inputs))
    return NpnTransform(num_inputs, permutation, negations, bool(out))


# ---- enumeration orders ---------------------------------------------------------------------------------------


def _plain_changes(m: int) -> list[int]:
    """Steinhaus-Johnson-Trotter as a cycle: m! adjacent swaps (swap position j with j + 1) that visit every
    permutation of m elements once and end where they started. Empty for m < 2."""
    if m < 2:
        return []
    perm = list(range(m))
    direction = [-1] * m  # per value: -1 moves left, +1 right
    swaps = []
    while True:
        mobile, at = -1, -1
        for idx, value in enumerate(perm):
            j = idx + direction[value]
            if 0 <= j < m and perm[j] < value and value > mobile:
                mobile, at = value, idx
        if mobile < 0:
            break
        j = at + direction[mobile]
        perm[at], perm[j] = perm[j], perm[at]
        swaps.append(min(at, j))
        for value in range(mobile + 1, m):
            direction[value] = -direction[value]
    # SJT ends one adjacent swap away from the start; that swap closes the cycle.
    for j in range(m - 1):
        if perm[:j] + [perm[j + 1], perm[j]] + perm[j + 2:] == list(range(m)):
            swaps.append(j)
            break
    assert len(swaps) == math.factorial(m)
    return swaps


def _gray_flips(m: int) -> list[int]:
    """2**m single-bit flips (the bit to flip after visiting each state) that visit all 2**m masks of m bits by
    reflected Gray code and return to the start."""
    if m == 0:
        return [-1]
    flips = [((k + 1) & -(k + 1)).bit_length() - 1 for k in range((1 << m) - 1)]
    return flips + [m - 1]  # Gray code ends at the mask 1 << (m - 1)


@functools.cache
def _enumeration_sequences(num_inputs: int) -> tuple[np.ndarray, np.ndarray]:
    """(swaps, flips) for the exact search: n! adjacent swaps (-1 for n < 2) and 2**n Gray-code flips."""
    swaps = _plain_changes(num_inputs) or [-1]
    return np.array(swaps, dtype=np.int64), np.array(_gray_flips(num_inputs), dtype=np.int64)


@functools.cache
def _plain_changes_table() -> np.ndarray:
    """Row m holds the cyclic swap sequence of m elements (m! entries, m <= 8) for the 7/8-input tie search."""
    table = np.full((MAX_INPUTS + 1, math.factorial(MAX_INPUTS)), -1, dtype=np.int8)
    for m in range(2, MAX_INPUTS + 1):
        table[m, :math.factorial(m)] = _plain_changes(m)
    return table


# ---- lookup tables for n <= 4 ---------------------------------------------------------------------------------

@functools.cache
def _lookup_tables(num_inputs: int) -> tuple[list[int], list[NpnTransform]]:
    """Canonical form and transform of every table of num_inputs inputs, as lists indexed by the table.

    Plain lists, because indexing one from Python is several times faster than indexing a numpy array. Equal
    transforms share one object (at most 768 distinct ones for 4 inputs).
    """
    swaps, flips = _enumeration_sequences(num_inputs)
    canon, perm_codes, negations, outs = _exact_canonize_all(num_inputs, swaps, flips)
    shared: dict[tuple[int, int, int], NpnTransform] = {}
    transforms = []
    for key in zip(perm_codes.tolist(), negations.tolist(), outs.tolist()):
        transform = shared.get(key)
        if transform is None:
            transform = shared[key] = _decode_transform(num_inputs, *key)
        transforms.append(transform)
    return canon.tolist(), transforms


# ---- 64-bit kernels (n <= 6; tables tiled to 64 bits, so every width shares the masks) ------------------------

_PROJ64 = np.array([sum(1 << m for m in range(64) if (m >> v) & 1) for v in range(6)], dtype=np.uint64)
# Adjacent swap of inputs j and j + 1: minterms with x_j = 1, x_{j+1} = 0 move up by 2**j, the reverse ones down.
_SWAP_UP64 = np.array([int(_PROJ64[j]) & ~int(_PROJ64[j + 1]) & _M64 for j in range(5)], dtype=np.uint64)
_SWAP_DOWN64 = np.array([~int(_PROJ64[j]) & int(_PROJ64[j + 1]) & _M64 for j in range(5)], dtype=np.uint64)
_SWAP_KEEP64 = np.array([~(int(_SWAP_UP64[j]) | int(_SWAP_DOWN64[j])) & _M64 for j in range(5)], dtype=np.uint64)


@numba.njit(cache=True)
def _flip64(t, var):
    shift = np.uint64(1) << np.uint64(var)
    pos = _PROJ64[var]
    return ((t & pos) >> shift) | ((t << shift) & pos)


@numba.njit(cache=True)
def _swap64(t, j):
    shift = np.uint64(1) << np.uint64(j)
    return (t & _SWAP_KEEP64[j]) | ((t & _SWAP_UP64[j]) << shift) | ((t & _SWAP_DOWN64[j]) >> shift)


@numba.njit(cache=True)
def _exact_canonize_word(t, n, swaps, flips):
    """Smallest table over all NPN transforms of the tiled table t; returns (table, perm code, negations, out).

    Visits every permutation by the adjacent swaps in `swaps` and, for each, every input polarity by the Gray
    flips in `flips`; both output polarities are compared at each step. State: the current table is the
    transform (perm, negations) of the input, in the module's convention.
    """
    perm = np.arange(n)
    best_perm = perm.copy()
    negations = 0
    best_negations = 0
    best_out = 0
    best = t
    if ~t < best:
        best = ~t
        best_out = 1
    num_perms = swaps.shape[0]
    num_flips = flips.shape[0]
    for a in range(num_perms):
        for k in range(num_flips):
            if t < best:
                best = t
                best_out = 0
                best_negations = negations
                for i in range(n):
                    best_perm[i] = perm[i]
            if ~t < best:
                best = ~t
                best_out = 1
                best_negations = negations
                for i in range(n):
                    best_perm[i] = perm[i]
            var = flips[k]
            if var >= 0:
                t = _flip64(t, var)
                negations ^= 1 << var
        j = swaps[a]
        if j >= 0:
            t = _swap64(t, j)
            perm[j], perm[j + 1] = perm[j + 1], perm[j]
            low = (negations >> j) & 1
            high = (negations >> (j + 1)) & 1
            negations ^= (low ^ high) * (3 << j)
    perm_code = 0
    for i in range(n):
        perm_code |= best_perm[i] << (3 * i)
    return best, perm_code, best_negations, best_out


@numba.njit(cache=True)
def _exact_canonize_all(n, swaps, flips):
    """`_exact_canonize_word` for every table of n <= 4 inputs (arrays indexed by the table)."""
    count = 1 << (1 << n)
    width = 1 << n
    canon = np.empty(count, dtype=np.int64)
    perm_codes = np.empty(count, dtype=np.int64)
    negations = np.empty(count, dtype=np.int64)
    outs = np.empty(count, dtype=np.int64)
    for table in range(count):
        tiled = np.uint64(table)
        w = width
        while w < 64:
            tiled |= tiled << np.uint64(w)
            w *= 2
        best, perm_codes[table], negations[table], outs[table] = _exact_canonize_word(tiled, n, swaps, flips)
        canon[table] = np.int64(best & np.uint64((1 << width) - 1))
    return canon, perm_codes, negations, outs


# ---- 256-bit kernels (n = 7, 8; four uint64 words, least significant first; bit 0 of the word index is x6,
# bit 1 is x7; 7-input tables are tiled, so words 2, 3 repeat words 0, 1) ---------------------------------------

_FACTORIALS = np.array([math.factorial(m) for m in range(MAX_INPUTS + 1)], dtype=np.int64)
# Projection of every input on the four words: _PROJ_WORDS[v, w] is the part of x_v's table in word w.
_PROJ_WORDS = np.array(
    [[int(_PROJ64[v]) for _ in range(4)] for v in range(6)]
    + [[_M64 if (w >> (v - 6)) & 1 else 0 for w in range(4)] for v in (6, 7)], dtype=np.uint64)


@numba.njit(cache=True)
def popcount64(x):
    """Ones in a uint64 word (numba kernel, also used by learned/actions.py)."""
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return int((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@numba.njit(cache=True)
def mix64(x):
    """splitmix64's finalizer: a bijective 64-bit hash, so invariants can be combined by plain sums."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@numba.njit(cache=True)
def _count_ones(t, num_words):
    total = 0
    for w in range(num_words):
        total += popcount64(t[w])
    return total


@numba.njit(cache=True)
def _count_ones_masked(t, a, b, num_words):
    """Ones of t on the minterms with x_a = 1 and x_b = 1 (a == b for one input)."""
    total = 0
    for w in range(num_words):
        total += popcount64(t[w] & _PROJ_WORDS[a, w] & _PROJ_WORDS[b, w])
    return total


@numba.njit(cache=True)
def _flip4(t0, t1, t2, t3, var):
    """Negates input var of a table held as four scalars. Hot loops keep tables in scalars: a call that takes
    arrays pays atomic reference counting, several times the cost of the flip itself."""
    if var < 6:
        return _flip64(t0, var), _flip64(t1, var), _flip64(t2, var), _flip64(t3, var)
    if var == 6:
        return t1, t0, t3, t2
    return t2, t3, t0, t1


@numba.njit(cache=True)
def _swap4(t0, t1, t2, t3, j):
    """Swaps inputs j and j + 1 of a table held as four scalars."""
    if j < 5:
        return _swap64(t0, j), _swap64(t1, j), _swap64(t2, j), _swap64(t3, j)
    if j == 5:
        # x5 = 1, x6 = 0 (upper half of even words) trades places with x5 = 0, x6 = 1 (lower half of odd words).
        low = np.uint64(0xFFFFFFFF)
        high = np.uint64(0xFFFFFFFF00000000)
        half = np.uint64(32)
        return ((t0 & low) | (t1 << half), (t1 & high) | (t0 >> half),
                (t2 & low) | (t3 << half), (t3 & high) | (t2 >> half))
    return t0, t2, t1, t3


@numba.njit(cache=True)
def _less4(a0, a1, a2, a3, b0, b1, b2, b3):
    if a3 != b3:
        return a3 < b3
    if a2 != b2:
        return a2 < b2
    if a1 != b1:
        return a1 < b1
    return a0 < b0


@numba.njit(cache=True)
def _swap_state(t, perm, negations, j):
    """Swaps positions j, j + 1 of the table (an array of 4 words) and of the transform state; returns the new
    negation mask."""
    t[0], t[1], t[2], t[3] = _swap4(t[0], t[1], t[2], t[3], j)
    perm[j], perm[j + 1] = perm[j + 1], perm[j]
    low = (negations >> j) & 1
    high = (negations >> (j + 1)) & 1
    return negations ^ ((low ^ high) * (3 << j))


@numba.njit(cache=True)
def _pair_invariant(counts, i, j, flexible):
    """The 2x2 cofactor counts of inputs (i, j) as one integer, made independent of the polarity of a flexible
    input by taking the smallest encoding over its two polarities (counts are at most 64, 7 bits each)."""
    c00 = counts[i, j, 0]
    c01 = counts[i, j, 1]
    c10 = counts[i, j, 2]
    c11 = counts[i, j, 3]
    best = ((c00 * 128 + c01) * 128 + c10) * 128 + c11
    if flexible[i]:
        best = min(best, ((c10 * 128 + c11) * 128 + c00) * 128 + c01)
    if flexible[j]:
        best = min(best, ((c01 * 128 + c00) * 128 + c11) * 128 + c10)
    if flexible[i] and flexible[j]:
        best = min(best, ((c11 * 128 + c10) * 128 + c01) * 128 + c00)
    return best


@numba.njit(cache=True)
def _num_distinct(values):
    count = 0
    for i in range(values.shape[0]):
        first = True
        for j in range(i):
            if values[j] == values[i]:
                first = False
                break
        count += first
    return count


@numba.njit(cache=True)
def _refine_colors(n, key, flexible, linear, counts, color):
    """Colour refinement (1-dimensional Weisfeiler-Lehman) of the inputs: start from (cofactor count,
    flexible, linear) and add, round by round, the multiset of (neighbour colour, pair invariant) until the number
    of colours stops growing. Every step is invariant under the transforms still free, so equal colours are the
    only ties left to search."""
    for i in range(n):
        color[i] = mix64(np.uint64(key[i] * 4 + int(flexible[i]) * 2 + int(linear[i])))
    distinct = _num_distinct(color)
    refined = np.empty(n, dtype=np.uint64)
    for _ in range(n):
        for i in range(n):
            total = np.uint64(0)
            for j in range(n):
                if j != i:
                    total += mix64(color[j] + mix64(np.uint64(_pair_invariant(counts, i, j, flexible))))
            refined[i] = mix64(color[i] ^ mix64(total))
        for i in range(n):
            color[i] = refined[i]
        now = _num_distinct(color)
        if now == distinct:
            break
        distinct = now


@numba.njit(cache=True)
def _pair_counts(t, n, num_words, ones, key, counts):
    """counts[i, j, 2a + b]: ones of t with x_i = a and x_j = b; key[i] holds the ones with x_i = 1."""
    for i in range(n):
        for j in range(i + 1, n):
            c11 = _count_ones_masked(t, i, j, num_words)
            c10 = key[i] - c11
            c01 = key[j] - c11
            c00 = ones - c11 - c10 - c01
            counts[i, j, 0] = c00
            counts[i, j, 1] = c01
            counts[i, j, 2] = c10
            counts[i, j, 3] = c11
            counts[j, i, 0] = c00
            counts[j, i, 1] = c10
            counts[j, i, 2] = c01
            counts[j, i, 3] = c11


@numba.njit(cache=True)
def _semi_canonize_branch(t, n, out, budget, plain_changes, best, best_perm, best_state):
    """Semi-canonizes t (f, already negated when out == 1) into best/best_perm/best_state (see `_search_ties`)."""
    num_words = 2 if n == 7 else 4
    ones = _count_ones(t, num_words)
    perm = np.arange(n)
    negations = np.int64(0)  # not a literal 0: callees get compiled once, for int64
    # Input polarity: fewer ones in the positive cofactor. Balanced inputs stay flexible.
    key = np.empty(n, dtype=np.int64)
    for var in range(n):
        positive = _count_ones_masked(t, var, var, num_words)
        if positive > ones - positive:
            t[0], t[1], t[2], t[3] = _flip4(t[0], t[1], t[2], t[3], var)
            negations |= 1 << var
            positive = ones - positive
        key[var] = positive
    flexible = np.zeros(n, dtype=np.bool_)
    linear = np.zeros(n, dtype=np.bool_)
    for var in range(n):
        if 2 * key[var] == ones:
            flexible[var] = True
            # Linear input (f = x_var XOR rest): flipping it complements f, so its flip is replaced by comparing
            # the complement of every candidate.
            p0, p1, p2, p3 = _flip4(t[0], t[1], t[2], t[3], var)
            linear[var] = p0 == ~t[0] and p1 == ~t[1] and p2 == ~t[2] and p3 == ~t[3]
    # Fix what polarities the colours can: a flexible input whose two cofactors meet the fixed inputs
    # differently gets the polarity with the smaller hash at x = 1; repeat while anything gets fixed.
    counts = np.empty((n, n, 4), dtype=np.int64)
    color = np.empty(n, dtype=np.uint64)
    decide = np.zeros(n, dtype=np.int64)
    while True:
        _pair_counts(t, n, num_words, ones, key, counts)
        _refine_colors(n, key, flexible, linear, counts, color)
        any_fixed = False
        for i in range(n):
            decide[i] = 0
            if flexible[i] and not linear[i]:
                at_zero = np.uint64(0)
                at_one = np.uint64(0)
                for j in range(n):
                    if j != i and not flexible[j]:
                        at_zero += mix64(color[j] + mix64(np.uint64(counts[i, j, 0] * 128 + counts[i, j, 1])))
                        at_one += mix64(color[j] + mix64(np.uint64(counts[i, j, 2] * 128 + counts[i, j, 3])))
                if at_zero != at_one:
                    decide[i] = 2 if at_one > at_zero else 1
                    any_fixed = True
        if not any_fixed:
            break
        for i in range(n):
            if decide[i]:
                flexible[i] = False
                if decide[i] == 2:
                    t[0], t[1], t[2], t[3] = _flip4(t[0], t[1], t[2], t[3], i)
                    negations ^= 1 << i
    # Order by (cofactor count descending, colour); stable bubble sort by adjacent swaps keeps the state in step.
    for _ in range(n):
        for j in range(n - 1):
            if key[j] < key[j + 1] or (key[j] == key[j + 1] and color[j] > color[j + 1]):
                negations = _swap_state(t, perm, negations, j)
                key[j], key[j + 1] = key[j + 1], key[j]
                color[j], color[j + 1] = color[j + 1], color[j]
                flexible[j], flexible[j + 1] = flexible[j + 1], flexible[j]
                linear[j], linear[j + 1] = linear[j + 1], linear[j]
    # Ties: runs of equal colour. A run the table is symmetric in needs no permuting (no swap changes it).
    group_start = np.empty(n, dtype=np.int64)
    group_size = np.empty(n, dtype=np.int64)
    num_groups = 0
    cost = 1  # candidates of the exact tie search: at most 8! * 2**8
    start = 0
    while start < n:
        end = start + 1
        while end < n and key[end] == key[start] and color[end] == color[start]:
            end += 1
        size = end - start
        if size > 1:
            symmetric = True
            for j in range(start, end - 1):
                p0, p1, p2, p3 = _swap4(t[0], t[1], t[2], t[3], j)
                if p0 != t[0] or p1 != t[1] or p2 != t[2] or p3 != t[3]:
                    symmetric = False
                    break
            if not symmetric:
                group_start[num_groups] = start
                group_size[num_groups] = size
                num_groups += 1
                cost *= _FACTORIALS[size]
        start = end
    free = np.empty(n, dtype=np.int64)
    num_free = 0
    use_complement = np.bool_(False)
    for i in range(n):
        if flexible[i]:
            if linear[i]:
                use_complement = True
            else:
                free[num_free] = i
                num_free += 1
    cost *= 1 << num_free

    _search_ties(t[0], t[1], t[2], t[3], n, perm, negations, out, use_complement, free[:num_free],
                 group_start[:num_groups], group_size[:num_groups], cost <= budget, plain_changes,
                 best, best_perm, best_state)


@numba.njit(cache=True)
def _search_ties(t0, t1, t2, t3, n, perm, negations, out, use_complement, free, group_start, group_size,
                 exhaustive, plain_changes, best, best_perm, best_state):
    """Smallest table over the tie transforms: every permutation within each group times every polarity of the
    free positions when `exhaustive`, else the end point of a greedy descent by single flips and swaps.

    Updates the best so far in place: best (4 words), best_perm, best_state = [have a best, its input negations,
    its output negation]. The table stays in scalars inside the loops (see `_flip4`)."""
    num_free = free.shape[0]
    num_groups = group_start.shape[0]
    b0, b1, b2, b3 = best[0], best[1], best[2], best[3]
    have_best = best_state[0] != 0
    best_negations = best_state[1]
    best_out = best_state[2]
    if not exhaustive:
        changed = True
        while changed:
            changed = False
            for f in range(num_free):
                u0, u1, u2, u3 = _flip4(t0, t1, t2, t3, free[f])
                if _less4(u0, u1, u2, u3, t0, t1, t2, t3):
                    t0, t1, t2, t3 = u0, u1, u2, u3
                    negations ^= 1 << free[f]
                    changed = True
            for g in range(num_groups):
                for j in range(group_start[g], group_start[g] + group_size[g] - 1):
                    u0, u1, u2, u3 = _swap4(t0, t1, t2, t3, j)
                    if _less4(u0, u1, u2, u3, t0, t1, t2, t3):
                        t0, t1, t2, t3 = u0, u1, u2, u3
                        perm[j], perm[j + 1] = perm[j + 1], perm[j]
                        low = (negations >> j) & 1
                        high = (negations >> (j + 1)) & 1
                        negations ^= (low ^ high) * (3 << j)
                        changed = True
        # The descent's end point is the only candidate recorded below.
        num_free = 0
        num_groups = 0
    counters = np.zeros(max(num_groups, 1), dtype=np.int64)
    num_flips = 1 << num_free
    while True:
        for k in range(num_flips):
            for polarity in range(2 if use_complement else 1):
                if polarity:
                    # ~t is t with a linear input flipped, hence a candidate too.
                    c0, c1, c2, c3 = ~t0, ~t1, ~t2, ~t3
                else:
                    c0, c1, c2, c3 = t0, t1, t2, t3
                if not have_best or _less4(c0, c1, c2, c3, b0, b1, b2, b3):
                    have_best = True
                    b0, b1, b2, b3 = c0, c1, c2, c3
                    for i in range(n):
                        best_perm[i] = perm[i]
                    best_negations = negations
                    best_out = out ^ polarity
            if num_free == 0:
                break
            # Gray code: flip the lowest set bit of k + 1; the last flip returns to the start mask.
            b = num_free - 1
            if k < num_flips - 1:
                b = 0
                while not ((k + 1) >> b) & 1:
                    b += 1
            t0, t1, t2, t3 = _flip4(t0, t1, t2, t3, free[b])
            negations ^= 1 << free[b]
        # Next permutation: an odometer whose digits are the groups' cyclic swap sequences.
        g = 0
        while g < num_groups:
            size = group_size[g]
            j = group_start[g] + plain_changes[size, counters[g]]
            t0, t1, t2, t3 = _swap4(t0, t1, t2, t3, j)
            perm[j], perm[j + 1] = perm[j + 1], perm[j]
            low = (negations >> j) & 1
            high = (negations >> (j + 1)) & 1
            negations ^= (low ^ high) * (3 << j)
            counters[g] += 1
            if counters[g] < _FACTORIALS[size]:
                break
            counters[g] = 0
            g += 1
        if g == num_groups:
            break
    best[0], best[1], best[2], best[3] = b0, b1, b2, b3
    best_state[0] = 1
    best_state[1] = best_negations
    best_state[2] = best_out


@numba.njit(cache=True)
def _semi_canonize_words(words, n, budget, plain_changes):
    """Semi-canonical form of a tiled 7- or 8-input table; returns (words, perm code, negations, out).

    The output polarity with fewer ones is canonized; both when the table is balanced."""
    num_words = 2 if n == 7 else 4
    ones = _count_ones(words, num_words)
    half = 1 << (n - 1)
    best = np.empty(4, dtype=np.uint64)
    best_perm = np.empty(n, dtype=np.int64)
    best_state = np.zeros(3, dtype=np.int64)
    for out in range(2):
        if (out == 0 and ones > half) or (out == 1 and ones < half):
            continue
        t = words.copy()
        if out:
            for w in range(4):
                t[w] = ~t[w]
        _semi_canonize_branch(t, n, out, budget, plain_changes, best, best_perm, best_state)
    perm_code = 0
    for i in range(n):
        perm_code |= best_perm[i] << (3 * i)
    return best, perm_code, best_state[1], best_state[2]


# ---- applying a transform -------------------------------------------------------------------------------------


@numba.njit(cache=True)
def _transform_kernel(words, n, perm, negations, out):
    """g(y) = out ^ f(x), x[perm[i]] = y[i] ^ negations bit i, minterm by minterm; words hold f (4 x 64 bits)."""
    result = np.zeros(4, dtype=np.uint64)
    for y in range(1 << n):
        x = 0
        for i in range(n):
            x |= (((y >> i) ^ (negations >> i)) & 1) << perm[i]
        bit = (words[x >> 6] >> np.uint64(x & 63)) & np.uint64(1)
        result[y >> 6] |= (bit ^ np.uint64(out)) << np.uint64(y & 63)
    return result


def _transform_table(table: int, num_inputs: int, permutation: tuple[int, ...], negations: int,
                     output_negation: bool) -> int:
    words = np.frombuffer(bytearray((table & table_mask(num_inputs)).to_bytes(32, "little")), dtype=np.uint64)
    result = _transform_kernel(words, num_inputs, np.array(permutation, dtype=np.int64), negations,
                               int(output_negation))
    return int.from_bytes(result.tobytes(), "little") & table_mask(num_inputs)
