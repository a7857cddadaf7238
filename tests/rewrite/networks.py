"""Small hand-built networks shared by the rewrite tests."""

from sc_plugin.aig import Aig


def redundant() -> Aig:
    """(a & b) | (a & c) | (a & d): five ANDs where a & (b | c | d) needs three."""
    aig = Aig()
    a, b, c, d = (aig.create_pi(name) for name in "abcd")
    ab, ac, ad = aig.create_and(a, b), aig.create_and(a, c), aig.create_and(a, d)
    aig.create_po(aig.create_or(aig.create_or(ab, ac), ad), "y")
    return aig
