"""The data shipped with roi_models: scenario files and published benchmark parameters.

- ``data/scenarios/*.yaml``: documented scenario files (every value with its
  source or rationale, as register annotations next to the value).
- ``data/benchmarks/*.yaml``: published parameters (Bass p and q, carry-over
  ranges, CLV margin multiples) with citations.

The folder is the ``data/`` directory at the top of the repository; set the
environment variable ``ROI_MODELS_DATA`` to use another one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from .assumptions import ScenarioFile, load_scenario_file
from .errors import InputError

DEFAULT_SCENARIO = "b2b_it_services"
"""The scenario file ``make report`` uses."""


def data_dir() -> Path:
    """The data folder (``$ROI_MODELS_DATA`` or the repository's ``data/``)."""
    env = os.environ.get("ROI_MODELS_DATA")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "data"


def shipped_scenarios() -> list[str]:
    """Names of the shipped scenario files (without ``.yaml``), sorted.

    >>> shipped_scenarios()
    ['b2b_it_services', 'consumer_brand', 'small_fast_mover']
    """
    return sorted(p.stem for p in (data_dir() / "scenarios").glob("*.yaml"))


def scenario_path(name: str) -> Path:
    """Path of a shipped scenario file by name; InputError listing the names if unknown."""
    path = data_dir() / "scenarios" / f"{name}.yaml"
    if not path.is_file():
        raise InputError.one(
            str(data_dir() / "scenarios"), "scenario file", name,
            "one of: " + ", ".join(shipped_scenarios()),
        )
    return path


def load_shipped(name: str = DEFAULT_SCENARIO) -> ScenarioFile:
    """Load a shipped scenario file by name (see :func:`shipped_scenarios`)."""
    return load_scenario_file(scenario_path(name))


def load_benchmarks(name: str) -> dict[str, Any]:
    """A benchmark parameter file from ``data/benchmarks`` as a mapping.

    Files: ``bass_diffusion`` (p and q averages and category analogues, per
    year), ``carryover`` (adstock ranges per channel type), ``clv_multiples``
    (Gupta & Lehmann margin multiples). Each entry carries its citation.

    >>> load_benchmarks("bass_diffusion")["averages"][0]["p"]
    0.03
    """
    path = data_dir() / "benchmarks" / f"{name}.yaml"
    if not path.is_file():
        names = sorted(p.stem for p in (data_dir() / "benchmarks").glob("*.yaml"))
        raise InputError.one(str(path.parent), "benchmark file", name, "one of: " + ", ".join(names))
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)
