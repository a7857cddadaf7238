"""Liberty-mapped area: the commands Yosys's `abc` would run, the library cache, and areas from the real ABC on a
made-up seven-cell library (tests/abc/data/tiny.lib)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from sc_plugin.abc.mapping import (YOSYS_LIBERTY_SCRIPT, MappingParams, aig_blif, library_file, mapped_areas,
                                   mapping_script)
from sc_plugin.aig import Aig
from sc_plugin.errors import AbcError, ScError

TINY_LIB = Path(__file__).resolve().parent / "data" / "tiny.lib"


def _xor_by_nands() -> Aig:
    """a ^ b as three ANDs."""
    aig = Aig()
    a, b = aig.create_pi("a"), aig.create_pi("b")
    aig.create_po(aig.create_xor(a, b), "y")
    return aig


def _and_chain(width: int) -> Aig:
    aig = Aig()
    inputs = [aig.create_pi() for _ in range(width)]
    lit = inputs[0]
    for other in inputs[1:]:
        lit = aig.create_and(lit, other)
    aig.create_po(lit)
    return aig


def test_default_commands_are_yosys_abc_liberty():
    assert mapping_script() == YOSYS_LIBERTY_SCRIPT.replace("{D}", "")
    assert "&nf ;" in mapping_script()


def test_a_delay_target_adds_retiming_as_yosys_does():
    script = mapping_script(None, 500.0)
    assert "dretime; retime -o -D 500;" in script and "&nf -D 500;" in script


def test_inline_commands_take_commas_for_spaces_and_d_as_yosys_puts_it():
    assert mapping_script("+strash;retime,-D,{D};map", 1000.0) == "strash;retime -D -D 1000;map"
    assert mapping_script("+strash;map") == "strash;map"


def test_a_command_file_is_sourced_unchanged(tmp_path):
    path = tmp_path / "map.abc"
    path.write_text("strash; map {D}\n")
    assert mapping_script(str(path), 10.0) == f'source "{path}"'


def test_library_is_converted_once_and_gzip_is_read(tmp_path, require_abc):
    plain = tmp_path / "cells.lib"
    shutil.copy(TINY_LIB, plain)
    first = library_file(plain)
    assert Path(first).stat().st_size > 0 and library_file(plain) == first
    packed = tmp_path / "cells.lib.gz"
    with open(plain, "rb") as source, gzip.open(packed, "wb") as target:
        shutil.copyfileobj(source, target)
    assert library_file(packed) != first and Path(library_file(packed)).exists()


def test_a_missing_library_is_a_user_error(tmp_path):
    with pytest.raises(ScError, match="does not exist"):
        library_file(tmp_path / "none.lib")
    with pytest.raises(ScError, match="no liberty"):
        mapped_areas([_xor_by_nands()], MappingParams())


def test_areas_come_back_in_order_and_identical_networks_agree(require_abc):
    params = MappingParams(liberty=str(TINY_LIB))
    small, large, again = mapped_areas([_and_chain(2), _and_chain(6), _and_chain(2)], params)
    assert small.area == again.area and large.area > small.area > 0
    assert small.cells >= 1 and "area" in small.raw


def test_blif_text_and_aig_of_the_same_netlist_map_alike(require_abc):
    aig = _xor_by_nands()
    from_aig, from_text = mapped_areas([aig, aig_blif(aig)], MappingParams(liberty=str(TINY_LIB)))
    assert from_aig.area == from_text.area


def test_a_script_that_prints_statistics_of_its_own_is_read_per_network(require_abc):
    params = MappingParams(liberty=str(TINY_LIB), script="+strash;print_stats;&get,-n;&nf;&put;print_stats")
    first, second = mapped_areas([_and_chain(3), _and_chain(5)], params)
    assert second.area > first.area


def test_a_command_failing_on_the_network_does_not_stop_the_mapping(require_abc):
    # `retime` says "The network is combinational" as an error; Yosys's abc goes on, and so do we.
    params = MappingParams(liberty=str(TINY_LIB), script="+strash;retime,-M,5;&get,-n;&nf;&put")
    (mapped,) = mapped_areas([_and_chain(3)], params)
    assert mapped.area > 0


def test_a_script_that_maps_nothing_is_an_error(require_abc):
    with pytest.raises(AbcError, match="no mapped statistics"):
        mapped_areas([_and_chain(3)], MappingParams(liberty=str(TINY_LIB), script="+strash"))


def test_aig_blif_writes_gates_in_node_order_with_inverted_inputs():
    aig = Aig()
    a, b = aig.create_pi(), aig.create_pi()
    aig.create_po(aig.create_and(a ^ 1, b) ^ 1)
    aig.create_po(0)
    assert aig_blif(aig).splitlines() == [
        ".model network", ".inputs n1 n2", ".outputs o0 o1", ".names n0", ".names n1 n2 n3", "01 1",
        ".names n3 o0", "0 1", ".names n0 o1", "1 1", ".end"]
