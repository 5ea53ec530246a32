"""The command line as a user meets it: output, exit codes, errors without tracebacks."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from roi_models.cli import main
from roi_models.data import scenario_path

B2B = str(scenario_path("b2b_it_services"))


@pytest.fixture
def bad_file(tmp_path):
    text = Path(B2B).read_text().replace("carryover: {value: 0.3,", "carryover: {value: 1.3,")
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    return path


def test_validate_valid_file_prints_one_line(capsys):
    assert main(["validate", B2B]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("OK") and "4 scenarios" in out[0]


@pytest.mark.parametrize("command", [
    ["validate"], ["run"], ["run", "--json"], ["report", "-o", "x.html"], ["export-excel", "-o", "x.xlsx"],
])
def test_every_command_refuses_a_bad_file_with_exit_2(command, bad_file, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = [command[0], str(bad_file), *command[1:]]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "base.channels.events.carryover" in err and "1.3" in err and "0.95" in err
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


def test_run_json_for_one_scenario(capsys):
    assert main(["run", B2B, "--json", "--scenario", "social"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc["scenarios"]) == ["social"]
    assert doc["discount_rate_annual"] == 0.1
    assert doc["scenarios"]["social"]["kpis"]["npv"] > 0


def test_unknown_scenario_exit_2_with_suggestion(capsys):
    assert main(["run", B2B, "--scenario", "socail"]) == 2
    assert "did you mean 'social'" in capsys.readouterr().err


def test_console_script_errors_have_no_traceback(bad_file):
    proc = subprocess.run(
        [sys.executable, "-m", "roi_models.cli", "validate", str(bad_file)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "base.channels.events.carryover" in proc.stderr


def test_readme_shows_the_current_run_output(capsys):
    # the README's example of `roi-models run` must stay what the command prints
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = readme.split("```\nNorthwind IT Services", 1)[1].split("```", 1)[0]
    shown = ("Northwind IT Services" + block).strip().splitlines()
    assert main(["run", B2B]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed[: len(shown)] == shown
