"""The data shipped with roi_models: scenario files and published benchmark parameters.

- ``data/scenarios/*.yaml``: documented scenario files (every value with its
  source or rationale, as register annotations next to the value).
- ``data/benchmarks/*.yaml``: published parameters (Bass p and q, carry-over
  ranges, CLV margin multiples) with citations.

The files live in the ``data/`` folder at the top of the repository. The
package reaches them as ``roi_models/_data``: in a checkout (and an editable
install) that is a symbolic link to ``../data``; a wheel carries a copy of
the files there (``[tool.setuptools.package-data]`` in ``pyproject.toml``
globs through the link). :func:`data_dir` takes ``$ROI_MODELS_DATA`` first,
then ``roi_models/_data``, then the checkout's ``data/`` (for a checkout
where the link did not survive, e.g. git on Windows without symlinks).
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
    """The data folder: ``$ROI_MODELS_DATA``, else the package's ``_data``, else the checkout's.

    >>> (data_dir() / "scenarios" / "b2b_it_services.yaml").is_file()
    True
    """
    env = os.environ.get("ROI_MODELS_DATA")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    packaged = here / "_data"
    if (packaged / "scenarios").is_dir():
        return packaged
    return here.parent / "data"


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


def resolve_scenario_file(name_or_path: str | os.PathLike[str]) -> Path:
    """A scenario file given as a path, or as the name of a shipped file.

    An existing path wins; otherwise a bare name (no folder, no ``.yaml``)
    is looked up among :func:`shipped_scenarios`. Anything else is returned
    as a path, so that loading it reports "file not found" for that path.

    Raises
    ------
    InputError
        For a bare name that is neither a file nor a shipped scenario (the
        message lists the shipped names).

    >>> resolve_scenario_file("b2b_it_services").name
    'b2b_it_services.yaml'
    """
    path = Path(name_or_path)
    if os.path.exists(path):  # False, not OSError, for a name longer than the system allows
        return path
    text = str(name_or_path)
    if path.suffix or len(path.parts) != 1 or text.startswith("."):
        return path
    if text in shipped_scenarios():
        return scenario_path(text)
    raise InputError.one(
        text, "", text,
        "no such file, nor a shipped scenario; give a path or one of: "
        + ", ".join(shipped_scenarios()),
    )


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
        raise InputError.one(str(path.parent), "benchmark file", name,
                             "one of: " + ", ".join(names))
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)
