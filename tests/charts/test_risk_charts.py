"""Risk charts (roi_models.charts.risk): built from a Monte Carlo run, never shown.

Expected: the histogram's shares sum to 1 per plan; the P5/P50/P95 lines sit at the
quantiles of the draws; the P(beats) heatmap holds the shares of paired draws; the
importance chart says that Sobol indices assume independent inputs; the convergence band
is mean +- 1.96 se.
"""

from __future__ import annotations

import numpy as np
import pytest

import roi_models as rm
from roi_models.analysis.montecarlo import montecarlo, quantile, sobol_indices
from roi_models.charts.risk import (
    convergence_figure,
    importance_figure,
    npv_distribution_figure,
    p_beats_figure,
)


@pytest.fixture(scope="module")
def run():
    res = rm.run_scenarios(rm.load_shipped("consumer_brand"))
    return res, montecarlo(res, draws=2048, seed=2)


def test_distribution_marks_p5_p50_p95_and_sums_to_one(run):
    _, mc = run
    fig = npv_distribution_figure(mc, ["social", "blended"])
    bars = [t for t in fig.data if t.type == "bar"]
    assert [b.name for b in bars] == ["Paid social and creators", "TV and social"]
    for b in bars:
        assert sum(b.y) == pytest.approx(1.0)
    lines = [t for t in fig.data if t.type == "scatter"]
    x = mc.column("social")
    assert [ln.x[0] for ln in lines[:3]] == [quantile(x, 0.05), quantile(x, 0.5),
                                            quantile(x, 0.95)]
    assert "P5" in lines[0].hovertemplate and "EUR" in lines[0].hovertemplate


def test_p_beats_heatmap_holds_the_paired_shares(run):
    _, mc = run
    fig = p_beats_figure(mc)
    z = np.array(fig.data[0].z, dtype=float)
    i, j = mc.names.index("social"), 1 + mc.names.index("blended")
    assert z[i, j] == np.mean(mc.column("social") > mc.column("blended"))
    assert z[i, 0] == mc.p_npv_positive("social")
    assert np.isnan(z[i, 1 + i])  # a plan against itself is not shown


def test_importance_says_sobol_assumes_independent_inputs(run):
    res, mc = run
    imp = mc.importance()
    plain_fig = importance_figure(imp, plan="social", labels=mc.labels)
    assert len(plain_fig.data) == 1 and "independent" not in plain_fig.layout.title.text
    si = sobol_indices(res, "social", base_draws=32)
    fig = importance_figure(imp, si, plan="social", labels=mc.labels)
    assert "independent inputs" in fig.layout.title.text
    assert [t.name for t in fig.data] == [
        "Spearman rank correlation (with the file's correlations)", "Sobol total order",
        "Sobol first order"]
    assert "Bass q (imitation)" in fig.data[0].y  # readable labels, not schema paths


def test_convergence_band_is_mean_plus_minus_two_se(run):
    _, mc = run
    conv = mc.convergence()
    fig = convergence_figure(conv, mc.currency, mc.labels)
    band, line = fig.data[0], fig.data[1]
    part = conv[conv.scenario == mc.names[0]]
    np.testing.assert_allclose(band.y[: len(part)], part["mean"] + 1.96 * part["se"])
    np.testing.assert_allclose(line.y, part["mean"])
    assert fig.layout.xaxis.type == "log"
