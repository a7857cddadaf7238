"""A one-line progress bar on stderr for long loops (data generation, evaluation, flows)."""

from __future__ import annotations

import sys
import time
from typing import Iterable, Iterator, TypeVar

__all__ = ["progress"]

T = TypeVar("T")


def progress(items: Iterable[T], *, total: int | None = None, label: str = "", enabled: bool = True,
             stream=None) -> Iterator[T]:
    """Yields `items` while drawing a one-line progress bar (count, rate, ETA) on stderr, at most 10 times/s."""
    stream = stream or sys.stderr
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    if not enabled:
        yield from items
        return
    start = last = time.monotonic()
    done = 0

    def draw(final: bool = False) -> None:
        elapsed = time.monotonic() - start
        rate = done / elapsed if elapsed > 0 else 0.0
        if total:
            width = 30
            filled = int(width * done / total)
            eta = (total - done) / rate if rate > 0 else 0.0
            bar = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {rate:.1f}/s eta {eta:.0f}s"
        else:
            bar = f"{done} done {rate:.1f}/s"
        stream.write(f"\r{label}{' ' if label else ''}{bar} {elapsed:.0f}s" + ("\n" if final else ""))
        stream.flush()

    for item in items:
        yield item
        done += 1
        now = time.monotonic()
        if now - last >= 0.1:
            last = now
            draw()
    draw(final=True)
