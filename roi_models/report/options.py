"""Options of the CMO report, validated at construction."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from ..errors import InputError


@dataclass(frozen=True)
class ReportOptions:
    """What the report shows beyond the results themselves.

    Attributes
    ----------
    date : the date printed on the report. Required: rendering never reads the
        clock (the CLI passes today), so the same inputs give the same bytes.
    title : the report title (default: a generic title).
    risk_adjust_benefits, risk_adjust_costs : shares in [0, 1] by which the
        risk-adjusted business case cuts benefits and raises costs.
    scenarios : scenarios to report against the status quo (None: all).
    draws, seed : Monte Carlo draws of the risk section (0: none, the report
        states no probability) and their seed (the same seed, the same report).
    """

    date: datetime.date
    title: str | None = None
    risk_adjust_benefits: float = 0.10
    risk_adjust_costs: float = 0.05
    scenarios: tuple[str, ...] | None = None
    draws: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.date, datetime.date):
            raise InputError.one("argument", "date", self.date, "a datetime.date (YYYY-MM-DD)")
        if isinstance(self.date, datetime.datetime):  # keep the day only
            object.__setattr__(self, "date", self.date.date())
        for name in ("risk_adjust_benefits", "risk_adjust_costs"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or not 0 <= value <= 1:
                raise InputError.one("argument", name, value, "a share in [0, 1]")
        for name in ("draws", "seed"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0 or (
                    name == "draws" and value == 1):
                raise InputError.one("argument", name, value,
                                     "a whole number >= 0 (draws: 0 or at least 2)")
        if self.title is not None and not isinstance(self.title, str):
            raise InputError.one("argument", "title", self.title, "a text")
        if self.scenarios is not None:
            if isinstance(self.scenarios, str) or not all(isinstance(s, str) for s in self.scenarios):
                raise InputError.one("argument", "scenarios", self.scenarios,
                                     "a tuple of scenario names")
            object.__setattr__(self, "scenarios", tuple(self.scenarios))
