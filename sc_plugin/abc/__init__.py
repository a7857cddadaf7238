"""The ABC bridge: locating the binary, running scripts with the standard aliases, parsing statistics."""

from sc_plugin.abc.runner import (ABC_ALIASES, AbcRun, AbcStats, AbcTimeoutError, find_abc, optimize_each_with_abc,
                                  optimize_with_abc, parse_all_print_stats, parse_print_stats, run_abc)

__all__ = [
    "ABC_ALIASES", "AbcRun", "AbcStats", "AbcTimeoutError", "find_abc", "run_abc", "parse_print_stats",
    "parse_all_print_stats", "optimize_with_abc", "optimize_each_with_abc",
]
