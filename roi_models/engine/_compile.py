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
- A kernel that calls a kernel of another file: numba keeps the callee's
  machine code inside the caller's and checks only the caller's own file
  before it loads the caller from the cache (numba issue #6845), so after an
  edit of ``simulate.py`` the cached ``batch._summary_rows`` would still run
  the old model. Here every kernel's cache is stamped with the contents of
  all the engine's source files (:func:`_sources_stamp`): an edit of any of
  them compiles every kernel again.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
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
                kernel = njit(cache=True, nogil=True, **options)(function)
            except RuntimeError:  # "cannot cache function ...: no locator available"
                return njit(nogil=True, **options)(function)
        _stamp_with_the_folder(kernel, Path(inspect.getfile(function)).parent)
        return kernel

    return decorate


def _stamp_with_the_folder(kernel: Any, folder: Path) -> None:
    """Make ``kernel``'s cache stale whenever a source file of ``folder`` changes.

    numba compares the stamp kept in a cache index with ``_source_stamp``
    (the hash of the function's own file) and compiles again where they
    differ; the stamp becomes that hash and :func:`_sources_stamp` of the
    folder. A numba without these attributes keeps its own rule.
    """
    cache_file = getattr(getattr(kernel, "_cache", None), "_cache_file", None)
    if cache_file is not None and hasattr(cache_file, "_source_stamp"):
        cache_file._source_stamp = (cache_file._source_stamp, _sources_stamp(folder))


@functools.cache
def _sources_stamp(folder: Path) -> str:
    """SHA-256 of the names and contents of the ``.py`` files of ``folder``, in name order."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


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
