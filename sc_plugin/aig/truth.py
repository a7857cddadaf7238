"""Truth tables of functions of up to 8 inputs, as Python integers.

Bit m of a truth table is the function's value on minterm m, and input j is bit j of m. As text, a truth table is
hex written most significant digit first, which is how ABC's `read_truth` reads it: the last hex digit holds
minterms 0..3. A function of n inputs has 2**n bits; tables of fewer than 8 inputs are tiled (repeated) to 256 bits
wherever one fixed width is needed, so bitwise operations never depend on n.
"""

from __future__ import annotations

import re

import numpy as np

from sc_plugin.errors import TruthTableError

__all__ = [
    "MAX_INPUTS",
    "TT_WORDS",
    "table_mask",
    "projection",
    "parse_hex",
    "to_hex",
    "tile",
    "to_words",
    "from_words",
    "cofactors",
    "depends_on",
    "support",
    "count_ones",
]

MAX_INPUTS = 8
TT_WORDS = 4  # 256 bits as uint64 words, least significant word first

_PROJECTIONS_8 = [
    sum(1 << m for m in range(256) if (m >> var) & 1) for var in range(MAX_INPUTS)
]
_HEX_RE = re.compile(r"^[0-9a-fA-F]+$")


def table_mask(num_inputs: int) -> int:
    return (1 << (1 << num_inputs)) - 1


def projection(var: int, num_inputs: int) -> int:
    """The truth table of input `var` as a function of `num_inputs` inputs."""
    return _PROJECTIONS_8[var] & table_mask(num_inputs)


def parse_hex(text: str, num_inputs: int | None = None) -> tuple[int, int]:
    """Parses ABC-style hex (optionally prefixed 0x) into (table, num_inputs).

    Without `num_inputs`, the count is implied by the length: 4 * len(hex) == 2**n (one digit serves n <= 2).
    Raises TruthTableError with a one-line reason for anything malformed.
    """
    digits = text.strip()
    if digits[:2].lower() == "0x":
        digits = digits[2:]
    if not digits:
        raise TruthTableError("empty truth table")
    if not _HEX_RE.match(digits):
        raise TruthTableError(f"truth table {text.strip()!r} has non-hex characters")
    num_bits = 4 * len(digits)
    if num_inputs is None:
        if num_bits & (num_bits - 1):
            raise TruthTableError(f"truth table {text.strip()!r}: {len(digits)} hex digits is not a power of two "
                                  f"bits (2**n bits for n inputs)")
        num_inputs = max(2, num_bits.bit_length() - 1)
    if not 0 <= num_inputs <= MAX_INPUTS:
        raise TruthTableError(f"truth table {text.strip()!r}: {num_inputs} inputs, at most {MAX_INPUTS} supported")
    expected_digits = max(1, (1 << num_inputs) // 4)
    if len(digits) != expected_digits:
        raise TruthTableError(f"truth table {text.strip()!r}: {num_inputs} inputs need {expected_digits} hex "
                              f"digits, got {len(digits)}")
    table = int(digits, 16)
    if table > table_mask(num_inputs):
        raise TruthTableError(f"truth table {text.strip()!r} has bits beyond {1 << num_inputs} minterms")
    return table, num_inputs


def to_hex(table: int, num_inputs: int) -> str:
    """ABC-style hex, most significant digit first, 2**n / 4 digits (at least one)."""
    return format(table & table_mask(num_inputs), f"0{max(1, (1 << num_inputs) // 4)}x")


def tile(table: int, num_inputs: int) -> int:
    """Repeats a table of num_inputs inputs to 256 bits (the same function of 8 inputs)."""
    width = 1 << num_inputs
    table &= table_mask(num_inputs)
    while width < 256:
        table |= table << width
        width *= 2
    return table


def to_words(table: int, num_inputs: int) -> np.ndarray:
    """The tiled 256-bit table as TT_WORDS uint64 words, least significant first."""
    tiled = tile(table, num_inputs)
    return np.array([(tiled >> (64 * w)) & 0xFFFFFFFFFFFFFFFF for w in range(TT_WORDS)], dtype=np.uint64)


def from_words(words: np.ndarray, num_inputs: int) -> int:
    value = 0
    for w in range(TT_WORDS - 1, -1, -1):
        value = (value << 64) | int(words[w])
    return value & table_mask(num_inputs)


def cofactors(table: int, var: int, num_inputs: int) -> tuple[int, int]:
    """(negative, positive) cofactors of `table` in `var`, each still a function of num_inputs inputs."""
    shift = 1 << var
    proj = projection(var, num_inputs)
    neg = table & ~proj & table_mask(num_inputs)
    pos = table & proj
    return neg | (neg << shift), pos | (pos >> shift)


def depends_on(table: int, var: int, num_inputs: int) -> bool:
    neg, pos = cofactors(table, var, num_inputs)
    return neg != pos


def support(table: int, num_inputs: int) -> list[int]:
    return [v for v in range(num_inputs) if depends_on(table, v, num_inputs)]


def count_ones(table: int) -> int:
    return bin(table).count("1")
