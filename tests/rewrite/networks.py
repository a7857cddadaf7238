"""Small hand-built networks shared by the rewrite tests."""

from sc_plugin.aig import Aig


def redundant() -> Aig:
    """(a & b) | (a & c) | (a & d): five ANDs where a & (b | c | d) needs three."""
    aig = Aig()
    a, b, c, d = (aig.create_pi(name) for name in "abcd")
    ab, ac, ad = aig.create_and(a, b), aig.create_and(a, c), aig.create_and(a, d)
    aig.create_po(aig.create_or(aig.create_or(ab, ac), ad), "y")
    return aig


def four_ands() -> Aig:
    """redundant()'s function in four ANDs: (a & (b | c)) | (a & d)."""
    aig = Aig()
    a, b, c, d = (aig.create_pi(name) for name in "abcd")
    aig.create_po(aig.create_or(aig.create_and(a, aig.create_or(b, c)), aig.create_and(a, d)), "y")
    return aig


def factored() -> Aig:
    """redundant()'s function in its three ANDs."""
    aig = Aig()
    a, b, c, d = (aig.create_pi(name) for name in "abcd")
    aig.create_po(aig.create_and(a, aig.create_or(aig.create_or(b, c), d)), "y")
    return aig
