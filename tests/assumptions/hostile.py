"""Helpers of the hostile-input tests (issue 14): hostile scenario texts and a bounded CLI run.

:func:`run_cli` runs ``roi-models`` in a subprocess under ``prlimit --as`` (an address-space
cap, so an input that expands in memory dies with MemoryError instead of taking the machine)
and a timeout; :func:`assert_refused` checks the promise of every refusal: exit status 2,
one ``error:`` message naming the field, no traceback, no raw control character, in time.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "data" / "scenarios" / "b2b_it_services.yaml"
EXAMPLE_TEXT = EXAMPLE.read_text(encoding="utf-8")
ROI_MODELS = Path(sys.executable).with_name("roi-models")

AS_LIMIT = 1_000_000_000
"""Address-space cap of every CLI run: 1 GB (a valid file needs about 0.5 GB of address space
with numpy, pandas and plotly imported; a bomb expanded in memory needed 2.8-3.7 GB)."""
CLI_SECONDS = 15.0
"""Wall-clock bound of one CLI run that refuses its input (start-up is about 1.5 s here)."""
PARSE_SECONDS = 0.25
"""Bound of one in-process refusal: "well under a second"."""
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class CliRun:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def run_cli(*args: str, timeout: float = 60.0) -> CliRun:
    """``roi-models ARGS`` under ``prlimit --as=AS_LIMIT`` (where prlimit exists)."""
    cmd = [str(ROI_MODELS), *args]
    if shutil.which("prlimit"):
        cmd = ["prlimit", f"--as={AS_LIMIT}", "--", *cmd]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                          errors="backslashreplace")
    return CliRun(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - start)


def assert_refused(run: CliRun, *needles: str, seconds: float = CLI_SECONDS) -> None:
    """Exit 2, one clean ``error:`` message that names every needle, no traceback, in time."""
    assert run.returncode == 2, (run.returncode, run.stderr[-2000:])
    assert "Traceback" not in run.stderr and "Error:" not in run.stderr.replace("error:", "")
    assert run.stderr.startswith("error: "), run.stderr[:500]
    for needle in needles:
        assert needle in run.stderr, (needle, run.stderr[:1000])
    assert not CONTROL.search(run.stderr), "a raw control character reached the terminal"
    assert run.seconds < seconds, f"{run.seconds:.1f} s"


def timed(fn, *args, **kwargs) -> tuple[object, float]:
    """(what fn raised or returned, seconds it took)."""
    start = time.perf_counter()
    try:
        out: object = fn(*args, **kwargs)
    except Exception as exc:
        out = exc
    return out, time.perf_counter() - start


def bomb_sequence(width: int, depth: int, name: str = "b") -> str:
    """A flow list that is a "billion laughs": level k holds ``width`` aliases of level k-1.

    Expanded it holds ``width ** depth`` leaves; as text it is about ``4 width depth`` bytes.

    >>> bomb_sequence(2, 2)
    '[&b0 [lol, lol], &b1 [*b0, *b0]]'
    """
    levels = [f"&{name}0 [" + ", ".join(["lol"] * width) + "]"]
    levels += [f"&{name}{k} [" + ", ".join([f"*{name}{k - 1}"] * width) + "]"
               for k in range(1, depth)]
    return "[" + ", ".join(levels) + "]"


def bomb_mappings(width: int, depth: int, name: str = "m") -> str:
    """The same bomb as mappings, for a ``<<`` merge: ``[&m0 {k0: lol, ..}, &m1 {k0: *m0, ..}]``."""
    def level(k: int) -> str:
        value = "lol" if k == 0 else f"*{name}{k - 1}"
        return f"&{name}{k} {{" + ", ".join(f"k{i}: {value}" for i in range(width)) + "}"
    return "[" + ", ".join(level(k) for k in range(depth)) + "]"


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def placements(node: str, merge_node: str) -> dict[str, tuple[str, str]]:
    """Scenario texts with a hostile node in each place issue 14 names: (text, field path)."""
    t = EXAMPLE_TEXT
    return {
        "register note": (replace_once(
            t, "potential_customers: {value: 6000,",
            f"potential_customers: {{value: 6000, note: {node},"),
            "base.market.potential_customers.note"),
        "explicit spend list": (re.sub(
            r"spend: \{amount: \{value: 180000, [^\n]*", lambda m: (
                f"spend: {{kind: explicit, amounts: {node}}}"), t, count=1),
            "scenarios.traditional.channels.events.spend.amounts"),
        "merge key": (replace_once(
            t, "  blended:\n", f"  blended:\n    <<: {merge_node}\n"),
            "scenarios.blended.<<"),
        "uncertainty": (replace_once(
            t, "  market.bass_q_annual: {distribution: pert, low: 0.1, mode: 0.2, high: 0.35}",
            f"  market.bass_q_annual: {node}"),
            "uncertainty.market.bass_q_annual"),
        "unknown key": (t + f"extra_section: {node}\n", "extra_section"),
    }
