"""Files a user names: outputs checked before long work and written atomically, inputs read as UTF-8 text with
one-line errors.

An output is written to a temporary file in its own folder and moved over the target with `os.replace`, so a
reader never sees half a file and a write that fails (full disk, interrupt) leaves an existing file as it was.
Targets that are not regular files (`/dev/stdout`, a named pipe) are written directly.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from typing import IO, Iterator

from sc_plugin.errors import ScError

__all__ = ["atomic_output", "write_atomic", "check_output_folder", "read_text"]


def check_output_folder(path: str | os.PathLike) -> None:
    """Refuses, with a one-line ScError, an output path whose folder is missing or that names a folder.
    Call it before long work, so that a typo does not cost the run."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ScError(f"{os.fspath(path)}: is a folder, not a file")
    if not os.path.isdir(folder):
        raise ScError(f"{os.fspath(path)}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise ScError(f"{os.fspath(path)}: folder {folder} is not writable")


@contextmanager
def atomic_output(path: str | os.PathLike, mode: str = "w") -> Iterator[IO]:
    """An open file (mode "w" or "wb") whose content replaces `path` when the block ends without an exception;
    on an exception the target is left untouched and the temporary file removed. OSError becomes ScError."""
    path = os.fspath(path)
    if os.path.exists(path) and not os.path.isfile(path):  # a device or a pipe: nothing to replace
        with _opened(path, mode) as handle:
            yield handle
        return
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ScError(f"{path}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, mode) as handle:
            yield handle
        os.chmod(temp, _file_mode(path))
        os.replace(temp, path)
    except BaseException as exc:
        try:
            os.unlink(temp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise ScError(f"{path}: cannot write ({exc.strerror or exc})") from None
        raise


def write_atomic(path: str | os.PathLike, data: bytes | str) -> None:
    """Writes `data` (text as UTF-8) to `path` atomically; ScError when it cannot be written."""
    with atomic_output(path, "wb") as handle:
        handle.write(data.encode() if isinstance(data, str) else data)


def read_text(path: str | os.PathLike, error: type[ScError] = ScError) -> str:
    """The content of a UTF-8 text file; `error` (an ScError class) with one line when it cannot be read or is
    not UTF-8 text."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise error(f"{os.fspath(path)}: cannot read file ({exc.strerror})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{os.fspath(path)}: not a UTF-8 text file (byte 0x{data[exc.start]:02x} at offset "
                    f"{exc.start})") from None


@contextmanager
def _opened(path: str, mode: str) -> Iterator[IO]:
    try:
        handle = open(path, mode)
    except OSError as exc:
        raise ScError(f"{path}: cannot write ({exc.strerror})") from None
    with handle:
        yield handle


def _file_mode(path: str) -> int:
    """The mode a new file would get (0o666 less the umask), or the mode of the file being replaced."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
