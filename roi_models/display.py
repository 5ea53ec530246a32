"""Plotly figures in notebooks that draw both in JupyterLab and in a static, offline HTML export.

Plotly's default notebook output is its own mimetype only
(``application/vnd.plotly.v1+json``): JupyterLab draws it, but ``jupyter nbconvert
--to html`` writes an empty cell for it. Plotly's ``"notebook"`` renderer adds
``text/html``, but it inlines plotly.js again with every figure (about 4.8 MB
each) and loads MathJax from a CDN for every chart.

:func:`offline_charts` fixes both for the rest of the kernel session:

- it shows plotly.js once, inline, as the output of the cell that calls it;
- it makes the ``"roi_models_offline"`` renderer the default: every figure
  carries plotly's mimetype (JupyterLab draws it natively) and ``text/html``
  that draws it with the plotly.js already on the page (a static HTML export
  draws it, offline; no script is fetched from the network).

Call it once, in the notebook's import cell, before any figure is shown.
"""

from __future__ import annotations

from typing import Any

import plotly.io as pio
from plotly.io.base_renderers import MimetypeRenderer, PlotlyRenderer
from plotly.offline import get_plotlyjs

RENDERER = "roi_models_offline"
"""The name of the renderer :func:`offline_charts` registers."""

CONFIG: dict[str, Any] = {"displaylogo": False}
"""Plotly config of every figure (no plotly logo; the toolbar keeps download-as-PNG)."""


class OfflineRenderer(MimetypeRenderer):
    """Plotly's mimetype plus ``text/html`` that needs only the plotly.js already on the page."""

    def __init__(self, config: dict[str, Any] | None = None):
        self.config = dict(CONFIG if config is None else config)

    def activate(self) -> None:
        """Nothing to do: :func:`offline_charts` showed plotly.js once already."""

    def to_mimebundle(self, fig_dict: dict) -> dict[str, Any]:
        """Both outputs of one figure: plotly's mimetype and a ``<div>`` with its script."""
        bundle = PlotlyRenderer(config=self.config).to_mimebundle(fig_dict)
        bundle["text/html"] = pio.to_html(
            fig_dict, config=self.config, include_plotlyjs=False, include_mathjax=False,
            full_html=False, default_width="100%", default_height=525, validate=False,
        )
        return bundle


def offline_charts() -> None:
    """Show plotly.js once, inline, and make every later figure draw offline in HTML exports.

    Examples
    --------
    In a notebook's import cell::

        from roi_models.display import offline_charts
        offline_charts()
    """
    from IPython.display import HTML, display

    pio.renderers[RENDERER] = OfflineRenderer()
    pio.renderers.default = RENDERER
    # window.PlotlyConfig first, as plotly's own notebook renderer does; then the library.
    display(HTML("<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>"
                 f"<script>{get_plotlyjs()}</script>"))


__all__ = ["CONFIG", "RENDERER", "OfflineRenderer", "offline_charts"]
