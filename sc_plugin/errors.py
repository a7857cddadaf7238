"""One error hierarchy for the whole package.

User mistakes (a bad file, a bad option, a missing tool) raise a subclass of `ScError`; the CLIs print its
one-line message and exit non-zero, never a traceback. Anything else is a bug and keeps its traceback. The CLIs
parse with `CliParser`, whose usage errors are ScErrors too.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

__all__ = [
    "ScError",
    "CliParser",
    "AigerFormatError",
    "UnsupportedFileError",
    "TruthTableError",
    "AbcError",
    "AbcTimeoutError",
    "AbcNotFoundError",
    "VerificationError",
    "InterfaceMismatchError",
]


class ScError(Exception):
    """Base class of every error caused by input, configuration or an external tool."""


class CliParser(argparse.ArgumentParser):
    """A command line's usage errors are user errors like any other: ScError, so one line and exit status 1
    (argparse prints its usage and exits 2, which `sc-aig cec` uses for "not equivalent"). Subcommand parsers
    inherit the class."""

    def error(self, message: str) -> NoReturn:
        raise ScError(f"{message} (see {self.prog} --help)")


class AigerFormatError(ScError):
    """An AIGER file is malformed. The message names the file and the problem."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class UnsupportedFileError(ScError):
    """A file whose type (by extension or content) this package cannot read or write."""


class TruthTableError(ScError):
    """A truth table given as text is malformed (bad hex, wrong length, too many inputs)."""


class AbcError(ScError):
    """ABC ran but failed. ABC exits 0 even on errors, so failures are recognised from its output."""

    def __init__(self, message: str, *, binary: str = "", command: str = "", output: str = "") -> None:
        detail = f" (binary {binary}, command {_short(command)!r})" if binary else ""
        tail = output.strip().splitlines()[-3:]
        super().__init__(message + detail + (": " + " | ".join(tail) if tail else ""))
        self.binary = binary
        self.command = command
        self.output = output


class AbcTimeoutError(AbcError):
    """ABC ran past its time limit and was killed."""


class AbcNotFoundError(ScError):
    """No ABC executable could be found."""


class VerificationError(ScError):
    """A result failed its equivalence check; the caller must keep the original."""


class InterfaceMismatchError(ScError, ValueError):
    """Two networks that should be compared have different numbers of inputs, outputs or latches.
    Also a ValueError, which is what callers caught before it existed."""


def _short(command: str, limit: int = 120) -> str:
    """A command for a one-line message: its first line, cut at `limit` characters, with how much was left out."""
    lines = command.strip().splitlines() or [""]
    text = lines[0] if len(lines[0]) <= limit else lines[0][:limit] + "..."
    return text + (f" (and {len(lines) - 1} more lines)" if len(lines) > 1 else "")
