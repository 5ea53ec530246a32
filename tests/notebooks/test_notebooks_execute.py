"""Every notebook executes headless (nbclient, the venv's python3 kernel, cwd notebooks/) without
an error output; a small scenario is injected after the ``parameters`` cell where that is faster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PARAMETERS = {  # injected after the parameters cell, as papermill does
    "01_business_case_explorer.ipynb": {"scenario": "small_fast_mover",
                                        "reports_folder": None},  # set to tmp_path below
    "02_scenario_comparison.ipynb": {"scenario_file": "../data/scenarios/small_fast_mover.yaml"},
    "03_sensitivity.ipynb": {"scenario_file": "../data/scenarios/small_fast_mover.yaml",
                             "grid_points": 5},
    "04_risk.ipynb": {"draws": 512, "sobol_base_draws": 16,
                      "show_progress": 0},  # 0: no bar (the values are written as JSON)
}

pytestmark = pytest.mark.notebook


def _inject(nb, params: dict) -> None:
    index = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    source = "\n".join(f"{k} = {json.dumps(v)}" for k, v in params.items())
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(index + 1, cell)


def test_every_notebook_is_tested():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(PARAMETERS)


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_notebook_executes_without_errors(name, tmp_path):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "code" and "parameters" in first.metadata.get("tags", [])
    for cell in nb.cells:  # thin notebooks: no function definitions, no installs
        assert "def " not in cell.source and "pip install" not in cell.source, cell.source
    params = dict(PARAMETERS[name])
    if "reports_folder" in params:
        params["reports_folder"] = str(tmp_path)
    _inject(nb, params)
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()
    errors = [
        out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
        or (out.get("output_type") == "stream" and out.get("name") == "stderr")
    ]
    assert not errors, [e.get("ename") or e.get("text") for e in errors]
    shown = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
             if out.get("output_type") in ("display_data", "execute_result")]
    assert shown, "the notebook displays nothing"
    if name.startswith("01"):  # the explorer is a widget view
        assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in shown)
