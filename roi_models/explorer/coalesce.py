"""Coalescing slider events: a lone change is computed at once, a burst once every ``interval``;
a slow result is computed once the changes settle, on a worker thread, and only the latest shown.

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
import concurrent.futures
from collections.abc import Callable, Hashable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class _Job:
    key: Hashable
    compute: Callable[[], Any]
    deliver: Callable[[Any, BaseException | None], None]


class Settled:
    """Compute a slow result once its inputs settle, on a worker thread; deliver only the latest.

    :meth:`submit` names the inputs by ``key`` and gives ``compute()`` (run on
    ONE worker thread, so it must not touch widgets) and ``deliver(result,
    error)`` (run on the event loop's thread, where widgets are updated). A
    submit waits ``delay`` seconds for the next one (a burst of slider steps
    computes once, after its last step); a computation whose key is no longer
    the latest when it ends is dropped, never delivered, and the latest is
    started instead. Without a running event loop (plain Python, tests) or with
    ``delay < 0`` a submit computes and delivers at once.

    >>> got = []
    >>> s = Settled(delay=-1)  # at once (as without an event loop)
    >>> s.submit("a", lambda: 6 * 7, lambda result, error: got.append(result))
    >>> got, s.wanted
    ([42], None)
    """

    def __init__(self, delay: float = 0.25, *, loop: Any | None = None) -> None:
        self.delay = float(delay)
        self._loop = loop
        self._timer: Any | None = None
        self._wanted: _Job | None = None
        self._running: _Job | None = None
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self.started = 0  # computations started (for tests and benchmarks)
        self.dropped = 0  # computations that ended stale and were not delivered

    @property
    def wanted(self) -> Hashable | None:
        """The key of the latest submit not delivered yet (None: nothing is due)."""
        return None if self._wanted is None else self._wanted.key

    def _get_loop(self) -> Any | None:
        return self._loop if self._loop is not None else running_loop()

    def submit(self, key: Hashable, compute: Callable[[], Any],
               deliver: Callable[[Any, BaseException | None], None]) -> None:
        """Ask for ``compute()`` of inputs ``key``: delivered once, unless a newer submit comes."""
        job = _Job(key, compute, deliver)
        self._wanted = job
        loop = self._get_loop()
        if loop is None or self.delay < 0:
            self._wanted = None
            try:
                result = compute()
            except Exception as exc:
                deliver(None, exc)
            else:
                deliver(result, None)
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_later(self.delay, self._start)

    def cancel(self) -> None:
        """Forget the latest submit (a running computation ends undelivered)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._wanted = None

    def _start(self) -> None:
        self._timer = None
        job = self._wanted
        if job is None or self._running is not None:  # the running one restarts us when done
            return
        loop = self._get_loop()
        if loop is None:  # pragma: no cover - a timer ran, so there is a loop
            return
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="roi-explorer-settled")
        self._running = job
        self.started += 1
        future = loop.run_in_executor(self._pool, job.compute)
        future.add_done_callback(lambda f: self._done(job, f))

    def _done(self, job: _Job, future: Any) -> None:
        self._running = None
        wanted = self._wanted
        if wanted is None or wanted.key != job.key:  # stale: newer inputs arrived meanwhile
            self.dropped += 1
            if wanted is not None and self._timer is None:
                self._start()
            return
        if self._timer is not None:  # the same inputs asked again: this result serves them
            self._timer.cancel()
            self._timer = None
        self._wanted = None
        error = future.exception()
        wanted.deliver(None if error else future.result(), error)


__all__ = ["Coalescer", "Settled", "running_loop"]
