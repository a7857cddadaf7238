"""Liberty-mapped area: ABC maps a network to a standard-cell library with the commands Yosys's `abc -liberty`
runs, and reports the chip area.

AND count does not track mapped area. The mapper re-optimizes the network (`dc2`, `&dch`) before covering it with
cells, and its heuristics depend on the order of inputs, outputs and nodes: the same AIG with its inputs permuted
maps to areas up to 10% apart. So a comparison of mapped areas is only meaningful between networks presented to ABC
exactly as the downstream mapping will see them. `mapped_areas` takes networks as `Aig`s (in their own node order,
as a tool reading our output would present them; an estimate for `sc-opt`) or as BLIF text (the Yosys pass hands
over the netlist Yosys's `abc` will write, see `yosys/abc_netlist.py`: exact), maps them all in one ABC process, and
returns their areas.

The library is read once per file and machine: ABC's `read_lib` takes about a second on a 20 MB liberty file, so it
is converted to ABC's binary SCL format (`write_scl`) in the temporary folder, keyed by the file's path, size and
modification time, and read with `read_scl` from then on (Yosys keeps such a cache too; the areas are the same).
`.lib.gz` files are decompressed first.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from sc_plugin.abc.runner import run_abc
from sc_plugin.aig.network import Aig
from sc_plugin.errors import AbcError, ScError

__all__ = ["YOSYS_LIBERTY_SCRIPT", "MappingParams", "MappedArea", "mapped_areas", "mapping_script", "library_file",
           "aig_blif"]

# The commands Yosys's `abc -liberty` runs between reading the netlist and writing the mapped one (Yosys
# passes/techmap/abc.cc, ABC_COMMAND_LIB; pyosys 0.70 logs the same). `{D}` is `-D <delay target>` or nothing.
YOSYS_LIBERTY_SCRIPT = ("strash; &get -n; &fraig -x; &put; scorr; dc2; dretime; strash; &get -n; &dch -f; &nf {D}; "
                        "&put")

# `print_stats` of a mapped network: "... nd = 89  edge = 261  area =1527.87  delay =12.00  lev = 12".
_MAPPED_STATS = re.compile(r"\bnd\s*=\s*(\d+).*?\barea\s*=\s*([0-9.eE+-]+)\s+delay\s*=\s*([0-9.eE+-]+)")
_MARKER = "sc_mapped_network_done"


@dataclass(frozen=True)
class MappingParams:
    """How networks are mapped to compare their cell area; `liberty` None: they are not."""

    liberty: str | None = None  # liberty file (.lib or .lib.gz)
    script: str | None = None  # ABC commands as `abc -script` takes them (`+cmd,arg;...` or a file); None: Yosys's
    delay_target: float | None = None  # `abc -D`: the delay target the script's `{D}` stands for
    time_limit_s: float = 600.0  # one ABC run, which maps every network of a call


@dataclass(frozen=True)
class MappedArea:
    """ABC's statistics of one mapped network."""

    area: float  # total cell area, in the library's area units
    delay: float  # ABC's delay estimate of the mapping
    cells: int
    raw: str  # the statistics line, colour codes removed


def mapping_script(script: str | None = None, delay_target: float | None = None) -> str:
    """The ABC commands Yosys's `abc -liberty LIB [-D delay_target] [-script script]` runs after reading the
    netlist and the library, assembled as Yosys assembles them.

    script: None for Yosys's default commands; `+cmd,arg;cmd...` for inline commands (commas stand for spaces);
        otherwise a file of commands, which Yosys runs with `source` (so `{D}` in it is not replaced).
    """
    if script is None:
        text = YOSYS_LIBERTY_SCRIPT
        if delay_target is not None:  # Yosys adds a retiming step when it is given a delay target
            text = text.replace("dretime;", "dretime; retime -o {D};")
    elif script.startswith("+"):
        text = script[1:].replace(",", " ")
    else:
        text = f'source "{os.path.abspath(script)}"'
    return text.replace("{D}", "" if delay_target is None else f"-D {delay_target:g}")


def library_file(liberty: str | os.PathLike, *, binary: str | None = None) -> str:
    """A binary SCL copy of the liberty file for ABC's `read_scl`, made on first use and reused afterwards.

    Raises ScError if the file does not exist, AbcError if ABC cannot read it.
    """
    source = Path(liberty).resolve()
    try:
        info = source.stat()
    except OSError:
        raise ScError(f"liberty file {liberty} does not exist") from None
    key = hashlib.sha1(f"{source}\0{info.st_size}\0{info.st_mtime_ns}".encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / "sc_liberty_scl"
    target = folder / f"{source.name.split('.')[0]}_{key}.scl"
    if target.exists():
        return str(target)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="convert_", dir=folder) as work:
        plain = source
        if source.suffix == ".gz":
            plain = Path(work) / "cells.lib"
            with gzip.open(source, "rb") as packed, open(plain, "wb") as unpacked:
                shutil.copyfileobj(packed, unpacked)
        partial = Path(work) / "cells.scl"
        run = run_abc(f'read_lib -w "{plain}"\nwrite_scl "{partial}"', binary=binary)
        if not partial.exists() or partial.stat().st_size == 0:
            raise AbcError(f"ABC read no library from {liberty}", binary=run.binary, command=run.command,
                           output=run.output)
        os.replace(partial, target)  # atomic: a concurrent process sees the whole file or none
    return str(target)


def aig_blif(aig: Aig) -> str:
    """`aig` as a BLIF netlist of two-input AND gates (inverted inputs in their covers) and output buffers or
    inverters, in node order: ABC reads it as a logic network, which every mapping script accepts (`fx` and `mfs`
    refuse a network read from AIGER). Latches are cut: their outputs are inputs and their inputs outputs."""
    lines = [".model network", ".inputs " + " ".join(f"n{node}" for node in range(1, aig.num_pis + 1)),
             ".outputs " + " ".join(f"o{index}" for index in range(aig.num_pos))]
    if any(lit >> 1 == 0 for lit in aig.pos) or any(lit >> 1 == 0 for node in aig.and_nodes()
                                                      for lit in aig.fanins(node)):
        lines.append(".names n0")  # the constant 0
    for node in aig.and_nodes():
        a, b = aig.fanins(node)
        lines += [f".names n{a >> 1} n{b >> 1} n{node}", f"{1 - (a & 1)}{1 - (b & 1)} 1"]
    for index, lit in enumerate(aig.pos):
        lines += [f".names n{lit >> 1} o{index}", f"{1 - (lit & 1)} 1"]
    return "\n".join(lines + [".end"]) + "\n"


def mapped_areas(networks: Sequence[Aig | str], params: MappingParams, *, binary: str | None = None
                 ) -> list[MappedArea]:
    """Maps every network with the same commands in one ABC process; returns their areas in order.

    networks: `Aig`s (presented as `aig_blif` writes them), or BLIF netlists as text (the Yosys pass hands over
        the netlist Yosys's `abc` would write).
    Raises ScError when `params.liberty` is None or missing, AbcError when ABC fails or maps nothing.
    """
    if params.liberty is None:
        raise ScError("no liberty file to map against")
    library = library_file(params.liberty, binary=binary)
    script = mapping_script(params.script, params.delay_target)
    with tempfile.TemporaryDirectory(prefix="sc_map_") as work:
        commands = [f'read_scl "{library}"']
        for number, network in enumerate(networks):
            text = aig_blif(network) if isinstance(network, Aig) else network
            Path(work, f"network{number}.blif").write_text(text)
            commands.append(f"read_blif network{number}.blif")
            # The script may print statistics of its own (OpenLane's end with `print_stats -m`): each network's
            # area is the last statistics line before the next marker.
            commands += [script, "print_stats", f"echo {_MARKER}"]
        # Like Yosys's `abc`, go on past commands that fail on the network at hand (OpenLane's `retime` on
        # combinational logic): what counts is the mapped network at the end.
        run = run_abc("\n".join(commands), timeout_s=params.time_limit_s, cwd=work, binary=binary,
                      check_errors=False)
    found: list[MappedArea] = []
    last = None
    for line in run.output.splitlines():
        match = _MAPPED_STATS.search(line)
        if match is not None:
            last = MappedArea(area=float(match.group(2)), delay=float(match.group(3)), cells=int(match.group(1)),
                              raw=line.strip())
        elif line.strip() == _MARKER:
            if last is None:
                raise AbcError(f"ABC printed no mapped statistics for network {len(found)} (does the mapping "
                               "script end with a mapped network?)", binary=run.binary, command=run.command,
                               output=run.output)
            found.append(last)
            last = None
    if len(found) != len(networks):
        raise AbcError(f"expected {len(networks)} mapped networks, ABC finished {len(found)}", binary=run.binary,
                       command=run.command, output=run.output)
    return found
