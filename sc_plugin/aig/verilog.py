"""Structural Verilog netlists, read with pyverilog and written by this module.

Reading accepts one module of the kind Yosys writes with `write_verilog -noattr` (with or without `-noexpr`) after
`synth`, and hand-written netlists of the same kind:

- declarations `input`, `output`, `wire`, `reg` (scalars and vectors); `wire t = expr;` declares and assigns, and
  `reg q = 1'b1;` gives a flip-flop its initial value;
- continuous assignments over `~ & | ^ ~^ ! && || ?:` and the reductions, with bit and part selects,
  concatenations and 0/1 constants;
- gate primitives (`and or nand nor xor xnor not buf`) and Yosys's fine-grained gate cells (`$_AND_`, `$_NOT_`,
  `$_MUX_`, `$_AOI3_`, ... see `_GATE_CELLS`);
- flip-flops on one clock's rising edge, with optional enable and synchronous reset: `always @(posedge clk)` blocks
  of `if`/`else` and non-blocking assignments, or Yosys's cells `$_DFF_P_`, `$_DFFE_P?_`, `$_SDFF_P??_`,
  `$_SDFFE_P???_` and `$_SDFFCE_P???_` (any enable and reset polarity).

Flip-flops are boundaries, as AIGER latches are (see `network.py`): each flip-flop output becomes one of the last
inputs, its next-state function (enable and reset folded in) one of the last outputs. The clock is not an input of
the network, since AIGER latches share one implicit clock; its name is kept in the comment line `clock NAME`, which
the writer reads back (default `clk`). Everything else (asynchronous set or reset, falling edges, level-sensitive
latches, several clocks, instances of other modules, x/z constants) is refused with a one-line error: this is an
exchange format for gate-level netlists, not a Verilog front end (that is Yosys's job).

Writing emits one `assign` per AND node over `~` and `&`, with vector ports regrouped from names like `a[3]`; the
clock comes first among the ports, and latches become `reg`s updated in one `always @(posedge clk)` block.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import defaultdict

from sc_plugin.aig.analysis import CycleError, dependency_order
from sc_plugin.aig.network import CONST0, CONST1, Aig
from sc_plugin.errors import ScError
from sc_plugin.files import read_text, write_atomic

__all__ = ["read_verilog", "write_verilog", "verilog_text", "VerilogError", "CLOCK_COMMENT"]

CLOCK_COMMENT = "clock "  # prefix of the comment line that names the clock of a network with latches
_DEFAULT_CLOCK = "clk"


class VerilogError(ScError):
    """A structural Verilog file this reader cannot turn into an AIG."""


def _parse(text: str, path: str):
    # Imported lazily: pyverilog builds its parser tables on first use (about 2 s), which AIGER users never need.
    from pyverilog.vparser.parser import VerilogParser

    with tempfile.TemporaryDirectory() as tables:
        try:
            return VerilogParser(outputdir=tables, debug=False).parse(text)
        except Exception as exc:  # pyverilog raises its own ParseError: "line:N: before: TOKEN"
            message = " ".join(str(exc).split())
            located = re.fullmatch(r"line:\s*(\d+): before: (.*)", message)
            if located:
                raise VerilogError(f"{path}:{located[1]}: Verilog syntax error near {located[2]} (this reader takes "
                                   "structural Verilog; synthesize RTL with sc-yosys first)") from None
            raise VerilogError(f"{path}: {message}") from None


# Bits are described by small tuples, least significant bit first in every list of them:
# ("sig", name) a signal bit ("a", or "v[3]" for a vector bit), ("const", 0 | 1), ("not", x), ("and" | "or" | "xor",
# x, y), ("mux", select, when_0, when_1).
_ZERO = ("const", 0)
_ONE = ("const", 1)


def _not(x: tuple) -> tuple:
    return ("not", x)


def _reduce(kind: str, bits: list[tuple]) -> tuple:
    result = bits[0]
    for bit in bits[1:]:
        result = (kind, result, bit)
    return result


# Yosys's fine-grained gate cells (`write_verilog -noexpr`): input ports and the function of Y.
_GATE_CELLS = {
    "$_BUF_": ("A", lambda a: a),
    "$_NOT_": ("A", _not),
    "$_AND_": ("AB", lambda a, b: ("and", a, b)),
    "$_NAND_": ("AB", lambda a, b: _not(("and", a, b))),
    "$_OR_": ("AB", lambda a, b: ("or", a, b)),
    "$_NOR_": ("AB", lambda a, b: _not(("or", a, b))),
    "$_XOR_": ("AB", lambda a, b: ("xor", a, b)),
    "$_XNOR_": ("AB", lambda a, b: _not(("xor", a, b))),
    "$_ANDNOT_": ("AB", lambda a, b: ("and", a, _not(b))),
    "$_ORNOT_": ("AB", lambda a, b: ("or", a, _not(b))),
    "$_MUX_": ("ABS", lambda a, b, s: ("mux", s, a, b)),
    "$_NMUX_": ("ABS", lambda a, b, s: _not(("mux", s, a, b))),
    "$_AOI3_": ("ABC", lambda a, b, c: _not(("or", ("and", a, b), c))),
    "$_OAI3_": ("ABC", lambda a, b, c: _not(("and", ("or", a, b), c))),
    "$_AOI4_": ("ABCD", lambda a, b, c, d: _not(("or", ("and", a, b), ("and", c, d)))),
    "$_OAI4_": ("ABCD", lambda a, b, c, d: _not(("and", ("or", a, b), ("or", c, d)))),
}
_PRIMITIVES = ("and", "or", "nand", "nor", "xor", "xnor", "not", "buf")
# Yosys's flip-flop cells we read: kind, then the polarity letters (clock, [reset, reset value,] [enable]).
_FLOP_CELL = re.compile(r"^\$_(DFF|DFFE|SDFF|SDFFE|SDFFCE)_([PN01]+)_$")
_FLOP_LETTERS = {"DFF": 1, "DFFE": 2, "SDFF": 3, "SDFFE": 4, "SDFFCE": 4}


class _Flop:
    """One flip-flop cell or `always` block: the clock bit, the bits it stores, and how to get their next values."""

    def __init__(self, clock: str, targets: list[str], next_state) -> None:
        self.clock = clock
        self.targets = targets
        self.next_state = next_state  # builder -> {target bit: literal}


class _Builder:
    """Collects the module's drivers and flip-flops, then builds the AIG resolving wires in dependency order."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.aig = Aig()
        self.drivers: dict[str, tuple] = {}  # bit name -> bit expression
        self.widths: dict[str, tuple[int, int]] = {}  # vector name -> (msb, lsb)
        self.inits: dict[str, int] = {}  # reg bit -> initial value
        self.flops: list[_Flop] = []
        self.clock: str | None = None
        self.lits: dict[str, int] = {}

    def fail(self, problem: str, node=None) -> VerilogError:
        where = f" (line {node.lineno})" if getattr(node, "lineno", 0) else ""
        return VerilogError(f"{self.path}: {problem}{where}")

    # ---- names and constants -------------------------------------------------------------------------------

    def bits(self, name: str) -> list[str]:
        if name not in self.widths:
            return [name]
        msb, lsb = self.widths[name]
        return [f"{name}[{i}]" for i in _span(msb, lsb)]

    def declare(self, decl) -> None:
        if decl.width is not None:
            self.widths[decl.name] = (self.index(decl.width.msb), self.index(decl.width.lsb))

    def index(self, node) -> int:
        bits = self.constant(node)
        return sum(bit << i for i, bit in enumerate(bits))

    def constant(self, node) -> list[int]:
        """The bits of an integer constant (LSB first): `1'b0`, `2'h1`, `8'd3`, `4'sb1010`, or a plain `5`."""
        from pyverilog.vparser import ast

        if not isinstance(node, ast.IntConst):
            raise self.fail(f"expected a constant, found {type(node).__name__}", node)
        text = node.value.replace("_", "").lower()
        size_text, tick, value = text.partition("'")
        if not tick:
            size_text, value = "", "d" + text
        value = value.lstrip("s")
        base = {"b": 2, "o": 8, "d": 10, "h": 16}.get(value[:1])
        if base is None or not value[1:]:
            raise self.fail(f"malformed constant {node.value}", node)
        if any(c in "xz?" for c in value[1:]):
            raise self.fail(f"constant {node.value} has x or z bits; only 0 and 1 are supported", node)
        try:
            number = int(value[1:], base)
            size = int(size_text) if size_text else max(32, number.bit_length())
        except ValueError:
            raise self.fail(f"malformed constant {node.value}", node) from None
        return [(number >> i) & 1 for i in range(size)]

    # ---- expressions to bits -------------------------------------------------------------------------------

    def signal_bits(self, node, what: str = "expression") -> list[tuple]:
        """Bits of a net reference: a name, a bit or part select, or a concatenation of them."""
        from pyverilog.vparser import ast

        if isinstance(node, ast.Identifier):
            return [("sig", b) for b in self.bits(node.name)]
        if isinstance(node, ast.Pointer) and isinstance(node.var, ast.Identifier):
            return [("sig", f"{node.var.name}[{self.index(node.ptr)}]" if node.var.name in self.widths
                     else self._scalar_select(node.var.name, self.index(node.ptr), node))]
        if isinstance(node, ast.Partselect) and isinstance(node.var, ast.Identifier):
            name = node.var.name
            if name not in self.widths:
                raise self.fail(f"part select of scalar {name}", node)
            return [("sig", f"{name}[{i}]") for i in _span(self.index(node.msb), self.index(node.lsb))]
        if isinstance(node, ast.Concat):
            return [b for part in reversed(node.list) for b in self.signal_bits(part, what)]
        raise self.fail(f"unsupported {what} {type(node).__name__}", node)

    def _scalar_select(self, name: str, index: int, node) -> str:
        if index != 0:
            raise self.fail(f"bit {index} of scalar {name}", node)
        return name

    def expr_bits(self, node) -> list[tuple]:
        from pyverilog.vparser import ast

        if isinstance(node, (ast.Identifier, ast.Pointer, ast.Partselect)):
            return self.signal_bits(node)
        if isinstance(node, ast.Concat):
            return [b for part in reversed(node.list) for b in self.expr_bits(part)]
        if isinstance(node, ast.IntConst):
            return [_ONE if bit else _ZERO for bit in self.constant(node)]
        if isinstance(node, ast.Repeat):
            return self.expr_bits(node.value) * self.index(node.times)
        if isinstance(node, ast.Unot):
            return [_not(b) for b in self.expr_bits(node.right)]
        if isinstance(node, ast.Ulnot):
            return [_not(self.condition(node.right))]
        reductions = {ast.Uand: ("and", False), ast.Unand: ("and", True), ast.Uor: ("or", False),
                      ast.Unor: ("or", True), ast.Uxor: ("xor", False), ast.Uxnor: ("xor", True)}
        if type(node) in reductions:
            kind, negate = reductions[type(node)]
            result = _reduce(kind, self.expr_bits(node.right))
            return [_not(result) if negate else result]
        if isinstance(node, (ast.Land, ast.Lor)):
            kind = "and" if isinstance(node, ast.Land) else "or"
            return [(kind, self.condition(node.left), self.condition(node.right))]
        bitwise = {ast.And: ("and", False), ast.Or: ("or", False), ast.Xor: ("xor", False), ast.Xnor: ("xor", True)}
        if type(node) in bitwise:
            kind, negate = bitwise[type(node)]
            left, right = _same_width(self.expr_bits(node.left), self.expr_bits(node.right))
            return [_not((kind, a, b)) if negate else (kind, a, b) for a, b in zip(left, right)]
        if isinstance(node, ast.Cond):
            select = self.condition(node.cond)
            when_1, when_0 = _same_width(self.expr_bits(node.true_value), self.expr_bits(node.false_value))
            return [("mux", select, b0, b1) for b0, b1 in zip(when_0, when_1)]
        raise self.fail(f"unsupported expression {type(node).__name__}", node)

    def condition(self, node) -> tuple:
        """A one-bit truth value: any bit set."""
        return _reduce("or", self.expr_bits(node))

    def assigned(self, target, value) -> list[tuple[str, tuple]]:
        """(target bit, value bit) pairs of `target = value`, the value zero-extended or cut to the target's width
        as Verilog does."""
        targets = [b[1] for b in self.signal_bits(target, "assignment target")]
        values = self.expr_bits(value)
        values = (values + [_ZERO] * len(targets))[:len(targets)]
        return list(zip(targets, values))

    # ---- module items --------------------------------------------------------------------------------------

    def drive(self, bit: str, expr: tuple, node) -> None:
        if bit in self.drivers:
            raise self.fail(f"{bit} is driven more than once", node)
        self.drivers[bit] = expr

    def add_instance(self, inst) -> None:
        module = inst.module.lstrip("\\")
        if module in _PRIMITIVES:
            ports = [p.argname for p in inst.portlist]
            if any(p.portname for p in inst.portlist) or len(ports) < 2:
                raise self.fail(f"gate {module} needs positional ports, output first", inst)
            if module in ("not", "buf"):  # any number of outputs, then one input
                source = self.expr_bits(ports[-1])[0]
                for out in ports[:-1]:
                    self.drive(self.one_bit(out), _not(source) if module == "not" else source, inst)
                return
            kind = {"and": "and", "nand": "and", "or": "or", "nor": "or", "xor": "xor", "xnor": "xor"}[module]
            result = _reduce(kind, [self.expr_bits(p)[0] for p in ports[1:]])
            self.drive(self.one_bit(ports[0]), _not(result) if module in ("nand", "nor", "xnor") else result, inst)
            return
        ports = {p.portname: p.argname for p in inst.portlist}
        if None in ports:
            raise self.fail(f"instance of {module} with positional ports is not supported", inst)
        if module in _GATE_CELLS:
            inputs, function = _GATE_CELLS[module]
            self.drive(self.one_bit(self.port(ports, "Y", inst)),
                       function(*(self.expr_bits(self.port(ports, p, inst))[0] for p in inputs)), inst)
            return
        match = _FLOP_CELL.match(module)
        if match and len(match.group(2)) == _FLOP_LETTERS[match.group(1)]:
            self.add_flop_cell(match.group(1), match.group(2), ports, inst)
            return
        if module.startswith("$_") and any(s in module for s in ("DFF", "DLATCH", "SR_", "FF_")):
            raise self.fail(f"flip-flop {module} is not supported: only rising-edge flip-flops with optional "
                            "enable and synchronous reset", inst)
        raise self.fail(f"instance of {module} is not supported (only gate primitives, Yosys gate cells and "
                        "flip-flops)", inst)

    def port(self, ports: dict, name: str, inst):
        if ports.get(name) is None:
            raise self.fail(f"{inst.module.lstrip(chr(92))} {inst.name}: port {name} is not connected", inst)
        return ports[name]

    def one_bit(self, node) -> str:
        bits = self.signal_bits(node, "gate output")
        if len(bits) != 1:
            raise self.fail(f"gate output of {len(bits)} bits", node)
        return bits[0][1]

    def add_flop_cell(self, kind: str, letters: str, ports: dict, inst) -> None:
        if letters[0] != "P":
            raise self.fail(f"flip-flop {inst.module.lstrip(chr(92))}: falling-edge clocks are not supported", inst)
        clock = self.one_bit(self.port(ports, "C", inst))
        q = self.one_bit(self.port(ports, "Q", inst))
        d = self.expr_bits(self.port(ports, "D", inst))[0]
        enable = reset = None
        if kind in ("DFFE", "SDFFE", "SDFFCE"):
            enable = self.expr_bits(self.port(ports, "E", inst))[0]
            enable = enable if letters[-1] == "P" else _not(enable)
        if kind.startswith("SDFF"):
            reset = self.expr_bits(self.port(ports, "R", inst))[0]
            reset = reset if letters[1] == "P" else _not(reset)
            value = _ONE if letters[2] == "1" else _ZERO
        hold = ("sig", q)
        if kind == "SDFFCE":  # the reset acts only when enabled
            function = ("mux", enable, hold, ("mux", reset, d, value))
        else:
            function = d if enable is None else ("mux", enable, hold, d)
            function = function if reset is None else ("mux", reset, function, value)
        self.flops.append(_Flop(clock, [q], lambda builder: {q: builder.literal(function)}))

    def add_always(self, always) -> None:

        senses = always.sens_list.list
        if len(senses) != 1 or senses[0].type != "posedge":
            kinds = ", ".join(f"{s.type}" for s in senses)
            problem = ("asynchronous set or reset" if len(senses) > 1 else
                       "falling-edge clock" if senses[0].type == "negedge" else f"sensitivity '{kinds}'")
            raise self.fail(f"always block with {problem} is not supported: only flip-flops on a rising clock "
                            "edge", always)
        clock = self.signal_bits(senses[0].sig, "clock")
        if len(clock) != 1:
            raise self.fail("clock of more than one bit", always)
        targets: list[str] = []
        self._targets(always.statement, targets)
        if not targets:
            raise self.fail("always block assigns nothing", always)

        def next_state(builder: _Builder) -> dict[str, int]:
            now = {bit: builder.resolve(bit) for bit in targets}
            return builder._execute(always.statement, now)

        self.flops.append(_Flop(clock[0][1], targets, next_state))

    def add_initial(self, initial) -> None:
        """`initial` blocks of constant assignments give flip-flops their initial values."""
        from pyverilog.vparser import ast

        statement = initial.statement
        for item in statement.statements if isinstance(statement, ast.Block) else [statement]:
            if not isinstance(item, (ast.BlockingSubstitution, ast.NonblockingSubstitution)):
                raise self.fail(f"unsupported statement {type(item).__name__} in an initial block (only constant "
                                "assignments)", item)
            self.initialize(item.left.var, item.right.var, item)

    def initialize(self, target, value, node) -> None:
        for bit, bit_value in self.assigned(target, value):
            if bit_value[0] != "const":
                raise self.fail(f"initial value of {bit} is not a constant", node)
            self.inits[bit] = bit_value[1]

    def _targets(self, statement, targets: list[str]) -> None:
        from pyverilog.vparser import ast

        if statement is None:
            return
        if isinstance(statement, ast.Block):
            for item in statement.statements:
                self._targets(item, targets)
        elif isinstance(statement, ast.IfStatement):
            self._targets(statement.true_statement, targets)
            self._targets(statement.false_statement, targets)
        elif isinstance(statement, ast.NonblockingSubstitution):
            for bit in self.signal_bits(statement.left.var, "assignment target"):
                if bit[1] not in targets:
                    targets.append(bit[1])
        else:
            raise self.fail(f"unsupported statement {type(statement).__name__} in an always block (only if/else "
                            "and non-blocking assignments)", statement)

    def _execute(self, statement, state: dict[str, int]) -> dict[str, int]:
        """The values of the targets after `statement`, from `state` before it. Right-hand sides read the values
        before the clock edge, as non-blocking assignments do."""
        from pyverilog.vparser import ast

        if statement is None:
            return state
        if isinstance(statement, ast.Block):
            for item in statement.statements:
                state = self._execute(item, state)
            return state
        if isinstance(statement, ast.IfStatement):
            select = self.literal(self.condition(statement.cond))
            when_1 = self._execute(statement.true_statement, state)
            when_0 = self._execute(statement.false_statement, state)
            return {bit: self.mux(select, when_0[bit], when_1[bit]) for bit in state}
        state = dict(state)
        for bit, value in self.assigned(statement.left.var, statement.right.var):
            state[bit] = self.literal(value)
        return state

    # ---- building the AIG ----------------------------------------------------------------------------------

    def mux(self, select: int, when_0: int, when_1: int) -> int:
        if when_0 == when_1:
            return when_0
        aig = self.aig
        return aig.create_or(aig.create_and(select, when_1), aig.create_and(select ^ 1, when_0))

    def literal(self, expr: tuple) -> int:
        kind = expr[0]
        if kind == "sig":
            return self.resolve(expr[1])
        if kind == "const":
            return CONST1 if expr[1] else CONST0
        if kind == "not":
            return self.literal(expr[1]) ^ 1
        if kind == "mux":
            return self.mux(self.literal(expr[1]), self.literal(expr[2]), self.literal(expr[3]))
        create = {"and": self.aig.create_and, "or": self.aig.create_or, "xor": self.aig.create_xor}[kind]
        return create(self.literal(expr[1]), self.literal(expr[2]))

    def resolve(self, bit: str) -> int:
        lit = self.lits.get(bit)
        if lit is not None:
            if lit < 0:
                raise self.fail(f"combinational loop through {bit}")
            return lit
        if bit == self.clock:
            raise self.fail(f"clock {bit} is also used as data; not supported")
        if bit not in self.drivers:
            raise self.fail(f"signal {bit} is used but never driven")
        self.lits[bit] = -1  # on the path: seeing it again means a combinational loop
        lit = self.literal(self.drivers[bit])
        self.lits[bit] = lit
        return lit


def read_verilog(path: str | os.PathLike) -> Aig:
    """Reads a structural Verilog module into an AIG: inputs and outputs in declaration order, then flip-flops as
    latches (outputs as the last inputs, next states as the last outputs) in the order they appear."""
    from pyverilog.vparser import ast

    path = str(path)
    text = read_text(path, VerilogError)
    modules = [d for d in _parse(text, path).description.definitions if isinstance(d, ast.ModuleDef)]
    if len(modules) != 1:
        raise VerilogError(f"{path}: expected exactly one module, found {len(modules)}")
    builder = _Builder(path)
    inputs: list[str] = []
    outputs: list[str] = []
    for item in modules[0].items:
        if isinstance(item, ast.Decl):
            declared = None
            for decl in item.list:
                if isinstance(decl, ast.Assign):
                    if isinstance(declared, ast.Reg):  # `reg q = 1'b0;` gives the initial value
                        builder.initialize(decl.left.var, decl.right.var, decl)
                    else:  # `wire t = a & b;` declares and assigns
                        for bit, value in builder.assigned(decl.left.var, decl.right.var):
                            builder.drive(bit, value, decl)
                    continue
                if not isinstance(decl, (ast.Input, ast.Output, ast.Wire, ast.Reg)):
                    raise builder.fail(f"{type(decl).__name__.lower()} {getattr(decl, 'name', '')} is not "
                                       "supported", decl)
                if isinstance(decl, ast.Reg) and decl.dimensions is not None:
                    raise builder.fail(f"memory {decl.name} is not supported", decl)
                builder.declare(decl)
                declared = decl
                if isinstance(decl, ast.Input):
                    inputs.extend(builder.bits(decl.name))
                elif isinstance(decl, ast.Output):
                    outputs.extend(builder.bits(decl.name))
        elif isinstance(item, ast.Assign):
            for bit, value in builder.assigned(item.left.var, item.right.var):
                builder.drive(bit, value, item)
        elif isinstance(item, ast.InstanceList):
            for inst in item.instances:
                builder.add_instance(inst)
        elif isinstance(item, ast.Always):
            builder.add_always(item)
        elif isinstance(item, ast.Initial):
            builder.add_initial(item)
        else:
            raise builder.fail(f"unsupported construct {type(item).__name__}", item)
    return _build(builder, inputs, outputs)


def _build(builder: _Builder, inputs: list[str], outputs: list[str]) -> Aig:
    aig = builder.aig
    clocks = list(dict.fromkeys(flop.clock for flop in builder.flops))
    if len(clocks) > 1:
        raise builder.fail(f"flip-flops on {len(clocks)} clocks ({', '.join(clocks[:3])}) are not supported; "
                           "latches share one clock")
    if clocks:
        builder.clock = clocks[0]
        if builder.clock not in inputs:
            raise builder.fail(f"clock {builder.clock} is not a module input")
    latches = [bit for flop in builder.flops for bit in flop.targets]
    seen = set(inputs)
    for bit in latches:
        if bit in seen or bit in builder.drivers:
            raise builder.fail(f"{bit} is driven more than once")
        seen.add(bit)
    for name in inputs:
        if name != builder.clock:
            builder.lits[name] = aig.create_pi(name)
    for bit in latches:
        builder.lits[bit] = aig.create_pi()
    _resolve_all(builder)
    for name in outputs:
        aig.create_po(builder.resolve(name), name)
    for flop in builder.flops:
        next_state = flop.next_state(builder)
        for bit in flop.targets:
            aig.create_po(next_state[bit])
    aig.num_latches = len(latches)
    aig.latch_inits = [builder.inits.get(bit, 2) for bit in latches]
    aig.latch_names = list(latches)
    if latches:
        aig.comments = [CLOCK_COMMENT + builder.clock.lstrip("\\")]
    return aig


def _resolve_all(builder: _Builder) -> None:
    """Resolves every driven signal bottom-up, so long chains do not hit Python's recursion limit."""
    names = list(builder.drivers)
    index = {name: i for i, name in enumerate(names)}

    def deps(expr: tuple) -> list[str]:
        if expr[0] == "sig":
            return [expr[1]]
        return [d for child in expr[1:] if isinstance(child, tuple) for d in deps(child)]

    try:
        order = dependency_order([[index[d] for d in deps(builder.drivers[name]) if d in index] for name in names])
    except CycleError as exc:
        raise builder.fail(f"combinational loop through {names[exc.item]}") from None
    for i in order:
        builder.resolve(names[i])


def _span(msb: int, lsb: int) -> range:
    """Indices of a vector or part select from its least significant bit up."""
    return range(lsb, msb + 1) if msb >= lsb else range(lsb, msb - 1, -1)


def _same_width(left: list[tuple], right: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    width = max(len(left), len(right))
    return left + [_ZERO] * (width - len(left)), right + [_ZERO] * (width - len(right))


# ---- writing -------------------------------------------------------------------------------------------------

_SIMPLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")
_BIT_NAME = re.compile(r"^([A-Za-z_][A-Za-z0-9_$]*)\[(\d+)\]$")


def _ports(names: list[str | None], prefix: str, taken: set[str] = frozenset()) -> tuple[list[str], list[str]]:
    """(declarations, per-bit references) for a list of names, regrouping contiguous vectors; names in `taken`
    are not used again."""
    refs = [n if n else f"{prefix}{i}" for i, n in enumerate(names)]
    groups: dict[str, list[int]] = defaultdict(list)
    for ref in refs:
        match = _BIT_NAME.match(ref)
        if match:
            groups[match.group(1)].append(int(match.group(2)))
    vectors = {base for base, idx in groups.items()
               if sorted(idx) == list(range(len(idx))) and base not in refs and base not in taken}
    used: set[str] = set(taken)
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


def _clock_name(aig: Aig) -> str:
    for line in aig.comments:
        if line.startswith(CLOCK_COMMENT) and _SIMPLE_NAME.match(line[len(CLOCK_COMMENT):].strip()):
            return line[len(CLOCK_COMMENT):].strip()
    return _DEFAULT_CLOCK


def verilog_text(aig: Aig, module: str = "top") -> str:
    """The network as a structural Verilog module; latches become `reg`s on one clock (see the module docstring)."""
    num_inputs = aig.num_pis - aig.num_latches
    num_outputs = aig.num_pos - aig.num_latches
    in_decls, in_refs = _ports(aig.pi_names[:num_inputs], "pi")
    out_decls, out_refs = _ports(aig.po_names[:num_outputs], "po")
    clash = set(in_refs) & set(out_refs)
    if clash:
        raise ScError(f"an input and an output share the name {sorted(clash)[0]}; cannot write Verilog")
    port_names = list(dict.fromkeys(d.split()[-1] for d in in_decls + out_decls))
    clock = None
    reg_decls: list[str] = []
    reg_refs: list[str] = []
    if aig.num_latches:
        clock = _clock_name(aig)
        while clock in port_names:
            clock += "_"
        port_names.insert(0, clock)
        taken = set(port_names) | {f"n{node}" for node in aig.and_nodes()}
        reg_decls, reg_refs = _ports(aig.latch_names, "l", taken)
    signal = ["1'b0"] + in_refs + reg_refs + [f"n{node}" for node in aig.and_nodes()]

    def ref(lit: int) -> str:
        if lit < 2:
            return "1'b1" if lit else "1'b0"
        return ("~" if lit & 1 else "") + signal[lit >> 1]

    lines = [f"module {module}({', '.join(port_names)});"]
    if clock is not None:
        lines.append(f"  input {clock};")
    lines += [f"  input {d};" for d in in_decls] + [f"  output {d};" for d in out_decls]
    inits = {0: " = 1'b0", 1: " = 1'b1"}
    initial = {d.split()[-1]: "" for d in reg_decls}
    for k, name in enumerate(reg_refs):  # a scalar reg carries its initial value in its declaration
        if name in initial:
            initial[name] = inits.get(aig.latch_inits[k], "")
    lines += [f"  reg {d}{initial[d.split()[-1]]};" for d in reg_decls]
    lines += [f"  wire n{node};" for node in aig.and_nodes()]
    for node in aig.and_nodes():
        a, b = aig.fanins(node)
        lines.append(f"  assign n{node} = {ref(a)} & {ref(b)};")
    for name, lit in zip(out_refs, aig.pos[:num_outputs]):
        lines.append(f"  assign {name} = {ref(lit)};")
    vector_inits = [f"    {name} = {inits[aig.latch_inits[k]][3:]};" for k, name in enumerate(reg_refs)
                    if name not in initial and aig.latch_inits[k] in inits]
    if vector_inits:
        lines += ["  initial begin", *vector_inits, "  end"]
    if clock is not None:
        lines.append(f"  always @(posedge {clock}) begin")
        lines += [f"    {name} <= {ref(lit)};" for name, lit in zip(reg_refs, aig.pos[num_outputs:])]
        lines.append("  end")
    lines.append("endmodule")
    return "\n".join(lines) + "\n"


def write_verilog(aig: Aig, path: str | os.PathLike, module: str = "top") -> None:
    """Writes `verilog_text(aig, module)` to `path` atomically."""
    write_atomic(path, verilog_text(aig, module))
