"""Facts about one single-output function every engine needs: its support, its 0-AND implementations, and the
canonical key of its NPN class.

A function is a (table, num_inputs) pair as in `sc_plugin.aig.truth`. Engines and the cache solve a function on
its support (`shrink_to_support`), then re-express the result over the caller's inputs (`expand_support`).

An incompletely specified function adds a care mask over the same minterms (bit m set: the value on minterm m
matters; None: every value matters). `normalize_care` gives its one form, `needed_variables` the inputs every
implementation reads, and `completions` cheap completely specified functions that agree with it on the care set.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from sc_plugin.aig.network import CONST0, Aig
from sc_plugin.aig.npn import NpnTransform, npn_canonize
from sc_plugin.aig.truth import projection, support, table_mask

__all__ = ["NpnKey", "shrink_to_support", "expand_support", "restrict_to_support", "trivial_implementation",
           "npn_key", "completions", "normalize_care", "needed_variables"]


def shrink_to_support(table: int, num_inputs: int) -> tuple[int, list[int]]:
    """The function restricted to the variables it depends on: (table over len(vars) inputs, vars).

    Variable i of the result is variable vars[i] of the original (vars ascending).
    """
    table &= table_mask(num_inputs)
    variables = support(table, num_inputs)
    return _restrict_table(table, variables), variables


def _restrict_table(table: int, variables: Sequence[int]) -> int:
    """The table over len(variables) inputs (input i = variable variables[i]) with every other variable at 0;
    the same function when the table does not depend on the others."""
    small = 0
    for m in range(1 << len(variables)):
        full = 0
        for i, v in enumerate(variables):
            if (m >> i) & 1:
                full |= 1 << v
        if (table >> full) & 1:
            small |= 1 << m
    return small


def normalize_care(care: int | None, num_inputs: int) -> int | None:
    """The care mask cut to num_inputs inputs, or None when every minterm is cared for."""
    if care is None:
        return None
    care &= table_mask(num_inputs)
    return None if care == table_mask(num_inputs) else care


def expand_support(aig: Aig, variables: Sequence[int], num_inputs: int) -> Aig:
    """Re-expresses a single-output AIG over len(variables) inputs as one over num_inputs inputs
    (its input i becomes input variables[i]; the others are unused)."""
    new = Aig()
    pis = [new.create_pi() for _ in range(num_inputs)]
    for lit in new.instantiate(aig, [pis[v] for v in variables]):
        new.create_po(lit)
    return new


def restrict_to_support(aig: Aig, variables: Sequence[int]) -> Aig:
    """The inverse of `expand_support` for a function that depends only on `variables`: input variables[i]
    becomes input i and every other input is tied to constant 0 (the function does not depend on it)."""
    new = Aig()
    position = {v: i for i, v in enumerate(variables)}
    pis = [new.create_pi() for _ in variables]
    input_lits = [pis[position[v]] if v in position else CONST0 for v in range(aig.num_pis)]
    for lit in new.instantiate(aig, input_lits):
        new.create_po(lit)
    return new


def trivial_implementation(table: int, num_inputs: int, care: int | None = None) -> Aig | None:
    """A 0-AND AIG over num_inputs inputs when the function is, on the care minterms, a constant or a
    (complemented) input, else None."""
    mask = table_mask(num_inputs)
    care = mask if care is None else care & mask
    table &= care
    aig = Aig()
    lits = [aig.create_pi() for _ in range(num_inputs)]
    for value in (0, 1):
        if table == (care if value else 0):
            aig.create_po(value)
            return aig
    for var in range(num_inputs):
        proj = projection(var, num_inputs) & care
        for complemented in (0, 1):
            if table == proj ^ (care if complemented else 0):
                aig.create_po(lits[var] ^ complemented)
                return aig
    return None


@dataclass(frozen=True)
class NpnKey:
    """A function's NPN class on its support: `canon` over `num_inputs` = len(variables) inputs; with a care mask,
    the class of the table and the mask moved by the same input permutation and negations."""

    num_inputs: int
    canon: int
    transform: NpnTransform  # maps the support table to `canon`
    variables: tuple[int, ...]  # the support, ascending: input i of the class is variable variables[i]
    care: int | None = None  # the care mask over the class's inputs, moved as the table is; None: complete


def npn_key(table: int, num_inputs: int, care: int | None = None) -> NpnKey:
    """The NPN class of the function restricted to its support; functions equal up to NPN and unused inputs share
    (num_inputs, canon).

    With a care mask, the support is that of the table and of the mask together (the mask can make an input the
    table ignores useful), `canon` and `transform` are the class of the table over it, and `care` is the mask moved
    by the transform's inputs part (a mask is never complemented). So a (table, care) pair is identified exactly;
    two pairs equal up to NPN share the key when the canonization picks transforms that move their masks alike
    (it may not when the table has symmetries, or at 7-8 inputs where it is not exact), and care sets of one table
    compare by inclusion. The table's values off the care set are part of the key: callers give the cut's complete
    function, so that its entry is found too.
    """
    table &= table_mask(num_inputs)
    care = normalize_care(care, num_inputs)
    variables = support(table, num_inputs)
    if care is not None:
        variables = sorted({*variables, *support(care, num_inputs)})
    canon, transform = npn_canonize(_restrict_table(table, variables), len(variables))
    moved_care = None if care is None else replace(transform, output_negation=False).apply(
        _restrict_table(care, variables))
    return NpnKey(len(variables), canon, transform, tuple(variables), moved_care)


def needed_variables(table: int, care: int | None, num_inputs: int) -> list[int]:
    """The variables every implementation depends on: those with two care minterms that differ only in the variable
    and disagree (with care None, the support). An implementation needs at least len(result) - 1 ANDs."""
    full = table_mask(num_inputs)
    care = full if care is None else care & full
    table &= full
    return [var for var in range(num_inputs)
            if (table ^ (table >> (1 << var))) & care & (care >> (1 << var)) & full & ~projection(var, num_inputs)]


def completions(table: int, care: int, num_inputs: int) -> list[int]:
    """Completely specified functions that agree with `table` on the `care` minterms, chosen to be cheap to build:
    `table` itself, the don't cares filled with 0 and with 1, the same two fills after letting go of every variable
    that the care set allows to drop (greedily, in index order), and the functions of irredundant sums of products
    of the on-set and of the off-set that use the don't cares. Distinct tables, `table` first."""
    full = table_mask(num_inputs)
    table, care = table & full, care & full
    value, reduced_care = table, care
    for var in range(num_inputs):
        shift = 1 << var
        low_half = full & ~projection(var, num_inputs)  # minterms with bit var = 0
        if (value ^ (value >> shift)) & reduced_care & (reduced_care >> shift) & low_half:
            continue  # two care minterms that differ only in var disagree: var stays
        low_care, high_care = reduced_care & low_half, (reduced_care >> shift) & low_half
        merged = (value & low_care) | ((value >> shift) & high_care & ~low_care)
        merged_care = low_care | high_care
        value, reduced_care = merged | (merged << shift), merged_care | (merged_care << shift)
    on, off = table & care, ~table & care & full
    found = [table, on, table | (full & ~care), value & reduced_care, value | (full & ~reduced_care),
             _isop_function(on, full & ~off, num_inputs), full & ~_isop_function(off, full & ~on, num_inputs)]
    return list(dict.fromkeys(found))


def _isop_function(lower: int, upper: int, num_inputs: int) -> int:
    """The function of an irredundant sum of products between `lower` and `upper` (lower implies upper), by
    Minato-Morreale recursion on the highest variable: a completion whose cover is small."""
    full = table_mask(num_inputs)

    def cover(on: int, up: int, var: int) -> int:
        if on == 0:
            return 0
        if up == full or var < 0:
            return up if var < 0 else full
        shift, high = 1 << var, projection(var, num_inputs)
        on0, on1 = on & ~high, on & high
        up0, up1 = up & ~high, up & high
        on0, on1, up0, up1 = on0 | on0 << shift, on1 | on1 >> shift, up0 | up0 << shift, up1 | up1 >> shift
        f0 = cover(on0 & ~up1 & full, up0, var - 1)
        f1 = cover(on1 & ~up0 & full, up1, var - 1)
        shared = cover((on0 & ~f0) | (on1 & ~f1), up0 & up1, var - 1)
        return (f0 & ~high) | (f1 & high) | shared

    return cover(lower, upper, num_inputs - 1) & full
