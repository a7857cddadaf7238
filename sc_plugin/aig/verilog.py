"""Structural Verilog of AND/NOT/assign netlists, read with pyverilog and written by this module.

Reading accepts one combinational module: `input`/`output`/`wire` declarations (scalars and vectors), `assign`
statements over `~ & | ^ ~^` and constants, and the gate primitives `and or nand nor xor xnor not buf`. Anything
else (always blocks, instances of other modules, registers) is refused with a clear error: this is an exchange
format for gate-level netlists, not a Verilog front end (that is Yosys's job).

Writing emits one `assign` per AND node over `~` and `&`, with vector ports regrouped from names like `a[3]`.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import defaultdict
from pathlib import Path

from sc_plugin.aig.analysis import CycleError, dependency_order
from sc_plugin.aig.network import CONST0, CONST1, Aig
from sc_plugin.errors import ScError

__all__ = ["read_verilog", "write_verilog", "verilog_text", "VerilogError"]


class VerilogError(ScError):
    """A structural Verilog file this reader cannot turn into an AIG."""


def _parse(text: str, path: str):
    # Imported lazily: pyverilog builds its parser tables on first use (about 2 s), which AIGER users never need.
    from pyverilog.vparser.parser import VerilogParser

    with tempfile.TemporaryDirectory() as tables:
        try:
            return VerilogParser(outputdir=tables, debug=False).parse(text)
        except Exception as exc:  # pyverilog raises its own ParseError with the line
            raise VerilogError(f"{path}: {exc}") from None


class _Builder:
    """Turns the module's expressions into AIG literals, resolving wires in dependency order."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.aig = Aig()
        self.drivers: dict[str, object] = {}  # bit name -> expression node (pyverilog AST) or gate tuple
        self.widths: dict[str, tuple[int, int]] = {}  # vector name -> (msb, lsb)
        self.lits: dict[str, int] = {}

    def fail(self, problem: str) -> VerilogError:
        return VerilogError(f"{self.path}: {problem}")

    def bits(self, name: str) -> list[str]:
        if name not in self.widths:
            return [name]
        msb, lsb = self.widths[name]
        step = 1 if msb >= lsb else -1
        return [f"{name}[{i}]" for i in range(lsb, msb + step, step)]

    def bit_name(self, node) -> str:
        from pyverilog.vparser import ast

        if isinstance(node, ast.Identifier):
            if node.name in self.widths and len(self.bits(node.name)) > 1:
                raise self.fail(f"vector {node.name} used as a single bit; index it")
            return self.bits(node.name)[0]
        if isinstance(node, ast.Pointer) and isinstance(node.var, ast.Identifier):
            return f"{node.var.name}[{self._int(node.ptr)}]"
        raise self.fail(f"unsupported target {type(node).__name__} (line {node.lineno})")

    def _int(self, node) -> int:
        try:
            return int(str(node.value).split("'")[-1].lstrip("dDbBhH") or "0", 10)
        except (AttributeError, ValueError):
            raise self.fail(f"unsupported constant or index (line {getattr(node, 'lineno', '?')})") from None

    def literal(self, node) -> int:
        """The literal of an expression; wires are resolved on demand (`resolve`)."""
        from pyverilog.vparser import ast

        if isinstance(node, (ast.Identifier, ast.Pointer)):
            return self.resolve(self.bit_name(node))
        if isinstance(node, ast.IntConst):
            text = node.value.replace("_", "")
            value = text.split("'")[-1]
            base = {"b": 2, "h": 16, "d": 10, "o": 8}.get(value[:1].lower(), 10)
            digits = value[1:] if value[:1].lower() in "bhdo" else value
            if digits.lower() in ("x", "z") or int(digits, base) > 1:
                raise self.fail(f"constant {node.value} is not 0 or 1 (line {node.lineno})")
            return CONST1 if int(digits, base) else CONST0
        if isinstance(node, (ast.Unot, ast.Ulnot)):
            return self.literal(node.right) ^ 1
        binary = {ast.And: "and", ast.Land: "and", ast.Or: "or", ast.Lor: "or", ast.Xor: "xor", ast.Xnor: "xnor"}
        kind = binary.get(type(node))
        if kind is None:
            raise self.fail(f"unsupported expression {type(node).__name__} (line {node.lineno})")
        return self.gate(kind, [self.literal(node.left), self.literal(node.right)])

    def gate(self, kind: str, inputs: list[int]) -> int:
        aig = self.aig
        if kind in ("not", "buf"):
            return inputs[0] ^ (kind == "not")
        base = {"and": "and", "nand": "and", "or": "or", "nor": "or", "xor": "xor", "xnor": "xor"}[kind]
        result = inputs[0]
        for lit in inputs[1:]:
            result = {"and": aig.create_and, "or": aig.create_or, "xor": aig.create_xor}[base](result, lit)
        return result ^ (kind in ("nand", "nor", "xnor"))

    def resolve(self, bit: str) -> int:
        if bit in self.lits:
            return self.lits[bit]
        if bit not in self.drivers:
            raise self.fail(f"signal {bit} is used but never driven")
        self.lits[bit] = -1  # on the path: seeing it again means a combinational loop
        driver = self.drivers[bit]
        if isinstance(driver, tuple):
            kind, inputs = driver
            lit = self.gate(kind, [self.literal(i) for i in inputs])
        else:
            lit = self.literal(driver)
        self.lits[bit] = lit
        return lit

    def literal_checked(self, bit: str) -> int:
        lit = self.resolve(bit)
        if lit < 0:
            raise self.fail(f"combinational loop through {bit}")
        return lit


def read_verilog(path: str | os.PathLike) -> Aig:
    """Reads a structural, combinational Verilog module into an AIG (inputs and outputs in declaration order)."""
    from pyverilog.vparser import ast

    path = str(path)
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise VerilogError(f"{path}: cannot read file ({exc.strerror})") from None
    modules = [d for d in _parse(text, path).description.definitions if isinstance(d, ast.ModuleDef)]
    if len(modules) != 1:
        raise VerilogError(f"{path}: expected exactly one module, found {len(modules)}")
    builder = _Builder(path)
    inputs: list[str] = []
    outputs: list[str] = []
    for item in modules[0].items:
        if isinstance(item, ast.Decl):
            for decl in item.list:
                if isinstance(decl, (ast.Reg, ast.Inout)):
                    raise builder.fail(f"{type(decl).__name__.lower()} {decl.name} is not supported")
                if decl.width is not None:
                    builder.widths[decl.name] = (builder._int(decl.width.msb), builder._int(decl.width.lsb))
                if isinstance(decl, ast.Input):
                    inputs.extend(builder.bits(decl.name))
                elif isinstance(decl, ast.Output):
                    outputs.extend(builder.bits(decl.name))
        elif isinstance(item, ast.Assign):
            target = builder.bit_name(item.left.var)
            if target in builder.drivers:
                raise builder.fail(f"{target} is driven more than once")
            builder.drivers[target] = item.right.var
        elif isinstance(item, ast.InstanceList):
            for inst in item.instances:
                if inst.module not in ("and", "or", "nand", "nor", "xor", "xnor", "not", "buf"):
                    raise builder.fail(f"instance of {inst.module} is not supported (only gate primitives)")
                ports = [p.argname for p in inst.portlist]
                target = builder.bit_name(ports[0])
                builder.drivers[target] = (inst.module, ports[1:])
        else:
            raise builder.fail(f"unsupported construct {type(item).__name__} (line {item.lineno})")
    for name in inputs:
        builder.lits[name] = builder.aig.create_pi(name)
    # Resolve outputs in an order that never recurses deeply: wires first, sorted by their dependencies.
    _resolve_all(builder)
    for name in outputs:
        builder.aig.create_po(builder.literal_checked(name), name)
    return builder.aig


def _resolve_all(builder: _Builder) -> None:
    """Resolves every driven signal bottom-up, so long chains do not hit Python's recursion limit."""
    from pyverilog.vparser import ast

    names = list(builder.drivers)
    index = {name: i for i, name in enumerate(names)}

    def deps(expr) -> list[str]:
        if isinstance(expr, tuple):
            return [d for arg in expr[1] for d in deps(arg)]
        if isinstance(expr, (ast.Identifier, ast.Pointer)):
            return [builder.bit_name(expr)]
        return [d for child in expr.children() for d in deps(child)]

    try:
        order = dependency_order([[index[d] for d in deps(builder.drivers[name]) if d in index] for name in names])
    except CycleError as exc:
        raise builder.fail(f"combinational loop through {names[exc.item]}") from None
    for i in order:
        builder.literal_checked(names[i])


_SIMPLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")
_BIT_NAME = re.compile(r"^([A-Za-z_][A-Za-z0-9_$]*)\[(\d+)\]$")


def _ports(names: list[str | None], prefix: str) -> tuple[list[str], list[str]]:
    """(declarations, per-bit references) for a list of port names, regrouping contiguous vectors."""
    refs = [n if n else f"{prefix}{i}" for i, n in enumerate(names)]
    groups: dict[str, list[int]] = defaultdict(list)
    for ref in refs:
        match = _BIT_NAME.match(ref)
        if match:
            groups[match.group(1)].append(int(match.group(2)))
    vectors = {base for base, idx in groups.items() if sorted(idx) == list(range(len(idx))) and base not in refs}
    used: set[str] = set()
    decls: list[str] = []
    out: list[str] = []
    for i, ref in enumerate(refs):
        match = _BIT_NAME.match(ref)
        if match and match.group(1) in vectors:
            base = match.group(1)
            if base not in used:
                used.add(base)
                decls.append(f"[{len(groups[base]) - 1}:0] {base}")
            out.append(ref)
            continue
        name = ref if _SIMPLE_NAME.match(ref) else re.sub(r"\W", "_", ref)
        while name in used or name in vectors:
            name += f"_{i}"
        used.add(name)
        decls.append(name)
        out.append(name)
    return decls, out


def verilog_text(aig: Aig, module: str = "top") -> str:
    if aig.num_latches:
        raise ScError("Verilog output of a network with latches is not supported; write AIGER instead")
    in_decls, in_refs = _ports(aig.pi_names, "pi")
    out_decls, out_refs = _ports(aig.po_names, "po")
    clash = set(in_refs) & set(out_refs)
    if clash:
        raise ScError(f"an input and an output share the name {sorted(clash)[0]}; cannot write Verilog")
    port_names = list(dict.fromkeys(d.split()[-1] for d in in_decls + out_decls))
    signal = ["1'b0"] + in_refs + [f"n{node}" for node in aig.and_nodes()]

    def ref(lit: int) -> str:
        if lit < 2:
            return "1'b1" if lit else "1'b0"
        return ("~" if lit & 1 else "") + signal[lit >> 1]

    lines = [f"module {module}({', '.join(port_names)});"]
    lines += [f"  input {d};" for d in in_decls] + [f"  output {d};" for d in out_decls]
    lines += [f"  wire n{node};" for node in aig.and_nodes()]
    for node in aig.and_nodes():
        a, b = aig.fanins(node)
        lines.append(f"  assign n{node} = {ref(a)} & {ref(b)};")
    for name, lit in zip(out_refs, aig.pos):
        lines.append(f"  assign {name} = {ref(lit)};")
    lines.append("endmodule")
    return "\n".join(lines) + "\n"


def write_verilog(aig: Aig, path: str | os.PathLike, module: str = "top") -> None:
    Path(path).write_text(verilog_text(aig, module))
