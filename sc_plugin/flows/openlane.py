"""OpenLane's area strategies as ABC commands for Yosys's `abc -script`: the mappings OpenLane users choose between,
for flows of kind liberty to compare with.

OpenLane 1 synthesizes with `abc -D <clock period, ps> -constr <sdc> -liberty <lib> -script "+<commands>"`, the
commands picked by SYNTH_STRATEGY ("AREA 0" to "AREA 3", or "DELAY n"). The commands below follow
`area_scripts` in OpenLane's scripts/yosys/synth.tcl (The-OpenROAD-Project/OpenLane, commit 09f26006, Apache-2.0),
with OpenLane's defaults: SYNTH_BUFFERING 1 and SYNTH_SIZING 0 (so the fine-tuning step is `buffer -N <max fanout>;
upsize {D}; dnsize {D}`), MAX_FANOUT_CONSTRAINT 10, no MAX_TRANSITION_CONSTRAINT, and the non-legacy rewriting
commands (`drw -l`, `drf -l`). `{D}` is left for Yosys to replace (it puts `-D <target>` there, so `retime -D {D}`
reads `retime -D -D <target>`, as in OpenLane). Commands are separated by `;` and their words by `,` (Yosys turns
commas into spaces), without spaces, so that the text survives as one word of a Yosys command line.

The constraints file holds OpenLane's gf180mcu defaults (SYNTH_DRIVING_CELL inv_1, OUTPUT_CAP_LOAD 72.91, from the
PDK's libs.tech/openlane/gf180mcu_fd_sc_mcu7t5v0/config.tcl): yosys_scripts/openlane_gf180mcu.sdc.
"""

from __future__ import annotations

__all__ = ["AREA_STRATEGIES", "area_script"]

_RESYN2 = "balance;drw,-l;drf,-l;balance;drw,-l;drw,-l,-z;balance;drf,-l,-z;drw,-l,-z;balance"
_CHOICE2 = f"fraig_store;balance;fraig_store;{_RESYN2};fraig_store;{_RESYN2};fraig_store;{_RESYN2};fraig_store;" \
           "fraig_restore"
_RETIME_AREA = "retime,-D,{D},-M,5"
_MAP_NEW_AREA = "amap,-m,-Q,0.1,-F,20,-A,20,-C,5000"
_MAX_FANOUT = 10
_FINE_TUNE = f"buffer,-N,{_MAX_FANOUT};upsize,{{D}};dnsize,{{D}}"
_FINISH = f"retime,-D,{{D}};&get,-n;&st;&dch;&nf;&put;{_FINE_TUNE};stime,-p;print_stats,-m"

# The commands after `read_constr,<sdc>;`, per strategy number.
AREA_STRATEGIES: tuple[str, ...] = (
    f"fx;mfs;strash;drf,-l;{_RESYN2};{_RETIME_AREA};scleanup;{_CHOICE2};{_MAP_NEW_AREA};{_FINISH}",
    f"fx;mfs;strash;drf,-l;{_RESYN2};{_RETIME_AREA};scleanup;{_CHOICE2};{_MAP_NEW_AREA};{_CHOICE2};"
    f"{_MAP_NEW_AREA};{_FINISH}",
    f"fx;mfs;strash;drf,-l;{_CHOICE2};{_RETIME_AREA};scleanup;{_CHOICE2};{_MAP_NEW_AREA};{_CHOICE2};"
    f"{_MAP_NEW_AREA};{_FINISH}",
    f"strash;dch;map,-B,0.9;topo;stime,-c;buffer,-c,-N,{_MAX_FANOUT};upsize,-c;dnsize,-c;stime,-p;print_stats,-m",
)


def area_script(index: int, constraints: str) -> str:
    """OpenLane's "AREA <index>" commands in `abc -script` form (`+...`), reading `constraints` (an SDC file with
    set_driving_cell and set_load; its path may hold no spaces, commas or semicolons)."""
    if not 0 <= index < len(AREA_STRATEGIES):
        raise ValueError(f"OpenLane has area strategies 0 to {len(AREA_STRATEGIES) - 1}, not {index}")
    if any(c in constraints for c in " ,;"):
        raise ValueError(f"constraints path {constraints!r} holds a space, comma or semicolon")
    return f"+read_constr,{constraints};{AREA_STRATEGIES[index]}"
