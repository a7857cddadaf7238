"""What every command-line tool shares: one-line errors instead of tracebacks."""

from __future__ import annotations

import sys
from typing import Callable, Sequence

from sc_plugin.errors import ScError

__all__ = ["run_cli"]


def run_cli(prog: str, main: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None = None) -> int:
    """Runs `main(argv)`; a user error (ScError, missing file) prints `prog: error: message` and returns 1."""
    try:
        return main(argv)
    except ScError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 1
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        print(f"{prog}: error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
