"""One lever's widgets: a slider over step indices, a typed-value box, the unit and a message line.

The slider is an ``IntSlider`` over the indices of the lever's grid
(``low + k x step``): the browser only ever moves an integer, and the value
it stands for is computed here, in Python, rounded to the step's decimals
(:class:`~roi_models.explorer.display.LeverFormat`), so no value carries
float noise and the browser never re-snaps a float to its own grid (the
source of the echoed values of issue 9). The box is a ``Text`` widget
parsed in Python. The message has its own line under the row, so a refusal
never squeezes the slider.

Controls are built per scenario file and closed when another file is
loaded (see :class:`roi_models.explorer.Explorer`): a late event of an old
control cannot reach the new file's levers.
"""

from __future__ import annotations

import html
import math

import ipywidgets as w

from .display import LeverFormat
from .levers import LeverSpec

LABEL_WIDTH = "230px"


def css_class(key: str) -> str:
    """The row's CSS class: ``roi-lever--finance-discount_rate_annual``."""
    return "roi-lever--" + key.replace(".", "-")


class LeverControl:
    """The widgets of one lever bound to one file (see the module docstring)."""

    def __init__(self, spec: LeverSpec, currency: str, value: float | None = None) -> None:
        self.spec = spec
        self.fmt = LeverFormat(spec, currency)
        self.setting = False  # True while Python sets the widgets (their events are ours)
        self.low, self.steps = spec.slider_min, self._count(spec.slider_min, spec.slider_max)
        value = spec.file_value if value is None else value
        self.slider = w.IntSlider(
            value=self.index_of(value), min=0, max=self.steps, step=1, readout=False,
            description=spec.label, description_allow_html=False, continuous_update=True,
            tooltip=spec.meta.description, style={"description_width": LABEL_WIDTH},
            layout=w.Layout(width="480px"))
        self.text = w.Text(value=self.fmt.text(value), continuous_update=False,
                           tooltip=spec.meta.description, layout=w.Layout(width="90px"))
        self.text.add_class("roi-value")
        self.unit = w.HTML(f'<span style="color:#555">{html.escape(self.fmt.unit)}</span>',
                           layout=w.Layout(width="230px"))
        self.message = w.HTML("", layout=w.Layout(min_height="20px", width="800px",
                                                  margin=f"0 0 4px {LABEL_WIDTH}"))
        self.box = w.VBox([w.HBox([self.slider, self.text, self.unit],
                                  layout=w.Layout(align_items="center")), self.message],
                          layout=w.Layout(margin="0"))
        self.box.add_class("roi-lever")
        self.box.add_class(css_class(spec.key))

    # ------------------------------------------------------------------ grid
    def _count(self, low: float, high: float) -> int:
        return max(1, round((high - low) / self.spec.step))

    def value_at(self, index: int) -> float:
        """The lever value of slider index ``index`` (rounded to the box's precision)."""
        return self.fmt.snap(self.low + int(index) * self.spec.step)

    def index_of(self, value: float) -> int:
        """The nearest slider index of ``value`` (clamped to the slider)."""
        k = round((float(value) - self.low) / self.spec.step)
        return min(max(k, 0), self.steps)

    # ------------------------------------------------------------------ showing
    def show(self, value: float, *, slider: bool = True) -> None:
        """Show ``value`` in the box and (``slider``) on the slider, widening it if needed.

        All slider traits go in ONE message (``hold_sync``), so the browser
        never sees a range without the value that belongs to it.
        """
        self.setting = True
        try:
            self.text.value = self.fmt.text(value)
            if slider:
                step = self.spec.step
                high = self.low + self.steps * step
                if value < self.low - 1e-12 or value > high + 1e-12:
                    low = min(self.low, math.floor(value / step + 1e-9) * step)
                    high = max(high, math.ceil(value / step - 1e-9) * step)
                    self.low, self.steps = low, self._count(low, high)
                with self.slider.hold_sync():
                    self.slider.max = self.steps
                    self.slider.value = self.index_of(value)
        finally:
            self.setting = False

    def say(self, text: str = "", *, error: bool = False) -> None:
        """A message on the row's own line (empty: none)."""
        if not text:
            self.message.value = ""
            return
        colour = "#b00020" if error else "#555"
        self.message.value = (f'<div class="roi-message" style="color:{colour};font-size:12px;'
                              f'line-height:18px;white-space:normal;word-break:normal;'
                              f'overflow-wrap:normal">{html.escape(text)}</div>')

    def close(self) -> None:
        """Close every widget of the row (their browser models go too)."""
        for widget in (self.slider, self.text, self.unit, self.message, *self.box.children,
                       self.box):
            widget.close()


__all__ = ["LeverControl", "css_class"]
