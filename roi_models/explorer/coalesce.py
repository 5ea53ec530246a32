"""Coalescing slider events: a lone change is computed at once, a burst once every ``interval``.

:class:`Coalescer` runs its callback at once when it has not run for
``interval`` seconds (leading edge: a single keyboard step or click waits
for nothing), and otherwise once more, ``interval`` after its last run, for
all the changes that arrived meanwhile (a drag sends a value per pixel: the
kernel computes the latest one, never a queue of stale ones). It uses the
running asyncio event loop (the kernel's loop in Jupyter and Voila);
without one (plain Python, tests) or with ``interval = 0`` every trigger
runs at once, so tests are deterministic. :meth:`~Coalescer.flush` runs a
pending call synchronously at any time.

>>> calls = []
>>> c = Coalescer(lambda: calls.append(1), interval=0)
>>> c.trigger(); c.trigger()   # no loop, interval 0: each trigger runs at once
>>> calls
[1, 1]
>>> c.flush()                  # nothing pending
False
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any


def running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Coalescer:
    """Call ``callback()`` at once when idle, at most every ``interval`` seconds in a burst.

    ``loop`` (for tests) replaces the running-loop lookup: any object with
    ``time()`` and ``call_later(delay, fn)`` returning a handle with ``cancel()``.
    """

    def __init__(self, callback: Callable[[], Any], interval: float = 0.03, *,
                 loop: Any | None = None) -> None:
        self.callback = callback
        self.interval = float(interval)
        self._loop = loop
        self._handle: Any | None = None
        self._last = float("-inf")
        self.pending = False

    def _get_loop(self):
        return self._loop if self._loop is not None else running_loop()

    def trigger(self) -> None:
        """Note a change: run now if idle, else once ``interval`` after the last run."""
        self.pending = True
        loop = self._get_loop()
        if self.interval <= 0 or loop is None:
            self.flush()
            return
        if self._handle is not None:  # a trailing run is already due: it takes this change
            return
        wait = self._last + self.interval - loop.time()
        if wait <= 0:
            self.flush()
        else:
            self._handle = loop.call_later(wait, self.flush)

    def flush(self) -> bool:
        """Run a pending callback now; True if there was one."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if not self.pending:
            return False
        self.pending = False
        try:
            self.callback()
        finally:
            loop = self._get_loop()
            self._last = loop.time() if loop is not None else float("-inf")
        return True

    def cancel(self) -> None:
        """Drop a pending call."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self.pending = False


__all__ = ["Coalescer", "running_loop"]
