"""ShortCircuit for Yosys: learned, verified resynthesis of AND-inverter graphs."""

__version__ = "0.1.0"
