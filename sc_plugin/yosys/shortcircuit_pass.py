"""The Yosys pass `shortcircuit`: verified cut resynthesis of the combinational gate logic of each selected module.

Design: the pass reads the netlist through the pyosys API and builds our `Aig` itself (no temporary files, no
second tool). Per module it

1. analyses, without changing anything: fine-grained gate cells ($_AND_, $_OR_, $_XOR_, $_MUX_, $_AOI3_, ... see
   `_GATE_TYPES`) that carry no `keep` attribute are the logic; every other cell (flip-flops, memories, instances of
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
import time
from dataclasses import dataclass, replace

from pyosys import libyosys as ys

from sc_plugin.aig.aiger import write_aiger
from sc_plugin.aig.network import CONST0, CONST1, Aig
from sc_plugin.engines.base import Budget
from sc_plugin.engines.cache import CachedEngine, SynthesisCache, default_cache_path
from sc_plugin.engines.registry import ENGINE_NAMES, make_engine
from sc_plugin.rewrite.optimize import RewriteParams, rewrite
from sc_plugin.verify.cec import Verdict, check_equivalence

__all__ = ["ShortCircuitPass", "ShortCircuitOptions", "PASS"]

_DEFAULTS = RewriteParams()
_ID = {name: ys.IdString(name) for name in ("\\A", "\\B", "\\C", "\\D", "\\S", "\\Y", "\\keep")}

# Fine-grained gate cells the pass reads, with their input ports (the output is always Y).
_GATE_TYPES = {
    "$_BUF_": "A", "$_NOT_": "A",
    "$_AND_": "AB", "$_NAND_": "AB", "$_OR_": "AB", "$_NOR_": "AB", "$_XOR_": "AB", "$_XNOR_": "AB",
    "$_ANDNOT_": "AB", "$_ORNOT_": "AB",
    "$_MUX_": "ABS", "$_NMUX_": "ABS",
    "$_AOI3_": "ABC", "$_OAI3_": "ABC", "$_AOI4_": "ABCD", "$_OAI4_": "ABCD",
}


def _gate_literal(aig: Aig, kind: str, x: list[int]) -> int:
    """The literal of one gate over its input literals (in the port order of `_GATE_TYPES`)."""
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
class ShortCircuitOptions:
    """The pass's options; defaults mirror `sc-opt`."""

    k: int = _DEFAULTS.cuts.max_cut_size  # largest cut
    cuts_per_node: int = _DEFAULTS.cuts.max_cuts_per_node  # priority cuts per node
    engine: str = "abc"  # resynthesis engine (ENGINE_NAMES)
    rounds: int = _DEFAULTS.max_rounds  # most rewrite rounds per module
    time_limit_s: float | None = None  # wall-clock limit per module
    budget_ms: float = _DEFAULTS.budget.time_ms  # engine time per distinct function
    workers: int = 1  # engine worker processes
    verify: bool = True  # prove each module's result equivalent before changing it
    cec_time_limit_s: float = 600.0  # limit of that proof; undecided counts as failure
    zero_gain: bool = False  # accept replacements that save nothing but lower the level
    cache_path: str | None = None  # NPN cache file; None: the default path
    use_cache: bool = True
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
        ports = _GATE_TYPES.get(kind)
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


def _emit(module, extraction: _Extraction, result: Aig, added_cells: list, added_wires: list) -> list:
    """Adds cells that compute `result` (appending them to `added_cells`/`added_wires` as they are made, so a
    failure can undo them); returns the (output, source) SigSpec pairs to connect once the old gates are gone."""
    new_name = _Namer(module)
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

    def fresh_bit(stem: str):
        wire = module.addWire(new_name(stem), 1)
        added_wires.append(wire)
        return ys.SigSpec(wire).bits()[0]

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
    for node in result.and_nodes():
        a, b = result.fanins(node)
        added_cells.append(module.addAndGate(new_name("and"), sig_of(a), sig_of(b), node_bit[node]))
    for node, bit in sorted(not_bit.items(), key=lambda item: item[0]):
        added_cells.append(module.addNotGate(new_name("not"), node_bit[node], bit))
    ties = []
    for lit, bit in zip(result.pos, extraction.po_bits):
        source = sig_of(lit)
        if source != bit:  # a constant, an input, or a literal whose cell already drives another output
            ties.append((ys.SigSpec(bit, 1), ys.SigSpec(source, 1)))
    return ties


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
        d = ShortCircuitOptions()
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

    -k <int>
        largest cut, i.e. inputs of a resynthesized function, 2..8 (default {d.k})

    -cuts_per_node <int>
        priority cuts kept per node (default {d.cuts_per_node})

    -engine <{'|'.join(ENGINE_NAMES)}>
        resynthesis engine (default {d.engine}: fastest; portfolio is strongest, mcts is the
        learned engine, exact is SAT-based exact synthesis)

    -rounds <int>
        most rewrite rounds per module; stops earlier when a round gains nothing
        (default {d.rounds})

    -time_limit <seconds>, -timeout <seconds>
        wall-clock limit per module; the best verified result found by then is used
        (default: none)

    -budget_ms <ms>
        engine time per distinct cut function (default {d.budget_ms:g})

    -workers <int>
        resynthesize in this many worker processes (default {d.workers}: in this process)

    -zero_gain
        also accept replacements that save no AND but lower the level

    -noverify
        do not prove each module's new logic equivalent to its old logic before replacing
        it (each replacement is still checked against its cone by simulation)

    -cec_time_limit <seconds>
        limit of that proof; undecided counts as failure (default {d.cec_time_limit_s:g})

    -cache <file>
        NPN-class cache of synthesized functions (default: $SC_CACHE, else
        {default_cache_path()})

    -nocache
        neither read nor write the cache

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

Example:
    synth -top top; shortcircuit -k 8 -engine abc; opt_clean; abc -liberty cells.lib
""")

    def execute(self, args, design) -> None:
        args = list(args)
        ys.log_header(design, "Executing SHORTCIRCUIT pass (verified learned resynthesis).\n")
        ys.log_push()
        try:
            options, argidx = self._parse(args)
            self.extra_args(args, argidx, design, False)
            self._run(options, design)
        finally:
            ys.log_pop()

    def _parse(self, args: list[str]) -> tuple[ShortCircuitOptions, int]:
        values: dict = {}
        argidx = 1

        def value(kind):
            nonlocal argidx
            if argidx + 1 >= len(args):
                self.cmd_error(args, argidx, f"option {args[argidx]} needs a value")
            argidx += 1
            try:
                return kind(args[argidx])
            except ValueError:
                self.cmd_error(args, argidx, f"{args[argidx - 1]} expects a number, not {args[argidx]!r}")

        while argidx < len(args):
            arg = args[argidx]
            if arg == "-k":
                values["k"] = value(int)
            elif arg == "-cuts_per_node":
                values["cuts_per_node"] = value(int)
            elif arg == "-engine":
                values["engine"] = value(str)
                if values["engine"] not in ENGINE_NAMES:
                    self.cmd_error(args, argidx, f"unknown engine; choose one of {', '.join(ENGINE_NAMES)}")
            elif arg == "-rounds":
                values["rounds"] = value(int)
            elif arg in ("-time_limit", "-timeout"):
                values["time_limit_s"] = value(float)
            elif arg == "-budget_ms":
                values["budget_ms"] = value(float)
            elif arg == "-workers":
                values["workers"] = value(int)
            elif arg == "-cec_time_limit":
                values["cec_time_limit_s"] = value(float)
            elif arg == "-cache":
                values["cache_path"] = value(str)
            elif arg == "-nocache":
                values["use_cache"] = False
            elif arg == "-noverify":
                values["verify"] = False
            elif arg == "-zero_gain":
                values["zero_gain"] = True
            elif arg == "-nocleanup":
                values["keep_temp"] = True
            elif arg == "-showtmp":
                values["show_temp"] = True
            else:
                break
            argidx += 1
        options = ShortCircuitOptions(**values)
        if not 2 <= options.k <= 8:
            self.cmd_error(args, 1, "-k must be between 2 and 8")
        if options.workers < 1 or options.rounds < 1 or options.cuts_per_node < 1:
            self.cmd_error(args, 1, "-workers, -rounds and -cuts_per_node must be at least 1")
        if options.budget_ms <= 0 or (options.time_limit_s is not None and options.time_limit_s <= 0):
            self.cmd_error(args, 1, "-budget_ms and -time_limit must be positive")
        if options.cache_path is not None and not options.use_cache:
            self.cmd_error(args, 1, "-cache and -nocache exclude each other")
        return options, argidx

    def _run(self, options: ShortCircuitOptions, design) -> None:
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
        engine, pool, cache = self._make_engine(options)
        totals = [0, 0]
        try:
            for module in modules:
                before, after = self._optimize_module(module, options, engine, temp_dir)
                totals[0] += before
                totals[1] += after
        finally:
            if pool is not None:
                pool.close()
            if cache is not None:
                cache.close()
            if temp_dir and not options.keep_temp:
                shutil.rmtree(temp_dir, ignore_errors=True)
        ys.log(f"Total: {totals[0]} -> {totals[1]} ANDs in {len(modules)} module(s).\n")
        if options.keep_temp and temp_dir:
            ys.log(f"Kept temporary folder {temp_dir}.\n")
        design.check()

    @staticmethod
    def _make_engine(options: ShortCircuitOptions):
        pool = None
        if options.workers > 1:
            from sc_plugin.engines.parallel import ProcessPoolEngine
            pool = ProcessPoolEngine(options.engine, options.workers)
        engine = pool or make_engine(options.engine)
        cache = SynthesisCache(options.cache_path) if options.use_cache else None
        if cache is not None:
            engine = CachedEngine(engine, cache)
        return engine, pool, cache

    def _optimize_module(self, module, options: ShortCircuitOptions, engine, temp_dir: str | None
                         ) -> tuple[int, int]:
        """Optimizes one module; returns its AND counts before and after (equal when it was left alone)."""
        name = module.name.str()
        start = time.perf_counter()
        try:
            extraction = _extract(module)
        except _Abort as exc:
            ys.log_warning(f"Module {name} left unchanged: {exc}.\n")
            return 0, 0
        aig = extraction.aig
        if not extraction.gates:
            ys.log(f"Module {name}: no gate logic.\n")
            return 0, 0
        params = RewriteParams(cuts=replace(_DEFAULTS.cuts, max_cut_size=options.k,
                                            max_cuts_per_node=options.cuts_per_node),
                               budget=Budget(time_ms=options.budget_ms), max_rounds=options.rounds,
                               time_limit_s=options.time_limit_s, allow_zero_gain=options.zero_gain)
        try:
            result, stats = rewrite(aig, engine, params)
            if temp_dir:
                write_aiger(aig, os.path.join(temp_dir, f"{_file_stem(name)}.before.aig"))
                write_aiger(result, os.path.join(temp_dir, f"{_file_stem(name)}.after.aig"))
            proof = "not checked (-noverify)"
            if options.verify:
                check = check_equivalence(aig, result, time_limit_s=options.cec_time_limit_s)
                if check.verdict is not Verdict.EQUIVALENT:
                    raise _Abort(f"equivalence check {check.verdict.value}: {check.message}")
                proof = f"proven equivalent ({check.method})"
        except (_Abort, Exception) as exc:  # noqa: BLE001 - any failure leaves the module as it was
            message = str(exc) if isinstance(exc, _Abort) else f"{type(exc).__name__}: {exc}"
            ys.log_warning(f"Module {name} left unchanged: {message}.\n")
            return aig.num_ands, aig.num_ands
        only_aig = set(extraction.gate_counts) <= {"$_AND_", "$_NOT_"}
        if result.num_ands >= aig.num_ands and only_aig:
            ys.log(f"Module {name}: {aig.num_ands} ANDs, no gain; left unchanged "
                   f"({time.perf_counter() - start:.2f} s).\n")
            return aig.num_ands, aig.num_ands
        self._swap(module, extraction, result)
        gates = ", ".join(f"{count} {kind}" for kind, count in sorted(extraction.gate_counts.items()))
        ys.log(f"Module {name}: {len(extraction.gates)} gate cells ({gates}); {aig.num_pis} inputs, "
               f"{aig.num_pos} outputs.\n")
        ys.log(f"Module {name}: ANDs {aig.num_ands} -> {result.num_ands}, levels {stats.levels_before} -> "
               f"{stats.levels_after}, {stats.rounds} rounds, {stats.replacements} replacements, {proof}, "
               f"{time.perf_counter() - start:.2f} s.\n")
        return aig.num_ands, result.num_ands

    @staticmethod
    def _swap(module, extraction: _Extraction, result: Aig) -> None:
        """Replaces the old gates by cells computing `result`. Adding comes first and is undone if it fails, so
        the module is either unchanged or fully swapped; removing and connecting cannot fail on valid input."""
        added_cells: list = []
        added_wires: list = []
        try:
            ties = _emit(module, extraction, result, added_cells, added_wires)
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


logging.getLogger("sc_plugin").addHandler(logging.NullHandler())

# Instantiating registers the pass; the reference keeps pybind11 from collecting it.
PASS = ShortCircuitPass()
