"""The verified pipeline with a liberty file: the result is kept only if it maps to a smaller area."""

from pathlib import Path

import pytest
from networks import redundant

from sc_plugin.aig import output_truth_tables
from sc_plugin.errors import AbcError
from sc_plugin.rewrite.options import apply_options
from sc_plugin.rewrite.pipeline import optimize_verified

TINY_LIB = str(Path(__file__).resolve().parents[1] / "abc" / "data" / "tiny.lib")


@pytest.fixture
def exact_with_liberty():
    return apply_options({"engine": "exact", "no_cache": True, "liberty": TINY_LIB})


def test_the_input_is_kept_when_the_result_maps_larger(exact_with_liberty):
    aig = redundant()
    seen = []

    def measure(networks):
        seen.extend(networks)
        return [10.0, 12.5]  # the input maps smaller, whatever the AND counts say

    result, stats = optimize_verified(aig, exact_with_liberty, measure=measure)
    assert result is aig and seen[0] is aig and seen[1].num_ands == 3
    assert (stats.area_before, stats.area_after) == (10.0, 12.5)
    assert stats.kept_input and not stats.failure and stats.ands_after == 5
    assert stats.proof == "not checked"  # no proof is spent on a network that is not used
    assert "mapped area 10.0 -> 12.5, input kept" in stats.report()


def test_the_result_is_kept_when_it_maps_smaller(exact_with_liberty, require_abc):
    aig = redundant()
    result, stats = optimize_verified(aig, exact_with_liberty, measure=lambda networks: [12.5, 10.0])
    assert result.num_ands == 3 and not stats.kept_input and stats.proof == "equivalent"
    assert output_truth_tables(result) == output_truth_tables(aig)


def test_equal_areas_keep_the_input(exact_with_liberty):
    aig = redundant()
    result, stats = optimize_verified(aig, exact_with_liberty, measure=lambda networks: [7.0, 7.0])
    assert result is aig and stats.kept_input


def test_a_failed_mapping_keeps_the_input(exact_with_liberty):
    def measure(networks):
        raise AbcError("ABC died on signal 11")

    aig = redundant()
    result, stats = optimize_verified(aig, exact_with_liberty, measure=measure)
    assert result is aig and "mapping" in stats.failure and "signal 11" in stats.failure


def test_the_real_mapping_returns_the_network_with_the_smaller_area(exact_with_liberty, require_abc):
    aig = redundant()
    result, stats = optimize_verified(aig, exact_with_liberty)
    assert stats.area_before > 0 and stats.area_after > 0
    if stats.area_after < stats.area_before:
        assert result.num_ands == 3 and not stats.kept_input
    else:
        assert result is aig and stats.kept_input


def test_without_a_liberty_nothing_is_mapped():
    def measure(networks):
        raise AssertionError("mapped without a liberty file")

    params = apply_options({"engine": "exact", "no_cache": True, "no_verify": True})
    result, stats = optimize_verified(redundant(), params, measure=measure)
    assert result.num_ands == 3 and stats.area_before is None
