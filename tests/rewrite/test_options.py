"""The pipeline's options: one table, three spellings, every value checked."""

import argparse

import pytest

from sc_plugin.errors import ScError
from sc_plugin.rewrite.options import (OPTIONS, add_arguments, apply_options, dashed_help, options_from_namespace,
                                       parse_dashed_options)


def test_values_land_in_their_nested_fields():
    params = apply_options({"k": "6", "budget_ms": 50, "no_cache": True, "no_verify": True, "engine": "mcts",
                            "mcts_rollouts": "3", "mcts_precision": "float32", "time_limit": 2})
    assert params.rewrite.cuts.max_cut_size == 6 and params.rewrite.budget.time_ms == 50.0
    assert not params.cache.enabled and not params.proof.enabled
    assert params.engine.name == "mcts" and params.engine.mcts.rollouts == 3 and params.rewrite.time_limit_s == 2.0
    assert params.engine.mcts.precision == "float32"


@pytest.mark.parametrize("values, message", [
    ({"k": 0}, "between 2 and 8"), ({"k": 99}, "between 2 and 8"), ({"cuts_per_node": 0}, "at least 1"),
    ({"time_limit": 0}, "positive"), ({"time_limit": -1}, "positive"), ({"engine": "magic"}, "unknown value"),
    ({"mcts_precision": "half"}, "unknown value"),
    ({"k": "x"}, "expects an integer"), ({"zero_gain": "yes"}, "switch"), ({"colour": 1}, "unknown option"),
    ({"cache": "c.sqlite", "no_cache": True}, "exclude each other"),
])
def test_bad_values_are_refused(values, message):
    with pytest.raises(ScError, match=message):
        apply_options(values)


def test_dashed_parsing_stops_at_the_selection():
    values, index = parse_dashed_options(["shortcircuit", "-k", "5", "-nocache", "-timeout", "3", "top"], 1)
    assert values == {"k": "5", "no_cache": True, "time_limit": "3"} and index == 6
    with pytest.raises(ScError, match="needs a value"):
        parse_dashed_options(["-k"])


def test_command_line_and_help_cover_every_option():
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--k", "4", "--no-verify", "--budget-ms", "10"])
    assert options_from_namespace(args) == {"k": "4", "no_verify": True, "budget_ms": "10"}
    text = dashed_help()
    assert all(option.dashed_flags[0] in text for option in OPTIONS)


def test_odc_levels_needs_dont_cares_in_every_spelling():
    params = apply_options({"dont_cares": True, "odc_levels": "2"})
    assert params.rewrite.use_dont_cares and params.rewrite.odc_levels == 2
    values, _ = parse_dashed_options(["-dont_cares", "-odc_levels", "3"])
    assert apply_options(values).rewrite.odc_levels == 3
    with pytest.raises(ScError, match="odc_levels needs option dont_cares"):
        apply_options({"odc_levels": 1})
    with pytest.raises(ScError, match="at least 0"):
        apply_options({"dont_cares": True, "odc_levels": -1})
    step = {"sc": {"dont_cares": True, "odc_levels": 2}}
    schedule = apply_options({"time_limit": 5, "schedule": {"steps": [step]}}).schedule
    assert schedule.steps[0].sc == {"use_dont_cares": True, "odc_levels": 2}
    with pytest.raises(ScError, match="odc_levels needs option dont_cares"):
        apply_options({"time_limit": 5, "schedule": {"steps": [{"sc": {"odc_levels": 2}}]}})
