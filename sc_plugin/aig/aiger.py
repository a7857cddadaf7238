"""AIGER reading and writing: binary `aig` and ASCII `aag`, with symbol names and comments.

Latches are cut on reading (see `network.py`) and restored on writing. AIGER 1.9 extensions (bad-state,
constraint, justice and fairness sections) are rejected with a clear error rather than silently dropped.
Every malformed file raises `AigerFormatError` naming the file and the problem.
"""

from __future__ import annotations

import os
from pathlib import Path

from sc_plugin.aig.analysis import topological_order
from sc_plugin.aig.network import Aig
from sc_plugin.errors import AigerFormatError
from sc_plugin.files import write_atomic

__all__ = ["read_aiger", "read_aiger_bytes", "write_aiger", "aiger_bytes"]


def read_aiger(path: str | os.PathLike) -> Aig:
    """Reads a binary or ASCII AIGER file; the format is taken from the header, not the extension."""
    path = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise AigerFormatError(path, f"cannot read file ({exc.strerror})") from None
    return read_aiger_bytes(data, path)


def read_aiger_bytes(data: bytes, name: str = "<bytes>") -> Aig:
    return _Reader(data, name).read()


class _Reader:
    def __init__(self, data: bytes, name: str) -> None:
        self.data = data
        self.name = name
        self.pos = 0

    def fail(self, problem: str) -> AigerFormatError:
        return AigerFormatError(self.name, problem)

    def line(self, what: str) -> str:
        end = self.data.find(b"\n", self.pos)
        if end < 0:
            if self.pos >= len(self.data):
                raise self.fail(f"truncated file: expected {what}")
            end = len(self.data)
        text = self.data[self.pos:end].decode("utf-8", errors="replace").strip()
        self.pos = end + 1
        return text

    def ints(self, what: str, count_range: tuple[int, int]) -> list[int]:
        text = self.line(what)
        fields = text.split()
        if not count_range[0] <= len(fields) <= count_range[1]:
            raise self.fail(f"malformed {what}: {text!r}")
        try:
            values = [int(f) for f in fields]
        except ValueError:
            raise self.fail(f"malformed {what}: {text!r}") from None
        if any(v < 0 for v in values):
            raise self.fail(f"negative number in {what}: {text!r}")
        return values

    def read(self) -> Aig:
        header = self.line("header").split()
        if not header or header[0] not in ("aig", "aag"):
            raise self.fail("bad header: not an AIGER file (expected 'aig' or 'aag')")
        if len(header) < 6:
            raise self.fail(f"bad header {' '.join(header)!r}: expected 'M I L O A'")
        try:
            counts = [int(x) for x in header[1:]]
        except ValueError:
            raise self.fail(f"bad header {' '.join(header)!r}: counts must be integers") from None
        if any(c < 0 for c in counts):
            raise self.fail("bad header: negative count")
        max_var, num_inputs, num_latches, num_outputs, num_ands = counts[:5]
        if any(counts[5:]):
            raise self.fail("AIGER 1.9 bad/constraint/justice/fairness sections are not supported")
        self.max_var = max_var
        if header[0] == "aig":
            if max_var != num_inputs + num_latches + num_ands:
                raise self.fail(f"bad header: M={max_var} must equal I+L+A={num_inputs + num_latches + num_ands}")
            aig = self._read_binary(num_inputs, num_latches, num_outputs, num_ands)
        else:
            if max_var < num_inputs + num_latches + num_ands:
                raise self.fail(f"bad header: M={max_var} is less than I+L+A")
            aig = self._read_ascii(num_inputs, num_latches, num_outputs, num_ands)
        self._read_symbols(aig, num_inputs, num_latches, num_outputs)
        return aig

    def check_lit(self, lit: int, what: str) -> int:
        if lit > 2 * self.max_var + 1:
            raise self.fail(f"literal {lit} in {what} is out of range (M={self.max_var})")
        return lit

    def _latch_lines(self, num_latches: int, ascii_format: bool) -> tuple[list[int], list[int], list[int]]:
        outs, nexts, inits = [], [], []
        for k in range(num_latches):
            fields = self.ints(f"latch {k}", (2, 3) if ascii_format else (1, 2))
            out = fields.pop(0) if ascii_format else 0
            nxt = self.check_lit(fields[0], f"latch {k}")
            init = fields[1] if len(fields) > 1 else 0
            if init not in (0, 1):
                init = 2  # AIGER marks an uninitialised latch by its own literal
            outs.append(out)
            nexts.append(nxt)
            inits.append(init)
        return outs, nexts, inits

    def _read_binary(self, num_inputs: int, num_latches: int, num_outputs: int, num_ands: int) -> Aig:
        aig = Aig()
        for _ in range(num_inputs + num_latches):
            aig.create_pi()
        _, nexts, inits = self._latch_lines(num_latches, ascii_format=False)
        outputs = [self.check_lit(self.ints(f"output {k}", (1, 1))[0], f"output {k}") for k in range(num_outputs)]
        data, pos = self.data, self.pos
        size = len(data)
        first = num_inputs + num_latches + 1
        for k in range(num_ands):
            lhs = 2 * (first + k)
            deltas = []
            for _ in range(2):
                value, shift = 0, 0
                while True:
                    if pos >= size:
                        raise self.fail(f"truncated file: AND section ends at gate {k} of {num_ands}")
                    byte = data[pos]
                    pos += 1
                    value |= (byte & 0x7F) << shift
                    if byte < 0x80:
                        break
                    shift += 7
                deltas.append(value)
            rhs0 = lhs - deltas[0]
            rhs1 = rhs0 - deltas[1]
            if deltas[0] == 0 or rhs1 < 0:
                raise self.fail(f"AND gate {lhs} has an invalid fanin delta (literal out of range or cycle)")
            aig.add_and_unhashed(rhs1, rhs0)
        self.pos = pos
        self._finish(aig, num_latches, inits, outputs + nexts)
        return aig

    def _read_ascii(self, num_inputs: int, num_latches: int, num_outputs: int, num_ands: int) -> Aig:
        input_lits = [self.ints(f"input {k}", (1, 1))[0] for k in range(num_inputs)]
        latch_outs, nexts, inits = self._latch_lines(num_latches, ascii_format=True)
        outputs = [self.check_lit(self.ints(f"output {k}", (1, 1))[0], f"output {k}") for k in range(num_outputs)]
        and_lines = [self.ints(f"AND gate {k}", (3, 3)) for k in range(num_ands)]
        # Map file variables to our numbering: inputs, then latches, then ANDs in topological order.
        fanins: list[tuple[int, int] | None] = [None] * (self.max_var + 1)
        defined = [False] * (self.max_var + 1)
        defined[0] = True
        for lit in input_lits + latch_outs:
            if lit & 1 or lit < 2:
                raise self.fail(f"input or latch literal {lit} must be even and non-zero")
            self.check_lit(lit, "inputs")
            if defined[lit >> 1]:
                raise self.fail(f"variable {lit >> 1} is defined twice")
            defined[lit >> 1] = True
        for lhs, rhs0, rhs1 in and_lines:
            if lhs & 1 or lhs < 2:
                raise self.fail(f"AND gate literal {lhs} must be even and non-zero")
            for lit in (lhs, rhs0, rhs1):
                self.check_lit(lit, f"AND gate {lhs}")
            if defined[lhs >> 1]:
                raise self.fail(f"variable {lhs >> 1} is defined twice")
            defined[lhs >> 1] = True
            fanins[lhs >> 1] = (rhs0, rhs1)
        for lit in [r for _, r0, r1 in and_lines for r in (r0, r1)] + outputs + nexts:
            if not defined[lit >> 1]:
                raise self.fail(f"literal {lit} uses variable {lit >> 1}, which is never defined")
        try:
            order = topological_order(self.max_var + 1, fanins)
        except ValueError as exc:
            raise self.fail(str(exc)) from None
        aig = Aig()
        node_of = [-1] * (self.max_var + 1)
        node_of[0] = 0
        for lit in input_lits + latch_outs:
            node_of[lit >> 1] = aig.create_pi() >> 1
        for var in order:
            pair = fanins[var]
            if pair is not None:
                a = 2 * node_of[pair[0] >> 1] + (pair[0] & 1)
                b = 2 * node_of[pair[1] >> 1] + (pair[1] & 1)
                node_of[var] = aig.add_and_unhashed(a, b) >> 1
        remap = [2 * node_of[lit >> 1] + (lit & 1) for lit in outputs + nexts]
        self._finish(aig, num_latches, inits, remap)
        return aig

    def _finish(self, aig: Aig, num_latches: int, inits: list[int], po_lits: list[int]) -> None:
        for lit in po_lits:
            aig.create_po(lit)
        aig.num_latches = num_latches
        aig.latch_inits = inits
        aig.latch_names = [None] * num_latches

    def _read_symbols(self, aig: Aig, num_inputs: int, num_latches: int, num_outputs: int) -> None:
        limits = {"i": num_inputs, "l": num_latches, "o": num_outputs}
        while self.pos < len(self.data):
            text = self.line("symbol")
            if not text:
                continue
            if text == "c":
                rest = self.data[self.pos:].decode("utf-8", errors="replace")
                aig.comments = rest.splitlines()
                return
            kind, _, rest = text.partition(" ")
            index_text = kind[1:]
            if kind[:1] not in limits or not index_text.isdigit() or not rest:
                raise self.fail(f"malformed symbol line {text!r}")
            index = int(index_text)
            if index >= limits[kind[0]]:
                raise self.fail(f"symbol {text!r} refers to a {kind[0]}-entry that does not exist")
            if kind[0] == "i":
                aig.pi_names[index] = rest
            elif kind[0] == "l":
                aig.latch_names[index] = rest
            else:
                aig.po_names[index] = rest


def aiger_bytes(aig: Aig, *, binary: bool = True) -> bytes:
    """The AIGER encoding of `aig` (binary `aig` unless binary=False)."""
    num_latches = aig.num_latches
    num_inputs = aig.num_pis - num_latches
    num_outputs = aig.num_pos - num_latches
    num_ands = aig.num_ands
    max_var = aig.num_pis + num_ands
    out = bytearray()
    tag = "aig" if binary else "aag"
    out += f"{tag} {max_var} {num_inputs} {num_latches} {num_outputs} {num_ands}\n".encode()
    if not binary:
        out += "".join(f"{2 * (i + 1)}\n" for i in range(num_inputs)).encode()
    nexts = aig.pos[num_outputs:]
    for k in range(num_latches):
        latch_lit = 2 * (num_inputs + k + 1)
        init = aig.latch_inits[k]
        fields = ([str(latch_lit)] if not binary else []) + [str(nexts[k])]
        if init == 1:
            fields.append("1")
        elif init == 2:
            fields.append(str(latch_lit))
        out += (" ".join(fields) + "\n").encode()
    out += "".join(f"{lit}\n" for lit in aig.pos[:num_outputs]).encode()
    f0, f1 = aig.fanin0, aig.fanin1
    if binary:
        for node in aig.and_nodes():
            lhs = 2 * node
            for delta in (lhs - f1[node], f1[node] - f0[node]):
                while delta >= 0x80:
                    out.append((delta & 0x7F) | 0x80)
                    delta >>= 7
                out.append(delta)
    else:
        out += "".join(f"{2 * node} {f1[node]} {f0[node]}\n" for node in aig.and_nodes()).encode()
    symbols = []
    for i in range(num_inputs):
        if aig.pi_names[i]:
            symbols.append(f"i{i} {aig.pi_names[i]}")
    for k in range(num_latches):
        if aig.latch_names[k]:
            symbols.append(f"l{k} {aig.latch_names[k]}")
    for o in range(num_outputs):
        if aig.po_names[o]:
            symbols.append(f"o{o} {aig.po_names[o]}")
    if symbols:
        out += ("\n".join(symbols) + "\n").encode()
    if aig.comments:
        out += ("c\n" + "\n".join(aig.comments) + "\n").encode()
    return bytes(out)


def write_aiger(aig: Aig, path: str | os.PathLike) -> None:
    """Writes `aig` atomically; the extension chooses the format (`.aag` ASCII, anything else binary)."""
    path = str(path)
    write_atomic(path, aiger_bytes(aig, binary=not path.endswith(".aag")))
