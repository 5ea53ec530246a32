"""Parameter batches: many plans as arrays, one row per plan.

:class:`ParamBatch` is what the engine consumes. Scalar assumptions are kept
under their schema path (``"market.bass_q_annual"`` -> array of shape (n,)),
so that sensitivity, Monte Carlo and the explorer address the same names as
the scenario file. Channels are stacked on a channel axis: per-channel
parameters have shape (C, n) and spend schedules (C, T + 1, n) or, when every
row shares them, (C, T + 1, 1). Month 0 of a spend schedule is always 0.

``viral_onsets`` (T + 1, n) or (T + 1, 1) is the severity of the random viral
events starting in each month (1 = the file's peak hit and added churn). A batch
built from assumptions holds the expected onsets, ``rate_per_month`` x the
mean severity in every month 1..T (:func:`expected_onsets`); a Monte Carlo
draw replaces them with sampled ones (:meth:`ParamBatch.with_onsets`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

import numpy as np

from ..assumptions.schema import (
    Assumptions,
    Channel,
    ConstantSpend,
    ExplicitSpend,
    LinearSpend,
    field_meta,
)
from ..errors import InputError

CHANNEL_PARAMS: tuple[str, ...] = (
    "spend_before_plan", "carryover", "max_leads_monthly", "half_saturation", "shape",
    "awareness_lift", "awareness_half_saturation", "engagement_weight",
)
_ABSENT_CHANNEL = {  # a channel a plan does not use: no spend, no leads, no awareness
    "spend_before_plan": 0.0, "carryover": 0.0, "max_leads_monthly": 0.0,
    "half_saturation": 1.0, "shape": 1.0,
    "awareness_lift": 0.0, "awareness_half_saturation": 1.0, "engagement_weight": 0.0,
}


@dataclass(frozen=True)
class ParamBatch:
    """n plans as arrays (see the module docstring for shapes)."""

    horizon: int
    scalars: Mapping[str, np.ndarray]
    channel_names: tuple[str, ...]
    channel_is_social: np.ndarray  # (C,) bool
    channel: Mapping[str, np.ndarray]  # name -> (C, n)
    spend: np.ndarray  # (C, T + 1, n) or (C, T + 1, 1)
    labels: tuple[str, ...] = field(default=())
    viral_onsets: np.ndarray | None = None  # (T + 1, n) or (T + 1, 1); None: no random events
    severity_mean: np.ndarray | None = None  # (n,) mean severity of a random event

    def onsets(self) -> np.ndarray:
        """The viral onsets the kernel takes, (T + 1, n) or (T + 1, 1) (zeros when none)."""
        if self.viral_onsets is None:
            return np.zeros((self.horizon + 1, 1))
        return self.viral_onsets

    def with_onsets(self, onsets: np.ndarray) -> "ParamBatch":
        """A copy with sampled viral onsets, (T + 1, n) or (T + 1, 1), finite and >= 0.

        Raises InputError for a wrong shape or a negative or non-finite value."""
        arr = np.asarray(onsets, dtype=float)
        if arr.ndim != 2 or arr.shape[0] != self.horizon + 1 or arr.shape[1] not in (1, self.n):
            raise InputError.one("argument", "viral_onsets", getattr(arr, "shape", None),
                                 f"an array of shape ({self.horizon + 1}, {self.n} or 1)")
        bad = ~np.isfinite(arr) | (arr < 0)
        if bad.any():
            raise InputError.one("argument", "viral_onsets", float(arr.reshape(-1)[np.argmax(
                bad.reshape(-1))]), "severities >= 0 (a multiple of the peak impact)")
        return replace(self, viral_onsets=arr)

    @property
    def n(self) -> int:
        """Number of rows (plans) in the batch."""
        return int(next(iter(self.scalars.values())).shape[0])

    def __getitem__(self, path: str) -> np.ndarray:
        return self.scalars[path]

    @classmethod
    def from_assumptions(
        cls, plans: Sequence[Assumptions], labels: Sequence[str] | None = None
    ) -> "ParamBatch":
        """Stack validated plans into a batch (one row each).

        Every plan must share the horizon; a channel absent from a plan gets no
        spend and no leads in that row; a channel name must have the same kind
        (traditional or social) in every plan.
        """
        if not plans:
            raise InputError.one("argument", "plans", [], "at least one plan is needed")
        horizon = plans[0].finance.horizon_months
        names: list[str] = []
        kinds: dict[str, str] = {}
        for i, plan in enumerate(plans):
            if plan.finance.horizon_months != horizon:
                raise InputError.one(
                    "argument", f"plans[{i}].finance.horizon_months",
                    plan.finance.horizon_months, f"every plan in a batch needs {horizon} months",
                )
            for name, ch in plan.channels.items():
                if name not in kinds:
                    names.append(name)
                    kinds[name] = ch.kind
                elif kinds[name] != ch.kind:
                    raise InputError.one(
                        "argument", f"plans[{i}].channels.{name}.kind", ch.kind,
                        f"'{name}' is {kinds[name]} in another plan; a channel keeps its kind",
                    )
        flat = [_flatten(plan.model_dump(exclude={"channels": True,
                                                 "viral_event": {"severity"}}))
                for plan in plans]
        scalars = {
            path: np.array([f[path] for f in flat], dtype=float) for path in flat[0]
        }
        channel = {
            p: np.array([
                [getattr(plan.channels[c], p) if c in plan.channels else _ABSENT_CHANNEL[p]
                 for plan in plans]
                for c in names
            ], dtype=float).reshape(len(names), len(plans))
            for p in CHANNEL_PARAMS
        }
        spend = np.zeros((len(names), horizon + 1, len(plans)))
        for j, plan in enumerate(plans):
            for c, name in enumerate(names):
                if name in plan.channels:
                    spend[c, 1:, j] = spend_schedule(plan.channels[name], horizon)
        severity_mean = np.array([plan.viral_event.mean_severity() for plan in plans])
        return cls(
            horizon=horizon,
            viral_onsets=expected_onsets(scalars["viral_event.rate_per_month"], severity_mean,
                                         horizon),
            severity_mean=severity_mean,
            scalars=scalars,
            channel_names=tuple(names),
            channel_is_social=np.array([kinds[c] == "social" for c in names], dtype=bool),
            channel=channel,
            spend=spend,
            labels=tuple(labels) if labels is not None else tuple(str(i) for i in range(len(plans))),
        )

    def rows(self, index: slice | np.ndarray) -> "ParamBatch":
        """A batch of the selected rows (used to process large batches in chunks).

        A slice gives views of this batch's arrays (no copy: a batch is never
        written to), an index array copies."""
        idx = np.arange(self.n)[index]
        pick = index if isinstance(index, slice) else idx
        return replace(
            self,
            scalars={k: v[pick] for k, v in self.scalars.items()},
            channel={k: v[:, pick] for k, v in self.channel.items()},
            spend=self.spend if self.spend.shape[2] == 1 else self.spend[:, :, pick],
            labels=tuple(map(self.labels.__getitem__, idx.tolist())) if self.labels else (),
            viral_onsets=(self.viral_onsets if self.viral_onsets is None
                          or self.viral_onsets.shape[1] == 1 else self.viral_onsets[:, pick]),
            severity_mean=None if self.severity_mean is None else self.severity_mean[pick],
        )

    def repeat(self, n: int) -> "ParamBatch":
        """A batch of ``n`` copies of this one-row batch (spend stays shared)."""
        if self.n != 1:
            raise ValueError("repeat() needs a one-row batch")
        return replace(
            self,
            scalars={k: np.repeat(v, n) for k, v in self.scalars.items()},
            channel={k: np.repeat(v, n, axis=1) for k, v in self.channel.items()},
            spend=self.spend,
            labels=(),
            viral_onsets=(self.viral_onsets if self.viral_onsets is None
                          or self.viral_onsets.shape[1] == 1
                          else np.repeat(self.viral_onsets, n, axis=1)),
            severity_mean=None if self.severity_mean is None else np.repeat(self.severity_mean, n),
        )

    def with_values(self, values: Mapping[str, Any]) -> "ParamBatch":
        """A copy with some assumptions replaced, by schema path.

        Values are scalars or arrays of shape (n,). Scalar paths
        (``"market.bass_q_annual"``), per-channel parameters
        (``"channels.tv.carryover"``) and constant spend levels
        (``"channels.tv.spend.amount"``: the same amount in months 1..T) are
        supported. Every value is checked against the schema's bounds
        (:func:`roi_models.assumptions.field_meta`), whole numbers where the
        field is an integer, 0 or 1 for a switch, and ``initial_customers <=
        potential_customers`` row by row.

        Raises
        ------
        InputError
            For an unknown path (naming the nearest valid one), a value of the
            wrong shape, a value that is not finite or one outside the bounds
            (naming the field, how many rows are bad, the first bad value and
            what is allowed).

        Examples
        --------
        What if the LinkedIn ads carried over every lead to the next month?

        >>> from roi_models.data import load_shipped
        >>> sf = load_shipped("b2b_it_services")
        >>> batch = ParamBatch.from_assumptions([sf.scenario("social")])
        >>> batch.with_values({"channels.linkedin.carryover": 1.0})
        Traceback (most recent call last):
        ...
        roi_models.errors.InputError: argument: channels.linkedin.carryover = 1.0: a number in [0, 0.95] (share/month) (1 of 1 rows outside)
        """
        scalars = dict(self.scalars)
        channel = {k: v.copy() for k, v in self.channel.items()}
        spend = self.spend
        for path, value in values.items():
            target = self._target(path)
            arr = _checked_values(path, value, self.n)
            if target == "scalar":
                scalars[path] = arr
            elif target == "spend":
                c = self.channel_names.index(path.split(".")[1])
                if spend.shape[2] != self.n:
                    spend = np.broadcast_to(spend, spend.shape[:2] + (self.n,)).copy()
                elif spend is self.spend:
                    spend = spend.copy()
                spend[c, 1:, :] = arr
            else:
                parts = path.split(".")
                channel[parts[2]][self.channel_names.index(parts[1])] = arr
        if {"market.initial_customers", "market.potential_customers"} & set(values):
            over = scalars["market.initial_customers"] > scalars["market.potential_customers"]
            if over.any():
                k = int(np.argmax(over))
                raise InputError.one(
                    "argument", "market.initial_customers", float(scalars["market.initial_customers"][k]),
                    f"must not exceed market.potential_customers "
                    f"({scalars['market.potential_customers'][k]:g}) ({int(over.sum())} of {self.n} rows)")
        onsets = self.viral_onsets
        if "viral_event.rate_per_month" in values:  # the expected path of the new rate
            mean = self.severity_mean if self.severity_mean is not None else np.ones(self.n)
            onsets = expected_onsets(scalars["viral_event.rate_per_month"], mean, self.horizon)
        return replace(self, scalars=scalars, channel=channel, spend=spend, viral_onsets=onsets)

    def _target(self, path: str) -> str:
        """What ``path`` sets: "scalar", "channel" or "spend"; InputError naming the nearest valid
        path otherwise."""
        if path in self.scalars and path != "finance.horizon_months":
            return "scalar"
        parts = path.split(".")
        if len(parts) >= 3 and parts[0] == "channels" and parts[1] in self.channel_names:
            if len(parts) == 3 and parts[2] in self.channel:
                return "channel"
            if parts[2:] == ["spend", "amount"]:
                return "spend"
        if path == "finance.horizon_months":
            raise InputError.one("argument", path, None,
                                 "the horizon is fixed for a batch: build a batch of plans "
                                 "with that horizon (ParamBatch.from_assumptions)")
        valid = [p for p in self.scalars if p != "finance.horizon_months"]
        valid += [f"channels.{c}.{p}" for c in self.channel_names for p in CHANNEL_PARAMS]
        valid += [f"channels.{c}.spend.amount" for c in self.channel_names]
        nearest = difflib.get_close_matches(path, valid, n=1, cutoff=0.0)
        raise InputError.one("argument", path, None,
                             f"not a parameter of this batch; did you mean '{nearest[0]}'?")


def expected_onsets(rate: np.ndarray, severity_mean: np.ndarray, horizon: int
                    ) -> np.ndarray | None:
    """The expected viral onsets, ``rate x mean severity`` in every month 1..T, (T + 1, n).

    The mean of a Poisson number of events of i.i.d. severities is rate x mean
    severity (Wald's identity; Ross 2014, *Introduction to Probability Models*,
    sec. 5.4), so this is the expected path of the random events. None when
    no row has random events (the kernel then sees zeros)."""
    level = np.asarray(rate, dtype=float) * np.asarray(severity_mean, dtype=float)
    if not level.any():
        return None
    onsets = np.repeat(level[None, :], horizon + 1, axis=0)
    onsets[0] = 0.0
    return onsets


def _checked_values(path: str, value: Any, n: int) -> np.ndarray:
    """``value`` as a fresh (n,) float array, checked against the schema's bounds of ``path``."""
    try:
        arr = np.broadcast_to(np.asarray(value, dtype=float), (n,)).copy()
    except (TypeError, ValueError):
        raise InputError.one("argument", path, value,
                             f"a number or an array of shape ({n},) (one value per row)") from None
    if path == "viral_event.enabled":  # a switch: no unit, no bounds in the schema
        bad, allowed = (arr != 0.0) & (arr != 1.0), "0 or 1 (off or on)"
    else:
        meta = field_meta(path)
        bad = ~np.isfinite(arr)
        if meta.low is not None:
            bad |= (arr < meta.low) if meta.low_inclusive else (arr <= meta.low)
        if meta.high is not None:
            bad |= arr > meta.high
        if meta.integer:
            bad |= arr != np.round(arr)
        allowed = meta.allowed()
    if bad.any():
        k = int(np.argmax(bad))
        raise InputError.one("argument", path, float(arr[k]),
                             f"{allowed} ({int(bad.sum())} of {n} rows outside)")
    return arr


def spend_schedule(channel: Channel, horizon: int) -> np.ndarray:
    """Monthly spend of a channel for months 1..T (length T).

    - constant: ``amount`` every month;
    - linear: ``start`` in month 1 moving linearly to ``end`` in month
      ``ramp_months``, then ``end``;
    - explicit: the given ``amounts``.

    >>> from roi_models.assumptions.schema import Channel
    >>> ch = Channel.model_validate({"kind": "social", "carryover": 0.1,
    ...     "max_leads_monthly": 10, "half_saturation": 1,
    ...     "spend": {"kind": "linear", "start": 0, "end": 30, "ramp_months": 4}})
    >>> spend_schedule(ch, 6).tolist()
    [0.0, 10.0, 20.0, 30.0, 30.0, 30.0]
    """
    s = channel.spend
    if isinstance(s, ConstantSpend):
        return np.full(horizon, s.amount)
    if isinstance(s, LinearSpend):
        months = np.arange(1, horizon + 1)
        if s.ramp_months == 1:
            return np.full(horizon, s.end)
        share = np.clip((months - 1) / (s.ramp_months - 1), 0.0, 1.0)
        return s.start + (s.end - s.start) * share
    assert isinstance(s, ExplicitSpend)
    return np.asarray(s.amounts, dtype=float)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            out.update(_flatten(value, path))
        elif isinstance(value, (bool, int, float)):
            out[path] = float(value)
    return out
