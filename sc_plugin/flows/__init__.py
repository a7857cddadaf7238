"""Flows: reproducible comparisons of ShortCircuit against stock ABC (and Yosys), from YAML flow files.

`load_flow` reads and validates a flow file, `run_flow` runs its design x flow tasks (resumable, in worker
processes, with time limits and an equivalence check per output), `write_reports` writes CSV, JSON, a markdown
table and a plot. `sc-flow` (sc_plugin.cli.flow) is the command line over these.
"""

from sc_plugin.flows.report import best_baseline, markdown_table, write_reports
from sc_plugin.flows.run import RunParams, read_records, run_flow
from sc_plugin.flows.spec import Design, FlowDef, FlowSpec, FlowSpecError, load_flow, shared_root
from sc_plugin.flows.steps import RECORD_FIELDS, abc_until_stable, run_task, sc_then_abc_loop

__all__ = ["load_flow", "FlowSpec", "FlowDef", "Design", "FlowSpecError", "shared_root", "run_flow", "RunParams",
           "read_records", "run_task", "RECORD_FIELDS", "abc_until_stable", "sc_then_abc_loop", "write_reports",
           "markdown_table", "best_baseline"]
