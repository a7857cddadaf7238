"""What every command-line tool shares: one-line errors instead of tracebacks, and a clean stop on SIGTERM."""

from __future__ import annotations

import signal
import sys
import threading
from typing import Callable, NoReturn, Sequence

from sc_plugin.errors import ScError

__all__ = ["run_cli"]

_EXIT_TERMINATED = 128 + signal.SIGTERM


class _Terminated(BaseException):
    """Raised in the main thread on SIGTERM so that `finally` blocks and context managers (temporary folders, ABC
    and worker processes) clean up as they do on Ctrl-C."""


def _raise_terminated(signum: int, frame: object) -> NoReturn:
    raise _Terminated()


def run_cli(prog: str, main: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None = None) -> int:
    """Runs `main(argv)`; a user error (ScError, missing file) prints `prog: error: message` and returns 1; Ctrl-C
    and SIGTERM stop it cleanly (exit status 130 and 143)."""
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_terminated) if in_main_thread else None
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
    except _Terminated:
        print(f"{prog}: terminated", file=sys.stderr)
        return _EXIT_TERMINATED
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
