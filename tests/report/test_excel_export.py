"""The Excel workbook: sheets, units in headers, values read back equal to the results."""

from __future__ import annotations

import pandas as pd
import pytest

from roi_models.errors import InputError
from roi_models.report import write_excel
from roi_models.report.excel import SHEETS, strip_units


@pytest.fixture(scope="module")
def workbook(results, tmp_path_factory):
    return write_excel(results, tmp_path_factory.mktemp("xlsx") / "results.xlsx")


def read(path, sheet):
    frame = pd.read_excel(path, sheet_name=sheet)
    return frame


def test_sheets_and_units(workbook, results):
    sheets = pd.read_excel(workbook, sheet_name=None)
    assert list(sheets) == list(SHEETS)
    assert "revenue [EUR/month]" in sheets["monthly"].columns
    assert "npv [EUR]" in sheets["summary"].columns
    assert "active_customers [customers]" in sheets["by_source"].columns
    reg = sheets["assumptions"]
    assert {"scenario", "path", "value", "unit", "source", "confidence", "owner",
            "validated_on", "note"} <= set(reg.columns)
    assert not reg["unit"].astype(str).str.contains("currency").any()
    assert (reg["unit"] == "EUR/month").any()
    annual = sheets["annual"]
    assert set(annual["basis"]) == {"unadjusted", "risk-adjusted"}
    assert "Present value [EUR]" in annual.columns


def test_monthly_reads_back_equal(workbook, results):
    back = read(workbook, "monthly")
    back.columns = strip_units(back.columns)
    pd.testing.assert_frame_equal(back, results.monthly, check_dtype=False, rtol=1e-12)


def test_summary_reads_back_equal(workbook, results):
    back = read(workbook, "summary")
    back.columns = strip_units(back.columns)
    expected = results.summary.astype({c: "float64" for c in results.summary.columns[1:]})
    back = back.astype({c: "float64" for c in back.columns[1:]})
    pd.testing.assert_frame_equal(back, expected, check_dtype=False, rtol=1e-12)


def test_annual_matches_tei_table(workbook, results):
    back = read(workbook, "annual")
    back.columns = strip_units(back.columns)
    row = back[(back.scenario == "social") & (back.basis == "risk-adjusted")
               & (back.flow == "Net benefits")].iloc[0]
    t = results.annual("social", risk_adjust_benefits=0.1, risk_adjust_costs=0.05)
    assert row["Present value"] == pytest.approx(t.table.loc["Net benefits", "Present value"])
    assert row["npv"] == pytest.approx(t.npv)


def test_refuses_overwrite(workbook, results):
    before = workbook.read_bytes()
    with pytest.raises(InputError, match="already exists"):
        write_excel(results, workbook)
    assert workbook.read_bytes() == before
    write_excel(results, workbook, overwrite=True)
