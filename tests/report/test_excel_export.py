"""The Excel workbook: a finance workbook (formats, headers with units, frozen styled headers,
autofilter, widths), values read back equal to the results, user text never a formula."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
import yaml

import roi_models as rm
from roi_models.assumptions import scenario_file_from_dict
from roi_models.data import scenario_path
from roi_models.errors import InputError
from roi_models.report import write_excel
from roi_models.report.excel import SHEETS, is_formula_like, read_sheet


@pytest.fixture(scope="module")
def workbook(results, tmp_path_factory):
    return write_excel(results, tmp_path_factory.mktemp("xlsx") / "results.xlsx")


@pytest.fixture(scope="module")
def book(workbook):
    return openpyxl.load_workbook(workbook)


def headers(ws):
    return [c.value for c in ws[1]]


def column(ws, header):
    return headers(ws).index(header) + 1


def test_sheets_and_readable_headers_with_units(workbook, book):
    assert book.sheetnames == list(SHEETS)
    monthly = headers(book["monthly"])
    assert "Revenue, EUR a month" in monthly
    assert "Active customers" in monthly
    # a running total is an amount, not an amount a month
    assert "Cumulative incremental cash flow vs status quo, EUR" in monthly
    assert not any(h.startswith("Cumulative") and "a month" in h for h in monthly)
    summary = headers(book["summary"])
    assert {"Plan", "NPV vs status quo, EUR", "IRR, % a year", "ROI, %", "Payback, month",
            "CAC (paid), EUR per customer", "CAC (blended), EUR per customer",
            "MIRR, % a year", "Extra spend vs status quo (undiscounted), EUR",
            "Cost of sales, % of revenue"} <= set(summary)
    assert "Initial (month 0), EUR" in headers(book["annual"])
    reg = headers(book["assumptions"])
    assert {"Plan", "Assumption (field path)", "Value", "Unit", "Source", "Confidence",
            "Owner", "Validated on", "Note"} <= set(reg)
    units = [c.value for c in book["assumptions"]["E"][1:]]
    assert not any("currency" in str(u) for u in units) and "EUR/month" in units


def test_number_formats_frozen_styled_header_autofilter_and_widths(book):
    for name in SHEETS[1:]:
        ws = book[name]
        assert ws.freeze_panes == "A2", name
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        head = ws.cell(1, 1)
        assert head.font.bold and head.fill.fgColor.rgb.endswith("1F2D3A"), name
        for j in range(1, ws.max_column + 1):
            width = ws.column_dimensions[ws.cell(1, j).column_letter].width
            assert 8 <= width <= 60, (name, j, width)
    ws = book["summary"]
    row = 3  # the first plan (row 2 is the status quo, whose incremental figures are empty)
    assert ws.cell(row, column(ws, "NPV vs status quo, EUR")).number_format == \
        '"EUR "#,##0;-"EUR "#,##0;"EUR "0'
    assert ws.cell(row + 1, column(ws, "IRR, % a year")).number_format == '0.0" "%'
    assert ws.cell(row, column(ws, "Active customers at the end")).number_format == "#,##0"
    assert ws.cell(row + 1, column(ws, "Payback, month")).number_format == "0"
    m = book["monthly"]
    # row 2 is month 0, whose churn rate does not exist (an empty cell); month 1 is row 3
    assert m.cell(3, column(m, "Churn rate, % a month")).number_format == '0.00" "%'
    assert m.cell(2, column(m, "Active customers")).number_format == "#,##0"
    reg = book["assumptions"]
    src = reg.cell(2, column(reg, "Source"))
    assert src.alignment.wrap_text
    assert reg.column_dimensions[src.column_letter].width == 60


def test_monthly_reads_back_equal(workbook, results):
    back = read_sheet(workbook, "monthly").drop(columns=["plan"])
    pd.testing.assert_frame_equal(back, results.monthly, check_dtype=False, rtol=1e-12)


def test_summary_reads_back_equal(workbook, results):
    back = read_sheet(workbook, "summary").drop(columns=["plan"])
    expected = results.summary.astype({c: "float64" for c in results.summary.columns[1:]})
    back = back.astype({c: "float64" for c in back.columns[1:]})
    pd.testing.assert_frame_equal(back, expected, check_dtype=False, rtol=1e-12)


def test_plans_carry_their_labels(workbook, results):
    back = read_sheet(workbook, "summary")
    assert list(back["plan"]) == [results.file.label(n) for n in results.names]


def test_annual_matches_tei_table(workbook, results):
    back = pd.read_excel(workbook, sheet_name="annual")
    row = back[(back["Scenario key"] == "social") & (back["Basis"] == "risk-adjusted")
               & (back["Flow"] == "Net benefits")].iloc[0]
    t = results.annual("social", risk_adjust_benefits=0.1, risk_adjust_costs=0.05)
    assert row["Present value, EUR"] == pytest.approx(t.table.loc["Net benefits", "Present value"])
    assert row["NPV of the table (annual discounting), EUR"] == pytest.approx(t.npv)


def test_refuses_overwrite_naming_the_option(workbook, results):
    # the one refusal of roi_models.files (the report, the workbook and the explorer share
    # it): the command line's --overwrite and Python's overwrite=True
    before = workbook.read_bytes()
    with pytest.raises(InputError, match="already exists") as err:
        write_excel(results, workbook)
    assert "--overwrite" in str(err.value) and "overwrite=True" in str(err.value)
    assert workbook.read_bytes() == before
    write_excel(results, workbook, overwrite=True)


HOSTILE = ("=HYPERLINK(\"http://example.com\",\"x\")", "+1+2", "-3+4", "@SUM(A1:A2)",
           "\t=1+1", "=A1*2")
# a text that starts with a carriage return (OWASP's last case) never reaches the workbook:
# the loader refuses control characters in text (tests/assumptions/test_hostile_values.py)


def test_user_text_is_never_a_formula(tmp_path):
    raw = yaml.safe_load(scenario_path("b2b_it_services").read_text(encoding="utf-8"))
    raw["name"] = HOSTILE[0]
    raw["base"]["market"]["initial_customers"] = {"value": 1200, "source": HOSTILE[1],
                                                  "owner": HOSTILE[3], "note": HOSTILE[4]}
    raw["base"]["market"]["potential_customers"] = {"value": 6000, "source": HOSTILE[2],
                                                    "note": HOSTILE[5]}
    raw["scenarios"]["social"]["label"] = "=1+1 plan"
    res = rm.run_scenarios(scenario_file_from_dict(raw, "hostile.yaml"))
    path = write_excel(res, tmp_path / "hostile.xlsx")
    book = openpyxl.load_workbook(path)
    seen = set()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and is_formula_like(cell.value):
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.value)
                    seen.add(cell.value)
    assert set(HOSTILE) | {"=1+1 plan"} <= seen
    back = pd.read_excel(path, sheet_name="assumptions")
    assert HOSTILE[1] in set(back["Source"])
