"""The results as an Excel workbook (openpyxl via pandas), units in every header.

Sheets:

- ``assumptions``: the assumption register of every scenario (value, unit
  with the file's currency, source, confidence, owner, validated on, note);
- ``monthly``: one row per scenario and month (:attr:`ScenarioResults.monthly`);
- ``by_source``: one row per scenario, customer source and month;
- ``summary``: one row per scenario, the business case and plan KPIs;
- ``annual``: the TEI tables as a long table (scenario, basis, flow, then
  Initial, Year 1..N, Total, Present value), unadjusted and risk-adjusted.

Headers read ``name [unit]``, e.g. ``revenue [EUR/month]``; missing figures
are empty cells.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd

from ..analysis.scenarios import ScenarioResults
from ..assumptions import STATUS_QUO
from ..errors import InputError
from ..files import write_atomic

SHEETS: tuple[str, ...] = ("assumptions", "monthly", "by_source", "summary", "annual")


def with_units(frame: pd.DataFrame, units: dict[str, str] | None = None) -> pd.DataFrame:
    """A copy whose headers carry units: ``revenue`` -> ``revenue [EUR/month]``."""
    units = frame.attrs.get("units", {}) if units is None else units
    out = frame.copy()
    out.columns = [f"{c} [{units[c]}]" if units.get(c) else str(c) for c in frame.columns]
    return out


def strip_units(columns) -> list[str]:
    """Inverse of :func:`with_units` on header names (for reading the workbook back)."""
    return [str(c).split(" [", 1)[0] for c in columns]


def _register(results: ScenarioResults) -> pd.DataFrame:
    reg = results.register.copy()
    cur = results.currency
    reg["unit"] = reg["unit"].map(lambda u: str(u).replace("currency", cur) if u else "")
    reg["validated_on"] = reg["validated_on"].map(lambda d: d.isoformat() if d else None)
    reg["value"] = reg["value"].map(lambda v: v if v is None or isinstance(v, (int, float, str))
                                    else str(v))
    return reg


def _annual(results: ScenarioResults, benefits: float, costs: float) -> pd.DataFrame:
    parts = []
    for name in results.names:
        if name == STATUS_QUO:
            continue
        for basis, (b, c) in (("unadjusted", (0.0, 0.0)), ("risk-adjusted", (benefits, costs))):
            t = results.annual(name, risk_adjust_benefits=b, risk_adjust_costs=c)
            table = t.table.reset_index()
            table.insert(0, "basis", basis)
            table.insert(0, "scenario", name)
            table["npv"] = t.npv
            table["roi"] = t.roi
            table["payback_years"] = t.payback_years
            parts.append(table)
    if not parts:
        return pd.DataFrame(columns=["scenario", "basis", "flow"])
    frame = pd.concat(parts, ignore_index=True)
    cur = results.currency
    units = {c: cur for c in frame.columns if c.startswith(("Initial", "Year", "Total", "Present"))}
    units.update({"npv": cur, "roi": "ratio", "payback_years": "years"})
    return with_units(frame, units)


def write_excel(
    results: ScenarioResults, path: str | os.PathLike[str], *, overwrite: bool = False,
    risk_adjust_benefits: float = 0.10, risk_adjust_costs: float = 0.05,
) -> Path:
    """Write the workbook described in the module docstring, atomically.

    Refuses an existing file unless ``overwrite``. Read it back with
    ``pd.read_excel(path, sheet_name="monthly")`` and :func:`strip_units`.
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise InputError.one(str(target), "", str(target),
                             "already exists; pass overwrite=True (--overwrite) to replace it")
    for name, value in (("risk_adjust_benefits", risk_adjust_benefits),
                        ("risk_adjust_costs", risk_adjust_costs)):
        if not 0 <= value <= 1:
            raise InputError.one("argument", name, value, "a share in [0, 1]")
    sheets = {
        "assumptions": with_units(_register(results), {}),
        "monthly": with_units(results.monthly),
        "by_source": with_units(results.by_source),
        "summary": with_units(results.summary),
        "annual": _annual(results, risk_adjust_benefits, risk_adjust_costs),
    }
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            ws = writer.sheets[name]
            ws.freeze_panes = "A2"
            for col in ws.columns:
                width = max(len(str(col[0].value or "")), 10)
                ws.column_dimensions[col[0].column_letter].width = min(width + 2, 60)
    return write_atomic(target, buffer.getvalue(), overwrite=overwrite)
