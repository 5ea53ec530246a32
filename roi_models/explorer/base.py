"""What every explorer tab builds on: :class:`Shown` (the state) and :class:`View` (a tab).

See :mod:`roi_models.explorer.views` for how the explorer draws its views.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import ipywidgets as w

from ..analysis.scenarios import ScenarioResults
from .compute import ExplorerModel


@dataclass(frozen=True, eq=False)
class Shown:
    """What the explorer shows: the results of the lever values, for the plan in focus."""

    model: ExplorerModel
    results: ScenarioResults
    values: Mapping[str, float]
    focus: str
    file: str  # the picker's label of the file
    generation: int  # the file's generation (bumped by every file switch)
    serial: int  # bumped by every recompute

    @property
    def key(self) -> tuple[int, int, str]:
        """Equal keys, equal figures."""
        return (self.generation, self.serial, self.focus)


class View:
    """One tab: ``title``, ``widget``; :meth:`draw` shows a :class:`Shown` (module docstring)."""

    title = ""

    def __init__(self, redraw: Callable[[], None]) -> None:
        self.redraw = redraw  # asks the explorer to draw this view again (its own inputs moved)
        self.widget: w.Widget = w.VBox([])
        self.drawn: tuple[int, int, str] | None = None  # key of the Shown drawn last
        self.draws = 0

    def bind(self, shown: Shown) -> None:
        """A new file is loaded (``shown`` is its first state): forget what was drawn."""
        self.drawn = None

    def draw(self, shown: Shown) -> None:  # pragma: no cover - every view defines it
        raise NotImplementedError

    def show(self, shown: Shown, *, force: bool = False) -> None:
        """Draw ``shown`` unless it is already on screen."""
        if force or self.drawn != shown.key:
            self.draw(shown)
            self.drawn = shown.key
            self.draws += 1

    def close(self) -> None:
        self.widget.close()


__all__ = ["Shown", "View"]
