"""Sampling (roi_models.analysis.sampling): marginals, Latin hypercube, Iman-Conover, events.

Expected values are the textbook moments of each distribution (Vose 2008, Risk Analysis,
ch. 9; Johnson, Kotz & Balakrishnan 1994 for the truncated normal), stated next to each
assertion. Sample sizes and tolerances: 64 blocks of 1,024 Latin-hypercube draws; a Latin
hypercube's error of the mean is far below the plain Monte Carlo error sd / sqrt(n), so a
tolerance of 3 plain standard errors is generous and still bites on a wrong formula.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from roi_models.analysis.sampling import (
    BLOCK_DRAWS,
    EventSpec,
    Marginal,
    block_seed,
    block_uniforms,
    correlation_matrix,
    iman_conover,
    sample_block,
    sample_events,
)
from roi_models.assumptions import Uncertainty
from roi_models.errors import InputError

N_BLOCKS = 64


def _draws(m: Marginal, method="lhs") -> np.ndarray:
    return np.concatenate([
        sample_block(5, k, [m], np.eye(1), EventSpec(horizon=12), method=method).values[:, 0]
        for k in range(N_BLOCKS)])


CASES = [
    # (spec, mean, variance): closed forms
    (Uncertainty(distribution="uniform", low=2.0, high=6.0), 4.0, 16 / 12),
    # triangular: (a + m + b) / 3 and (a^2 + b^2 + m^2 - ab - am - bm) / 18
    (Uncertainty(distribution="triangular", low=0.3, mode=0.5, high=0.8), 1.6 / 3,
     (0.09 + 0.64 + 0.25 - 0.24 - 0.15 - 0.4) / 18),
    # PERT: mu = (a + 4m + b) / 6, variance (mu - a)(b - mu) / 7
    (Uncertainty(distribution="pert", low=0.06, mode=0.12, high=0.25), 0.79 / 6,
     (0.79 / 6 - 0.06) * (0.25 - 0.79 / 6) / 7),
    # normal within +-8 sd: the truncation removes nothing measurable
    (Uncertainty(distribution="normal", low=0.03, high=0.67, mean=0.35, sd=0.04), 0.35, 0.0016),
    # lognormal of mean 0.07, sd 0.012 on [0, 1]: truncation removes nothing measurable
    (Uncertainty(distribution="lognormal", low=0.0, high=1.0, mean=0.07, sd=0.012), 0.07,
     0.012 ** 2),
]


@pytest.mark.parametrize("spec,mean,var", CASES, ids=[c[0].distribution for c in CASES])
def test_sample_mean_and_variance_match_the_formulas(spec, mean, var):
    x = _draws(Marginal.of("x", spec))
    se = math.sqrt(var / x.size)
    assert abs(x.mean() - mean) < 3 * se, (x.mean(), mean)
    # the variance of a sample of 65,536: relative error about sqrt(2 / n) = 0.6 %; 3 %
    assert x.var() == pytest.approx(var, rel=0.03)
    assert x.min() >= spec.low and x.max() <= spec.high


@pytest.mark.parametrize("spec", [c[0] for c in CASES], ids=[c[0].distribution for c in CASES])
def test_plain_random_sampling_has_the_same_mean(spec):
    x = _draws(Marginal.of("x", spec), method="random")
    mean = spec.expected_value()
    sd = math.sqrt(CASES[[c[0] for c in CASES].index(spec)][2])
    assert abs(x.mean() - mean) < 4 * sd / math.sqrt(x.size)


def test_truncated_normal_mean_equals_the_closed_form():
    # Normal(0.35, 0.1) cut at [0.3, 0.6]: mean = mu + sd (phi(-0.5) - phi(2.5)) / (Phi(2.5) -
    # Phi(-0.5)) = 0.35 + 0.1 (0.35207 - 0.01753) / (0.99379 - 0.30854) = 0.39882
    spec = Uncertainty(distribution="normal", low=0.3, high=0.6, mean=0.35, sd=0.1)
    assert spec.expected_value() == pytest.approx(0.39882, abs=1e-5)
    m = Marginal.of("x", spec)
    assert m.mean() == pytest.approx(0.39882, abs=1e-5)
    x = _draws(m)
    assert x.mean() == pytest.approx(0.39882, abs=3 * 0.07 / math.sqrt(x.size))
    assert x.min() >= 0.3 and x.max() <= 0.6


def test_truncated_lognormal_mean_equals_the_closed_form():
    spec = Uncertainty(distribution="lognormal", low=0.2, high=3.0, mean=1.0, sd=0.6)
    # the closed form of Uncertainty.expected_value against quadrature of the inverse CDF
    assert Marginal.of("x", spec).mean() == pytest.approx(spec.expected_value(), rel=1e-6)
    assert spec.expected_value() < 1.0  # the cut at 3 removes more mass than the cut at 0.2


def test_the_field_bounds_truncate_a_wider_range():
    # a spec wider than the schema's bounds [0, 0.95] of a carry-over: cut at 0.95
    spec = Uncertainty(distribution="normal", low=0.0, high=2.0, mean=0.9, sd=0.2)
    m = Marginal.of("channels.tv.carryover", spec)
    assert (m.low, m.high) == (0.0, 0.95)
    assert m.ppf(np.array([0.0, 1.0])).tolist() == [0.0, 0.95]
    # an open bound (half-life > 0) is moved inside
    h = Marginal.of("viral_event.half_life_months",
                    Uncertainty(distribution="uniform", low=-1.0, high=4.0))
    assert h.low > 0 and h.ppf(np.array([0.0]))[0] > 0
    with pytest.raises(InputError, match="overlaps the field's bounds"):
        Marginal.of("channels.tv.carryover", Uncertainty(distribution="uniform", low=1, high=2))


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_the_pert_inverse_equals_the_exact_truncated_inverse(mode, cut_low, cut_high, q):
    # PINV (u-error below 1e-12) against the exact inverse of the truncated Beta,
    # x = F^-1(F(low) + u (F(high) - F(low))): within 1e-8 of the range, both ends exact
    spec = Uncertainty(distribution="pert", low=2.0, mode=2.0 + 3.0 * mode, high=5.0)
    low = 2.0 + 3.0 * 0.45 * min(cut_low, cut_high)  # truncated by the field's bounds
    high = 5.0 - 3.0 * 0.45 * max(cut_low, cut_high) * q
    m = Marginal(key="x", spec=spec, low=low, high=high)
    u = np.linspace(0.0, 1.0, 2001)
    dist = m.distribution()
    f_low, f_high = dist.cdf(low), dist.cdf(high)
    exact = np.clip(dist.ppf(f_low + u * (f_high - f_low)), low, high)
    x = m.ppf(u)
    np.testing.assert_allclose(x, exact, rtol=0, atol=1e-8 * (high - low))
    assert x[0] == low and x[-1] == high
    assert np.all(np.diff(x) >= 0)  # an inverse CDF does not decrease


def test_a_pert_marginal_survives_pickling():
    # a Dask worker rebuilds it from its fields: the same values
    import pickle

    m = Marginal.of("market.bass_q_annual",
                    Uncertainty(distribution="pert", low=0.06, mode=0.12, high=0.25))
    u = np.random.default_rng(0).random(1000)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(m)).ppf(u), m.ppf(u))


def test_each_block_is_a_latin_hypercube():
    # Expected: in every block each of the 1,024 strata of each field holds exactly one draw
    for k in (0, 1, 17):
        u = block_uniforms(np.random.default_rng(block_seed(3, k)), 3)
        for j in range(3):
            assert np.array_equal(np.sort((u[:, j] * BLOCK_DRAWS).astype(int)),
                                  np.arange(BLOCK_DRAWS))


def test_block_seeds_are_the_spawned_children():
    children = np.random.SeedSequence(11).spawn(5)
    for k in range(5):
        assert np.array_equal(block_seed(11, k).generate_state(4), children[k].generate_state(4))


def test_a_shorter_block_is_the_prefix_of_the_whole_block():
    m = [Marginal.of("x", CASES[1][0])]
    whole = sample_block(2, 4, m, np.eye(1), EventSpec(horizon=24, rate=0.2))
    part = sample_block(2, 4, m, np.eye(1), EventSpec(horizon=24, rate=0.2), n=100)
    assert np.array_equal(part.values, whole.values[:100])
    assert np.array_equal(part.events.onsets, whole.events.onsets[:, :100])


@settings(max_examples=15, deadline=None)
@given(st.floats(-0.8, 0.8), st.floats(-0.8, 0.8), st.integers(0, 10_000))
def test_iman_conover_reaches_the_requested_rank_correlations(r12, r13, seed):
    # Three fields, two requested pairs (the third 0), when the matrix is positive definite.
    target = correlation_matrix(["a", "b", "c"], [("a", "b", r12), ("a", "c", r13)])
    if np.linalg.eigvalsh(target).min() < 0.05 or np.allclose(target, np.eye(3)):
        return  # not a valid matrix, or nothing requested (iman_conover leaves u as it is)
    rng = np.random.default_rng(seed)
    u = block_uniforms(rng, 3)
    v = iman_conover(u, target, rng)
    # each column keeps its values: the marginals and the strata are exact
    assert np.array_equal(np.sort(v, axis=0), np.sort(u, axis=0))
    rho = stats.spearmanr(v).statistic
    # Expected: within 0.05 of the request on 1,024 draws (the sampling sd of a rank
    # correlation is about (1 - rho^2) / sqrt(n) = 0.03 at most)
    assert np.abs(rho - target).max() < 0.05, (rho, target)


def test_poisson_events_have_the_stated_rate_and_severity():
    # 0.05 events a month over 60 months x 20,000 draws = 60,000 expected events; the mean
    # onset per month is rate x mean severity = 0.05 x 1.0, within 3 standard errors.
    sev = Marginal.of("severity", Uncertainty(distribution="uniform", low=0.5, high=1.5))
    spec = EventSpec(horizon=60, rate=0.05, severity=sev, downturn_probability=0.3,
                     downturn_start=20, downturn_latest=29)
    ev = sample_events(spec, 20_000, np.random.default_rng(0))
    assert ev.onsets.shape == (61, 20_000) and not ev.onsets[0].any()
    per_month = ev.onsets[1:]
    # variance of a compound Poisson month: rate E[S^2] = 0.05 (1 + 1/12)
    se = math.sqrt(0.05 * (1 + 1 / 12) / per_month.size)
    assert abs(per_month.mean() - 0.05) < 3 * se
    assert ev.downturn_happens.mean() == pytest.approx(0.3, abs=3 * math.sqrt(0.21 / 20_000))
    # start months uniform on 20..29: all ten months, mean 24.5
    assert set(np.unique(ev.downturn_start)) == set(range(20, 30))
    assert ev.downturn_start.mean() == pytest.approx(24.5, abs=0.1)


def test_an_unknown_method_is_refused():
    with pytest.raises(InputError, match="lhs, random"):
        block_uniforms(np.random.default_rng(0), 2, method="sobol")
