"""`roi-models montecarlo` as a user meets it: the JSON the issue specifies, the text table,
the same JSON for the same seed, bad input refused with exit status 2."""

from __future__ import annotations

import json

import numpy as np
import pytest

import roi_models as rm
from roi_models.analysis.montecarlo import montecarlo
from roi_models.cli import main


def _json(capsys, argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_the_issues_fields_for_every_plan_but_the_status_quo(capsys):
    doc = _json(capsys, ["montecarlo", "b2b_it_services", "--draws", "1500", "--seed", "7",
                         "--json"])
    assert (doc["draws"], doc["seed"]) == (1500, 7)
    assert list(doc["scenarios"]) == ["traditional", "social", "blended"]
    for name, d in doc["scenarios"].items():
        assert set(d["npv"]) == {"mean", "sd", "se", "p5", "p10", "p50", "p90", "p95"}
        assert 0.0 <= d["p_npv_positive"] <= 1.0
        assert d["var_5"] == d["npv"]["p5"] and d["es_5"] <= d["var_5"]
        assert set(d["p_beats"]) == {"status_quo", *doc["scenarios"]} - {name}
    # Expected: the library's figures for the same seed and draws
    mc = montecarlo(rm.run_scenarios(rm.load_shipped("b2b_it_services")), 1500, 7)
    social = mc.column("social")
    assert doc["scenarios"]["social"]["npv"]["mean"] == pytest.approx(float(np.mean(social)))
    assert doc["scenarios"]["social"]["p_npv_positive"] == float(np.mean(social > 0))


def test_same_seed_same_json(capsys):
    argv = ["montecarlo", "consumer_brand", "--draws", "1200", "--seed", "3", "--json"]
    first = _json(capsys, argv)
    assert _json(capsys, argv) == first
    assert _json(capsys, argv[:-2] + ["4", "--json"]) != first


def test_text_names_the_plans_and_the_probabilities(capsys):
    assert main(["montecarlo", "consumer_brand", "--draws", "1000"]) == 0
    out = capsys.readouterr().out
    assert "1,000 draws (Latin hypercube, seed 0)" in out
    assert "Paid social and creators" in out and "P(NPV > 0)" in out and "VaR 5 %" in out
    assert "plan \\ against" in out


@pytest.mark.parametrize("argv, message", [
    (["--draws", "1"], "give 2 to 100,000,000"),
    (["--draws", "many"], "not a whole number of draws"),
    (["--seed", "-1"], "not a seed"),
    (["--engine", "spark"], "invalid choice"),
])
def test_bad_options_exit_2(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        main(["montecarlo", "b2b_it_services", *argv])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_a_scheduler_without_the_dask_engine_is_refused(capsys):
    assert main(["montecarlo", "b2b_it_services", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    err = capsys.readouterr().err
    assert "needs --engine dask" in err and "Traceback" not in err


def test_a_missing_file_exits_2(capsys, tmp_path):
    assert main(["montecarlo", str(tmp_path / "none.yaml")]) == 2
    assert "file not found" in capsys.readouterr().err
