"""The mapping and level-bound options: spellings, defaults and checks."""

import argparse
import math
from pathlib import Path

import pytest

from sc_plugin.errors import ScError
from sc_plugin.rewrite.options import add_arguments, apply_options, options_from_namespace, parse_dashed_options

TINY_LIB = str(Path(__file__).resolve().parents[1] / "abc" / "data" / "tiny.lib")


def test_liberty_options_land_in_the_mapping_params():
    params = apply_options({"liberty": TINY_LIB, "liberty_script": "+strash;map", "liberty_delay": "250"})
    assert params.mapping.liberty == TINY_LIB and params.mapping.script == "+strash;map"
    assert params.mapping.delay_target == 250.0


def test_by_default_nothing_is_mapped_and_depth_is_unbounded():
    params = apply_options({})
    assert params.mapping.liberty is None and params.rewrite.depth_slack == math.inf


@pytest.mark.parametrize("values, message", [
    ({"liberty": "/no/such/cells.lib"}, "no file"),
    ({"liberty_script": "+strash;map"}, "need option liberty"),
    ({"liberty_delay": 100}, "need option liberty"),
    ({"liberty": TINY_LIB, "liberty_delay": 0}, "positive"),
    ({"depth_slack": -1}, "at least 0"),
    ({"depth_slack": "some"}, "expects a number"),
])
def test_bad_mapping_and_bound_values_are_refused(values, message):
    with pytest.raises(ScError, match=message):
        apply_options(values)


def test_depth_slack_takes_levels_or_inf():
    assert apply_options({"depth_slack": "0"}).rewrite.depth_slack == 0.0
    assert apply_options({"depth_slack": 2}).rewrite.depth_slack == 2.0
    assert apply_options({"depth_slack": "inf"}).rewrite.depth_slack == math.inf


def test_yosys_spellings():
    words = ["shortcircuit", "-liberty", TINY_LIB, "-liberty_delay", "10", "-depth_slack", "0", "top"]
    values, index = parse_dashed_options(words, 1)
    assert values == {"liberty": TINY_LIB, "liberty_delay": "10", "depth_slack": "0"} and index == 7
    params = apply_options(values)
    assert params.mapping.delay_target == 10.0 and params.rewrite.depth_slack == 0.0


def test_command_line_spellings():
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    namespace = parser.parse_args(["--liberty", TINY_LIB, "--liberty-script", "+strash;map", "--depth-slack", "1"])
    params = apply_options(options_from_namespace(namespace))
    assert params.mapping.liberty == TINY_LIB and params.mapping.script == "+strash;map"
    assert params.rewrite.depth_slack == 1.0
