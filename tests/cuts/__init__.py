"""Helpers shared by the cut tests: seeded random AIGs and a brute-force cut check."""

from __future__ import annotations

import random

from sc_plugin.aig.analysis import fanout_counts
from sc_plugin.aig.network import Aig


def random_aig(seed: int, num_pis: int, num_ands: int, locality: float = 0.15) -> Aig:
    """A strashed random AIG; fanins lean towards recent nodes (the more, the higher `locality`) so cones get deep
    and reconvergent. Every node without fanout drives an output, so every AND is reachable from an output."""
    rng = random.Random(seed)
    aig = Aig()
    lits = [aig.create_pi() for _ in range(num_pis)]
    attempts = 0
    while aig.num_ands < num_ands and attempts < 20 * num_ands:
        attempts += 1
        a, b = (lits[max(0, len(lits) - 1 - int(rng.expovariate(locality)))] for _ in range(2))
        lit = aig.create_and(a ^ rng.getrandbits(1), b ^ rng.getrandbits(1))
        if lit >> 1 > num_pis and lit not in lits and lit ^ 1 not in lits:
            lits.append(lit)
    counts = fanout_counts(aig)
    for node in aig.and_nodes():
        if counts[node] == 0:
            aig.create_po(2 * node ^ rng.getrandbits(1))
    return aig


def with_last_outputs(aig: Aig, count: int) -> Aig:
    """`aig` with only its last `count` outputs, cleaned up: deep cones whose nodes few outputs observe."""
    kept = Aig(fanin0=list(aig.fanin0), fanin1=list(aig.fanin1), num_pis=aig.num_pis, pi_names=list(aig.pi_names))
    for lit in aig.pos[-count:]:
        kept.create_po(lit)
    return kept.cleanup()


def is_cut(aig: Aig, root: int, leaves: tuple[int, ...]) -> bool:
    """Whether every path from `root` to a primary input passes through a leaf (brute force over the cone)."""
    covered: dict[int, bool] = {}

    def visit(node: int) -> bool:
        if node in leaves or node == 0:
            return True
        if aig.is_pi(node):
            return False
        if node not in covered:
            a, b = aig.fanins(node)
            covered[node] = visit(a >> 1) and visit(b >> 1)
        return covered[node]

    return root not in leaves and visit(root)


def transitive_fanin(aig: Aig, root: int) -> set[int]:
    """Nodes of the cone of `root` (root excluded, the constant excluded)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if aig.is_and(node):
            for lit in aig.fanins(node):
                if lit >> 1 not in seen and lit >> 1 != 0:
                    seen.add(lit >> 1)
                    stack.append(lit >> 1)
    return seen
