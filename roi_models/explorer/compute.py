"""The explorer's pure computation: lever values in, one batched simulation out.

:class:`ExplorerModel` holds what does not change while sliders move (the
scenario file, its parameter batch with one row per scenario, status quo
first, and the levers bound to the file). :func:`evaluate` applies lever
values to that batch with the rules of :mod:`roi_models.explorer.levers`
(checked against the schema's bounds first) and simulates every scenario
in one batch into a :class:`roi_models.ScenarioResults`, the result type of
the CLI and the report: a slider move costs one simulation of n scenarios x
T months, without re-validating the whole file. :func:`roi_models.explorer.apply_levers`
builds the equivalent validated file for saving and reporting; the tests
check that both give the same figures.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Mapping

import numpy as np

from ..analysis.scenarios import ScenarioResults, run_scenarios
from ..assumptions import STATUS_QUO, ScenarioFile
from ..engine import ParamBatch
from ..errors import InputError
from .levers import (
    LeverSpec,
    budget_levers,
    check_values,
    drop_path,
    field_updates,
    file_values,
    lever_specs,
    move_budget,
    social_plans,
)


@dataclass(frozen=True)
class ExplorerModel:
    """A scenario file prepared for fast lever evaluation (see the module docstring)."""

    file: ScenarioFile
    source: str
    base: ScenarioResults
    specs: tuple[LeverSpec, ...]
    social_rows: tuple[int, ...]

    @classmethod
    def from_file(cls, sf: ScenarioFile, source: str = "") -> "ExplorerModel":
        base = run_scenarios(sf, source=source)
        plans = social_plans(sf)
        return cls(file=sf, source=source, base=base, specs=lever_specs(sf),
                   social_rows=tuple(base.names.index(n) for n in plans))

    @property
    def names(self) -> tuple[str, ...]:
        return self.base.names

    @property
    def social_plan_names(self) -> tuple[str, ...]:
        return tuple(self.names[i] for i in self.social_rows)

    @property
    def currency(self) -> str:
        return self.file.currency

    def file_values(self) -> dict[str, float]:
        return file_values(self.file, tuple(s.lever for s in self.specs))

    def spec(self, key: str) -> LeverSpec:
        for s in self.specs:
            if s.key == key:
                return s
        raise KeyError(key)

    def batch_for(self, values: Mapping[str, float]) -> ParamBatch:
        """The file's batch with the lever values applied (bounds checked first)."""
        check_values(self.specs, values)
        batch = self.base.batch
        updates = field_updates(self.specs, values, self.file)
        if updates:
            batch = batch.with_values({k: float(v) for k, v in updates.items()})
        budget = budget_levers(self.specs, values)
        if budget is not None and self.social_rows:
            rows = list(self.social_rows)
            spend = np.broadcast_to(batch.spend, batch.spend.shape[:2] + (batch.n,)).copy()
            spend[:, :, rows] = move_budget(spend[:, :, rows], batch.channel_is_social, *budget)
            if np.any(spend > 1e10):
                raise InputError.one("explorer", "plans.budget_multiplier", budget[1],
                                     "a monthly spend of at most 1e10 per channel")
            batch = replace(batch, spend=spend)
        return batch


def evaluate(model: ExplorerModel, values: Mapping[str, float]) -> ScenarioResults:
    """Simulate every scenario of the model's file with the lever values applied.

    The result is a :class:`roi_models.ScenarioResults`, the type behind the
    CLI and the report (:meth:`ScenarioResults.from_batch`): its ``summary``
    is what ``roi-models run --json`` prints for the same settings. Raises
    InputError (lever, value, the schema's allowed range) for a value out of
    bounds; nothing is computed then.

    Examples
    --------
    How does the social plan's NPV move when a fifth of its traditional budget goes social?

    >>> from roi_models import load_shipped
    >>> model = ExplorerModel.from_file(load_shipped("b2b_it_services"))
    >>> npv = lambda res: res.summary.set_index("scenario").loc["social", "npv"]
    >>> before = npv(evaluate(model, model.file_values()))
    >>> bool(npv(evaluate(model, {"plans.share_moved_to_social": 0.2})) != before)
    True
    """
    batch = model.batch_for(values)
    if batch is model.base.batch:  # nothing touched: the file's own run
        return model.base
    rate = float(batch["finance.discount_rate_annual"][0])
    return ScenarioResults.from_batch(model.file, model.names, batch, source=model.source,
                                      discount_rate_annual=rate)


def for_analysis(model: ExplorerModel, res: ScenarioResults,
                 values: Mapping[str, float]) -> ScenarioResults:
    """``res`` as :mod:`roi_models.analysis.sensitivity` must see it: the file of the settings.

    The analyses read two things from a results' file besides its batch: the
    ``uncertainty`` section and which plans override a field (the world-versus-plan
    rule, :func:`roi_models.analysis.sensitivity.Evaluator.applies`). A touched field
    lever sets its field in every plan and drops the plans' own overrides of it
    (:func:`apply_levers`), so the file here is the loaded one with those overrides
    dropped: the analyses of ``for_analysis(model, evaluate(model, v), v)`` equal those of
    ``run_scenarios(apply_levers(model.file, v))`` without validating a whole file.
    """
    paths = [p for p in field_updates(model.specs, values, model.file)
             if any(_overrides(o, p) for o in model.file.scenarios.values())]
    if not paths:
        return res
    scenarios = copy.deepcopy(dict(model.file.scenarios))
    for override in scenarios.values():
        for path in paths:
            if isinstance(override, dict):
                drop_path(override, path.split("."))
    return replace(res, file=model.file.model_copy(update={"scenarios": scenarios}))


def _overrides(override: object, path: str) -> bool:
    node = override
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True


__all__ = ["STATUS_QUO", "ExplorerModel", "evaluate", "for_analysis"]
