"""`roi-models report` and `export-excel` from the command line: files, options, refusals."""

import hashlib

import pandas as pd
import pytest

from roi_models.cli import main
from roi_models.data import scenario_path

B2B = str(scenario_path("b2b_it_services"))


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_report_writes_once_and_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", B2B, "-o", str(out), "--date", "2026-01-31"]) == 0
    assert "wrote" in capsys.readouterr().out
    first = _sha(out)
    # a second call without --overwrite: exit 2, the file untouched
    assert main(["report", B2B, "-o", str(out), "--date", "2026-02-28"]) == 2
    assert "already exists" in capsys.readouterr().err and _sha(out) == first
    # with --overwrite and the same date: byte-identical (deterministic)
    assert main(["report", B2B, "-o", str(out), "--date", "2026-01-31", "--overwrite"]) == 0
    assert _sha(out) == first
    html = out.read_text()
    assert "31 January 2026" in html or "2026-01-31" in html


def test_report_options_reach_the_report(tmp_path):
    out = tmp_path / "r.html"
    assert main(["report", B2B, "-o", str(out), "--date", "2026-01-31",
                 "--title", "Board pack <Q1>", "--scenario", "social",
                 "--risk-adjust-benefits", "0.2", "--risk-adjust-costs", "0.1"]) == 0
    html = out.read_text()
    assert "Board pack &lt;Q1&gt;" in html  # escaped
    assert "20 %" in html and "10 %" in html  # the stated risk adjustments


@pytest.mark.parametrize("argv, message", [
    (["--risk-adjust-benefits", "1.5"], "not a share in [0, 1]"),
    (["--date", "31/01/2026"], "not a date YYYY-MM-DD"),
    (["--scenario", "socail"], "did you mean 'social'"),
])
def test_report_refuses_bad_options(argv, message, tmp_path, capsys):
    code = None
    try:
        code = main(["report", B2B, "-o", str(tmp_path / "r.html"), *argv])
    except SystemExit as exc:  # argparse refuses bad option values with exit 2
        code = exc.code
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_export_excel_reads_back(tmp_path):
    out = tmp_path / "b2b.xlsx"
    assert main(["export-excel", B2B, "-o", str(out)]) == 0
    sheets = pd.read_excel(out, sheet_name=None)
    assert {"summary", "monthly"} <= set(sheets)
    assert main(["export-excel", B2B, "-o", str(out)]) == 2  # no overwrite unasked


@pytest.mark.browser
def test_report_pdf(chromium_path, tmp_path):
    out = tmp_path / "r.html"
    assert main(["report", B2B, "-o", str(out), "--date", "2026-01-31", "--pdf"]) == 0
    pdf = tmp_path / "r.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
