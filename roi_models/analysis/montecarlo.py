"""Monte Carlo risk: the distribution of each plan's outcome, and how likely it beats the others.

What this module implements
---------------------------
:func:`montecarlo` draws the file's ``uncertainty`` section (marginals,
Latin hypercube, Iman-Conover rank correlations: :mod:`.sampling`), the
random viral events (a Poisson process with a severity distribution) and the
downturn (a probability and a start-month range), runs every plan on the same
draws (common random numbers) through the engine in chunks, and keeps per-draw
KPIs only: the incremental NPV, ROI and payback month against the status quo
(as ``roi-models run --json``), the plan's CAC and its own NPV.
:class:`MonteCarloResults` turns them into tidy frames: mean, sd, standard
error, P5/P10/P50/P90/P95, P(NPV > 0), P(plan beats each other plan) with
standard errors, value at risk and expected shortfall at 5 %, a convergence
curve and the rank-correlation importance of each input.
:func:`sobol_indices` adds SALib's Sobol first- and total-order indices (on
independent marginals) and :func:`insurance_value` the value of response
capability against viral events.

The world versus the plan
-------------------------
The rule of :mod:`roi_models.analysis.sensitivity`, imported from there: an
uncertain field of ``base`` describes the world, so its draw applies to every
plan that takes the field from base, the status quo included; a key
``scenarios.<plan>.<field>`` is that plan's own figure and moves that plan
only. Random viral events and the downturn describe the world too: they are
base's (a plan may not set its own rate, severity, downturn probability or
start range) and hit every plan of a draw, each plan's own response
capability shrinking each event.

Chunks, seeds and engines
-------------------------
Draws come in blocks of :data:`~roi_models.analysis.sampling.BLOCK_DRAWS`
seeded by ``SeedSequence(seed).spawn(...)[block]`` (see :mod:`.sampling`);
a chunk is a whole number of blocks, and :func:`run_chunk` (the problem and
block numbers in, plain arrays out) is what a thread or a Dask worker runs.
So a seed gives the same draws and the same figures whatever the chunk size,
the number of threads or the engine (``"local"``: a thread pool, the kernel
releases the GIL; ``"dask"``: a ``dask.distributed`` client on a LocalCluster
or at a scheduler address). Every draw goes through
:meth:`roi_models.engine.ParamBatch.with_values` (the schema's bounds) and
only per-draw figures leave a chunk, copied into arrays allocated once for
the run: memory grows by ``8 x (5 x plans + inputs)`` bytes a draw, plus
about ``22 kB x plans x 256`` for each thread's monthly arrays.

Examples
--------
How likely is the B2B social plan to beat the status quo?

>>> from roi_models import load_shipped, run_scenarios
>>> mc = montecarlo(run_scenarios(load_shipped("b2b_it_services")), draws=1024, seed=1)
>>> 0.5 < mc.p_npv_positive("social") <= 1.0
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..assumptions import STATUS_QUO, Assumptions, ScenarioFile
from ..assumptions.merge import get_path
from ..engine import ParamBatch
from ..engine.batch import rows_of, run_batch, summarise_chunk
from ..engine.finance import annual_discount_factors
from ..engine.simulate import batch_arrays
from ..errors import InputError
from .sampling import (
    BLOCK_DRAWS,
    METHODS,
    Events,
    EventSpec,
    Marginal,
    Method,
    correlation_matrix,
    sample_block,
)
from .scenarios import ScenarioResults
from .sensitivity import _takes_from_base, uncertain_fields

Engine = Literal["local", "dask"]
ENGINES: tuple[str, ...] = ("local", "dask")
KPI_COLUMNS: tuple[str, ...] = ("npv", "roi", "payback_month", "cac", "npv_plan")
"""Per-draw figures of each plan: incremental NPV, ROI, payback month (against the status
quo), the plan's CAC and its own NPV."""
QUANTILES: tuple[float, ...] = (0.05, 0.10, 0.50, 0.90, 0.95)
VIRAL_INPUT = "viral_events.severity_total"
DOWNTURN_INPUT = "retention.downturn.happens"
_WORLD_ONLY = ("viral_event.rate_per_month", "viral_event.severity",
               "retention.downturn.probability", "retention.downturn.start_month_latest")


class MonteCarloCancelled(Exception):
    """Raised by :func:`montecarlo` when its ``cancelled`` check returns True between chunks."""


# ----------------------------------------------------------------------------- the problem
@dataclass(frozen=True)
class Problem:
    """Everything a chunk needs, as plain data (it travels to Dask workers).

    ``batch`` has one row per plan, the status quo first; ``applies`` (d, P)
    says which plan rows each uncertain field moves (the world-versus-plan
    rule); ``paths`` are the schema paths the d fields set.
    """

    batch: ParamBatch
    names: tuple[str, ...]
    keys: tuple[str, ...]
    paths: tuple[str, ...]
    applies: np.ndarray
    marginals: tuple[Marginal, ...]
    correlation: np.ndarray
    events: EventSpec
    method: Method = "lhs"

    @property
    def plans(self) -> int:
        return self.batch.n

    @property
    def input_keys(self) -> tuple[str, ...]:
        """The columns of the per-draw inputs: the uncertain fields, then the random shocks."""
        extra = ((VIRAL_INPUT,) if self.events.viral else ()) + (
            (DOWNTURN_INPUT,) if self.events.downturn_random else ())
        return self.keys + extra


def problem(results: ScenarioResults, *, method: Method = "lhs") -> Problem:
    """The :class:`Problem` of a run: its batch, its uncertain fields and its random shocks.

    Raises InputError for an unknown method, or a plan that sets its own
    random-event or downturn-chance fields (they describe the world).
    """
    if method not in METHODS:
        raise InputError.one("argument", "method", method, "one of " + ", ".join(METHODS))
    sf = results.file
    names = tuple(results.names)
    if names[0] != STATUS_QUO:
        raise InputError.one("argument", "names", list(names), f"{STATUS_QUO} first")
    for name in names:
        for path in _WORLD_ONLY:
            if not _takes_from_base(results, name, path):
                raise InputError.one(
                    sf.name, f"scenarios.{name}.{path}", _value(sf, name, path),
                    "random viral events and the downturn's chance describe the world: set "
                    "them in base, not per plan")
    fields = uncertain_fields(results)
    applies = np.array([[(f.plan == n) if f.plan is not None
                          else _takes_from_base(results, n, f.path) for n in names]
                         for f in fields], dtype=bool).reshape(len(fields), len(names))
    marginals = tuple(Marginal.of(f.key, sf.uncertainty[f.key], f.path, f.meta) for f in fields)
    keys = tuple(f.key for f in fields)
    correlation = correlation_matrix(keys, [(*c.fields, c.rank) for c in sf.correlations])
    ev, down = sf.base.viral_event, sf.base.retention.downturn
    severity = None if ev.severity is None else Marginal.of("viral_event.severity", ev.severity)
    events = EventSpec(horizon=results.horizon, rate=ev.rate_per_month, severity=severity,
                       downturn_probability=down.probability, downturn_start=down.start_month,
                       downturn_latest=down.start_month_latest)
    # no labels in the problem's batch: rows() would copy a label per drawn row
    return Problem(batch=replace(results.batch, labels=()), names=names, keys=keys,
                   paths=tuple(f.path for f in fields), applies=applies, marginals=marginals,
                   correlation=correlation, events=events, method=method)


def _value(sf: ScenarioFile, name: str, path: str) -> Any:
    try:
        return get_path(sf.scenarios[name], path)
    except (KeyError, TypeError):
        return "(set by the plan)"


# ----------------------------------------------------------------------------- evaluation
def draw_batch(prob: Problem, values: np.ndarray, events: Events | None, *,
               response_off: bool = False, no_events: bool = False) -> ParamBatch:
    """The batch of m draws x P plans, plan-major: rows ``p m .. (p + 1) m - 1`` are plan p
    in draws 0..m-1.

    ``values`` (m, d) set the uncertain fields where they apply; ``events``
    the sampled onsets and downturn (None: the expected path of the file, as
    the deterministic run); ``no_events`` switches every viral event off,
    ``response_off`` sets every plan's response capability to 0 (for
    :func:`insurance_value`). Validated by :meth:`ParamBatch.with_values`.
    """
    m, P = values.shape[0], prob.plans
    plan, draw = np.repeat(np.arange(P), m), np.tile(np.arange(m), P)
    batch = prob.batch.rows(plan)
    n = plan.size
    current: dict[str, np.ndarray] = {}
    for j, path in enumerate(prob.paths):
        base = current.get(path)
        if base is None:
            base = _current(batch, path)
        current[path] = np.where(prob.applies[j][plan], values[draw, j], base)
    if events is not None and prob.events.downturn_random:
        current["retention.downturn.added_churn"] = (
            _current(batch, "retention.downturn.added_churn") * events.downturn_happens[draw])
        current["retention.downturn.start_month"] = events.downturn_start[draw]
    if response_off:
        current["programme.response_capability"] = np.zeros(n)
    if no_events:
        current["viral_event.enabled"] = np.zeros(n)
    batch = batch.with_values(current) if current else batch
    if no_events:
        return replace(batch, viral_onsets=None)
    if events is not None and events.onsets is not None:
        batch = batch.with_onsets(events.onsets[:, draw])
    return batch


def _current(batch: ParamBatch, path: str) -> np.ndarray:
    if path in batch.scalars:
        return np.asarray(batch.scalars[path], dtype=float)
    _, name, param = path.split(".")
    return np.asarray(batch.channel[param][batch.channel_names.index(name)], dtype=float)


def evaluate(prob: Problem, values: np.ndarray, events: Events | None, *,
             annual: bool = False) -> dict[str, np.ndarray]:
    """The per-draw KPIs of every plan but the status quo, each (m, P - 1).

    One batch of the m draws x P plans (plan-major: the status quo's m rows
    first); :func:`roi_models.engine.batch.summarise_chunk` runs the other
    plans' rows against the status quo's rows of the same draws (row i mod m,
    :func:`roi_models.engine.metrics.incremental_figures`), a block of draws at
    a time: the status quo's block, then each plan's rows of those draws, while
    the status quo's months are in cache.
    ``annual`` adds ``"annual"`` (m, P - 1, Y + 1): the incremental net cash
    flow in the columns of the TEI table (:func:`roi_models.analysis.tei.yearly`:
    month 0, then each year of 12 months).
    """
    m, P = values.shape[0], prob.plans
    arrays = batch_arrays(draw_batch(prob, values, events))
    status_quo = rows_of(arrays, slice(0, m))
    plans = rows_of(arrays, slice(m, P * m))
    summary = summarise_chunk(plans, status_quo, keep_cash_flows=annual,
                              keep_baseline_cash_flows=annual,
                              spend_lines=(plans["spend"], status_quo["spend"]))
    out = {name: summary[name].reshape(P - 1, m).T for name in KPI_COLUMNS}
    if annual:
        years = _year_starts(prob.batch.horizon)
        flows = summary["net_cash_flow"].reshape(P - 1, m, -1) \
            - summary["baseline_net_cash_flow"][None]
        sums = np.add.reduceat(flows, years, axis=2)  # (P - 1, m, Y + 1)
        out["annual"] = sums.transpose(1, 0, 2)
    return out


def _year_starts(horizon: int) -> np.ndarray:
    """First month of each TEI column: month 0, then months 1, 13, 25, ... (a last partial year
    keeps its months, as :func:`roi_models.analysis.tei.yearly`)."""
    return np.array([0, *range(1, horizon + 1, 12)])


def sample(prob: Problem, seed: int, first_block: int, blocks: int, draws: int
           ) -> tuple[np.ndarray, Events]:
    """The draws of blocks ``first_block .. first_block + blocks - 1`` (at most ``draws`` in all
    from block 0 on): field values (m, d) and events."""
    parts = []
    for k in range(first_block, first_block + blocks):  # blocks, not draws: 1,024 at a time
        n = min(BLOCK_DRAWS, draws - k * BLOCK_DRAWS)
        if n <= 0:
            break
        parts.append(sample_block(seed, k, prob.marginals, prob.correlation, prob.events,
                                  method=prob.method, n=n))
    values = np.concatenate([b.values for b in parts])
    onsets = (None if parts[0].events.onsets is None
              else np.concatenate([b.events.onsets for b in parts], axis=1))
    events = Events(onsets=onsets,
                    downturn_happens=np.concatenate([b.events.downturn_happens for b in parts]),
                    downturn_start=np.concatenate([b.events.downturn_start for b in parts]))
    return values, events


def run_chunk(prob: Problem, seed: int, first_block: int, blocks: int, draws: int,
              annual: bool = False) -> dict[str, np.ndarray]:
    """One chunk: sample its blocks, simulate every plan, return per-draw arrays.

    The unit of work of the local thread pool and of a Dask task: the
    problem and block numbers in, plain arrays out (``inputs`` (m, d') and
    each of :data:`KPI_COLUMNS` (m, P - 1)); no state, no global.
    """
    values, events = sample(prob, seed, first_block, blocks, draws)
    out = evaluate(prob, values, events, annual=annual)
    extra = []
    if events.onsets is not None:
        extra.append(events.onsets.sum(axis=0))
    if prob.events.downturn_random:
        extra.append(events.downturn_happens.astype(float))
    out["inputs"] = np.column_stack([values, *extra]) if extra else values
    return out


# ----------------------------------------------------------------------------- the run
def montecarlo(
    results: ScenarioResults,
    draws: int = 10_000,
    seed: int = 0,
    *,
    method: Method = "lhs",
    engine: Engine = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    chunk_blocks: int | None = None,
    progress: bool | Callable[[int, int], None] = False,
    cancelled: Callable[[], bool] | None = None,
    annual: bool = False,
) -> MonteCarloResults:
    """Run ``draws`` draws of every plan of ``results`` (see the module docstring).

    Parameters
    ----------
    results : ScenarioResults
        The deterministic run (its file, plans and batch; the status quo first).
    draws, seed : int
        Number of draws (at least 2) and the seed of ``numpy.random.SeedSequence``.
    method : "lhs" or "random"
        Latin hypercube (default) or plain random sampling of the fields.
    engine : "local" or "dask"
        Threads on this machine, or a ``dask.distributed`` client: on a
        LocalCluster of 2 worker processes on 127.0.0.1, or at ``scheduler``
        (``tcp://host:8786``). Same seed, same result.
    workers : int, optional
        Threads of the local engine (default: the machine's cores).
    chunk_blocks : int, optional
        Blocks of 1,024 draws per chunk (default 2 locally, 16 on Dask); the
        result does not depend on it.
    progress : bool or callable
        True: a ``tqdm.auto`` bar (silent when the output is not a terminal or
        a notebook); a callable: ``progress(draws_done, draws)`` after each chunk.
    cancelled : callable, optional
        Checked between chunks; when it returns True the run stops with
        :class:`MonteCarloCancelled`.
    annual : bool
        Also keep each draw's incremental net cash flow per TEI column
        (:meth:`MonteCarloResults.annual_quantiles`; 8 x (Y + 1) bytes a draw
        and plan more).

    Returns
    -------
    MonteCarloResults
    """
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 2:
        raise InputError.one("argument", "draws", draws, "a whole number of draws, at least 2")
    if engine not in ENGINES:
        raise InputError.one("argument", "engine", engine, "one of " + ", ".join(ENGINES))
    if len(results.names) < 2:
        raise InputError.one("argument", "scenarios", list(results.names),
                             "a status quo and at least one plan")
    prob = problem(results, method=method)
    n_blocks = math.ceil(draws / BLOCK_DRAWS)
    per_chunk = max(1, chunk_blocks or (16 if engine == "dask" else 2))
    starts = list(range(0, n_blocks, per_chunk))
    tick = _progress(progress, int(draws))
    job = (prob, int(seed), starts, per_chunk, int(draws), bool(annual))
    done = _Collector(int(draws), [s * BLOCK_DRAWS for s in starts], tick)
    if engine == "dask":
        _run_dask(*job, scheduler, done, cancelled)
    else:
        _run_local(*job, workers, done, cancelled)
    tick.close()
    return MonteCarloResults(
        names=prob.names[1:],
        labels={n: results.file.label(n) for n in prob.names},
        currency=results.currency, draws=int(draws), seed=int(seed), method=method,
        engine=engine, input_keys=prob.input_keys,
        applies=np.vstack([prob.applies[:, 1:], np.ones((len(prob.input_keys) - len(prob.keys),
                                                         prob.plans - 1), dtype=bool)]),
        inputs=done.arrays["inputs"],
        input_labels={**{f.key: f.label for f in uncertain_fields(results)},
                      VIRAL_INPUT: "Viral stories (total severity)",
                      DOWNTURN_INPUT: "Downturn happens"},
        kpis={k: done.arrays[k] for k in KPI_COLUMNS},
        annual=done.arrays.get("annual"),
        discount_rate=results.discount_rate,
    )


class _Collector:
    """The per-draw arrays of a run, allocated once: each chunk's result is copied into its
    rows as it arrives and then dropped, so a run holds its per-draw figures once (not a
    list of chunks and their concatenation)."""

    def __init__(self, draws: int, first_rows: list[int], tick: _Tick):
        self.draws, self.first_rows, self.tick = draws, first_rows, tick
        self.arrays: dict[str, np.ndarray] = {}
        self.chunks = 0

    def put(self, i: int, result: Mapping[str, np.ndarray]) -> None:
        start = self.first_rows[i]
        for k, v in result.items():
            if k not in self.arrays:
                self.arrays[k] = np.empty((self.draws, *v.shape[1:]), dtype=v.dtype)
            self.arrays[k][start:start + len(v)] = v
        self.chunks += 1
        self.tick.update(len(result["inputs"]))


def _run_local(prob, seed, starts, per_chunk, draws, annual, workers, done, cancelled):
    import os

    threads = max(1, workers or os.cpu_count() or 1)
    with ThreadPoolExecutor(min(threads, len(starts))) as pool:
        futures = {pool.submit(run_chunk, prob, seed, s, per_chunk, draws, annual): i
                   for i, s in enumerate(starts)}
        try:
            for fut in as_completed(futures):
                done.put(futures.pop(fut), fut.result())
                if cancelled is not None and cancelled():
                    raise MonteCarloCancelled(
                        f"cancelled after {done.chunks} of {len(starts)} chunks")
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise


def _run_dask(prob, seed, starts, per_chunk, draws, annual, scheduler, done, cancelled):
    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        shared = client.scatter(prob, broadcast=True)
        futures = [client.submit(run_chunk, shared, seed, s, per_chunk, draws, annual,
                                 pure=False)
                   for s in starts]
        index = {f.key: i for i, f in enumerate(futures)}
        pending = dask_completed(futures)
        del futures  # as_completed holds the pending ones; a gathered result is released
        for fut in pending:
            done.put(index[fut.key], fut.result())
            fut.release()
            if cancelled is not None and cancelled():
                client.cancel(list(pending.futures))
                raise MonteCarloCancelled(
                    f"cancelled after {done.chunks} of {len(starts)} chunks")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class _Tick:
    """Counts finished draws for a tqdm bar and/or a callback."""

    def __init__(self, total: int, bar: Any = None,
                 callback: Callable[[int, int], None] | None = None):
        self.total, self.done, self.bar, self.callback = total, 0, bar, callback

    def update(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        if self.callback is not None:
            self.callback(self.done, self.total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _progress(progress: bool | Callable[[int, int], None], total: int) -> _Tick:
    if callable(progress):
        return _Tick(total, callback=progress)
    if not progress:
        return _Tick(total)
    import sys

    from tqdm.auto import tqdm

    # silent when nobody watches: no terminal and no notebook (tqdm.auto picks the widget)
    quiet = not (sys.stderr.isatty() or "ipykernel" in sys.modules)
    return _Tick(total, bar=tqdm(total=total, unit="draw", disable=quiet, desc="Monte Carlo"))


def risk_of_plans(
    file: ScenarioFile,
    plans: ParamBatch | Sequence[Assumptions],
    names: Sequence[str],
    draws: int = 2_000,
    seed: int = 0,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    **options: Any,
) -> MonteCarloResults:
    """The Monte Carlo of some plans of a file as they are now (the explorer's Risk tab).

    ``plans`` is a batch (one row per plan, the status quo first, as the
    explorer's levers make it) or the plans' assumptions; ``names`` their
    scenario names in the file (the world-versus-plan rule reads the file's
    overrides). ``on_progress(done, draws)`` is called after each chunk and
    ``cancelled()`` checked between chunks (:class:`MonteCarloCancelled`).
    Runs on the calling thread's thread pool: call it from a worker thread
    to keep a user interface responsive.
    """
    batch = plans if isinstance(plans, ParamBatch) else ParamBatch.from_assumptions(
        list(plans), labels=list(names))
    # the batch's discount rate (a lever may have moved it): the draws' NPVs use it, and so
    # must the present value of MonteCarloResults.annual_quantiles
    rate = float(batch["finance.discount_rate_annual"][0])
    results = ScenarioResults.from_batch(file, names, batch, discount_rate_annual=rate)
    return montecarlo(results, draws, seed, progress=on_progress or False, cancelled=cancelled,
                      **options)


# ----------------------------------------------------------------------------- statistics
def quantile(x: np.ndarray, q: float) -> float:
    """The q-quantile as the order statistic ``x_(ceil(q n))`` (numpy's ``inverted_cdf``):
    at least a share 1 - q of the draws reach it (Hyndman & Fan 1996, definition 1)."""
    return float(np.quantile(x, q, method="inverted_cdf"))


def describe(x: np.ndarray) -> dict[str, float]:
    """Mean, sd, the Monte Carlo standard error of the mean ``sd / sqrt(n)`` (for
    independent draws; a Latin hypercube's is at most this for a monotone
    KPI, McKay et al. 1979), P5, P10, P50, P90, P95 (:func:`quantile`) of the
    finite draws, and ``defined``, their share (a payback month exists where the
    plan pays back)."""
    x = np.asarray(x, dtype=float)
    ok = x[np.isfinite(x)]
    out = {"defined": ok.size / x.size if x.size else 0.0}
    if not ok.size:
        return out | {k: math.nan for k in ("mean", "sd", "se", "p5", "p10", "p50", "p90",
                                            "p95")}
    sd = float(ok.std(ddof=1)) if ok.size > 1 else math.nan
    out |= {"mean": float(ok.mean()), "sd": sd, "se": sd / math.sqrt(ok.size)}
    return out | {f"p{round(q * 100)}": quantile(ok, q) for q in QUANTILES}


def var_es(x: np.ndarray, level: float = 0.05) -> tuple[float, float]:
    """Value at risk and expected shortfall of NPV draws at ``level``.

    ``var`` is the ``level`` quantile ``x_(k)``, ``k = ceil(level n)`` (the NPV
    that a share ``1 - level`` of draws reach); ``es`` the mean of the k worst
    draws (Acerbi & Tasche 2002, *Journal of Banking & Finance* 26: 1487-1503,
    for a sample).

    >>> var_es(np.arange(1.0, 101.0))  # the 5 worst of 1..100: 1..5
    (5.0, 3.0)
    """
    x = np.sort(np.asarray(x, dtype=float))
    k = max(1, math.ceil(level * x.size - 1e-9))
    return float(x[k - 1]), float(x[:k].mean())


def probability(hits: np.ndarray) -> tuple[float, float]:
    """A share of draws and its Monte Carlo standard error ``sqrt(p (1 - p) / n)``."""
    p = float(np.mean(hits))
    return p, math.sqrt(p * (1 - p) / hits.size)


@dataclass(frozen=True)
class MonteCarloResults:
    """Per-draw KPIs of every plan but the status quo, and the draws' inputs.

    ``kpis[k]`` is (draws, plans) for k in :data:`KPI_COLUMNS`; ``inputs``
    (draws, d') the drawn value of each of ``input_keys`` (the uncertain
    fields, then the total severity of the draw's viral events and whether
    the downturn happened, where those are random); ``applies`` (d', plans)
    which inputs move which plan.
    """

    names: tuple[str, ...]
    labels: Mapping[str, str]
    currency: str
    draws: int
    seed: int
    method: str
    engine: str
    input_keys: tuple[str, ...]
    applies: np.ndarray
    inputs: np.ndarray
    kpis: Mapping[str, np.ndarray]
    input_labels: Mapping[str, str] = field(default_factory=dict)
    annual: np.ndarray | None = None  # (draws, plans, Y + 1) incremental flows per TEI column
    discount_rate: float = 0.10

    def annual_quantiles(self, plan: str, quantiles: Sequence[float] = (0.10, 0.50, 0.90)
                         ) -> pd.DataFrame:
        """Quantiles over draws of the plan's incremental net cash flow in each column of the
        TEI table: Initial, Year 1..N, Total and Present value (each year discounted once,
        ``(1 + i)^-n``, as :func:`roi_models.analysis.tei.tei_table`'s ``npf.npv``).

        One row per quantile (``P10``, ``P50``, ``P90``); the quantile of each column is
        taken on its own, so a row is not one draw's path. Needs ``annual=True``."""
        if self.annual is None:
            raise InputError.one("argument", "annual", None,
                                 "run montecarlo(..., annual=True) to keep the annual flows")
        flows = self.annual[:, self.names.index(plan)]
        years = flows.shape[1] - 1
        pv = flows @ (1.0 + self.discount_rate) ** -np.arange(years + 1)
        columns = np.column_stack([flows, flows.sum(axis=1), pv])
        names = ["Initial", *(f"Year {y}" for y in range(1, years + 1)), "Total",
                 "Present value"]
        return pd.DataFrame([[quantile(columns[:, j], q) for j in range(columns.shape[1])]
                             for q in quantiles], columns=names,
                            index=[f"P{round(q * 100)}" for q in quantiles])

    def column(self, plan: str, kpi: str = "npv") -> np.ndarray:
        """The draws of one KPI of one plan, (draws,)."""
        if plan not in self.names:
            raise InputError.one("argument", "plan", plan, "one of " + ", ".join(self.names))
        if kpi not in self.kpis:
            raise InputError.one("argument", "kpi", kpi, "one of " + ", ".join(self.kpis))
        return self.kpis[kpi][:, self.names.index(plan)]

    @property
    def summary(self) -> pd.DataFrame:
        """One row per plan and KPI: mean, sd, se (of the mean), P5..P95 and the share of
        draws where the figure exists (a payback month exists where the plan pays back)."""
        rows = [{"scenario": plan, "kpi": kpi, **describe(self.column(plan, kpi))}
                for plan in self.names for kpi in KPI_COLUMNS]
        frame = pd.DataFrame(rows)
        frame.attrs["units"] = {"npv": "currency", "roi": "share", "payback_month": "month",
                                "cac": "currency/customer", "npv_plan": "currency"}
        frame.attrs["currency"] = self.currency
        return frame

    def p_npv_positive(self, plan: str) -> float:
        return probability(self.column(plan) > 0)[0]

    @property
    def risk(self) -> pd.DataFrame:
        """One row per plan: P(NPV > 0) and its se, var_5 and es_5 of the incremental NPV."""
        rows = []
        for plan in self.names:
            x = self.column(plan)
            p, se = probability(x > 0)
            var, es = var_es(x)
            rows.append({"scenario": plan, "p_npv_positive": p, "p_npv_positive_se": se,
                         "var_5": var, "es_5": es})
        return pd.DataFrame(rows)

    @property
    def p_beats(self) -> pd.DataFrame:
        """P(plan beats other): the share of paired draws (common random numbers) where the
        plan's NPV against the status quo exceeds the other's; the status quo's is 0."""
        rows = []
        for plan in self.names:
            x = self.column(plan)
            for other in (STATUS_QUO, *self.names):
                if other == plan:
                    continue
                y = np.zeros_like(x) if other == STATUS_QUO else self.column(other)
                p, se = probability(x > y)
                rows.append({"scenario": plan, "other": other, "p": p, "se": se})
        return pd.DataFrame(rows)

    def convergence(self, kpi: str = "npv", points: int = 40) -> pd.DataFrame:
        """Running mean of a KPI and its se after n draws (n spaced geometrically), per plan."""
        n = np.unique(np.geomspace(min(10, self.draws), self.draws, points).astype(int))
        rows = []
        for plan in self.names:
            x = self.column(plan, kpi)
            ok = np.where(np.isfinite(x), x, 0.0)
            count = np.cumsum(np.isfinite(x))
            s1, s2 = np.cumsum(ok), np.cumsum(ok * ok)
            for k in n:
                c = max(int(count[k - 1]), 1)
                mean = s1[k - 1] / c
                var = max(s2[k - 1] / c - mean * mean, 0.0) * c / max(c - 1, 1)
                p = float(np.mean(x[:k] > 0)) if kpi == "npv" else math.nan
                rows.append({"scenario": plan, "draws": int(k), "mean": mean,
                             "se": math.sqrt(var / c), "p_npv_positive": p})
        return pd.DataFrame(rows)

    def importance(self, kpi: str = "npv") -> pd.DataFrame:
        """Spearman rank correlation of each input with a KPI, per plan, largest |rho| first.

        Computed on the draws, so it respects the file's correlations (the
        one-at-a-time tornado does not); an input that does not move a plan
        is left out of that plan's rows."""
        from scipy.stats import rankdata

        rows = []
        ranks_in = rankdata(self.inputs, axis=0)
        for i, plan in enumerate(self.names):
            y = self.column(plan, kpi)
            ok = np.isfinite(y)
            ry = rankdata(y[ok])
            for j, key in enumerate(self.input_keys):
                if not self.applies[j, i]:
                    continue
                rx = rankdata(self.inputs[ok, j]) if not ok.all() else ranks_in[:, j]
                rho = (float(np.corrcoef(rx, ry)[0, 1])
                       if rx.std() > 0 and ry.std() > 0 else 0.0)
                rows.append({"scenario": plan, "input": key, "spearman": rho})
        frame = pd.DataFrame(rows, columns=["scenario", "input", "spearman"])
        frame["order"] = -frame["spearman"].abs()
        frame = frame.sort_values(["scenario", "order"]).drop(columns="order")
        frame = frame.reset_index(drop=True)
        frame.attrs.update(kpi=kpi, labels=dict(self.input_labels))
        return frame

    def to_json_dict(self) -> dict[str, Any]:
        """The document of ``roi-models montecarlo --json`` (plain floats; None for NaN)."""
        summary = self.summary.set_index(["scenario", "kpi"])
        risk = self.risk.set_index("scenario")
        beats = self.p_beats
        scenarios = {}
        for plan in self.names:
            row = summary.loc[(plan, "npv")]
            scenarios[plan] = {
                "npv": {k: _plain(row.get(k)) for k in
                        ("mean", "sd", "se", "p5", "p10", "p50", "p90", "p95")},
                "p_npv_positive": _plain(risk.loc[plan, "p_npv_positive"]),
                "var_5": _plain(risk.loc[plan, "var_5"]),
                "es_5": _plain(risk.loc[plan, "es_5"]),
                "p_beats": {r.other: _plain(r.p)
                            for r in beats[beats.scenario == plan].itertuples()},
            }
        return {"draws": self.draws, "seed": self.seed, "method": self.method,
                "currency": self.currency, "scenarios": scenarios}


def _plain(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


# ----------------------------------------------------------------------------- Sobol
def sobol_indices(results: ScenarioResults, plan: str | None = None, kpi: str = "npv", *,
                  base_draws: int = 256, seed: int = 0) -> pd.DataFrame:
    """Sobol first- and total-order indices of each uncertain field for a KPI of a plan.

    SALib's Saltelli-Sobol design (``SALib.sample.sobol``, ``base_draws``
    rows of a Sobol sequence, a power of 2, giving ``base_draws x (d + 2)``
    evaluations) on the unit cube, mapped through each field's truncated
    inverse CDF, and ``SALib.analyze.sobol`` (Saltelli et al. 2010,
    *Computer Physics Communications* 181: 259-270). The indices assume
    **independent inputs**: the file's rank correlations are not applied
    (SALib's documentation says the same), and the random viral events and
    the downturn stay at the deterministic run's expected path, so the
    function is deterministic in the fields.

    Returns one row per field: ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (95 %
    bootstrap half-widths).
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    prob = problem(results)
    d = len(prob.keys)
    if d == 0:
        raise InputError.one(results.file.name, "uncertainty", {}, "at least one uncertain field")
    if base_draws < 2 or base_draws & (base_draws - 1):
        raise InputError.one("argument", "base_draws", base_draws, "a power of 2, at least 2")
    plan = plan or next(n for n in prob.names if n != STATUS_QUO)
    i = prob.names.index(plan) - 1
    if i < 0:
        raise InputError.one("argument", "plan", plan, "a plan other than the status quo")
    salib = {"num_vars": d, "names": list(prob.keys), "bounds": [[0.0, 1.0]] * d}
    u = sobol_sample.sample(salib, base_draws, calc_second_order=False, seed=seed)
    u = np.clip(u, 0.0, 1.0)
    values = np.column_stack([m.ppf(u[:, j]) for j, m in enumerate(prob.marginals)])
    y = evaluate(prob, values, None)[kpi][:, i]
    # SALib seeds its bootstrap only for a seed that is truthy (`if seed:`): 0 would leave the
    # confidence intervals to chance, so the seed is shifted by one
    si = sobol_analyze.analyze(salib, np.nan_to_num(y), calc_second_order=False,
                               seed=int(seed) + 1)
    frame = pd.DataFrame({"input": list(prob.keys), "S1": si["S1"], "S1_conf": si["S1_conf"],
                          "ST": si["ST"], "ST_conf": si["ST_conf"]})
    frame.attrs.update(scenario=plan, kpi=kpi, independent=True, evaluations=len(y))
    return frame.sort_values("ST", ascending=False).reset_index(drop=True)


# ----------------------------------------------------------------------------- insurance
def insurance_value(results: ScenarioResults, draws: int = 2_048, seed: int = 0
                    ) -> pd.DataFrame:
    """The value of response capability as insurance against viral events, per plan.

    On the same draws (fields, events, downturn), each plan's own NPV is
    simulated three times: without any viral event, with the events, and with
    the events but no response capability. ``loss_with`` and
    ``loss_without`` are the expected NPV the events destroy with the plan's
    capability and without any; ``insurance_value = loss_without - loss_with``
    (with its paired standard error) is the expected loss the capability
    avoids (Forrester 2010: listening and response as "corporate reputation
    insurance"), shown against ``pv_programme_cost``, the PV of the plan's
    programme costs (one-time x the organisation's multiplier in month 0, the
    ongoing cost in months 1..T, discounted as the business case does; they
    buy more than response).
    """
    prob = problem(results)
    values, events = sample(prob, seed, 0, math.ceil(draws / BLOCK_DRAWS), draws)
    npv = {}
    for case, calm, response_off in (("calm", True, False), ("events", False, False),
                                     ("no_response", False, True)):
        batch = draw_batch(prob, values, events, no_events=calm, response_off=response_off)
        npv[case] = run_batch(batch).npv_plan.reshape(prob.plans, draws)
    rows = []
    annuity = float(annual_discount_factors(results.discount_rate, results.horizon)[..., 1:].sum())
    for p, name in enumerate(prob.names):
        loss_with = npv["calm"][p] - npv["events"][p]
        loss_without = npv["calm"][p] - npv["no_response"][p]
        gain = loss_without - loss_with
        plan = results.file.scenario(name).programme
        impl = results.file.scenario(name).organisation.implementation_cost_multiplier
        rows.append({
            "scenario": name, "response_capability": plan.response_capability,
            "loss_with": float(loss_with.mean()), "loss_without": float(loss_without.mean()),
            "insurance_value": float(gain.mean()),
            "insurance_value_se": float(gain.std(ddof=1) / math.sqrt(draws)),
            "pv_programme_cost": plan.one_time_cost * impl + plan.ongoing_monthly * annuity,
        })
    frame = pd.DataFrame(rows)
    frame.attrs.update(draws=draws, seed=seed, currency=results.currency)
    return frame
