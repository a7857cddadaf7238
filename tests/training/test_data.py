"""Supervised data: randomized cuts, functional reduction of gold cones, episodes replayable in the environment
(with the care sets of their cuts too), and exclusion of test classes."""

import dataclasses

import numpy as np
import pytest

from sc_plugin.aig.network import Aig
from sc_plugin.aig.npn import npn_canonize
from sc_plugin.aig.simulate import cone_truth_table
from sc_plugin.aig.truth import from_words, to_hex, to_words
from sc_plugin.errors import ScError
from sc_plugin.learned.actions import decode_action, initial_state, step
from sc_plugin.training.data import (DataParams, _permute_table, augment, build_dataset, data_summary, gold_cone,
                                    load_datasets, make_episode, merge_datasets, npn_signature, random_cut, relabel)

EXAMPLE = "sc_plugin/data/examples/int2float.aig"


def _xor_chain() -> tuple[Aig, int]:
    aig = Aig()
    a, b, c = (aig.create_pi() for _ in range(3))
    x = aig.create_xor(a, b)
    return aig, aig.create_and(aig.create_xor(x, c), aig.create_or(a, c)) >> 1


def test_random_cut_is_a_cut_and_matches_simulation():
    aig, root = _xor_chain()
    rng = np.random.default_rng(0)
    leaves, cone = random_cut(aig, root, rng, max_leaves=8)
    assert cone[-1] == root and set(leaves) <= {1, 2, 3}
    table, ands = gold_cone(aig, leaves, cone)
    assert table == cone_truth_table(aig, 2 * root, leaves)


def test_gold_cone_merges_duplicates():
    aig = Aig()
    a, b = aig.create_pi(), aig.create_pi()
    n1 = aig.add_and_unhashed(a, b)
    n2 = aig.add_and_unhashed(b, a)  # the same function again
    root = aig.add_and_unhashed(n1, n2 ^ 0)  # = a & b once more
    top = aig.add_and_unhashed(root, a ^ 1 ^ 1)  # a & b & a
    assert gold_cone(aig, [1, 2], [n1 >> 1, n2 >> 1, root >> 1, top >> 1]) is not None
    table, ands = gold_cone(aig, [1, 2], [n1 >> 1, n2 >> 1, root >> 1, top >> 1])
    assert table == 0b1000 and len(ands) == 1


def test_episode_replays_in_the_environment():
    aig, root = _xor_chain()
    leaves, cone = random_cut(aig, root, np.random.default_rng(3), max_leaves=8)
    table, ands = gold_cone(aig, leaves, cone)
    rng = np.random.default_rng(0)
    for _ in range(5):
        tables, target, _, gold_sets = make_episode(len(leaves), table, ands, rng)
        state = initial_state(from_words(target, len(leaves)), len(leaves))
        for k, actions in enumerate(gold_sets):
            assert all(state.mask[a] for a in actions)
            built = tables[len(leaves) + k]
            nxt = [s for s in (step(state, a) for a in actions) if np.array_equal(s.tables[-1], built)]
            state = nxt[0]
        assert state.solved and state.num_ands == len(ands)


def _result(tables: np.ndarray, action: int) -> np.ndarray:
    polarity, i, j = decode_action(action)
    ones = np.uint64(0xFFFFFFFFFFFFFFFF)
    return (tables[i] ^ (ones * np.uint64(polarity & 1))) & (tables[j] ^ (ones * np.uint64(polarity >> 1)))


def test_relabel_renames_tables_and_actions_consistently(tiny_dataset):
    _, dataset = tiny_dataset
    rng = np.random.default_rng(0)
    for before in dataset.samples(np.arange(0, len(dataset.step_episode), 5)):
        n = before.num_inputs
        perm, negate = rng.permutation(n), bool(rng.random() < 0.5)
        after = relabel(before, perm, negate)

        def renamed(words):
            return to_words(_permute_table(from_words(words, n), perm, n), n)

        assert np.array_equal(after.tables[:n], before.tables[:n])  # inputs stay canonical
        assert all(np.array_equal(a, renamed(b)) for a, b in zip(after.tables[n:], before.tables[n:]))
        assert np.array_equal(after.target, ~renamed(before.target) if negate else renamed(before.target))
        # each renamed gold action builds the renamed result of the original action
        for old, new in zip(before.actions, after.actions):
            assert np.array_equal(_result(after.tables, new), renamed(_result(before.tables, old)))
        assert np.array_equal(after.weights, before.weights) and after.value == before.value


def test_augment_draws_fresh_relabelings(tiny_dataset):
    _, dataset = tiny_dataset
    samples = dataset.samples(np.arange(40))
    relabeled = augment(samples, np.random.default_rng(0))
    assert len(relabeled) == len(samples)
    assert any(not np.array_equal(a.target, b.target) for a, b in zip(relabeled, samples))


def test_npn_signature_is_invariant():
    rng = np.random.default_rng(0)
    n = 5
    for _ in range(10):
        table = int(rng.integers(0, 1 << 32, dtype=np.uint64))
        perm = rng.permutation(n)
        flips = int(rng.integers(1 << n))
        out = 0
        for m in range(1 << n):
            if (table >> m) & 1:
                mm = m ^ flips
                out |= 1 << sum(((mm >> j) & 1) << int(perm[j]) for j in range(n))
        out ^= ((1 << 32) - 1) * int(rng.integers(2))
        assert npn_signature(out, n) == npn_signature(table, n)


def test_build_dataset_excludes_test_classes(tmp_path):
    empty = tmp_path / "empty_tt.txt"
    empty.write_text("id\ttt_hex\n")
    dataset, stats = build_dataset(DataParams(circuits=(EXAMPLE,), exclude_sets=(str(empty),),
                                              cones_per_circuit=60, seed=0))
    assert stats.cones_kept > 0 and stats.dropped_test_class == 0
    assert len(dataset.gold_offset) == dataset.step_episode.shape[0] + 1
    # Exclude the functions just found (as 8-input-free hex rows): they must all be filtered the next time.
    tables = {}
    for e in range(len(dataset.num_inputs)):
        n = int(dataset.num_inputs[e])
        tables[(from_words(dataset.targets[e], n), n)] = None
    listed = tmp_path / "found_tt.txt"
    listed.write_text("id\ttt_hex\n" + "".join(f"{i}\t{to_hex(t, n)}\n" for i, (t, n) in enumerate(tables)
                                               if n >= 2))
    again, stats2 = build_dataset(DataParams(circuits=(EXAMPLE,), exclude_sets=(str(listed),),
                                             cones_per_circuit=60, seed=0))
    assert stats2.dropped_test_class > 0
    excluded = {npn_signature(t, n) for t, n in tables}
    for e in range(len(again.num_inputs)):  # whatever was kept (other cuts: rng draws differ) is of other classes
        n = int(again.num_inputs[e])
        assert npn_signature(from_words(again.targets[e], n), n) not in excluded


def _episode_is_a_gold_build(dataset, episode: int) -> bool:
    """Each built node is the result of one of its step's gold actions, and the last one is the target (or its
    complement: the output's polarity is free) on the care set."""
    start, stop = dataset.node_offset[episode], dataset.node_offset[episode + 1]
    tables = dataset.node_tables[start:stop]
    n = int(dataset.num_inputs[episode])
    for k in np.flatnonzero(dataset.step_episode == episode):
        s = int(dataset.step_index[k])
        built = tables[n + s]
        actions = dataset.gold_actions[dataset.gold_offset[k]:dataset.gold_offset[k + 1]]
        if not any(np.array_equal(_result(tables[:n + s], a), built) for a in actions):
            return False
    difference = (tables[-1] ^ dataset.targets[episode]) & dataset.cares[episode]
    return not difference.any() or np.array_equal(difference, dataset.cares[episode])


def _params_without_exclusions(tmp_path, **values) -> DataParams:
    empty = tmp_path / "empty_tt.txt"
    empty.write_text("id\ttt_hex\n")
    return DataParams(circuits=(EXAMPLE,), exclude_sets=(str(empty),), **values)


def test_abc_gold_replaces_larger_cones_with_valid_smaller_builds(tmp_path, require_abc):
    params = _params_without_exclusions(tmp_path, cones_per_circuit=300, seed=3)
    cones, cone_stats = build_dataset(params)
    smaller, abc_stats = build_dataset(dataclasses.replace(params, gold="abc"))
    assert abc_stats.cones_kept == cone_stats.cones_kept  # the same cuts; only the golds differ
    assert abc_stats.gold_replaced > 0 and abc_stats.gold_ands_saved >= abc_stats.gold_replaced
    assert cones.sizes.sum() - smaller.sizes.sum() == abc_stats.gold_ands_saved * params.episodes_per_cone
    assert all(_episode_is_a_gold_build(smaller, e) for e in range(len(smaller.num_inputs)))
    with pytest.raises(ScError, match="gold source"):
        build_dataset(dataclasses.replace(params, gold="bdd"))


def test_exact_gold_never_grows_a_cone(tmp_path, require_abc):
    params = _params_without_exclusions(tmp_path, cones_per_circuit=40, seed=5, episodes_per_cone=1, gold_time_ms=20)
    cones, _ = build_dataset(params)
    smaller, stats = build_dataset(dataclasses.replace(params, gold="exact"))
    assert np.all(smaller.sizes <= cones.sizes)
    assert cones.sizes.sum() - smaller.sizes.sum() == stats.gold_ands_saved
    assert all(_episode_is_a_gold_build(smaller, e) for e in range(len(smaller.num_inputs)))


def test_merged_datasets_keep_every_state_and_split(tmp_path):
    parts = [build_dataset(_params_without_exclusions(tmp_path, cones_per_circuit=60, seed=seed))[0]
             for seed in (0, 1)]
    merged = merge_datasets(parts)
    offsets = np.cumsum([0] + [len(part.step_episode) for part in parts])
    for part, offset in zip(parts, offsets):
        steps = np.arange(len(part.step_episode))
        for original, copy in zip(part.samples(steps), merged.samples(steps + offset)):
            assert np.array_equal(original.tables, copy.tables) and np.array_equal(original.actions, copy.actions)
            assert np.array_equal(original.target, copy.target) and original.value == copy.value
    assert all(_episode_is_a_gold_build(merged, e) for e in range(len(merged.num_inputs)))
    side: dict = {}  # the split is per NPN class, so a function is on one side in both parts
    for e in range(len(merged.num_inputs)):
        n = int(merged.num_inputs[e])
        side.setdefault((n, npn_canonize(from_words(merged.targets[e], n), n)[0]), set()).add(bool(merged.valid[e]))
    assert all(len(sides) == 1 for sides in side.values())
    paths = [tmp_path / "a.npz", tmp_path / "b.npz"]
    for part, path in zip(parts, paths):
        part.save(path)
    loaded = load_datasets([str(path) for path in paths])
    assert np.array_equal(loaded.gold_actions, merged.gold_actions) and loaded.metadata["gold"] == [
        part.metadata["gold"] for part in parts]
    assert data_summary(parts[0], [str(paths[0])])["path"] == str(paths[0])  # one path: recorded as before
    with pytest.raises(ScError, match="no dataset"):
        load_datasets([])


def test_dont_care_data_replays_in_the_environment_with_each_cuts_care_set(tmp_path, require_abc):
    params = _params_without_exclusions(tmp_path, cones_per_circuit=300, seed=3, gold="abc", dont_cares=True)
    dataset, stats = build_dataset(params)
    assert stats.cones_kept > 20 and stats.dropped_complete_care > 0 and stats.gold_replaced > 0
    assert len(dataset.num_inputs) == stats.cones_kept * params.episodes_per_cone
    for e in range(len(dataset.num_inputs)):
        n = int(dataset.num_inputs[e])
        care = from_words(dataset.cares[e], n)
        assert 0 < care < (1 << (1 << n)) - 1  # some combination is a don't care, some is not
        assert _episode_is_a_gold_build(dataset, e)
        # the environment, given the care set, ends the episode at the gold's last AND and not before
        start = dataset.node_offset[e]
        state = initial_state(from_words(dataset.targets[e], n), n, care=care)
        for k in np.flatnonzero(dataset.step_episode == e):
            assert not state.solved
            built = dataset.node_tables[start + n + dataset.step_index[k]]
            actions = dataset.gold_actions[dataset.gold_offset[k]:dataset.gold_offset[k + 1]]
            assert all(state.mask[a] for a in actions)
            state = next(s for s in (step(state, a) for a in actions) if np.array_equal(s.tables[-1], built))
        assert state.solved
    # relabeling renames the care mask with the target, and never negates it
    rng = np.random.default_rng(0)
    for before in dataset.samples(np.arange(0, len(dataset.step_episode), 7)):
        n = before.num_inputs
        perm = rng.permutation(n)
        after = relabel(before, perm, negate=True)
        assert np.array_equal(after.care, to_words(_permute_table(from_words(before.care, n), perm, n), n))
