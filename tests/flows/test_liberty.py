"""The liberty flows' yosys step: what it reads from Yosys's log, and the OpenLane commands it fills in."""

import pytest

from sc_plugin.flows.liberty import expand_define, parse_pass_summary, parse_stat
from sc_plugin.flows.openlane import AREA_STRATEGIES, area_script
from sc_plugin.flows.spec import load_flow, repo_root

STAT_070 = """
=== top ===

        +----------Local Count, excluding submodules.
        |        +-Local Area, excluding submodules.
        |        |
       85 1.46E+03 cells
        1   21.952   gf180mcu_fd_sc_mcu7t5v0__and3_1

   Chip area for module '\\top': 1459.808000
"""


def test_stat_of_yosys_070_gives_area_and_cells():
    assert parse_stat(STAT_070) == (1459.808, 85)
    assert parse_stat("   Number of cells:     12\n   Chip area for module '\\m': 3.5\n") == (3.5, 12)
    assert parse_stat("nothing here") == (None, None)


def test_pass_summary_sums_ands_and_takes_the_deepest_module():
    log = ("Module \\a: ANDs 100 -> 90, levels 12 -> 12, 3 rounds\n"
           "Module \\b: ANDs 50 -> 50, levels 20 -> 19, 1 rounds\n")
    assert parse_pass_summary(log) == {"ands_in": 150, "ands": 140, "levels_in": 20, "levels": 19}
    assert parse_pass_summary("no pass ran") == {}


def test_defines_get_the_repository_and_openlane_commands():
    value = expand_define("scratchpad -set abc.script ${OPENLANE_AREA_3}; read ${REPO}/x")
    root = str(repo_root())
    assert f"+read_constr,{root}/yosys_scripts/openlane_gf180mcu.sdc;strash;dch;map,-B,0.9" in value
    assert value.endswith(f"; read {root}/x") and " " not in value.split(" ")[2]  # the commands stay one word


def test_openlane_strategies_are_one_word_each():
    assert len(AREA_STRATEGIES) == 4
    for index in range(4):
        script = area_script(index, "/c.sdc")
        assert script.startswith("+read_constr,/c.sdc;") and " " not in script
    assert "amap,-m,-Q,0.1,-F,20,-A,20,-C,5000" in area_script(0, "/c.sdc")
    assert area_script(1, "/c.sdc").count("amap") == 2 and area_script(0, "/c.sdc").endswith("print_stats,-m")
    with pytest.raises(ValueError, match="0 to 3"):
        area_script(4, "/c.sdc")
    with pytest.raises(ValueError, match="space"):
        area_script(0, "/my folder/c.sdc")


def test_the_liberty_flow_pairs_every_baseline_with_the_pass():
    spec = load_flow(repo_root() / "flows" / "liberty_area.yaml")
    baselines = [flow.name for flow in spec.flows if flow.baseline]
    assert baselines == ["yosys_abc"] + [f"openlane_area{i}" for i in range(4)]
    for name in baselines:
        (step,) = next(flow for flow in spec.flows if flow.name == f"sc+{name}").steps
        assert "shortcircuit" in step["defines"]["SC_PASS"] and "-depth_slack 0" in step["defines"]["SC_PASS"]
    assert {"picorv32", "serv"} <= {design.name for design in spec.designs}
