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


CALLEE = ("from roi_models.engine._compile import compiled\n\n"
          "@compiled()\ndef level():\n    return {}\n")
CALLER = ("from roi_models.engine._compile import compiled\nfrom .callee import level\n\n"
          "@compiled()\ndef twice():\n    return 2.0 * level()\n")


def test_an_edit_of_a_callees_file_recompiles_its_cached_callers(tmp_path):
    # numba checks only the caller's own file before loading it from the cache, with the callee
    # compiled into it (numba #6845): after the callee's file changes, a process would still get
    # 2.0 x the old level. Each run is a fresh process with the cache in the package's folder.
    import subprocess
    import sys

    package = tmp_path / "kernels"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "caller.py").write_text(CALLER)
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), *sys.path])

    def run():
        code = "from kernels.caller import twice; print(twice())"
        return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, check=True).stdout.strip()

    (package / "callee.py").write_text(CALLEE.format(1.5))
    assert run() == "3.0"
    assert run() == "3.0"  # from the cache
    assert list((package / "__pycache__").glob("caller.twice-*.nbi"))
    (package / "callee.py").write_text(CALLEE.format(4.0))
    assert run() == "8.0"
