"""Stand-in steps for flow tests (imported by module name from a flow file's `python` step)."""

import copy


def invert_first_output(aig):
    """Breaks the circuit: the first output is complemented (and looks one AND smaller, a tempting 'gain')."""
    broken = copy.deepcopy(aig)
    broken.pos[0] ^= 1
    return broken


def do_nothing(aig):
    return aig
