"""Sampling for Monte Carlo: truncated marginals, Latin hypercube, Iman-Conover, random events.

What this module implements
---------------------------
- :class:`Marginal`: the distribution of one uncertain field (triangular,
  PERT, uniform, normal, lognormal; :class:`roi_models.assumptions.Uncertainty`)
  truncated to its support: the spec's [low, high] intersected with the
  schema's bounds of the field. A uniform number u in [0, 1) becomes a value
  by the inverse CDF on [F(low), F(high)],
  ``x = F^-1(F(low) + u (F(high) - F(low)))`` (exact truncation, no
  rejection; Robert 1995, *Statistics and Computing* 5: 121-125), so the
  strata of a Latin hypercube stay strata of the value. For PERT (a Beta)
  the inverse CDF is UNU.RAN's polynomial interpolation of it (PINV;
  Derflinger, Hoermann & Leydold 2010, *ACM TOMACS* 20(4): 18; scipy's
  ``NumericalInversePolynomial``) set up on the truncated domain from the
  Beta's density with a u-error below 1e-12 (measured on 24 shapes of PERT:
  at most 6e-10 of the range in the value, both ends exact): a value costs
  about 15 ns instead of about 1.4 us for the exact ``beta.ppf`` (Boost's
  ``ibeta_inv``), which took three quarters of the sampling time of a Monte
  Carlo run, and the set-up 1-7 ms a field. The other families' inverse CDFs
  are closed forms or ``ndtri``, exact and fast.
- :func:`block_uniforms`: one block of :data:`BLOCK_DRAWS` uniform points in
  d dimensions, a Latin hypercube (McKay, Beckman & Conover 1979; scipy's
  ``qmc.LatinHypercube``) by default or plain random numbers.
- :func:`iman_conover`: rank correlations between the columns induced by
  re-pairing them (Iman & Conover 1982, *Communications in Statistics B*
  11(3): 311-334): the values of each column stay as they are, so the
  marginals and the hypercube's strata are untouched.
- :func:`sample_events`: negative viral events as a Poisson process (events
  per month) with a severity distribution, summed into onsets per month;
  a downturn that happens with a probability and starts in a month drawn
  uniformly from a range.

Reproducibility and stratification
----------------------------------
Draws come in fixed blocks of :data:`BLOCK_DRAWS` (1,024) draws. Block k of
seed s draws everything (its hypercube, its Iman-Conover scores, its events)
from one generator seeded by ``numpy.random.SeedSequence(s).spawn(k + 1)[k]``
(:func:`block_seed`), and a chunk of work is a whole number of blocks. So a
draw depends only on the seed and its block, never on the chunk size, the
number of threads or the engine, and a run of N draws is the first N draws
of any longer run. The Latin hypercube is stratified within each block
(each block's 1,024 draws fill the 1,024 strata of every field once); a run
of many blocks is a union of independent hypercubes, and the last block of a
run whose size is not a multiple of 1,024 keeps its first draws only.

Examples
--------
How is a PERT(0.06, 0.12, 0.25) imitation coefficient spread?

>>> from roi_models.assumptions import Uncertainty
>>> m = Marginal.of("market.bass_q_annual",
...                 Uncertainty(distribution="pert", low=0.06, mode=0.12, high=0.25))
>>> [round(float(x), 4) for x in m.ppf(np.array([0.05, 0.5, 0.95]))]
[0.0794, 0.1289, 0.1934]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import stats
from scipy.stats import qmc
from scipy.stats.sampling import NumericalInversePolynomial

from ..assumptions import FieldMeta, Uncertainty, field_meta
from ..errors import InputError

BLOCK_DRAWS = 1024
"""Draws per block: the unit of seeding and of Latin hypercube stratification."""

Method = Literal["lhs", "random"]
METHODS: tuple[str, ...] = ("lhs", "random")


def block_seed(seed: int, block: int) -> np.random.SeedSequence:
    """The seed sequence of block ``block``: ``SeedSequence(seed).spawn(block + 1)[block]``.

    Built directly (``spawn_key=(block,)`` is what ``spawn`` gives child k), so
    block 10,000 costs no more than block 0.

    >>> a = block_seed(7, 3).generate_state(2)
    >>> b = np.random.SeedSequence(7).spawn(4)[3].generate_state(2)
    >>> bool((a == b).all())
    True
    """
    return np.random.SeedSequence(int(seed), spawn_key=(int(block),))


# ----------------------------------------------------------------------------- marginals
class _BetaDensity:
    """The Beta(alpha, beta) density on [0, 1] up to its constant, ``x^(alpha-1) (1-x)^(beta-1)``
    (what PINV needs; PERT's shapes are at least 1)."""

    def __init__(self, alpha: float, beta: float) -> None:
        self.a1, self.b1 = float(alpha) - 1.0, float(beta) - 1.0

    def pdf(self, x: float) -> float:
        return float(x ** self.a1 * (1.0 - x) ** self.b1)


@dataclass(frozen=True)
class Marginal:
    """One uncertain field's distribution, truncated to ``[low, high]`` (see the module docstring).

    ``low``/``high`` are the spec's range intersected with the field's schema
    bounds (an open bound, such as a half-life > 0, is moved inside by one
    floating-point step).
    """

    key: str
    spec: Uncertainty
    low: float
    high: float
    _cdf_range: tuple[Any, float, float] = field(init=False, repr=False, compare=False)
    _inverse: Any = field(init=False, repr=False, compare=False)  # PERT: PINV, low, width

    def __post_init__(self) -> None:  # the frozen scipy distribution and F(low), F(high), once
        dist = self.distribution()
        object.__setattr__(self, "_cdf_range",
                           (dist, float(dist.cdf(self.low)), float(dist.cdf(self.high))))
        inverse = None
        if self.spec.distribution == "pert":  # PINV on the domain in the Beta's units [0, 1]
            a, width = float(self.spec.low), float(self.spec.high) - float(self.spec.low)
            lo, hi = max(0.0, (self.low - a) / width), min(1.0, (self.high - a) / width)
            alpha, beta = dist.args
            mode = (float(self.spec.mode or 0.0) - a) / width
            inverse = (NumericalInversePolynomial(
                _BetaDensity(alpha, beta), domain=(lo, hi), u_resolution=1e-12,
                center=mode if lo < mode < hi else (lo + hi) / 2), a, width)
        object.__setattr__(self, "_inverse", inverse)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # rebuilt from its fields where it is unpickled (a Dask worker): the PINV tables are
        # not picklable and take a few ms to set up
        return (Marginal, (self.key, self.spec, self.low, self.high))

    @classmethod
    def of(cls, key: str, spec: Uncertainty, path: str | None = None,
           meta: FieldMeta | None = None) -> Marginal:
        """The marginal of ``spec`` for the field at schema ``path`` (default: ``key``).

        ``meta`` gives the bounds (default: the schema's of ``path``; the
        sensitivity's :class:`~roi_models.analysis.sensitivity.Field` narrows
        them by the rules between fields). A path that is not a schema field
        (a severity) is truncated to the spec's range only."""
        low, high = float(spec.low), float(spec.high)
        if meta is None:
            try:
                meta = field_meta(path or key)
            except KeyError:
                meta = None
        if meta is not None:
            if meta.low is not None:
                floor = meta.low if meta.low_inclusive else math.nextafter(meta.low, math.inf)
                low = max(low, floor)
            if meta.high is not None:
                high = min(high, meta.high)
        if not low < high:
            raise InputError.one("argument", key, [spec.low, spec.high],
                                 f"a range that overlaps the field's bounds [{low:g}, {high:g}]")
        return cls(key=key, spec=spec, low=low, high=high)

    def distribution(self):
        """The untruncated scipy distribution of the spec (frozen).

        PERT is the Beta(1 + 4 (m - a) / (b - a), 1 + 4 (b - m) / (b - a)) on
        [a, b] (Vose 2008, *Risk Analysis*, 3rd ed., sec. 9.1); the lognormal's
        mean and sd are those of the value: ``sigma^2 = ln(1 + sd^2 / mean^2)``,
        ``mu = ln(mean) - sigma^2 / 2``."""
        s = self.spec
        a, b = float(s.low), float(s.high)
        if s.distribution == "uniform":
            return stats.uniform(loc=a, scale=b - a)
        if s.distribution == "triangular":
            return stats.triang(c=(float(s.mode or 0.0) - a) / (b - a), loc=a, scale=b - a)
        if s.distribution == "pert":
            m = float(s.mode or 0.0)  # triangular and PERT always have a mode (validated)
            return stats.beta(1 + 4 * (m - a) / (b - a), 1 + 4 * (b - m) / (b - a),
                              loc=a, scale=b - a)
        mean, sd = float(s.mean or 0.0), float(s.sd or 1.0)  # given for normal and lognormal
        if s.distribution == "normal":
            return stats.norm(loc=mean, scale=sd)
        sigma = math.sqrt(math.log1p((sd / mean) ** 2))
        return stats.lognorm(s=sigma, scale=math.exp(math.log(mean) - sigma ** 2 / 2))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values for uniforms ``u`` in [0, 1]: the inverse CDF on [F(low), F(high)].

        The result is kept within [low, high] against rounding of the inverse
        CDF in its last bits (the exact values lie within). PERT: the PINV
        inverse on [low, high] (the module docstring)."""
        u = np.asarray(u, dtype=float)
        if self._inverse is not None:
            pinv, a, width = self._inverse
            return np.clip(a + width * pinv.ppf(u), self.low, self.high)
        dist, f_low, f_high = self._cdf_range
        return np.clip(dist.ppf(f_low + u * (f_high - f_low)), self.low, self.high)

    def mean(self) -> float:
        """The mean of the truncated distribution, by quadrature of the inverse CDF."""
        from scipy.integrate import quad

        return float(quad(lambda u: float(self.ppf(np.array(u))), 0.0, 1.0, limit=200)[0])


# ----------------------------------------------------------------------------- uniforms
def block_uniforms(rng: np.random.Generator, d: int, n: int = BLOCK_DRAWS,
                   method: Method = "lhs") -> np.ndarray:
    """``n`` points in [0, 1)^d: a Latin hypercube (one point in each of n strata of every
    dimension; McKay, Beckman & Conover 1979) or plain random numbers.

    >>> u = block_uniforms(np.random.default_rng(1), 2, 8)
    >>> sorted((u[:, 0] * 8).astype(int).tolist())
    [0, 1, 2, 3, 4, 5, 6, 7]
    """
    if method not in METHODS:
        raise InputError.one("argument", "method", method, "one of " + ", ".join(METHODS))
    if d == 0:
        return np.empty((n, 0))
    if method == "lhs":
        return qmc.LatinHypercube(d, rng=rng).random(n)
    return rng.random((n, d))


def correlation_matrix(keys: Sequence[str], pairs: Sequence[tuple[str, str, float]]
                       ) -> np.ndarray:
    """The rank-correlation matrix of ``keys`` (1 on the diagonal, 0 where no pair is given).

    The scenario file's loader has checked it is a valid (positive definite)
    correlation matrix (:mod:`roi_models.assumptions.scenario_file`)."""
    index = {k: i for i, k in enumerate(keys)}
    c = np.eye(len(keys))
    for a, b, rho in pairs:
        c[index[a], index[b]] = c[index[b], index[a]] = rho
    return c


def iman_conover(u: np.ndarray, target: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Re-pair the columns of ``u`` so that their rank correlations approach ``target``.

    Iman & Conover (1982): van der Waerden scores ``Phi^-1(i / (n + 1))``,
    shuffled per column, are given the Pearson correlation ``P`` by
    ``S F^-T P^T`` (``F``, ``P`` the Cholesky factors of the scores' own
    correlation and of the goal); each column of ``u`` is then sorted into the
    rank order of that column. For normal scores a Pearson correlation r gives
    the Spearman correlation ``(6 / pi) asin(r / 2)``, so the goal is
    ``P = 2 sin(pi rho / 6)`` of the requested rank correlation rho (Kruskal
    1958), used where it is positive definite (else rho itself). Values are
    only re-paired: each column keeps its values, so the marginals and the
    Latin hypercube's strata stay exact.
    """
    n, d = u.shape
    if d < 2 or np.allclose(target, np.eye(d)):
        return u
    goal = 2.0 * np.sin(np.pi * target / 6.0)
    np.fill_diagonal(goal, 1.0)
    try:
        p = np.linalg.cholesky(goal)
    except np.linalg.LinAlgError:
        p = np.linalg.cholesky(target)
    scores = stats.norm.ppf(np.arange(1, n + 1) / (n + 1))
    s = np.column_stack([rng.permutation(scores) for _ in range(d)])
    f = np.linalg.cholesky(np.corrcoef(s, rowvar=False))
    t = s @ np.linalg.inv(f).T @ p.T
    out = np.empty_like(u)
    for j in range(d):  # columns, not draws: d is the number of uncertain fields
        out[np.argsort(t[:, j], kind="stable"), j] = np.sort(u[:, j], kind="stable")
    return out


# ----------------------------------------------------------------------------- events
@dataclass(frozen=True)
class EventSpec:
    """The random shocks of the world: viral events and a downturn (base's values).

    ``rate`` events per month from month 1 to ``horizon``, each of a severity
    drawn from ``severity`` (None: 1); a downturn that happens with
    ``downturn_probability`` and starts in a whole month drawn uniformly from
    ``downturn_start``..``downturn_latest`` (``downturn_latest`` 0: always the start).
    """

    horizon: int
    rate: float = 0.0
    severity: Marginal | None = None
    downturn_probability: float = 1.0
    downturn_start: int = 1
    downturn_latest: int = 0

    @property
    def viral(self) -> bool:
        return self.rate > 0.0

    @property
    def downturn_random(self) -> bool:
        return self.downturn_probability < 1.0 or self.downturn_latest > self.downturn_start


@dataclass(frozen=True)
class Events:
    """Sampled shocks of n draws: onsets (T + 1, n) or None, downturn happens and start (n,)."""

    onsets: np.ndarray | None
    downturn_happens: np.ndarray
    downturn_start: np.ndarray


def sample_events(spec: EventSpec, n: int, rng: np.random.Generator) -> Events:
    """The viral onsets and the downturn of ``n`` draws.

    Viral events: the number of events starting in month t is Poisson(rate)
    (a Poisson process of ``rate`` events a month counted per month; Ross
    2014, *Introduction to Probability Models*, ch. 5); each event's severity
    is an independent draw of the severity distribution; the onset of month t
    is the sum of the severities of its events (the kernel superposes and
    decays them). Downturn: happens where a uniform is below its probability;
    the start month is ``start + floor(u (latest - start + 1))``.

    >>> ev = sample_events(EventSpec(horizon=60, rate=0.5), 2000, np.random.default_rng(0))
    >>> round(float(ev.onsets[1:].mean()), 2)  # Poisson(0.5) a month, severity 1
    0.5
    """
    onsets = None
    if spec.viral:
        counts = rng.poisson(spec.rate, size=(spec.horizon, n))
        total = int(counts.sum())
        u = rng.random(total)
        sev = spec.severity.ppf(u) if spec.severity is not None else np.ones(total)
        onsets = np.zeros((spec.horizon + 1, n))
        cells = np.repeat(np.arange(spec.horizon * n), counts.reshape(-1))
        np.add.at(onsets[1:].reshape(-1), cells, sev)
    happens = rng.random(n) < spec.downturn_probability
    start = np.full(n, float(spec.downturn_start))
    if spec.downturn_latest > spec.downturn_start:
        span = spec.downturn_latest - spec.downturn_start + 1
        start += np.floor(rng.random(n) * span)
    return Events(onsets=onsets, downturn_happens=happens, downturn_start=start)


# ----------------------------------------------------------------------------- one block
@dataclass(frozen=True)
class Block:
    """The draws of one block: field values (n, d) in the order of the marginals, and events."""

    values: np.ndarray
    events: Events


def sample_block(seed: int, block: int, marginals: Sequence[Marginal], correlation: np.ndarray,
                 events: EventSpec, *, method: Method = "lhs", n: int = BLOCK_DRAWS) -> Block:
    """Block ``block`` of seed ``seed``: hypercube (or random) uniforms, Iman-Conover, values by
    each marginal's inverse CDF, then the events, all from :func:`block_seed`'s generator.

    ``n`` (at most :data:`BLOCK_DRAWS`) keeps the first n draws of the block:
    the block is always drawn whole, so its draws never depend on n.
    """
    if not 1 <= n <= BLOCK_DRAWS:
        raise ValueError(f"n must be 1..{BLOCK_DRAWS}")
    rng = np.random.default_rng(block_seed(seed, block))
    u = block_uniforms(rng, len(marginals), BLOCK_DRAWS, method)
    u = iman_conover(u, correlation, rng)
    values = np.column_stack([m.ppf(u[:, j]) for j, m in enumerate(marginals)]) \
        if marginals else np.empty((BLOCK_DRAWS, 0))
    ev = sample_events(events, BLOCK_DRAWS, rng)
    return Block(
        values=values[:n],
        events=Events(onsets=None if ev.onsets is None else ev.onsets[:, :n],
                      downturn_happens=ev.downturn_happens[:n],
                      downturn_start=ev.downturn_start[:n]))
