"""The report's Monte Carlo part: the "how likely" sentence, P10/P50/P90 rows of the annual
tables, the risk section's distribution, importance and insurance (issue 13).

Expected figures come from the Monte Carlo run itself with the same seed and draws
(roi_models.analysis.montecarlo), written in the house style (roi_models.formatting).
"""

from __future__ import annotations

import datetime
import re

import pytest

import roi_models as rm
from roi_models.analysis.montecarlo import montecarlo
from roi_models.errors import InputError
from roi_models.formatting import money, money_exact, percent
from roi_models.report import ReportOptions
from roi_models.report.html import render_report

DRAWS = 1024
DATE = datetime.date(2026, 1, 31)


@pytest.fixture(scope="module")
def consumer():
    return rm.run_scenarios(rm.load_shipped("consumer_brand"))


@pytest.fixture(scope="module")
def html(consumer):
    return render_report(consumer, ReportOptions(date=DATE, draws=DRAWS, seed=3))


@pytest.fixture(scope="module")
def mc(consumer):
    return montecarlo(consumer, DRAWS, 3, annual=True)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def test_how_likely_replaces_this_report_states_no_probability(html, mc):
    text = _text(html)
    assert "this report states no probability" not in text
    doc = mc.to_json_dict()["scenarios"]
    best, runner = "social_reallocation", "social"  # the highest and next highest NPV
    d = doc[best]
    expected = (f"\u201cTV budget moved to social\u201d beats the status quo in "
                f"{percent(d['p_npv_positive'], 1)} of draws and the next best plan, "
                f"\u201cPaid social and creators\u201d, in {percent(d['p_beats'][runner], 1)}; "
                f"its NPV lies between {money(d['npv']['p10'], 'EUR')} and "
                f"{money(d['npv']['p90'], 'EUR')} in eight draws out of ten")
    assert expected in text


def test_annual_tables_gain_p10_p50_p90_rows(html, mc):
    for plan in mc.names:
        q = mc.annual_quantiles(plan)
        table = re.search(rf'<table class="tei" data-scenario="{plan}" data-adjusted="false">'
                          r".*?</table>", html, re.S).group(0)
        for row in ("P10", "P50", "P90"):
            cells = re.search(rf'data-row="net_benefits_{row.lower()}">(.*?)</tr>', table,
                              re.S).group(1)
            values = re.findall(r'data-value="([^"]*)"', cells)
            assert [float(v) for v in values] == pytest.approx(list(q.loc[row]), rel=1e-12)
            assert money_exact(q.loc[row, "Year 1"]) in cells
        # the risk-adjusted table is unchanged
    adjusted = re.search(r'data-adjusted="true">.*?</table>', html, re.S).group(0)
    assert "net_benefits_p10" not in adjusted


def test_risk_section_shows_distribution_beats_importance_and_insurance(html, mc):
    for div in ("chart-mc-distribution", "chart-mc-beats", "chart-mc-importance"):
        assert f'id="{div}"' in html
    table = re.search(r'<table class="montecarlo".*?</table>', html, re.S).group(0)
    for plan in mc.names:
        x = mc.column(plan)
        row = re.search(rf'<tr data-scenario="{plan}">(.*?)</tr>', table, re.S).group(1)
        assert percent(float((x > 0).mean()), 1) in row
    assert "Sobol indices assume independent inputs" in html
    insurance = re.search(r'<table class="insurance".*?</table>', html, re.S).group(0)
    assert 'data-scenario="status_quo"' in insurance and "80 %" in insurance


def test_the_same_seed_gives_the_same_report(consumer, html):
    again = render_report(consumer, ReportOptions(date=DATE, draws=DRAWS, seed=3))
    assert again == html


def test_without_draws_the_report_states_no_probability(consumer):
    plain = render_report(consumer, ReportOptions(date=DATE))
    assert "this report states no probability" in _text(plain)
    assert 'id="montecarlo"' not in plain and "net_benefits_p10" not in plain


def test_draws_must_be_zero_or_at_least_two():
    with pytest.raises(InputError, match="draws"):
        ReportOptions(date=DATE, draws=1)
    with pytest.raises(InputError, match="seed"):
        ReportOptions(date=DATE, seed=-1)


def test_cli_report_takes_draws(tmp_path, capsys):
    from roi_models.cli import main

    out = tmp_path / "r.html"
    assert main(["report", "b2b_it_services", "-o", str(out), "--draws", "1500", "--seed",
                 "2", "--date", "2026-01-31"]) == 0
    text = _text(out.read_text(encoding="utf-8"))
    assert "over 1,500 Monte Carlo draws" in text
    assert main(["report", "b2b_it_services", "-o", str(out), "--draws", "0", "--overwrite",
                 "--date", "2026-01-31"]) == 0
    assert "this report states no probability" in _text(out.read_text(encoding="utf-8"))
