"""Repository promises: one source of truth for dependencies; notebooks without outputs."""

import json
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["dependencies"] + project["optional-dependencies"]["dev"]
    wanted = {_name(r): r for r in listed}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d): d for d in env["dependencies"] if isinstance(d, str)}
    conda.pop("python"), conda.pop("pip")
    assert set(conda) == set(wanted), (set(conda) ^ set(wanted))
    for name, req in wanted.items():
        # same lower bound: 'numpy>=1.26' in both
        assert conda[name].replace(" ", "") == req.replace(" ", "").replace("_", "-").lower(), name
    pip = next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    assert pip == ["-e ."]  # the package itself comes from the checkout
    assert any(d == "python=3.11" for d in env["dependencies"])


def test_notebooks_are_committed_without_outputs():
    offenders = []
    for path in sorted((ROOT / "notebooks").glob("**/*.ipynb")):
        nb = json.loads(path.read_text())
        for cell in nb.get("cells", []):
            has_output = cell.get("outputs") or cell.get("execution_count")
            if cell.get("cell_type") == "code" and has_output:
                offenders.append(path.name)
                break
    assert not offenders, f"clear outputs: jupyter nbconvert --clear-output --inplace {offenders}"
