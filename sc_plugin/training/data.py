"""Supervised data: gold action sequences from randomized reconvergence-driven cuts of AIGER circuits.

For each sampled root AND, a leaf set is grown by expanding leaves (preferring the expansion that adds fewest new
leaves, randomized) up to max_leaves; the cone between root and leaves is the gold implementation. The cone is
functionally reduced (a node equal to an earlier node or its complement, or constant, is merged away; dead nodes
dropped), so every gold step is a legal action of `learned/actions.py`. Each cone becomes one episode: a random leaf
order (input permutation), a random output negation and a random topological order of its ANDs; the supervised target
at each step is the uniform distribution over all gold ANDs whose fanins already exist, in that state's node indexing.

Test functions are kept out: a cone is dropped when its function has the same NPN invariant signature as any function
of the given test files (cofactor-count signature, a superset of exact NPN equality: honest by construction), the
same `npn_canonize` form, or the same table.

The gold implementation is the circuit's own cone by default (`DataParams.gold = "cone"`). With "abc" or "exact"
every kept cone's function is also resynthesized by that engine (batched, `sc_plugin.engines`), and the engine's
result replaces the cone where it has fewer ANDs; so the network imitates the smaller of the two.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from sc_plugin.aig.aiger import read_aiger
from sc_plugin.aig.network import Aig
from sc_plugin.aig.truth import depends_on, parse_hex, projection, table_mask, to_words
from sc_plugin.cuts.care import care_set, cut_window, fanout_view
from sc_plugin.errors import ScError
from sc_plugin.learned.actions import DEFAULT_MAX_ANDS, MAX_NODES, SIZE_WEIGHT, encode_action, table_bits

FULL_CARE = np.full(4, np.iinfo(np.uint64).max, np.uint64)  # the tiled care mask of a completely specified target

# Default circuits (epfl/*.aig) and test sets (cuts/*_tt*.txt): ../shared/benchmarks beside the project root.
_SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks"

__all__ = ["FULL_CARE", "GOLD_SOURCES", "DataParams", "DataStats", "Sample", "Dataset", "build_dataset",
           "load_dataset", "load_datasets", "merge_datasets", "data_summary", "npn_signature", "load_test_functions",
           "random_cut",
           "gold_cone", "make_episode", "augment", "relabel"]


@dataclass(frozen=True)
class DataParams:
    circuits: tuple[str, ...] = ()  # AIGER files; empty = the shared EPFL set
    exclude_sets: tuple[str, ...] = ()  # *_tt.txt files whose NPN classes must not appear; empty = shared cut files
    cones_per_circuit: int = 2000  # roots sampled per circuit (before filtering and de-duplication)
    max_leaves: int = 8  # cut size
    max_cone_ands: int = 30  # drop larger cones (N_max)
    max_copies_per_class: int = 3  # keep at most this many cones per NPN class (different structures/orders)
    episodes_per_cone: int = 1  # augmented copies (leaf order, output negation, topological order)
    valid_fraction: float = 0.05  # share of NPN classes held out for validation
    gold: str = "cone"  # "cone", or an engine ("abc", "exact") whose smaller results replace the cones
    gold_time_ms: float = 100.0  # the gold engine's budget per function
    # Care sets: each cone's target gets the care set of its cut inside the circuit (`cuts.care`: satisfiability
    # don't cares over a window of at most window_inputs inputs, and observability ones through odc_levels levels
    # of the root's fanout), and cones whose care set holds every combination are dropped.
    dont_cares: bool = False
    odc_levels: int = 2
    window_inputs: int = 12
    seed: int = 0


@dataclass
class DataStats:
    roots_sampled: int = 0
    cones_kept: int = 0
    dropped_trivial: int = 0
    dropped_partial_support: int = 0
    dropped_too_large: int = 0  # reduced gold cone above max_cone_ands
    dropped_no_cut: int = 0  # the cut reached the constant or its cone grew past max_cone_ands
    dropped_test_class: int = 0
    dropped_test_class_by_canon: int = 0  # of dropped_test_class: caught by npn_canonize or exact table alone
    dropped_duplicate_class: int = 0
    dropped_complete_care: int = 0  # with dont_cares: every leaf combination matters
    dropped_early_match: int = 0  # with dont_cares: a constant, input or earlier gold AND matches on the care set
    gold_replaced: int = 0  # cones whose gold came from the gold engine (smaller than the cone)
    gold_ands_saved: int = 0  # ANDs those replacements saved in total
    episodes: int = 0
    steps: int = 0
    train_steps: int = 0
    valid_steps: int = 0
    mean_cone_ands: float = 0.0  # of the golds, after any replacement
    inputs_histogram: dict = field(default_factory=dict)
    time_s: float = 0.0

    def report(self) -> str:
        return "\n".join(f"{k}: {v}" for k, v in asdict(self).items())


@dataclass
class Sample:
    """One training state with its targets; both phases train on these (phase 1 from gold cones, phase 2 from
    self-play). The token fields match `State`'s, so it fits `learned.model.Tokens`."""

    num_inputs: int
    target: np.ndarray  # (TT_WORDS,) uint64, tiled T*
    care: np.ndarray  # (TT_WORDS,) uint64, tiled care mask of T* (FULL_CARE: completely specified)
    tables: np.ndarray  # (num_nodes, TT_WORDS) uint64, the inputs first
    actions: np.ndarray  # (K,) int64 flat actions carrying policy mass
    weights: np.ndarray  # (K,) float32 policy target over `actions`, sums to 1
    value: float  # value target (a return of `learned.actions.terminal_return`'s scale)

    @property
    def num_nodes(self) -> int:
        return self.tables.shape[0]


@dataclass
class Dataset:
    """Episodes stored flat. Episode e has nodes node_tables[node_offset[e]:node_offset[e+1]] (inputs, then ANDs in
    build order), target targets[e]; step k of the whole set is state (step_episode[k], step_index[k] ANDs built)
    with gold actions gold_actions[gold_offset[k]:gold_offset[k+1]]."""

    num_inputs: np.ndarray  # (E,) int64
    node_offset: np.ndarray  # (E + 1,) int64
    node_tables: np.ndarray  # (sum nodes, 4) uint64, tiled
    targets: np.ndarray  # (E, 4) uint64, tiled T* (possibly negated)
    cares: np.ndarray  # (E, 4) uint64, tiled care masks of the targets (FULL_CARE: completely specified)
    sizes: np.ndarray  # (E,) int64 gold ANDs
    valid: np.ndarray  # (E,) bool
    step_episode: np.ndarray  # (S,) int64
    step_index: np.ndarray  # (S,) int64
    gold_offset: np.ndarray  # (S + 1,) int64
    gold_actions: np.ndarray  # (G,) int64 flat actions
    metadata: dict

    def save(self, path: str | Path) -> None:
        arrays = {k: v for k, v in self.__dict__.items() if k != "metadata"}
        np.savez_compressed(path, metadata=np.array(json.dumps(self.metadata)), **arrays)

    def samples(self, steps: np.ndarray) -> list[Sample]:
        """The states `steps` with their targets: uniform over the gold actions, the gold sequence's return."""
        result = []
        for k in steps:
            episode = self.step_episode[k]
            start = self.node_offset[episode]
            num_nodes = self.num_inputs[episode] + self.step_index[k]
            actions = self.gold_actions[self.gold_offset[k]:self.gold_offset[k + 1]]
            result.append(Sample(num_inputs=int(self.num_inputs[episode]), target=self.targets[episode],
                                 care=self.cares[episode], tables=self.node_tables[start:start + num_nodes],
                                 actions=actions,
                                 weights=np.full(len(actions), 1.0 / len(actions), np.float32),
                                 value=1.0 - SIZE_WEIGHT * float(self.sizes[episode]) / DEFAULT_MAX_ANDS))
        return result


def augment(samples: list[Sample], rng: np.random.Generator) -> list[Sample]:
    """Fresh random relabelings of training states (`relabel` with a random input permutation and a target negation
    with probability 1/2). This multiplies the variety that `episodes_per_cone` bakes into a dataset file."""
    return [relabel(s, rng.permutation(s.num_inputs), bool(rng.random() < 0.5)) for s in samples]


def relabel(sample: Sample, perm: np.ndarray, negate: bool) -> Sample:
    """The same training state with input variable j renamed perm[j] and the target negated if asked (the output
    inverter is free). Input nodes stay the canonical projections in order, so input node k moves to position
    perm[k] and each policy action is renamed with it (its polarity bits swap when the pair's order flips); AND
    nodes keep their positions. Value and policy weights are unchanged."""
    n = sample.num_inputs
    source = _minterm_source(perm)
    tables = sample.tables.copy()
    tables[n:] = _pack_bits(table_bits(tables[n:])[:, source])
    target = _pack_bits(table_bits(sample.target)[source])
    care = _pack_bits(table_bits(sample.care)[source])
    position = np.arange(MAX_NODES)
    position[:n] = perm
    polarity, pair = np.divmod(sample.actions, MAX_NODES * MAX_NODES)
    i, j = (position[k] for k in np.divmod(pair, MAX_NODES))
    polarity = np.where(i > j, ((polarity & 1) << 1) | (polarity >> 1), polarity)
    actions = (polarity * MAX_NODES + np.minimum(i, j)) * MAX_NODES + np.maximum(i, j)
    return Sample(num_inputs=n, target=~target if negate else target, care=care, tables=tables,
                  actions=actions.astype(np.int64), weights=sample.weights, value=sample.value)


def _minterm_source(perm: np.ndarray) -> np.ndarray:
    """(256,) for renaming variable j to perm[j]: the old minterm whose value the new minterm m takes (bits of m
    above len(perm) are kept, so tiled tables stay tiled)."""
    minterms = np.arange(256)
    source = minterms & ~((1 << len(perm)) - 1)
    for j, new in enumerate(perm):
        source |= ((minterms >> int(new)) & 1) << j
    return source


def _pack_bits(bits: np.ndarray) -> np.ndarray:
    """Inverse of `learned.actions.table_bits`: (..., 256) bits -> (..., 4) uint64."""
    packed = np.ascontiguousarray(np.packbits(bits, axis=-1, bitorder="little"))
    return packed.view("<u8").astype(np.uint64).reshape(bits.shape[:-1] + (4,))


_SUMMARY_KEYS = ("gold", "stats", "params")  # what a checkpoint records of its training data


def data_summary(dataset: Dataset, paths: str | Sequence[str]) -> dict:
    """The record of a dataset that checkpoints keep; resuming compares it to tell whether the data changed. One
    path is recorded as a plain string, however it was given."""
    if not isinstance(paths, str) and len(paths) == 1:
        paths = paths[0]
    return {"path": paths, **{key: dataset.metadata.get(key) for key in _SUMMARY_KEYS}}


def load_datasets(paths: str | Path | Sequence[str | Path]) -> Dataset:
    """One dataset file, or several concatenated (`merge_datasets`)."""
    if isinstance(paths, (str, Path)):
        return load_dataset(paths)
    if not paths:
        raise ScError("no dataset file given")
    return merge_datasets([load_dataset(path) for path in paths])


def merge_datasets(datasets: Sequence[Dataset]) -> Dataset:
    """The episodes of all `datasets`, in order. Validation membership travels with each episode; it is a function
    of the NPN class, so a class is on the same side of the split in every file built with the same valid_fraction.
    The metadata keeps each part's gold, stats and params as lists."""
    if len(datasets) == 1:
        return datasets[0]
    episode_base = np.cumsum([0] + [len(d.num_inputs) for d in datasets[:-1]])
    node_base = np.cumsum([0] + [int(d.node_offset[-1]) for d in datasets[:-1]])
    gold_base = np.cumsum([0] + [int(d.gold_offset[-1]) for d in datasets[:-1]])
    metadata = {key: [d.metadata.get(key) for d in datasets] for key in _SUMMARY_KEYS}
    return Dataset(
        num_inputs=np.concatenate([d.num_inputs for d in datasets]),
        node_offset=np.concatenate([[0]] + [d.node_offset[1:] + base for d, base in zip(datasets, node_base)]),
        node_tables=np.concatenate([d.node_tables for d in datasets]),
        targets=np.concatenate([d.targets for d in datasets]),
        cares=np.concatenate([d.cares for d in datasets]),
        sizes=np.concatenate([d.sizes for d in datasets]),
        valid=np.concatenate([d.valid for d in datasets]),
        step_episode=np.concatenate([d.step_episode + base for d, base in zip(datasets, episode_base)]),
        step_index=np.concatenate([d.step_index for d in datasets]),
        gold_offset=np.concatenate([[0]] + [d.gold_offset[1:] + base for d, base in zip(datasets, gold_base)]),
        gold_actions=np.concatenate([d.gold_actions for d in datasets]),
        metadata=metadata)


def read_npz(path: str | Path, what: str) -> dict[str, np.ndarray]:
    """Every array of an .npz file, each read once (each archive[key] decompresses the whole array again); an
    unreadable file is an ScError saying it is not `what`."""
    try:
        with np.load(path) as archive:
            return {key: archive[key] for key in archive.files}
    except (OSError, ValueError, KeyError) as exc:
        raise ScError(f"{path}: not {what} ({exc})") from None


def load_dataset(path: str | Path) -> Dataset:
    fields = read_npz(path, "a dataset file written by `sc-train data`")
    try:
        metadata = json.loads(str(fields.pop("metadata")))
        return Dataset(metadata=metadata, **fields)
    except (KeyError, TypeError) as exc:
        raise ScError(f"{path}: dataset file lacks fields ({exc})") from None


# ---- test-set exclusion ------------------------------------------------------------------------------------------

def npn_signature(table: int, num_inputs: int) -> tuple:
    """An NPN invariant: equal for NPN-equivalent functions (so matching it over-approximates NPN equality)."""
    best = None
    mask = table_mask(num_inputs)
    for f in (table & mask, ~table & mask):
        cofactor_counts = sorted(
            tuple(sorted((bin(f & projection(v, num_inputs)).count("1"),
                          bin(f & ~projection(v, num_inputs) & mask).count("1"))))
            for v in range(num_inputs))
        key = (num_inputs, bin(f).count("1"), tuple(cofactor_counts))
        best = key if best is None or key < best else best
    return best


def load_test_functions(paths: list[str]) -> list[tuple[int, int]]:
    """(table, num_inputs) of every row of *_tt.txt files (column tt_hex)."""
    functions = []
    for path in paths:
        header = None
        for line in Path(path).read_text().splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if header is None:
                header = cols
                if "tt_hex" not in header:
                    raise ScError(f"{path}: no tt_hex column")
                continue
            functions.append(parse_hex(cols[header.index("tt_hex")]))
    return functions


class _Exclusion:
    def __init__(self, functions: list[tuple[int, int]]) -> None:
        from sc_plugin.aig.npn import npn_canonize
        self._canonize = npn_canonize
        self.signatures = {npn_signature(t, n) for t, n in functions}
        self.canon = {(n, npn_canonize(t, n)[0]) for t, n in functions}
        self.tables = set(functions)
        self.num_functions = len(functions)

    def check(self, table: int, num_inputs: int) -> tuple[bool, bool, int]:
        """(excluded, excluded without the signature test, canonical form)."""
        canon = self._canonize(table, num_inputs)[0]
        by_canon = (num_inputs, canon) in self.canon or (table, num_inputs) in self.tables
        return by_canon or npn_signature(table, num_inputs) in self.signatures, by_canon, canon


# ---- cuts and gold cones ----------------------------------------------------------------------------------------

def random_cut(aig: Aig, root: int, rng: np.random.Generator, *, max_leaves: int = 8,
               max_cone_ands: int = 30) -> tuple[list[int], list[int]] | None:
    """A randomized reconvergence-driven cut of AND node `root`: (leaves, cone ANDs in topological order), or None
    when the cone hits the constant or grows past max_cone_ands."""
    target_leaves = int(rng.choice([4, 5, 6, 7, 8, 8, 8], 1)[0]) if max_leaves >= 8 else max_leaves
    f0, f1 = aig.fanin0, aig.fanin1
    leaves = {f0[root] >> 1, f1[root] >> 1}
    cone = {root}
    while True:
        if 0 in leaves:
            return None
        options = []
        for leaf in leaves:
            if not aig.is_and(leaf):
                continue
            new = {f0[leaf] >> 1, f1[leaf] >> 1} - leaves
            if len(leaves) - 1 + len(new) <= max_leaves:
                options.append((len(new), leaf, new))
        if not options or (len(leaves) >= target_leaves and rng.random() < 0.5):
            break
        options.sort(key=lambda o: (o[0], o[1]))
        if rng.random() < 0.7:  # reconvergence-driven: the cheapest expansion, random among ties
            cheapest = [o for o in options if o[0] == options[0][0]]
            _, leaf, new = cheapest[int(rng.integers(len(cheapest)))]
        else:
            _, leaf, new = options[int(rng.integers(len(options)))]
        leaves.remove(leaf)
        leaves |= new
        cone.add(leaf)
        if len(cone) > max_cone_ands:
            return None
    return sorted(leaves), sorted(cone)


def gold_cone(aig: Aig, leaves: list[int], cone: list[int]) -> tuple[int, list[tuple[int, int]]] | None:
    """Functionally reduced gold implementation of the cone: (root table over the leaves, ANDs as fanin literals
    over gold indices, 2*index + complement, leaves being indices 0..n-1), root last; None if the root is a
    constant or a literal."""
    n = len(leaves)
    mask = table_mask(n)
    lit_of_node: dict[int, int] = {leaf: 2 * j for j, leaf in enumerate(leaves)}
    table_of_index = [projection(j, n) for j in range(n)]
    known: dict[int, int] = {}  # table -> gold literal
    for j, t in enumerate(table_of_index):
        known[t] = 2 * j
        known[t ^ mask] = 2 * j + 1
    known[0], known[mask] = -2, -1  # constants
    ands: list[tuple[int, int]] = []
    for node in cone:  # node ids are topological
        la, lb = (aig.fanin0[node], aig.fanin1[node])
        ga = lit_of_node[la >> 1] ^ (la & 1)
        gb = lit_of_node[lb >> 1] ^ (lb & 1)
        if ga < 0 or gb < 0:  # a constant fanin: fold
            ca = ga if ga < 0 else None
            cb = gb if gb < 0 else None
            if (ca == -2) or (cb == -2):
                lit_of_node[node] = -2
                continue
            lit_of_node[node] = gb if ca == -1 else ga
            continue
        ta = table_of_index[ga >> 1] ^ (mask if ga & 1 else 0)
        tb = table_of_index[gb >> 1] ^ (mask if gb & 1 else 0)
        t = ta & tb
        if t in known:
            lit_of_node[node] = known[t]
            continue
        index = len(table_of_index)
        table_of_index.append(t)
        ands.append((ga, gb))
        known[t], known[t ^ mask] = 2 * index, 2 * index + 1
        lit_of_node[node] = 2 * index
    root = lit_of_node[cone[-1]]
    if root < 2 * n:
        return None
    # Keep only the root's cone; renumber so that the root is last.
    needed = {root >> 1}
    for index in range(root >> 1, n - 1, -1):
        if index in needed:
            ga, gb = ands[index - n]
            needed.update((ga >> 1, gb >> 1))
    kept = [i for i in range(n, (root >> 1) + 1) if i in needed]
    renumber = {j: j for j in range(n)}
    for new_index, old in enumerate(kept):
        renumber[old] = n + new_index
    reduced = [(2 * renumber[ga >> 1] + (ga & 1), 2 * renumber[gb >> 1] + (gb & 1))
               for ga, gb in (ands[old - n] for old in kept)]
    return table_of_index[root >> 1], reduced


def make_episode(num_inputs: int, table: int, ands: list[tuple[int, int]], rng: np.random.Generator,
                 care: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[list[int]]]:
    """One augmented episode of a gold cone: (node tables in build order (n + K, 4), target (4,), care mask (4,),
    gold action sets per step). Leaf order is permuted at random (the care mask with it), the output negated with
    probability 1/2, and the ANDs built in a random topological order."""
    n = num_inputs
    perm = rng.permutation(n)  # leaf j becomes input perm[j]
    mask = table_mask(n)
    index_table = [projection(int(perm[j]), n) for j in range(n)]
    for ga, gb in ands:
        ta = index_table[ga >> 1] ^ (mask if ga & 1 else 0)
        tb = index_table[gb >> 1] ^ (mask if gb & 1 else 0)
        index_table.append(ta & tb)
    position = {j: int(perm[j]) for j in range(n)}  # gold index -> state node index
    built = set(range(n))
    pending = list(range(n, n + len(ands)))
    order_tables = [projection(v, n) for v in range(n)]
    gold_sets: list[list[int]] = []
    while pending:
        available = [g for g in pending if (ands[g - n][0] >> 1) in built and (ands[g - n][1] >> 1) in built]
        actions = []
        for g in available:
            ga, gb = ands[g - n]
            i, ci, j, cj = position[ga >> 1], ga & 1, position[gb >> 1], gb & 1
            if i > j:
                i, ci, j, cj = j, cj, i, ci
            actions.append(encode_action(ci | (cj << 1), i, j))
        gold_sets.append(actions)
        g = available[int(rng.integers(len(available)))]
        position[g] = len(order_tables)
        order_tables.append(index_table[g])
        built.add(g)
        pending.remove(g)
    target = table if rng.random() < 0.5 else table ^ mask
    target = _permute_table(target, perm, n)
    care_words = FULL_CARE if care is None else to_words(_permute_table(care, perm, n), n)
    tables = np.stack([to_words(t, n) for t in order_tables])
    return tables, to_words(target, n), care_words, gold_sets


def _permute_table(table: int, perm: np.ndarray, n: int) -> int:
    """The table with variable j renamed to perm[j]."""
    out = 0
    for m in range(1 << n):
        if (table >> m) & 1:
            out |= 1 << sum(((m >> j) & 1) << int(perm[j]) for j in range(n))
    return out


GOLD_SOURCES = ("cone", "abc", "exact")
_GOLD_DESCRIPTIONS = {"cone": "original cone, functionally reduced",
                      "abc": "smaller of the original cone and ABC's result (strash; dc2; resyn2)",
                      "exact": "smaller of the original cone and the exact engine's result (ABC as upper bound)"}


@dataclass
class _KeptCone:
    num_inputs: int
    table: int
    ands: list[tuple[int, int]]  # gold ANDs, as returned by `gold_cone`
    is_valid: bool
    care: int | None = None  # the cut's care set over its leaves (DataParams.dont_cares), None: complete


def _collect_cones(circuits: list[str], params: DataParams, exclusion: _Exclusion, rng: np.random.Generator,
                   stats: DataStats, verbose: bool) -> list[_KeptCone]:
    """Randomized cuts of every circuit, reduced to gold cones, filtered (trivial, partial support, test classes)
    and capped per NPN class."""
    from sc_plugin.progress import progress

    class_count: dict[tuple[int, int], int] = {}
    kept: list[_KeptCone] = []
    for path in progress(circuits, label="circuits", enabled=verbose):
        aig = read_aiger(path)
        if aig.num_ands == 0:
            continue
        view = fanout_view(aig) if params.dont_cares and params.odc_levels else None
        roots = rng.integers(aig.num_pis + 1, aig.num_nodes, size=params.cones_per_circuit)
        for root in roots:
            stats.roots_sampled += 1
            cut = random_cut(aig, int(root), rng, max_leaves=params.max_leaves,
                             max_cone_ands=params.max_cone_ands)
            if cut is None:
                stats.dropped_no_cut += 1
                continue
            leaves, cone = cut
            gold = gold_cone(aig, leaves, cone)
            if gold is None or len(leaves) < 2:
                stats.dropped_trivial += 1
                continue
            table, ands = gold
            n = len(leaves)
            if len(ands) > params.max_cone_ands:
                stats.dropped_too_large += 1
                continue
            if not all(depends_on(table, v, n) for v in range(n)):
                stats.dropped_partial_support += 1
                continue
            excluded, by_canon, canon = exclusion.check(table, n)
            if excluded:
                stats.dropped_test_class += 1
                stats.dropped_test_class_by_canon += int(by_canon)
                continue
            key = (n, canon)
            if class_count.get(key, 0) >= params.max_copies_per_class:
                stats.dropped_duplicate_class += 1
                continue
            care = None
            if params.dont_cares:
                window = cut_window(aig, int(root), leaves, params.odc_levels, view, params.window_inputs)
                care = care_set(aig, leaves, window)
                if care == table_mask(n):
                    stats.dropped_complete_care += 1
                    continue
            class_count[key] = class_count.get(key, 0) + 1
            stats.cones_kept += 1
            stats.inputs_histogram[n] = stats.inputs_histogram.get(n, 0) + 1
            kept.append(_KeptCone(n, table, ands, (hash(key) % 1000) < 1000 * params.valid_fraction, care))
    return kept


def _matches_early(cone: _KeptCone) -> bool:
    """Whether a constant, an input or a gold AND before the root equals the target or its complement on the care
    set: the environment would end the episode there (or never start it), so the gold would teach moves it never
    plays."""
    n, mask = cone.num_inputs, table_mask(cone.num_inputs)
    care = mask if cone.care is None else cone.care
    tables = [projection(j, n) for j in range(n)]
    for ga, gb in cone.ands:
        tables.append((tables[ga >> 1] ^ (mask if ga & 1 else 0)) & (tables[gb >> 1] ^ (mask if gb & 1 else 0)))
    return any((t ^ cone.table) & care in (0, care) for t in [0, *tables[:-1]])


def _replace_golds(cones: list[_KeptCone], params: DataParams, stats: DataStats, verbose: bool,
                   chunk: int = 500) -> None:
    """Resynthesizes every cone's function with the gold engine; a verified result with fewer ANDs becomes the
    cone's gold (its table may be the complement: the output's polarity is free in the environment)."""
    from sc_plugin.progress import progress
    from sc_plugin.engines.abc_engine import AbcParams
    from sc_plugin.engines.base import Budget, ask_engine
    from sc_plugin.engines.registry import EngineParams, make_engine

    engine = make_engine(EngineParams(name=params.gold, abc=AbcParams(scripts=("strash; dc2; resyn2",))))
    budget = Budget(time_ms=params.gold_time_ms, max_ands=params.max_cone_ands)
    for first in progress(range(0, len(cones), chunk), label=f"gold ({params.gold})", enabled=verbose):
        batch = cones[first:first + chunk]
        results = ask_engine(engine, [(c.table, c.num_inputs) for c in batch], budget=budget,
                             cares=[c.care for c in batch])
        for cone, candidate in zip(batch, results):
            if candidate is None or candidate.ands >= len(cone.ands) or candidate.ands == 0:
                continue  # no smaller gold (0 ANDs: a literal on the care set, which `_matches_early` drops)
            implementation = candidate.implementation
            root = implementation.pos[0] >> 1
            gold = gold_cone(implementation, list(range(1, cone.num_inputs + 1)),
                             [node for node in implementation.and_nodes() if node <= root])
            if gold is None:  # cannot happen for a full-support function; never trade a cone for nothing
                continue
            stats.gold_replaced += 1
            stats.gold_ands_saved += len(cone.ands) - len(gold[1])
            cone.table, cone.ands = gold


def build_dataset(params: DataParams, *, verbose: bool = False) -> tuple[Dataset, DataStats]:
    if params.gold not in GOLD_SOURCES:
        raise ScError(f"unknown gold source {params.gold!r}; choose one of {', '.join(GOLD_SOURCES)}")
    start = time.perf_counter()
    circuits = list(params.circuits) or sorted(str(p) for p in Path(_SHARED, "epfl").glob("*.aig"))
    exclude_sets = list(params.exclude_sets) or sorted(str(p) for p in Path(_SHARED, "cuts").glob("*_tt*.txt"))
    exclusion = _Exclusion(load_test_functions(exclude_sets))
    rng = np.random.default_rng(params.seed)
    stats = DataStats()
    cones = _collect_cones(circuits, params, exclusion, rng, stats, verbose)
    if params.gold != "cone":
        _replace_golds(cones, params, stats, verbose)
    if params.dont_cares:
        kept = [cone for cone in cones if not _matches_early(cone)]
        stats.dropped_early_match = len(cones) - len(kept)
        stats.cones_kept = len(cones) - stats.dropped_early_match
        cones = kept
    num_inputs, node_offset, node_tables, targets, cares, sizes, valid = [], [0], [], [], [], [], []
    step_episode, step_index, gold_offset, gold_actions = [], [], [0], []
    for cone in cones:
        stats.mean_cone_ands += len(cone.ands)
        for _ in range(params.episodes_per_cone):
            tables, target, care, gold_sets = make_episode(cone.num_inputs, cone.table, cone.ands, rng, cone.care)
            episode = len(num_inputs)
            num_inputs.append(cone.num_inputs)
            node_tables.append(tables)
            node_offset.append(node_offset[-1] + tables.shape[0])
            targets.append(target)
            cares.append(care)
            sizes.append(len(cone.ands))
            valid.append(cone.is_valid)
            for s, actions in enumerate(gold_sets):
                step_episode.append(episode)
                step_index.append(s)
                gold_actions.extend(actions)
                gold_offset.append(len(gold_actions))
    stats.episodes = len(num_inputs)
    stats.steps = len(step_episode)
    stats.mean_cone_ands = round(stats.mean_cone_ands / max(stats.cones_kept, 1), 2)
    valid_arr = np.array(valid, dtype=bool)
    ep = np.array(step_episode, dtype=np.int64)
    stats.valid_steps = int(valid_arr[ep].sum()) if len(ep) else 0
    stats.train_steps = stats.steps - stats.valid_steps
    stats.time_s = round(time.perf_counter() - start, 1)
    metadata = {"params": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(params).items()},
                "circuits": circuits, "exclude_sets": exclude_sets,
                "excluded_test_functions": exclusion.num_functions, "stats": asdict(stats),
                "gold": _GOLD_DESCRIPTIONS[params.gold]}
    dataset = Dataset(num_inputs=np.array(num_inputs, dtype=np.int64),
                      node_offset=np.array(node_offset, dtype=np.int64),
                      node_tables=np.concatenate(node_tables) if node_tables else np.zeros((0, 4), np.uint64),
                      targets=np.array(targets, dtype=np.uint64).reshape(-1, 4),
                      cares=np.array(cares, dtype=np.uint64).reshape(-1, 4),
                      sizes=np.array(sizes, dtype=np.int64), valid=valid_arr, step_episode=ep,
                      step_index=np.array(step_index, dtype=np.int64),
                      gold_offset=np.array(gold_offset, dtype=np.int64),
                      gold_actions=np.array(gold_actions, dtype=np.int64), metadata=metadata)
    return dataset, stats

