"""The Yosys pass `shortcircuit`: verified cut resynthesis of the combinational gate logic of each selected module.

Design: the pass reads the netlist through the pyosys API and builds our `Aig` itself (no temporary files, no
second tool). Per module it

1. analyses, without changing anything: fine-grained gate cells ($_AND_, $_OR_, $_XOR_, $_MUX_, $_AOI3_, ... see
   `GATE_PORTS`) that carry no `keep` attribute are the logic; every other cell (flip-flops, memories, instances of
   other modules and blackboxes, coarse-grained cells, keep cells) is a boundary. AIG inputs are the bits the logic
   reads but does not drive (module inputs, boundary-cell outputs, undriven wires); AIG outputs are the bits the
   logic drives that are seen outside it (module ports, `keep` wires, boundary-cell connections);
2. optimizes that AIG with `sc_plugin.rewrite.optimize.rewrite`, the core `sc-opt` uses, and proves the result
   equivalent to the extracted AIG with `sc_plugin.verify.cec.check_equivalence`;
3. only then mutates the module: adds new $_AND_/$_NOT_ cells (driving the same output bits), then removes the old
   gate cells and the internal wires that nothing uses any more. If adding fails, what was added is removed again;
   the module is left exactly as it was whenever anything fails before the swap.

Extraction through the API rather than Yosys's `abc` pass keeps the whole pass in one process, keeps the rollback
simple (nothing is touched before the proof) and lets the pass see `keep`, ports and boxes exactly as Yosys does.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import dataclass

from pyosys import libyosys as ys

from sc_plugin.abc.mapping import mapped_areas
from sc_plugin.aig.aiger import write_aiger
from sc_plugin.aig.network import CONST0, CONST1, Aig
from sc_plugin.errors import ScError
from sc_plugin.rewrite.options import apply_options, dashed_help, parse_dashed_options
from sc_plugin.rewrite.pipeline import OptimizeParams, open_engine, optimize_verified
from sc_plugin.yosys.abc_netlist import GATE_PORTS, NetlistCell, abc_input_blif, dictionary_entries, entries_after_edit

__all__ = ["ShortCircuitPass", "PASS"]

_ID = {name: ys.IdString(name) for name in ("\\A", "\\B", "\\C", "\\D", "\\S", "\\Y", "\\keep")}

# Flip-flop and latch cells of Yosys's own library (RTLIL::Cell::is_builtin_ff): Yosys's abc takes them into its
# netlist by clock domain, which the mapped-area check does not reproduce.
_BUILTIN_FF_PREFIXES = ("$_DFF", "$_SDFF", "$_ALDFF", "$_DLATCH", "$_SR_", "$_FF_", "$dff", "$adff", "$sdff",
                        "$aldff", "$dlatch", "$adlatch", "$sr", "$ff")


def _gate_literal(aig: Aig, kind: str, x: list[int]) -> int:
    """The literal of one gate over its input literals (in the port order of `GATE_PORTS`)."""
    if kind == "$_BUF_":
        return x[0]
    if kind == "$_NOT_":
        return x[0] ^ 1
    if kind in ("$_AND_", "$_NAND_"):
        return aig.create_and(x[0], x[1]) ^ (kind == "$_NAND_")
    if kind in ("$_OR_", "$_NOR_"):
        return aig.create_or(x[0], x[1]) ^ (kind == "$_NOR_")
    if kind in ("$_XOR_", "$_XNOR_"):
        return aig.create_xor(x[0], x[1]) ^ (kind == "$_XNOR_")
    if kind == "$_ANDNOT_":
        return aig.create_and(x[0], x[1] ^ 1)
    if kind == "$_ORNOT_":
        return aig.create_or(x[0], x[1] ^ 1)
    if kind in ("$_MUX_", "$_NMUX_"):  # Y = S ? B : A
        a, b, s = x
        return aig.create_or(aig.create_and(s, b), aig.create_and(s ^ 1, a)) ^ (kind == "$_NMUX_")
    if kind == "$_AOI3_":
        return aig.create_or(aig.create_and(x[0], x[1]), x[2]) ^ 1
    if kind == "$_OAI3_":
        return aig.create_and(aig.create_or(x[0], x[1]), x[2]) ^ 1
    if kind == "$_AOI4_":
        return aig.create_or(aig.create_and(x[0], x[1]), aig.create_and(x[2], x[3])) ^ 1
    if kind == "$_OAI4_":
        return aig.create_and(aig.create_or(x[0], x[1]), aig.create_or(x[2], x[3])) ^ 1
    raise AssertionError(kind)


@dataclass(frozen=True)
class _PassOptions:
    """The pipeline's params plus what only the pass has."""

    params: OptimizeParams
    keep_temp: bool = False  # -nocleanup: keep the per-module AIGER files
    show_temp: bool = False  # -showtmp: print the temp folder name in the log


class _Abort(Exception):
    """The module cannot be handled; it is left as it was. The message goes to the log as a warning."""


@dataclass
class _Extraction:
    aig: Aig
    pi_bits: list  # SigBit per AIG input
    po_bits: list  # SigBit per AIG output (canonical bit of the net the logic drives)
    gates: list  # the gate cells that the AIG replaces
    dead_wires: list  # wires (not ports, not keep) whose every bit is an internal net of the logic
    gate_counts: dict  # cell type -> count


class _SigMap:
    """Canonical bit per net, from the module's connections (a union-find; constants win as representatives)."""

    def __init__(self, module) -> None:
        self.parent: dict = {}
        connections = module.connections()  # pyosys containers: keep each one alive while iterating it
        for pair in connections:
            lhs, rhs = pair
            for a, b in zip(list(lhs.bits()), list(rhs.bits())):
                self._union(a, b)

    def _find(self, bit):
        parent = self.parent
        root = bit
        while root in parent:
            root = parent[root]
        while bit in parent and parent[bit] is not root:
            parent[bit], bit = root, parent[bit]
        return root

    def _union(self, a, b) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return
        if rb.wire is None:  # keep the constant as the representative
            ra, rb = rb, ra
        self.parent[rb] = ra

    def __call__(self, bit):
        return self._find(bit) if self.parent else bit


def _extract(module) -> _Extraction:
    """Builds the AIG of the module's gate logic; reads the module only."""
    sigmap = _SigMap(module)
    gates = []  # (cell, type, canonical input bits, canonical output bit)
    boundary_bits = set()
    driver: dict = {}
    gate_counts: dict[str, int] = {}
    cells = module.cells_  # pyosys containers: keep each one alive while iterating it
    wires = module.wires_
    for cell in list(cells.values()):
        kind = cell.type.str()
        ports = GATE_PORTS.get(kind)
        if ports is not None and not cell.has_keep_attr():
            y = cell.getPort(_ID["\\Y"])
            inputs = [cell.getPort(_ID["\\" + p]) for p in ports]
            if y.size() == 1 and all(s.size() == 1 for s in inputs):
                out = sigmap(y.bits()[0])
                if out.wire is None or out in driver:
                    raise _Abort(f"gate {cell.name.str()} drives a constant or a net with another driver")
                driver[out] = len(gates)
                gates.append((cell, kind, [sigmap(s.bits()[0]) for s in inputs], out))
                gate_counts[kind] = gate_counts.get(kind, 0) + 1
                continue
        connections = cell.connections()
        for port in connections:  # a boundary: everything it touches is seen outside the logic
            sig = connections[port]
            boundary_bits.update(sigmap(b) for b in sig.bits())
    for wire in list(wires.values()):
        if wire.port_id > 0 or wire.get_bool_attribute(_ID["\\keep"]):
            boundary_bits.update(sigmap(b) for b in ys.SigSpec(wire).bits())

    aig = Aig()
    pi_bits: list = []
    lit_of: dict = {}
    # Inputs first (the Aig wants them before any AND): every bit the gates read that no gate drives.
    for _, _, inputs, _ in gates:
        for bit in inputs:
            if bit in driver or bit in lit_of:
                continue
            if bit.wire is None and bit.data == ys.State.S0:
                lit_of[bit] = CONST0
            elif bit.wire is None and bit.data == ys.State.S1:
                lit_of[bit] = CONST1
            else:  # a wire bit, or an x/z constant: kept as an input so that it stays what it was
                lit_of[bit] = aig.create_pi(f"i{len(pi_bits)}")
                pi_bits.append(bit)
    # Gates in topological order (iterative DFS; a combinational loop aborts).
    state = [0] * len(gates)  # 0 new, 1 on the stack, 2 done
    for first in range(len(gates)):
        if state[first]:
            continue
        stack = [first]
        while stack:
            index = stack[-1]
            _, kind, inputs, out = gates[index]
            if state[index] == 0:
                state[index] = 1
                for bit in inputs:
                    source = driver.get(bit)
                    if source is not None:
                        if state[source] == 1:
                            raise _Abort(f"combinational loop through {gates[source][0].name.str()}")
                        if state[source] == 0:
                            stack.append(source)
                continue
            stack.pop()
            if state[index] == 2:
                continue
            state[index] = 2
            lit_of[out] = _gate_literal(aig, kind, [lit_of[bit] for bit in inputs])
    po_bits = [bit for bit in driver if bit in boundary_bits]
    for bit in po_bits:
        aig.create_po(lit_of[bit], f"o{len(aig.pos)}")
    internal_nets = {bit for bit in driver if bit not in boundary_bits}
    dead_wires = [wire for wire in list(wires.values())
                  if wire.port_id == 0 and not wire.get_bool_attribute(_ID["\\keep"])
                  and all(sigmap(b) in internal_nets for b in ys.SigSpec(wire).bits())]
    return _Extraction(aig.cleanup(), pi_bits, po_bits, [g[0] for g in gates], dead_wires, gate_counts)


class _NewBit:
    """A wire bit the swap will create; `stem` names its wire."""

    __slots__ = ("stem",)

    def __init__(self, stem: str) -> None:
        self.stem = stem


@dataclass
class _EmitPlan:
    """The cells that will compute a result, decided before the module is touched (so that the netlist Yosys's
    `abc` will see can be known in advance, see `_abc_netlist`)."""

    wires: list  # a _NewBit per wire to create, in creation order
    cells: list  # (kind, input bits, output bit) per cell to add, in creation order: $_AND_s, then $_NOT_s
    ties: list  # (output bit, source bit) to connect once the old gates are gone


def _plan_emit(extraction: _Extraction, result: Aig) -> _EmitPlan:
    node_bit: dict[int, object] = {}  # node -> bit carrying its value (inputs: the original bits)
    not_bit: dict[int, object] = {}  # node -> bit driven by its inverter
    for i in range(result.num_pis):
        node_bit[i + 1] = extraction.pi_bits[i]
    # Outputs take the new cells' outputs directly where they can: positive AND literals, then inverters.
    for lit, bit in zip(result.pos, extraction.po_bits):
        node = lit >> 1
        if result.is_and(node) and not lit & 1 and node not in node_bit:
            node_bit[node] = bit
    for lit, bit in zip(result.pos, extraction.po_bits):
        node = lit >> 1
        if node != 0 and lit & 1 and node not in not_bit:
            not_bit[node] = bit
    wires: list[_NewBit] = []

    def fresh_bit(stem: str) -> _NewBit:
        wires.append(_NewBit(stem))
        return wires[-1]

    def sig_of(lit: int):
        node = lit >> 1
        if node == 0:
            return ys.SigBit(ys.State.S1 if lit & 1 else ys.State.S0)
        return not_bit[node] if lit & 1 else node_bit[node]

    for node in result.and_nodes():
        if node not in node_bit:
            node_bit[node] = fresh_bit("and")
    for lit in result.fanin0[result.num_pis + 1:] + result.fanin1[result.num_pis + 1:]:
        if lit & 1 and lit >> 1 and lit >> 1 not in not_bit:
            not_bit[lit >> 1] = fresh_bit("not")
    cells = []
    for node in result.and_nodes():
        a, b = result.fanins(node)
        cells.append(("$_AND_", (sig_of(a), sig_of(b)), node_bit[node]))
    for node, bit in sorted(not_bit.items(), key=lambda item: item[0]):
        cells.append(("$_NOT_", (node_bit[node],), bit))
    ties = []
    for lit, bit in zip(result.pos, extraction.po_bits):
        source = sig_of(lit)  # never a new wire: an output's first literal takes the output's own bit
        if source != bit:  # a constant, an input, or a literal whose cell already drives another output
            ties.append((bit, source))
    return _EmitPlan(wires, cells, ties)


def _emit(module, plan: _EmitPlan, added_cells: list, added_wires: list) -> list:
    """Adds the planned wires and cells (appending them to `added_cells`/`added_wires` as they are made, so a
    failure can undo them); returns the (output, source) SigSpec pairs to connect once the old gates are gone."""
    new_name = _Namer(module)
    made: dict[_NewBit, object] = {}
    for new_bit in plan.wires:
        wire = module.addWire(new_name(new_bit.stem), 1)
        added_wires.append(wire)
        made[new_bit] = ys.SigSpec(wire).bits()[0]

    def real(bit):
        return made[bit] if isinstance(bit, _NewBit) else bit

    for kind, inputs, output in plan.cells:
        if kind == "$_AND_":
            added_cells.append(module.addAndGate(new_name("and"), real(inputs[0]), real(inputs[1]), real(output)))
        else:
            added_cells.append(module.addNotGate(new_name("not"), real(inputs[0]), real(output)))
    return [(ys.SigSpec(bit, 1), ys.SigSpec(source, 1)) for bit, source in plan.ties]


def _abc_netlist(module, edit: tuple[_Extraction, _EmitPlan] | None = None) -> str:
    """The BLIF netlist Yosys's `abc` writes for the module as it is, or as it will be once `edit` (the old gates of
    an extraction, the planned new cells) is swapped in by `_swap`."""
    sigmap = _SigMap(module)
    cells = {cell.name.str(): cell for cell in list(module.cells_.values())}
    entries = dictionary_entries(list(cells))
    planned: dict = {}
    if edit is not None:
        extraction, plan = edit
        planned = {("new", number): cell for number, cell in enumerate(plan.cells)}
        entries = entries_after_edit(entries, planned, [gate.name.str() for gate in extraction.gates])
        for bit, source in plan.ties:
            sigmap._union(bit, source)
    netlist = []
    for key in entries:
        if key in planned:
            kind, inputs, output = planned[key]
            netlist.append(NetlistCell(kind, inputs, output))
            continue
        cell = cells[key]
        kind = cell.type.str()
        ports = GATE_PORTS.get(kind)
        if ports is not None:
            netlist.append(NetlistCell(kind, tuple(cell.getPort(_ID["\\" + p]).bits()[0] for p in ports),
                                       cell.getPort(_ID["\\Y"]).bits()[0]))
        else:
            connections = cell.connections()
            netlist.append(NetlistCell("", tuple(bit for port in connections for bit in connections[port].bits())))
    port_bits = {sigmap(bit) for wire in list(module.wires_.values())
                 if wire.port_id > 0 or wire.get_bool_attribute(_ID["\\keep"]) for bit in ys.SigSpec(wire).bits()}
    return abc_input_blif(netlist, sigmap, port_bits, _constant_value)


def _constant_value(bit) -> int | None:
    if isinstance(bit, _NewBit) or bit.wire is not None:
        return None
    return 1 if bit.data == ys.State.S1 else 0


class _Namer:
    """Fresh `$shortcircuit$<n>` names, unique in the module and the same on every run of the same script.

    (Not IdString.new_autoidx_with_prefix: pyosys 0.70 hands out those lazily built names without keeping them
    alive, and a cell named by one ends up with a dangling name.)"""

    def __init__(self, module) -> None:
        self.module = module
        self.next = 1

    def __call__(self, stem: str):
        while True:
            name = ys.IdString(f"$shortcircuit${stem}${self.next}")
            self.next += 1
            if self.module.wire(name) is None and self.module.cell(name) is None:
                return name


class ShortCircuitPass(ys.Pass):
    """`shortcircuit [options] [selection]`; see `help`."""

    def __init__(self) -> None:
        super().__init__("shortcircuit", "verified learned resynthesis of gate logic (ShortCircuit)")

    def help(self) -> None:
        #    |---v---|---v---|---v---|---v---|---v---|---v---|---v---|---v---|---v---|---v---|
        ys.log(f"""
    shortcircuit [options] [selection]

Reduces the number of AND gates of the combinational logic of each selected module by
resynthesizing its cut functions (ShortCircuit: cut enumeration, an exact, ABC or learned
engine per cut function, DAG-aware gain, verified stitching), the optimizer of sc-opt.

The logic is every fine-grained gate cell without a keep attribute: $_AND_, $_NAND_, $_OR_,
$_NOR_, $_XOR_, $_XNOR_, $_ANDNOT_, $_ORNOT_, $_MUX_, $_NMUX_, $_NOT_, $_BUF_, $_AOI3_,
$_OAI3_, $_AOI4_, $_OAI4_. It is replaced by $_AND_ and $_NOT_ cells. Coarse-grained cells
($and, $add, $mux, ...) are not mapped: run 'techmap' or 'aigmap' (or 'synth') first.

{dashed_help(84)}
    -nocleanup
        keep the temporary folder holding each module's extracted logic
        (<module>.before.aig) and result (<module>.after.aig) as binary AIGER

    -showtmp
        print the temporary folder's name in the log (hidden by default so that logs are
        identical across runs)

What the pass leaves alone: flip-flops, latches, memories, instances of other modules and
blackboxes, coarse-grained cells, cells and wires with a keep attribute, and module ports
are boundaries; they, their names and the nets connecting them to the logic are kept.
Blackbox modules, partially selected modules and modules with processes are skipped with
a warning. Internal nets of the logic may disappear, as with 'abc'. If optimizing a
module fails, or its result cannot be proven equivalent, a warning is logged and the
module is left exactly as it was. The pass changes a module only when the AND count
drops or the logic held gates other than $_AND_/$_NOT_.

Mapped area: with -liberty (default: the abc.liberty scratchpad value, which 'abc' reads
too; -liberty_script and -liberty_delay default to abc.script and abc.D), the pass writes
the netlist 'abc' would hand to ABC for the module as it is and as it would be with the
new logic, maps both with ABC like 'abc -liberty' (same commands, same order of gates),
and changes the module only if the new logic maps to a smaller area. Fewer ANDs do not
always map smaller. The estimate holds when the module's flip-flops are library cells
(run 'dfflibmap' before the pass) and nothing changes its cells until 'abc' runs.

Example:
    synth -top top; dfflibmap -liberty cells.lib
    shortcircuit -k 8 -engine abc -liberty cells.lib; abc -liberty cells.lib
""")

    def execute(self, args, design) -> None:
        args = list(args)
        ys.log_header(design, "Executing SHORTCIRCUIT pass (verified learned resynthesis).\n")
        ys.log_push()
        handler = _YosysLogHandler()  # the package's warnings (a cache moved aside, ...) go into the Yosys log
        logging.getLogger("sc_plugin").addHandler(handler)
        try:
            options, argidx = self._parse(args, design)
            self.extra_args(args, argidx, design, True)  # the selection, as in Yosys's passes; Pass::call pops it
            self._run(options, design)
        finally:
            logging.getLogger("sc_plugin").removeHandler(handler)
            ys.log_pop()

    def _parse(self, args: list[str], design) -> tuple[_PassOptions, int]:
        values: dict = {}
        flags = {"-nocleanup": False, "-showtmp": False}
        argidx = 1
        while argidx < len(args):
            if args[argidx] in flags:
                flags[args[argidx]] = True
                argidx += 1
                continue
            try:
                found, after = parse_dashed_options(args, argidx)
            except ScError as exc:
                self.cmd_error(args, argidx, str(exc))
            if after == argidx:
                break
            values.update(found)
            argidx = after
        if argidx < len(args) and args[argidx].startswith("-"):  # Yosys's own message would not name it
            self.cmd_error(args, argidx, f"unknown option {args[argidx]} (see help shortcircuit)")
        # Map like the `abc` that will follow: its scratchpad settings are the defaults.
        if "liberty" not in values and design.scratchpad_get_string("abc.liberty", ""):
            values["liberty"] = design.scratchpad_get_string("abc.liberty", "")
        for name, key in (("liberty_script", "abc.script"), ("liberty_delay", "abc.D")):
            if "liberty" in values and name not in values and design.scratchpad_get_string(key, ""):
                values[name] = design.scratchpad_get_string(key, "")
        try:
            params = apply_options(values, style="yosys")
        except ScError as exc:
            self.cmd_error(args, 1, str(exc))
        return _PassOptions(params, keep_temp=flags["-nocleanup"], show_temp=flags["-showtmp"]), argidx

    def _run(self, options: _PassOptions, design) -> None:
        modules = []
        for module in design.selected_modules():
            name = module.name.str()
            if module.get_blackbox_attribute(False):
                continue
            if not design.selected_whole_module(module.name):
                ys.log_warning(f"Skipping partially selected module {name}.\n")
            elif module.has_processes():
                ys.log_warning(f"Skipping module {name}: it has processes (run 'proc' first).\n")
            else:
                modules.append(module)
        if not modules:
            ys.log("No modules to optimize.\n")
            return
        temp_dir = tempfile.mkdtemp(prefix="shortcircuit_") if options.keep_temp or options.show_temp else None
        if temp_dir and options.show_temp:
            ys.log(f"Temporary folder: {temp_dir}\n")
        totals = [0, 0]
        try:
            with open_engine(options.params) as engine:
                for module in modules:
                    before, after = self._optimize_module(module, options, engine, temp_dir)
                    totals[0] += before
                    totals[1] += after
        finally:
            if temp_dir and not options.keep_temp:
                shutil.rmtree(temp_dir, ignore_errors=True)
        ys.log(f"Total: {totals[0]} -> {totals[1]} ANDs in {len(modules)} module(s).\n")
        if options.keep_temp and temp_dir:
            ys.log(f"Kept temporary folder {temp_dir}.\n")
        design.check()

    def _optimize_module(self, module, options: _PassOptions, engine, temp_dir: str | None) -> tuple[int, int]:
        """Optimizes one module; returns its AND counts before and after (equal when it was left alone)."""
        name = module.name.str()
        try:
            extraction = _extract(module)
        except _Abort as exc:
            ys.log_warning(f"Module {name} left unchanged: {exc}.\n")
            return 0, 0
        aig = extraction.aig
        if not extraction.gates:
            ys.log(f"Module {name}: no gate logic.\n")
            return 0, 0
        mapping = options.params.mapping
        if mapping.liberty is not None and any(cell.type.str().startswith(_BUILTIN_FF_PREFIXES)
                                               for cell in list(module.cells_.values())):
            ys.log_warning(f"Module {name} has Yosys flip-flop cells, which abc maps together with the logic; map "
                           "them first (dfflibmap) for the mapped-area check to hold.\n")

        def measure(networks: list[Aig]) -> list[float]:  # areas as `abc` will map this module
            netlists = [_abc_netlist(module, None if network is aig else (extraction, _plan_emit(extraction, network)))
                        for network in networks]
            return [mapped.area for mapped in mapped_areas(netlists, mapping)]

        result, stats = optimize_verified(aig, options.params, engine=engine,
                                          measure=measure if mapping.liberty is not None else None)
        if temp_dir:
            write_aiger(aig, os.path.join(temp_dir, f"{_file_stem(name)}.before.aig"))
            write_aiger(result, os.path.join(temp_dir, f"{_file_stem(name)}.after.aig"))
        if stats.failure:
            ys.log_warning(f"Module {name} left unchanged: {stats.failure}.\n")
            return aig.num_ands, aig.num_ands
        only_aig = set(extraction.gate_counts) <= {"$_AND_", "$_NOT_"}
        if result is aig and (only_aig or mapping.liberty is not None):
            reason = "its optimized logic maps no smaller" if stats.kept_input else "no gain"
            ys.log(f"Module {name}: {aig.num_ands} ANDs, {reason}; left unchanged ({stats.time_s:.2f} s).\n")
            if stats.kept_input:
                ys.log(f"Module {name}: {stats.report()}.\n")
            return aig.num_ands, aig.num_ands
        if result.num_ands >= aig.num_ands and only_aig:
            ys.log(f"Module {name}: {aig.num_ands} ANDs, no gain; left unchanged ({stats.time_s:.2f} s).\n")
            return aig.num_ands, aig.num_ands
        plan = _plan_emit(extraction, result)
        expected = _abc_netlist(module, (extraction, plan)) if mapping.liberty is not None else None
        self._swap(module, extraction, plan)
        if expected is not None and _abc_netlist(module) != expected:
            ys.log_warning(f"Module {name}: the netlist abc will map differs from the one measured; its mapped "
                           "area may differ from the estimate.\n")
        gates = ", ".join(f"{count} {kind}" for kind, count in sorted(extraction.gate_counts.items()))
        ys.log(f"Module {name}: {len(extraction.gates)} gate cells ({gates}); {aig.num_pis} inputs, "
               f"{aig.num_pos} outputs.\n")
        ys.log(f"Module {name}: {stats.report()}.\n")
        return aig.num_ands, result.num_ands

    @staticmethod
    def _swap(module, extraction: _Extraction, plan: _EmitPlan) -> None:
        """Replaces the old gates by cells computing `result`. Adding comes first and is undone if it fails, so
        the module is either unchanged or fully swapped; removing and connecting cannot fail on valid input."""
        added_cells: list = []
        added_wires: list = []
        try:
            ties = _emit(module, plan, added_cells, added_wires)
        except BaseException:
            for cell in added_cells:
                module.remove(cell)
            if added_wires:
                module.remove(_wire_pool(added_wires))
            raise
        for cell in extraction.gates:
            module.remove(cell)
        for bit, source in ties:
            module.connect(bit, source)
        if extraction.dead_wires:
            module.remove(_wire_pool(extraction.dead_wires))


def _wire_pool(wires: list):
    pool = ys.WirePtrPool()
    for wire in wires:
        pool.add(wire)
    return pool


def _file_stem(module_name: str) -> str:
    return "".join(c if c.isalnum() or c in "_-." else "_" for c in module_name.lstrip("\\$"))


class _YosysLogHandler(logging.Handler):
    """Writes sc_plugin's warnings and errors as Yosys warnings while the pass runs (never `log_error`, which
    would end Yosys)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            ys.log_warning(self.format(record).rstrip("\n") + "\n")
        except Exception:
            self.handleError(record)


logging.getLogger("sc_plugin").addHandler(logging.NullHandler())

# Instantiating registers the pass; the reference keeps pybind11 from collecting it.
PASS = ShortCircuitPass()
