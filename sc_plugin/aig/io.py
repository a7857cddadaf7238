"""Reading and writing networks by file extension: the single entry point the CLIs and flows use."""

from __future__ import annotations

import os
from pathlib import Path

from sc_plugin.aig.aiger import read_aiger, write_aiger
from sc_plugin.aig.network import Aig
from sc_plugin.aig.verilog import read_verilog, write_verilog
from sc_plugin.errors import UnsupportedFileError
from sc_plugin.files import check_output_folder

__all__ = ["read_network", "write_network", "check_output_path", "NETWORK_SUFFIXES"]

NETWORK_SUFFIXES = (".aig", ".aag", ".v")


def _suffix(path: str | os.PathLike) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in NETWORK_SUFFIXES:
        raise UnsupportedFileError(f"{path}: unknown file type {suffix or '(no extension)'!r} "
                                   f"(expected one of {', '.join(NETWORK_SUFFIXES)})")
    return suffix


def read_network(path: str | os.PathLike) -> Aig:
    """AIGER (.aig binary, .aag ASCII) or structural Verilog (.v), chosen by extension."""
    return read_verilog(path) if _suffix(path) == ".v" else read_aiger(path)


def check_output_path(path: str | os.PathLike) -> None:
    """Refuses (ScError) a path `write_network` could not write: unknown extension, missing folder. Call it before
    long work."""
    _suffix(path)
    check_output_folder(path)


def write_network(aig: Aig, path: str | os.PathLike) -> None:
    """Writes `aig` atomically in the format its extension names (see `read_network`)."""
    if _suffix(path) == ".v":
        write_verilog(aig, path)
    else:
        write_aiger(aig, path)
