"""Analyses built on the engine: scenario comparison (sensitivity, Monte Carlo and the
optimiser come next, on the same batch)."""

from .scenarios import ScenarioResults, run_scenarios

__all__ = ["ScenarioResults", "run_scenarios"]
