"""Where the compiled kernels' cache goes, and that a kernel works where no cache can be written."""

import os

import pytest
from numba import njit

from roi_models.engine import _compile
from roi_models.engine._compile import compiled


def test_a_kernel_without_a_writable_cache_is_compiled_without_one():
    # a function with no source file has nowhere to be cached, as a read-only package under a
    # read-only home: numba refuses cache=True, the engine's decorator compiles it anyway
    namespace = {}
    exec("def twice(x):\n    return 2.0 * x\n", namespace)
    with pytest.raises(RuntimeError, match="cannot cache"):
        njit(cache=True)(namespace["twice"])
    assert compiled()(namespace["twice"])(1.5) == 3.0


def test_an_empty_xdg_cache_home_is_unset_while_kernels_are_declared(monkeypatch):
    # XDG Base Directory spec: empty means unset (~/.cache); numba would write ./numba instead
    monkeypatch.setenv("XDG_CACHE_HOME", "")
    seen = []
    monkeypatch.setattr(_compile, "njit", lambda **options: lambda fn: seen.append(
        os.environ.get("XDG_CACHE_HOME")) or fn)
    compiled()(lambda: None)
    assert seen == [None] and os.environ["XDG_CACHE_HOME"] == ""
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    compiled()(lambda: None)
    assert seen == [None, "/somewhere"]
