"""The netlist Yosys's `abc` pass hands to ABC for one module, rebuilt without running it.

ABC's mapping depends on the order of the inputs, outputs and gates it reads (the same logic, presented in another
order, maps to areas up to 10% apart). To know the area `abc -liberty` will give a module, before and after the
`shortcircuit` pass changes it, the pass writes the BLIF netlist that `abc` would write and maps that
(`abc/mapping.py`). This file reproduces `abc` (Yosys passes/techmap/abc.cc) step by step for a module whose
flip-flops are library cells (mapped by `dfflibmap` first): it visits the module's cells in `abc`'s order; every
fine-grained gate gives one signal per input bit, then one for its output, numbered on first sight; every other cell
is a boundary, and the bits it touches become ports; inputs are the port signals no gate drives, outputs the port
signals a gate drives; gates are written as `.names` covers in signal order. (Yosys 0.70's `abc` sorts cells into
clock domains even without -dff and takes Yosys's own flip-flops into the netlist; a module without them is one
domain, which this reproduces; one with them is not.)

Yosys keeps a module's cells in a hash dictionary whose entries vector grows at the end; erasing an entry moves
the last one into its slot; iteration, and pyosys's `module.selected_cells()`, run from the last entry to the
first. `abc` collects the cells in that order into a pool and visits the pool in reverse, that is in entries order.
`dictionary_entries` and `entries_after_edit` follow these rules (measured on pyosys 0.70), so the netlist after an
edit (cells added, then cells removed) is known before the edit is made; tests/yosys/test_abc_netlist.py compares
the result with the netlist `abc` writes itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Hashable, Iterable, Sequence

__all__ = ["NetlistCell", "GATE_PORTS", "abc_input_blif", "dictionary_entries", "entries_after_edit"]

# Input ports of the gates `abc` reads, in the order it reads them (the output is Y).
GATE_PORTS = {
    "$_BUF_": "A", "$_NOT_": "A",
    "$_AND_": "AB", "$_NAND_": "AB", "$_OR_": "AB", "$_NOR_": "AB", "$_XOR_": "AB", "$_XNOR_": "AB",
    "$_ANDNOT_": "AB", "$_ORNOT_": "AB",
    "$_MUX_": "ABS", "$_NMUX_": "ABS",
    "$_AOI3_": "ABC", "$_OAI3_": "ABC", "$_AOI4_": "ABCD", "$_OAI4_": "ABCD",
}

# The cover `abc` writes for each gate (inputs in GATE_PORTS order, then the output).
_COVERS = {
    "$_BUF_": ("1 1",), "$_NOT_": ("0 1",), "$_AND_": ("11 1",), "$_NAND_": ("0- 1", "-0 1"),
    "$_OR_": ("-1 1", "1- 1"), "$_NOR_": ("00 1",), "$_XOR_": ("01 1", "10 1"), "$_XNOR_": ("00 1", "11 1"),
    "$_ANDNOT_": ("10 1",), "$_ORNOT_": ("1- 1", "-0 1"), "$_MUX_": ("1-0 1", "-11 1"),
    "$_NMUX_": ("0-0 1", "-01 1"), "$_AOI3_": ("-00 1", "0-0 1"), "$_OAI3_": ("00- 1", "--0 1"),
    "$_AOI4_": ("-0-0 1", "-00- 1", "0--0 1", "0-0- 1"), "$_OAI4_": ("00-- 1", "--00 1"),
}


@dataclass(frozen=True)
class NetlistCell:
    """One cell as `abc` sees it. Bits are any hashable net identities (pyosys SigBits, or stand-ins for wires
    that do not exist yet), canonical or not: `abc_input_blif` canonicalizes them."""

    kind: str  # a key of GATE_PORTS, or "" for a boundary cell
    inputs: tuple  # gate: its input bits in GATE_PORTS order; boundary: every bit it connects to
    output: Hashable | None = None  # gate: its Y bit


def dictionary_entries(listed: Sequence) -> list:
    """The entries of a Yosys cell dictionary, front to back (the order `abc` visits them), from the cells as
    pyosys lists them (`module.selected_cells()`, back to front)."""
    return list(reversed(listed))


def entries_after_edit(entries: Sequence, added: Iterable, removed: Iterable) -> list:
    """The entries, front to back, after appending `added` and then erasing `removed` one by one (each erase
    moves the last entry into the erased slot, as Yosys's hashlib dict does)."""
    order = list(entries) + list(added)
    position = {item: index for index, item in enumerate(order)}
    for item in removed:
        index = position.pop(item)
        last = order.pop()
        if index < len(order):
            order[index] = last
            position[last] = index
    return order


def abc_input_blif(cells: Sequence[NetlistCell], canonical: Callable[[Hashable], Hashable],
                   port_bits: set, constant: Callable[[Hashable], int | None]) -> str:
    """The BLIF text `abc` writes for these cells, visited in this order.

    canonical: the net of a bit (Yosys's SigMap); port_bits: canonical bits of module ports and keep wires;
    constant: 0 or 1 for a constant bit (x and z count as 0, as in `abc`), None for a wire bit.
    """
    index: dict = {}
    signals: list[list] = []  # per signal: [bit, gate kind or "", input signal numbers, is a port]

    def signal(bit, kind: str = "", inputs: tuple = ()) -> int:
        bit = canonical(bit)
        number = index.get(bit)
        if number is None:
            number = index[bit] = len(signals)
            signals.append([bit, "", (), constant(bit) is None and bit in port_bits])
        if kind:
            signals[number][1], signals[number][2] = kind, inputs
        return number

    boundaries = []
    for cell in cells:
        if not cell.kind:
            boundaries.append(cell)
            continue
        inputs = tuple(signal(bit) for bit in cell.inputs)
        signal(cell.output, cell.kind, inputs)
    for cell in boundaries:  # what a boundary cell touches is seen outside the logic
        for bit in cell.inputs:
            number = index.get(canonical(bit))
            if number is not None and constant(signals[number][0]) is None:
                signals[number][3] = True
    inputs = [f"ys__n{n}" for n, s in enumerate(signals) if s[3] and not s[1]]
    outputs = [f"ys__n{n}" for n, s in enumerate(signals) if s[3] and s[1]]
    lines = [".model netlist", ".inputs " + (" ".join(inputs) if inputs else "dummy_input"),
             ".outputs" + "".join(" " + name for name in outputs)]
    for number, (bit, _, _, _) in enumerate(signals):
        value = constant(bit)
        if value is not None:
            lines.append(f".names ys__n{number}")
            if value == 1:
                lines.append("1")
    for number, (_, kind, fanins, _) in enumerate(signals):
        if kind:
            lines.append(".names " + " ".join(f"ys__n{n}" for n in fanins) + f" ys__n{number}")
            lines.extend(_COVERS[kind])
    lines.append(".end")
    return "\n".join(lines) + "\n"
