"""How the engine's kernels are compiled: numba's ``njit``, cached on disk where it can be.

Every compiled function of the engine is ``njit(cache=True, nogil=True)``
(:func:`compiled`): compiled on its first call, the machine code kept on
disk, so that the next process loads it instead of compiling again. numba
writes the cache next to the source file (``__pycache__`` of the package),
or, where the package directory is read-only (an installed package), in the
user's cache directory (``$XDG_CACHE_HOME/numba``, else ``~/.cache/numba``);
``NUMBA_CACHE_DIR`` overrides both. Two cases are handled here:

- ``XDG_CACHE_HOME`` set but empty means unset (XDG Base Directory
  specification); numba would take it as the relative path ``""`` and write a
  ``numba`` folder into the current directory, so it is left out of the
  environment while the kernels are declared (where numba settles the path).
- No writable place at all (a read-only package and a read-only home): numba
  refuses ``cache=True``; the kernel is then compiled in every process that
  uses it (a few seconds), instead of failing to import.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from numba import njit


def compiled(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """``njit(cache=True, nogil=True, **options)``, without the cache where none can be written.

    >>> @compiled()
    ... def twice(x):
    ...     return 2.0 * x
    >>> twice(1.5)
    3.0
    """
    def decorate(function: Callable[..., Any]) -> Any:
        with _empty_xdg_cache_home_unset():
            try:
                return njit(cache=True, nogil=True, **options)(function)
            except RuntimeError:  # "cannot cache function ...: no locator available"
                return njit(nogil=True, **options)(function)

    return decorate


@contextmanager
def _empty_xdg_cache_home_unset() -> Iterator[None]:
    """Leave an empty ``XDG_CACHE_HOME`` out of the environment for the time of the block."""
    if os.environ.get("XDG_CACHE_HOME") != "":
        yield
        return
    del os.environ["XDG_CACHE_HOME"]
    try:
        yield
    finally:
        os.environ["XDG_CACHE_HOME"] = ""
