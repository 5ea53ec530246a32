"""Coalescing slider events: many changes in a burst give one recompute.

:class:`Debouncer` runs its callback once, ``delay`` seconds after the last
:meth:`~Debouncer.trigger`, on the running asyncio event loop (the kernel's
loop in Jupyter and Voila). Without a running loop (plain Python, tests) or
with ``delay = 0`` it runs at once, so tests are deterministic;
:meth:`~Debouncer.flush` runs a pending call synchronously at any time.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable


def running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Debouncer:
    """Call ``callback()`` once after a burst of :meth:`trigger` calls.

    ``loop`` (for tests) replaces the running-loop lookup: any object with
    ``call_later(delay, fn)`` returning a handle with ``cancel()``.

    >>> calls = []
    >>> d = Debouncer(lambda: calls.append(1), delay=0)
    >>> d.trigger(); d.trigger()   # delay 0: each trigger runs at once
    >>> calls
    [1, 1]
    >>> d.flush()                  # nothing pending any more
    False
    """

    def __init__(self, callback: Callable[[], Any], delay: float = 0.15, *,
                 loop: Any | None = None) -> None:
        self.callback = callback
        self.delay = float(delay)
        self._loop = loop
        self._handle: Any | None = None
        self.pending = False

    def trigger(self) -> None:
        """Note a change; the callback runs ``delay`` seconds after the last one."""
        self.pending = True
        loop = self._loop if self._loop is not None else running_loop()
        if self.delay <= 0 or loop is None:
            self.flush()
            return
        if self._handle is not None:
            self._handle.cancel()
        self._handle = loop.call_later(self.delay, self.flush)

    def flush(self) -> bool:
        """Run a pending callback now; True if there was one."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if not self.pending:
            return False
        self.pending = False
        self.callback()
        return True

    def cancel(self) -> None:
        """Drop a pending call."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self.pending = False
