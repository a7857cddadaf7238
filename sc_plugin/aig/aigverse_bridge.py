"""Conversion to and from aigverse (mockturtle's AIG in Python), to reach mockturtle's algorithms.

aigverse networks carry no names or latches: names are re-attached from the `Aig` passed in by the caller where
needed. Conversion goes through strashing, so dangling nodes are not carried over.
"""

from __future__ import annotations

from aigverse.networks import Aig as AigverseAig

from sc_plugin.aig.network import Aig

__all__ = ["to_aigverse", "from_aigverse"]


def to_aigverse(aig: Aig) -> AigverseAig:
    """An aigverse AIG with the same inputs (in order), outputs (in order) and AND structure."""
    net = AigverseAig()
    signals = [net.get_constant(False)] + [net.create_pi() for _ in range(aig.num_pis)]
    for node in aig.and_nodes():
        a, b = aig.fanins(node)
        sig_a = ~signals[a >> 1] if a & 1 else signals[a >> 1]
        sig_b = ~signals[b >> 1] if b & 1 else signals[b >> 1]
        signals.append(net.create_and(sig_a, sig_b))
    for lit in aig.pos:
        net.create_po(~signals[lit >> 1] if lit & 1 else signals[lit >> 1])
    return net


def from_aigverse(net: AigverseAig, *, like: Aig | None = None) -> Aig:
    """Our `Aig` from an aigverse network; `like` (same interface) supplies names and latch records."""
    if like is not None:
        if (like.num_pis, like.num_pos) != (net.num_pis, net.num_pos):
            raise ValueError("`like` must have the same number of inputs and outputs as the aigverse network")
        aig, _ = like.copy_interface()
    else:
        aig = Aig()
        for _ in range(net.num_pis):
            aig.create_pi()
    lit_of = {net.node_to_index(net.get_node(net.get_constant(False))): 0}
    for i, pi in enumerate(net.pis()):
        lit_of[net.node_to_index(pi)] = 2 * (i + 1)

    def literal(signal) -> int:
        return lit_of[net.node_to_index(net.get_node(signal))] ^ int(net.is_complemented(signal))

    for node in net.gates():  # aigverse stores gates in topological order
        a, b = net.fanins(node)
        lit_of[net.node_to_index(node)] = aig.create_and(literal(a), literal(b))
    names = like.po_names if like is not None else [None] * net.num_pos
    for signal, name in zip(net.pos(), names):
        aig.create_po(literal(signal), name)
    return aig
