"""Sensitivity charts draw the analyses' own figures (no recomputation in the chart)."""

from __future__ import annotations

import numpy as np
import pytest

import roi_models as rm
from roi_models.analysis import sensitivity as sens
from roi_models.charts import sensitivity as charts


@pytest.fixture(scope="module")
def results():
    return rm.run_scenarios(rm.load_shipped("b2b_it_services"))


def test_tornado_bars_run_from_the_low_to_the_high_kpi(results):
    t = sens.tornado(results, plan="social")
    fig = charts.tornado_figure(t)
    low, high = fig.data
    base = t.attrs["base"]
    # bars are drawn bottom-up: the largest swing is the last category
    np.testing.assert_allclose(np.asarray(low.x) + base, t["kpi_low"][::-1])
    np.testing.assert_allclose(np.asarray(high.x) + base, t["kpi_high"][::-1])
    assert low.base == base and "EUR 2.7 m" in fig.layout.title.text  # the B2B social plan
    assert all(t.startswith(("EUR", "-EUR")) for t in fig.layout.xaxis.ticktext)


def test_spider_has_a_line_per_field_and_marks_clipped_points(results):
    s = sens.spider(results, plan="social", fields=["economics.gross_margin",
                                                    "social.word_of_mouth_lift"])
    fig = charts.spider_figure(s)
    assert len(fig.data) == 2
    for trace, (_, part) in zip(fig.data, s.groupby("field", sort=False), strict=True):
        np.testing.assert_allclose(trace.y, part["kpi"])
        assert ("circle-open" in list(trace.marker.symbol)) == bool(part["clipped"].any())


def test_heatmap_is_the_data_table(results):
    dt = sens.data_table(results, "social.word_of_mouth_lift", "market.bass_q_annual", points=4,
                         plan="social")
    fig = charts.data_table_figure(dt, "EUR")
    np.testing.assert_allclose(np.asarray(fig.data[0].z), dt.kpi)
    assert fig.data[0].zmid == 0.0


def test_margin_bars_say_never_where_no_value_ties(results):
    m = sens.decision_margins(results, plan="social")
    fig = charts.decision_margin_figure(m)
    never = [t for t in fig.data if t.name.endswith("never wins")]
    assert never and all(set(t.text) == {"never"} for t in never)
    shown = sum(len(t.y) for t in fig.data)
    assert shown == len(m)
