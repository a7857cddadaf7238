"""Multi-output window resynthesis: small groups of AND gates with several outputs, resynthesized together by exact
SAT synthesis that shares gates between the outputs and uses the window's satisfiability don't cares.

A window is a set of AND gates grown from a seed gate by adding, one at a time, the neighbour (a fanin, a fanout,
or a sibling: another reader of a window input) that adds the fewest inputs, while it has at most `max_inputs`
inputs and `max_gates` gates. Its outputs are its gates read from outside it (by a gate or a primary output); every
other gate of it is read only inside it, so replacing the window frees all its gates and the gain is exact. A
window must be convex (no path leaves it and comes back), or the new logic would close a cycle.

The outputs' functions over the window inputs, with the input combinations that never occur as don't cares
(`cuts/care.py`, exhaustive simulation of a window below the inputs), go to `engines/multi_exact.py` with a
bound of one gate fewer than the window has. A circuit it returns is checked again in its window
(`verify_window_replacement`) and stitched in at once; the network is rebuilt around it, so the next window sees
the new structure. Don't cares are satisfiability don't cares only, so every node keeps its function of the
network's inputs and replacements compose. Windows whose functions were already refuted are remembered by their
functions and skipped.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Sequence

from sc_plugin.aig import analysis
from sc_plugin.aig.network import Aig
from sc_plugin.aig.simulate import cone_values
from sc_plugin.aig.truth import projection, table_mask
from sc_plugin.cuts.care import care_set, find_window
from sc_plugin.engines.multi_exact import MultiExactParams, MultiExactStats, multi_exact_synthesize
from sc_plugin.rewrite.verify import verify_window_replacement

__all__ = ["WindowParams", "WindowStats", "resynthesize_windows", "find_windows"]


@dataclass(frozen=True)
class WindowParams:
    """Knobs of window resynthesis; defaults suit 2 shared CPU cores."""

    max_inputs: int = 6  # window inputs (variables of the exact synthesis; at most 8)
    max_gates: int = 5  # AND gates in a window; the SAT search tries up to max_gates - 1
    min_gates: int = 2  # smaller windows are left to single-cut rewriting
    min_outputs: int = 2  # windows with fewer outputs are skipped (single outputs are the cut rewriter's)
    max_siblings: int = 8  # readers of one window input considered as neighbours (high-fanout nodes have many)
    use_dont_cares: bool = True  # input combinations that never occur are don't cares
    care_inputs: int = 12  # inputs of the simulated window below the window inputs that finds them
    window_time_s: float = 1.0  # SAT time per window
    time_limit_s: float | None = None  # whole run; None: until a pass saves nothing
    max_passes: int = 4  # passes over all windows
    exact: MultiExactParams = field(default_factory=MultiExactParams)


@dataclass
class WindowStats:
    """What `resynthesize_windows` did."""

    ands_before: int = 0
    ands_after: int = 0
    passes: int = 0
    windows_found: int = 0  # distinct windows with enough gates and outputs
    windows_tried: int = 0  # windows handed to exact synthesis
    memo_hits: int = 0  # windows skipped because their functions were already refuted
    windows_improved: int = 0  # replacements stitched
    rejected: int = 0  # circuits that failed the window check (never stitched)
    stopped_by: str = ""  # "converged", "time limit" or "passes"
    time_s: float = 0.0
    exact: MultiExactStats = field(default_factory=MultiExactStats)

    def report(self) -> str:
        return (f"windows: {self.ands_before} -> {self.ands_after} ANDs, {self.passes} passes, "
                f"{self.windows_found} windows, {self.windows_tried} tried, {self.memo_hits} memo, "
                f"{self.windows_improved} improved, {self.rejected} rejected, stopped by {self.stopped_by}, "
                f"{self.time_s:.2f}s; {self.exact.report()}")


@dataclass(frozen=True)
class _Window:
    gates: frozenset[int]
    inputs: tuple[int, ...]  # node ids, ascending: variable j of the functions is inputs[j]
    outputs: tuple[int, ...]  # node ids, ascending


def resynthesize_windows(aig: Aig, params: WindowParams = WindowParams()) -> tuple[Aig, WindowStats]:
    """Replaces multi-output windows of `aig` by smaller verified implementations; returns the new network (never
    more ANDs; every node that survives keeps its function of the inputs) and the stats."""
    start = time.perf_counter()
    deadline = None if params.time_limit_s is None else start + params.time_limit_s
    stats = WindowStats(ands_before=aig.num_ands)
    refuted: set[tuple] = set()  # (num gates, functions) that exact synthesis could not improve
    stats.stopped_by = "passes"
    for _ in range(params.max_passes):
        stats.passes += 1
        before = aig.num_ands
        aig, finished = _one_pass(aig, params, deadline, refuted, stats)
        if not finished:
            stats.stopped_by = "time limit"
            break
        if aig.num_ands == before:
            stats.stopped_by = "converged"
            break
    stats.ands_after = aig.num_ands
    stats.time_s = time.perf_counter() - start
    return aig, stats


def _one_pass(aig: Aig, params: WindowParams, deadline: float | None, refuted: set[tuple],
              stats: WindowStats) -> tuple[Aig, bool]:
    """One pass over every gate as a seed; False when the deadline ended it."""
    seeds = deque(aig.and_nodes())
    seen: set[frozenset[int]] = set()
    fanouts, po_driven = _fanouts(aig)
    while seeds:
        if deadline is not None and time.perf_counter() >= deadline:
            return aig, False
        seed = seeds.popleft()
        window = _grow(aig, seed, fanouts, po_driven, params)
        if window is None or window.gates in seen:
            continue
        seen.add(window.gates)
        stats.windows_found += 1
        improved = _resynthesize(aig, window, params, deadline, refuted, stats)
        if improved is None:
            continue
        new, node_map = _rebuild(aig, window, improved)
        if new.num_ands >= aig.num_ands:
            continue
        stats.windows_improved += 1
        aig = new
        seeds = deque(node_map[s] >> 1 for s in seeds if node_map[s] >= 0 and aig.is_and(node_map[s] >> 1))
        seen = set()
        fanouts, po_driven = _fanouts(aig)
    return aig, True


def find_windows(aig: Aig, params: WindowParams = WindowParams()) -> list[tuple[frozenset[int], tuple[int, ...],
                                                                                tuple[int, ...]]]:
    """The distinct windows `resynthesize_windows` would try, as (gates, inputs, outputs) of node ids."""
    fanouts, po_driven = _fanouts(aig)
    found: dict[frozenset[int], _Window] = {}
    for seed in aig.and_nodes():
        window = _grow(aig, seed, fanouts, po_driven, params)
        if window is not None:
            found.setdefault(window.gates, window)
    return [(w.gates, w.inputs, w.outputs) for w in found.values()]


def _fanouts(aig: Aig) -> tuple[list[list[int]], set[int]]:
    """The AND readers of every node (ascending) and the nodes that drive a primary output."""
    return analysis.fanouts(aig), {lit >> 1 for lit in aig.pos}


def _fanin_nodes(aig: Aig, node: int) -> tuple[int, int]:
    a, b = aig.fanins(node)
    return a >> 1, b >> 1


def _inputs_with(aig: Aig, gates: set[int], inputs: set[int], node: int) -> set[int]:
    """The inputs of `gates` plus `node`, given the inputs of `gates`."""
    grown = inputs - {node}
    grown.update(f for f in _fanin_nodes(aig, node) if f not in gates and f != 0)
    return grown


def _grow(aig: Aig, seed: int, fanouts: list[list[int]], po_driven: set[int], params: WindowParams
          ) -> _Window | None:
    """The window grown from `seed`, or None when it is too small, has too few outputs or is not convex."""
    gates = {seed}
    inputs = {f for f in _fanin_nodes(aig, seed) if f != 0}
    if len(inputs) > params.max_inputs:
        return None
    while len(gates) < params.max_gates:
        neighbours: set[int] = set()
        for gate in gates:
            neighbours.update(f for f in _fanin_nodes(aig, gate) if aig.is_and(f))
            neighbours.update(fanouts[gate])
        for node in inputs:
            neighbours.update(fanouts[node][:params.max_siblings])
        best: tuple[int, int, int] | None = None  # (inputs after, -links into the window, node)
        for node in neighbours - gates:
            after = _inputs_with(aig, gates, inputs, node)
            if len(after) > params.max_inputs:
                continue
            links = sum(f in gates for f in _fanin_nodes(aig, node)) + sum(g in gates for g in fanouts[node])
            key = (len(after), -links, node)
            if best is None or key < best:
                best = key
        if best is None:
            break
        inputs = _inputs_with(aig, gates, inputs, best[2])
        gates.add(best[2])
    if len(gates) < params.min_gates:
        return None
    outputs = tuple(sorted(g for g in gates if g in po_driven or any(r not in gates for r in fanouts[g])))
    if len(outputs) < params.min_outputs or not _convex(aig, gates, inputs):
        return None
    return _Window(frozenset(gates), tuple(sorted(inputs)), outputs)


def _convex(aig: Aig, gates: set[int], inputs: set[int]) -> bool:
    """Whether no window input depends on a window gate (a path out of the window and back in)."""
    lowest = min(gates)
    stack = [node for node in inputs if node > lowest]
    visited: set[int] = set()
    while stack:
        node = stack.pop()
        if node in gates:
            return False
        if node in visited or not aig.is_and(node):
            continue
        visited.add(node)
        # node ids are topological: below the lowest gate no gate can be reached
        stack.extend(f for f in _fanin_nodes(aig, node) if f >= lowest)
    return True


def _resynthesize(aig: Aig, window: _Window, params: WindowParams, deadline: float | None, refuted: set[tuple],
                  stats: WindowStats) -> Aig | None:
    """A smaller verified implementation of the window's outputs over its inputs, or None."""
    k = len(window.inputs)
    full = table_mask(k)
    tables = cone_values(aig, list(window.outputs), {node: projection(j, k) for j, node in enumerate(window.inputs)},
                         full)
    care, care_window = full, None
    if params.use_dont_cares:
        care_window = find_window(aig, window.inputs, max_inputs=params.care_inputs)
        care = care_set(aig, window.inputs, care_window)
    functions = [(table & care, care) for table in tables]
    key = (len(window.gates), k, tuple(functions))
    if key in refuted:
        stats.memo_hits += 1
        return None
    stats.windows_tried += 1
    window_deadline = time.perf_counter() + params.window_time_s
    if deadline is not None:
        window_deadline = min(window_deadline, deadline)
    implementation, exact_stats = multi_exact_synthesize(functions, k, max_ands=len(window.gates) - 1,
                                                         deadline=window_deadline, params=params.exact)
    stats.exact.add(exact_stats)
    if implementation is None:
        if not exact_stats.timed_out:
            refuted.add(key)
        return None
    if not verify_window_replacement(aig, window.outputs, window.inputs, implementation, care_window):
        stats.rejected += 1
        return None
    return implementation


def _rebuild(aig: Aig, window: _Window, implementation: Aig) -> tuple[Aig, list[int]]:
    """The network with the window's outputs driven by `implementation` (on the window inputs) and the map old node
    -> new literal (-1 for nodes that are gone); only logic reachable from the outputs is kept."""
    new, node_map = aig.copy_interface()
    output_index = set(window.outputs)

    def dependencies(node: int) -> Sequence[int]:
        return window.inputs if node in output_index else _fanin_nodes(aig, node)

    expanded: set[int] = set()
    for root in (lit >> 1 for lit in aig.pos):
        stack = [root]
        while stack:
            node = stack[-1]
            if node_map[node] >= 0:
                stack.pop()
                continue
            if node in expanded:
                stack.pop()
                if node in output_index:
                    lits = new.instantiate(implementation, [node_map[i] for i in window.inputs])
                    for output, lit in zip(window.outputs, lits):
                        node_map[output] = lit
                else:
                    a, b = aig.fanins(node)
                    node_map[node] = new.create_and(node_map[a >> 1] ^ (a & 1), node_map[b >> 1] ^ (b & 1))
                continue
            expanded.add(node)
            for dep in dependencies(node):
                if node_map[dep] < 0:
                    if dep in expanded:
                        raise ValueError(f"window of {sorted(window.gates)} closes a cycle at node {dep}")
                    stack.append(dep)
    for lit, name in zip(aig.pos, aig.po_names):
        new.create_po(node_map[lit >> 1] ^ (lit & 1), name)
    # no cleanup: it would renumber the nodes, and the depth-first build from the outputs keeps nothing dangling
    return new, node_map
