"""AND-inverter graph storage.

Nodes are numbered: 0 is constant false, 1..num_pis are the primary inputs, then the AND nodes. Every AND is
created after its fanins, so node order is a topological order; algorithms rely on that.

A literal is 2 * node + complement bit, as in AIGER. Latches of a sequential AIGER file are cut: each latch output
is one of the last `num_latches` primary inputs and its next-state function one of the last `num_latches` primary
outputs, so every algorithm sees a combinational network and the AIGER writer restores the latches.

Derived facts (levels, fanout counts, MFFCs) are computed by functions in `analysis.py`, never stored here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Aig",
    "CONST0",
    "CONST1",
    "lit_node",
    "lit_is_complemented",
    "lit_not",
    "make_lit",
]

CONST0 = 0
CONST1 = 1


def make_lit(node: int, complemented: bool = False) -> int:
    return 2 * node + int(complemented)


def lit_node(lit: int) -> int:
    return lit >> 1


def lit_is_complemented(lit: int) -> bool:
    return bool(lit & 1)


def lit_not(lit: int) -> int:
    return lit ^ 1


@dataclass
class Aig:
    """A combinational AIG with named primary inputs and outputs, and the record of cut latches."""

    # Fanin literals of every node; -1 for the constant and the primary inputs.
    fanin0: list[int] = field(default_factory=lambda: [-1])
    fanin1: list[int] = field(default_factory=lambda: [-1])
    num_pis: int = 0
    pi_names: list[str | None] = field(default_factory=list)
    pos: list[int] = field(default_factory=list)
    po_names: list[str | None] = field(default_factory=list)
    # Cut latches: the last num_latches PIs are latch outputs, the last num_latches POs their next states.
    num_latches: int = 0
    latch_inits: list[int] = field(default_factory=list)  # 0, 1, or 2 for "uninitialised"
    latch_names: list[str | None] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    _strash: dict[int, int] = field(default_factory=dict, repr=False)

    # ---- sizes and node kinds -------------------------------------------------------------------------------

    @property
    def num_nodes(self) -> int:
        return len(self.fanin0)

    @property
    def num_ands(self) -> int:
        return len(self.fanin0) - 1 - self.num_pis

    @property
    def num_pos(self) -> int:
        return len(self.pos)

    def is_pi(self, node: int) -> bool:
        return 1 <= node <= self.num_pis

    def is_and(self, node: int) -> bool:
        return node > self.num_pis

    def fanins(self, node: int) -> tuple[int, int]:
        return self.fanin0[node], self.fanin1[node]

    def and_nodes(self) -> range:
        return range(self.num_pis + 1, self.num_nodes)

    def pi_lits(self) -> list[int]:
        return [2 * i for i in range(1, self.num_pis + 1)]

    # ---- construction ---------------------------------------------------------------------------------------

    def create_pi(self, name: str | None = None) -> int:
        """Adds a primary input and returns its literal. Inputs must all come before the first AND."""
        if self.num_ands:
            raise ValueError("primary inputs must be created before AND nodes")
        self.fanin0.append(-1)
        self.fanin1.append(-1)
        self.num_pis += 1
        self.pi_names.append(name)
        return 2 * self.num_pis

    def create_po(self, lit: int, name: str | None = None) -> int:
        """Adds a primary output driven by `lit`; returns its index."""
        self._check_lit(lit)
        self.pos.append(lit)
        self.po_names.append(name)
        return len(self.pos) - 1

    def create_and(self, a: int, b: int) -> int:
        """Returns a literal for a AND b: constants propagated, trivial cases folded, structurally hashed."""
        if a > b:
            a, b = b, a
        if a == CONST0 or a == (b ^ 1):
            return CONST0
        if a == CONST1 or a == b:
            return b
        key = (a << 32) | b
        node = self._strash.get(key)
        if node is None:
            self._check_lit(b)
            node = self._append_and(a, b)
        return 2 * node

    def create_or(self, a: int, b: int) -> int:
        return self.create_and(a ^ 1, b ^ 1) ^ 1

    def create_xor(self, a: int, b: int) -> int:
        return self.create_or(self.create_and(a, b ^ 1), self.create_and(a ^ 1, b))

    def lookup_and(self, a: int, b: int) -> int | None:
        """The literal of an existing AND of a and b (after folding), or None if it would be a new node."""
        if a > b:
            a, b = b, a
        if a == CONST0 or a == (b ^ 1):
            return CONST0
        if a == CONST1 or a == b:
            return b
        node = self._strash.get((a << 32) | b)
        return None if node is None else 2 * node

    def instantiate(self, implementation: Aig, input_lits: list[int]) -> list[int]:
        """Copies `implementation`'s logic into this network with its input j driven by `input_lits[j]`;
        returns the literals of its outputs. New ANDs are hashed, so logic that already exists is shared."""
        if len(input_lits) != implementation.num_pis:
            raise ValueError(f"{implementation.num_pis} input literals needed, got {len(input_lits)}")
        lits = [CONST0, *input_lits]
        f0, f1 = implementation.fanin0, implementation.fanin1
        for node in implementation.and_nodes():
            a, b = f0[node], f1[node]
            lits.append(self.create_and(lits[a >> 1] ^ (a & 1), lits[b >> 1] ^ (b & 1)))
        return [lits[lit >> 1] ^ (lit & 1) for lit in implementation.pos]

    def add_and_unhashed(self, a: int, b: int) -> int:
        """Appends an AND exactly as given (no folding); for readers that must keep a file's structure."""
        self._check_lit(a)
        self._check_lit(b)
        lo, hi = (a, b) if a <= b else (b, a)
        return 2 * self._append_and(lo, hi)

    def _append_and(self, a: int, b: int) -> int:
        node = len(self.fanin0)
        self.fanin0.append(a)
        self.fanin1.append(b)
        self._strash.setdefault((a << 32) | b, node)
        return node

    def _check_lit(self, lit: int) -> None:
        if not 0 <= lit < 2 * len(self.fanin0):
            raise ValueError(f"literal {lit} refers to a node that does not exist")

    # ---- whole-network views --------------------------------------------------------------------------------

    def fanin_array(self) -> np.ndarray:
        """Fanin literals as an int64 array of shape (num_nodes, 2); rows of non-AND nodes hold -1."""
        return np.array([self.fanin0, self.fanin1], dtype=np.int64).T.copy()

    def po_array(self) -> np.ndarray:
        return np.array(self.pos, dtype=np.int64)

    def copy_interface(self) -> tuple[Aig, list[int]]:
        """A new AIG with the same inputs (names, latches) and no logic; returns it and the map node -> literal
        with the constant and the inputs filled in (other entries -1)."""
        new = Aig(num_latches=self.num_latches, latch_inits=list(self.latch_inits),
                  latch_names=list(self.latch_names), comments=list(self.comments))
        node_map = [-1] * self.num_nodes
        node_map[0] = CONST0
        for i in range(self.num_pis):
            node_map[i + 1] = new.create_pi(self.pi_names[i])
        return new, node_map

    def cleanup(self) -> Aig:
        """A copy holding only the ANDs reachable from the outputs, re-hashed and constant-propagated."""
        reachable = self._reachable_ands()
        new, node_map = self.copy_interface()
        f0, f1 = self.fanin0, self.fanin1
        for node in self.and_nodes():
            if reachable[node]:
                a = node_map[f0[node] >> 1] ^ (f0[node] & 1)
                b = node_map[f1[node] >> 1] ^ (f1[node] & 1)
                node_map[node] = new.create_and(a, b)
        for lit, name in zip(self.pos, self.po_names):
            new.create_po(node_map[lit >> 1] ^ (lit & 1), name)
        return new

    def _reachable_ands(self) -> list[bool]:
        reachable = [False] * self.num_nodes
        stack = [lit >> 1 for lit in self.pos]
        num_pis = self.num_pis
        while stack:
            node = stack.pop()
            if reachable[node] or node <= num_pis:
                continue
            reachable[node] = True
            stack.append(self.fanin0[node] >> 1)
            stack.append(self.fanin1[node] >> 1)
        return reachable

    def __repr__(self) -> str:
        return (f"Aig(pis={self.num_pis}, pos={self.num_pos}, ands={self.num_ands}, "
                f"latches={self.num_latches})")
