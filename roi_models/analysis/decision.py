"""The recommendation: which plan a run recommends, decided in one place.

The rule (Brealey, Myers & Allen, *Principles of Corporate Finance*, ch. 5:
among mutually exclusive projects take the one with the highest NPV, and none
whose NPV is not positive): the plan with the highest NPV against the status
quo, at the file's discount rate and terminal-value setting; on a tie the
plan that comes first in the file; the status quo when no plan's NPV is above
0. NPV already charges a plan for the extra budget it spends (its spend is in
its cash flow), so a plan that spends more is ranked on what that spend
returns, not on its gross gain; the report and the CLI state each plan's
extra spend beside it. The report, the CLI and the sensitivity analyses
(:func:`roi_models.analysis.sensitivity.ask`) all call :func:`recommend`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..assumptions import STATUS_QUO
from .scenarios import ScenarioResults


@dataclass(frozen=True)
class Recommendation:
    """The recommended plan and the ranking behind it.

    ``plan`` is the recommended scenario (:data:`~roi_models.assumptions.STATUS_QUO`
    when no plan beats doing nothing); ``ranked`` every plan considered, best
    NPV first (a plan whose NPV does not exist last); ``best`` the top-ranked
    plan even when it does not beat the status quo (None without plans).
    """

    plan: str
    ranked: tuple[str, ...]
    best: str | None

    @property
    def adopts_a_plan(self) -> bool:
        return self.plan != STATUS_QUO


def recommend(results: ScenarioResults, plans: Sequence[str] | None = None) -> Recommendation:
    """The plan a run recommends (rule: the module docstring).

    Parameters
    ----------
    results : ScenarioResults
        A run of a scenario file.
    plans : sequence of str, optional
        The plans to choose among (default: every scenario of the run but the
        status quo), each a scenario of the run.

    Returns
    -------
    Recommendation

    Examples
    --------
    Which plan does the shipped B2B case recommend, and which comes next?

    >>> from roi_models import load_shipped, run_scenarios
    >>> rec = recommend(run_scenarios(load_shipped("b2b_it_services")))
    >>> rec.plan, rec.ranked
    ('social', ('social', 'blended', 'traditional'))
    """
    names = [n for n in (results.names if plans is None else plans) if n != STATUS_QUO]
    npv = np.asarray(results.case.npv, dtype=float)
    value = {n: npv[results.index(n)] for n in names}
    ranked = tuple(sorted(names, key=lambda n: (np.isnan(value[n]),
                                                -value[n] if not np.isnan(value[n]) else 0.0,
                                                names.index(n))))
    best = ranked[0] if ranked else None
    wins = best is not None and bool(value[best] > 0)  # NaN > 0 is False
    return Recommendation(plan=best if wins and best is not None else STATUS_QUO,
                          ranked=ranked, best=best)


__all__ = ["Recommendation", "recommend"]
