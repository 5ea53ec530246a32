"""How a lever's value is shown, typed and refused: display units, step precision, plain advice.

Shares are shown as percentages (the house style of
:mod:`roi_models.formatting`): a churn of 0.012 a month reads ``1.2`` in a
box labelled ``% a month``; amounts carry the file's currency
(``EUR/customer/month``, never ``currency/...``). Every value is written
with the decimals of the lever's step, so a box never shows float noise
(``0.25000000000000006``, ``11.999999999999998``). A typed value is parsed
here, in Python, not by the browser; a value finer than the step's
precision is rounded visibly (:meth:`LeverFormat.read` says so), a value
out of bounds is refused with plain advice ("must be between 0 % and 90 %",
"must be above 0 % a year").

Examples
--------
How does the discount-rate box read, and what does it say to a rate of zero?

>>> from roi_models import load_shipped
>>> from roi_models.explorer.levers import lever_specs
>>> spec = next(s for s in lever_specs(load_shipped()) if s.key == "finance.discount_rate_annual")
>>> fmt = LeverFormat(spec, "EUR")
>>> fmt.text(0.1), fmt.unit
('10.0', '% a year')
>>> fmt.read("0")
Traceback (most recent call last):
...
ValueError: must be between 0.1 % and 100 % a year
>>> fmt.read("12.26")
(0.123, 'rounded to 12.3 % a year')
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .levers import LeverSpec


def decimals_of(step: float) -> int:
    """Decimals needed to write multiples of ``step`` exactly: 0.05 -> 2, 10 -> 0.

    >>> decimals_of(0.05), decimals_of(10.0), decimals_of(0.5), decimals_of(1e-4)
    (2, 0, 1, 4)
    """
    for d in range(0, 10):
        if abs(round(step, d) - step) <= 1e-9 * max(1.0, abs(step)):
            return d
    return 10


def _unit(unit: str, currency: str) -> tuple[float, str, str]:
    """(display scale, the box's unit, the unit of a number in a message) of a schema unit.

    The message unit is a pattern: ``{}`` is the number (``{} %``, ``{}x``, ``month {}``).
    """
    unit = unit.replace("currency", currency)
    if unit.startswith("share"):
        rest = unit[len("share"):]
        suffix = {"/month": " a month", "/year": " a year"}.get(rest, "")
        box = {"/month": "% a month", "/year": "% a year",
               " moved (+: to social, -: to traditional)": "% (+ to social, - to traditional)",
               }.get(rest, "%" + rest)
        return 100.0, box, "{} %" + suffix
    if unit == "x plan budget":
        return 1.0, "x the plan's budget", "{}x"
    if unit == "month":
        return 1.0, "month of the horizon", "month {}"
    return 1.0, unit, "{} " + unit


@dataclass(frozen=True)
class LeverFormat:
    """The display form of one lever bound to a file (see the module docstring)."""

    spec: LeverSpec
    currency: str

    @property
    def scale(self) -> float:
        return _unit(self.spec.meta.unit, self.currency)[0]

    @property
    def unit(self) -> str:
        """The unit beside the box: ``% a month``, ``EUR/customer/month``."""
        return _unit(self.spec.meta.unit, self.currency)[1]

    @property
    def _pattern(self) -> str:
        return _unit(self.spec.meta.unit, self.currency)[2]

    @property
    def decimals(self) -> int:
        """Decimals of the box: those of the slider's step in display units."""
        return 0 if self.spec.integer else decimals_of(self.spec.step * self.scale)

    def snap(self, value: float) -> float:
        """``value`` rounded to what the box shows (the model value, in schema units)."""
        shown = round(float(value) * self.scale, self.decimals)
        if self.spec.integer:
            return float(round(shown))
        return round(shown / self.scale, self.decimals + (2 if self.scale == 100.0 else 0))

    def text(self, value: float) -> str:
        """The box's text: display units, the step's decimals, no float noise."""
        return f"{float(value) * self.scale:.{self.decimals}f}"

    def quantity(self, value: float, *, short: bool = False) -> str:
        """A value with its unit for messages: ``90 %``, ``10x``, ``month 36``, ``48 months``.

        ``short``: without a trailing time unit (the lower bound of "between ... and ...").
        """
        number = f"{float(value) * self.scale:,.{self.decimals}f}"
        if "." in number:
            number = number.rstrip("0").rstrip(".")
        pattern = self._pattern
        if short:
            pattern = pattern.replace(" a month", "").replace(" a year", "")
            if pattern.startswith("{} ") and not pattern.startswith("{} %"):
                pattern = "{}"
        return pattern.format(number)

    def advice(self, value: float) -> str | None:
        """Plain advice for a value out of the schema's bounds, or None if it is allowed."""
        meta = self.spec.meta
        if not math.isfinite(value):
            return "must be a number"
        if meta.integer and value != round(value):
            return "must be a whole number"
        lo, hi = meta.low, meta.high
        below = lo is not None and (value < lo or (value == lo and not meta.low_inclusive))
        above = hi is not None and value > hi
        if not (below or above):
            return None
        if lo is not None and hi is not None and meta.low_inclusive:
            return f"must be between {self.quantity(lo, short=True)} and {self.quantity(hi)}"
        if below and lo is not None:
            return (f"must be at least {self.quantity(lo)}" if meta.low_inclusive
                    else f"must be above {self.quantity(lo)}")
        assert hi is not None  # not below: above the high bound
        return f"must be at most {self.quantity(hi)}"

    def read(self, text: str) -> tuple[float, str | None]:
        """Parse a typed value: (model value, note when it was rounded); ValueError: advice.

        Accepts thousands separators and a trailing unit sign (``4,500``,
        ``12.5 %``).
        """
        cleaned = str(text).strip().replace(",", "").replace("_", "").replace(" ", "")
        cleaned = cleaned.rstrip("%").replace("\u2212", "-")
        cu = self.currency.upper()
        if cleaned.upper().startswith(cu):
            cleaned = cleaned[len(cu):]
        try:
            shown = float(cleaned)
        except ValueError:
            raise ValueError(f"is not a number: type e.g. {self.text(self.spec.file_value)}") \
                from None
        if not math.isfinite(shown):
            raise ValueError("must be a number")
        value = shown / self.scale
        snapped = self.snap(value)
        why = self.advice(snapped if self.spec.integer else value)
        if why:
            raise ValueError(why)
        note = None
        if abs(snapped - value) > 1e-12 * max(1.0, abs(value)):
            note = f"rounded to {self.quantity(snapped)}"
        return snapped, note


__all__ = ["LeverFormat", "decimals_of"]
