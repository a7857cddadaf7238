"""Yosys integration. Importing this package registers the `shortcircuit` pass in the running libyosys (pyosys),
so any pyosys program can `import sc_plugin.yosys` and then `libyosys.run_pass("shortcircuit ...", design)`.

Executables: `sc-yosys` (driver.py: a `yosys`-like command with the pass built in) and `sc-abc` (sc_abc.py: an
ABC stand-in that stock Yosys calls through `abc -exe sc-abc -script ...`).
"""

from sc_plugin.yosys.shortcircuit_pass import PASS, ShortCircuitPass

__all__ = ["PASS", "ShortCircuitPass"]
