"""The command line as a user meets it: output, exit codes, errors without tracebacks."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from roi_models.analysis import run_scenarios
from roi_models.cli import MONTHLY_JSON_FIELDS, SUMMARY_KPIS, format_summary, json_document, main
from roi_models.data import load_shipped, scenario_path
from roi_models.formatting import KPIS, format_kpi

B2B = str(scenario_path("b2b_it_services"))


@pytest.fixture
def bad_file(tmp_path):
    text = Path(B2B).read_text().replace("carryover: {value: 0.018862,", "carryover: {value: 1.3,")
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    return path


def test_validate_valid_file_prints_one_line(capsys):
    assert main(["validate", B2B]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("OK") and "4 scenarios" in out[0]


def test_validate_loads_neither_the_engine_nor_numpy():
    # `validate` checks a file against the schema: it must start fast, without numba (the
    # compiled engine), numpy, pandas or plotly; run in a fresh interpreter
    code = ("import sys; from roi_models.cli import main; main(['validate', sys.argv[1]]); "
            "print(sorted(m for m in ('numba', 'numpy', 'pandas', 'plotly', 'scipy') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, B2B], capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()
    assert out[0].startswith("OK") and out[-1] == "[]"


def test_the_kpi_choices_of_questions_are_the_sensitivity_kpis():
    from roi_models.analysis.sensitivity import KPI_NAMES

    assert tuple(KPIS) == KPI_NAMES  # the CLI offers formatting.KPIS without importing analysis


@pytest.mark.parametrize("command", [
    ["validate"], ["run"], ["run", "--json"], ["report", "-o", "x.html"],
    ["export-excel", "-o", "x.xlsx"],
])
def test_every_command_refuses_a_bad_file_with_exit_2(command, bad_file, capsys, tmp_path,
                                                      monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = [command[0], str(bad_file), *command[1:]]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "base.channels.events.carryover" in err
    assert "1.3" in err and "0.95" in err
    assert not list(tmp_path.glob("x.*"))  # nothing written


@pytest.mark.parametrize("target", ["missing.yaml", "."])
def test_missing_or_unreadable_file_exit_2(target, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["validate", target]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and target in err


def test_run_prints_a_readable_table(capsys):
    assert main(["run", B2B]) == 0
    out = capsys.readouterr().out
    assert "Business case against 'status_quo' over 60 months" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line and line.split()[0] in
             ("status_quo", "traditional", "social", "blended")}
    assert set(lines) == {"status_quo", "traditional", "social", "blended"}
    assert "n/a" in lines["status_quo"] and "nan" not in out.lower()


@pytest.fixture(scope="module")
def results():
    return run_scenarios(load_shipped("b2b_it_services"))


def test_run_table_is_written_in_the_house_style(results):
    text = format_summary(results)
    lines = text.splitlines()
    header = lines[3]
    for key in SUMMARY_KPIS:  # the one set of labels
        assert KPIS[key].label in header
    summary = results.summary.set_index("scenario")
    social = next(line for line in lines if line.startswith("social "))
    for key in SUMMARY_KPIS:  # every cell is what format_kpi writes for that figure
        assert format_kpi(key, summary.loc["social", key], "EUR", horizon=60) in social
    assert "discount rate 10.0 % a year" in lines[1]


def test_missing_figures_carry_their_reason_once(results):
    text = format_summary(results)
    notes = [line for line in text.splitlines() if line.startswith("[")]
    # B2B (issue-11 model): the status quo is the baseline; the traditional plan never pays
    # back; every IRR is a meaningful rate (social 53 %, blended 26 % a year): no caveat
    assert notes == ["[1] this is the baseline", "[2] does not pay back within 60 months"]
    social = next(line for line in text.splitlines() if line.startswith("social"))
    assert "53 % a year" in social and "[3]" not in social
    status_quo = next(line for line in text.splitlines() if line.startswith("status_quo"))
    assert status_quo.split()[1:5] == ["n/a", "[1]", "n/a", "[1]"]
    traditional = next(line for line in text.splitlines() if line.startswith("traditional"))
    assert "n/a [2]" in traditional


def test_an_irr_caveat_is_a_note_of_its_own():
    # the consumer file's TV-to-social reallocation: an IRR of 274 % a year with a peak outlay
    # of 3.6 % of its PV costs (caveat code 1, no material outlay), the fourth reason there
    text = format_summary(run_scenarios(load_shipped("consumer_brand")))
    notes = [line for line in text.splitlines() if line.startswith("[")]
    assert notes[-1].startswith("[4] not a meaningful rate: the plan has no material up-front")
    row = next(line for line in text.splitlines() if line.startswith("social_reallocation"))
    assert "274 % a year [4]" in row


def test_run_json_for_one_scenario(capsys):
    assert main(["run", B2B, "--json", "--scenario", "social"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc["scenarios"]) == ["social"]
    assert doc["discount_rate_annual"] == 0.1
    assert doc["scenarios"]["social"]["kpis"]["npv"] > 0


def test_run_json_is_the_json_document_of_the_run(capsys, results):
    assert main(["run", B2B, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = json.loads(json.dumps(json_document(results), allow_nan=False))
    assert printed.keys() == expected.keys() == {
        "file", "name", "currency", "discount_rate_annual", "horizon_months", "baseline",
        "terminal_value", "recommended", "units", "scenarios"}
    assert printed["terminal_value"] == "none" and printed["recommended"] == "social"
    assert printed["scenarios"] == expected["scenarios"]
    assert printed["file"] == B2B and expected["file"] == ""  # the source as given
    social = printed["scenarios"]["social"]
    assert list(social["monthly"]) == ["month", *MONTHLY_JSON_FIELDS]
    kpis = results.kpis("social")
    assert kpis["irr_caveat"] == 0  # a meaningful rate (53 % a year): no caveat in the JSON
    assert social["kpis"] == kpis | {"irr_caveat": social["kpis"]["irr_caveat"]}
    assert social["kpis"]["irr_caveat"] is None
    assert social["kpis"]["cac"] == social["kpis"]["cac_paid"] > social["kpis"]["cac_blended"]
    assert social["kpis"]["npv"] == social["kpis"]["npv_without_terminal_value"]


def test_a_shipped_scenario_by_name(capsys):
    assert main(["run", "b2b_it_services", "--json", "--scenario", "social"]) == 0
    by_name = json.loads(capsys.readouterr().out)
    assert main(["run", B2B, "--json", "--scenario", "social"]) == 0
    by_path = json.loads(capsys.readouterr().out)
    assert by_name["scenarios"] == by_path["scenarios"]
    assert by_name["file"] == B2B  # the shipped file's path
    assert main(["validate", "consumer_brand"]) == 0
    assert capsys.readouterr().out.startswith("OK ")


def test_an_unknown_name_lists_the_shipped_scenarios(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "b2b_services"]) == 2
    err = capsys.readouterr().err
    assert "b2b_services" in err and "b2b_it_services, consumer_brand, small_fast_mover" in err


def test_a_file_in_the_current_folder_wins_over_a_shipped_name(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "consumer_brand").write_text(Path(B2B).read_text())
    assert main(["validate", "consumer_brand"]) == 0
    assert "'Northwind IT Services" in capsys.readouterr().out


def test_unknown_scenario_exit_2_with_suggestion(capsys):
    assert main(["run", B2B, "--scenario", "socail"]) == 2
    assert "did you mean 'social'" in capsys.readouterr().err


def test_console_script_errors_have_no_traceback(bad_file):
    proc = subprocess.run(
        [sys.executable, "-m", "roi_models.cli", "validate", str(bad_file)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "base.channels.events.carryover" in proc.stderr


def test_readme_shows_the_current_run_output(capsys):
    # the README's example of `roi-models run` must stay what the command prints
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = readme.split("```\nNorthwind IT Services", 1)[1].split("```", 1)[0]
    shown = ("Northwind IT Services" + block).strip().splitlines()
    assert main(["run", B2B]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed[: len(shown)] == shown
