"""Charts whose update the browser never answered are redrawn from their current figure.

In Voila under load, some FigureWidget updates were seen neither drawn nor answered
while the KPI table moved on (tests/notebooks/test_explorer_voila.py caught it). The
explorer waits for each chart's answer and rebuilds the ones still silent.
"""

import asyncio

import numpy as np

import roi_models.explorer.app as app_module
from roi_models.explorer import Explorer
from roi_models.explorer.levers import SHARE_MOVED


def test_unanswered_charts_are_rebuilt_with_their_current_data(tmp_path, monkeypatch):
    monkeypatch.setattr(app_module, "CHART_ANSWER_SECONDS", 0.05)

    async def scenario():
        ex = Explorer("b2b_it_services", folder=tmp_path, debounce=0)
        old = dict(ex.figures)
        ex.controls[SHARE_MOVED].slider.value = 0.3  # an update; no browser will answer it
        expected = {name: [np.asarray(t.y, dtype=float) for t in fig.data]
                    for name, fig in ex.figures.items()}
        assert ex._chart_check is not None
        await asyncio.sleep(0.3)
        return ex, old, expected

    ex, old, expected = asyncio.run(scenario())
    assert all(ex.figures[name] is not old[name] for name in old)  # every chart rebuilt
    assert list(ex._charts.children) == list(ex.figures.values())  # and shown in the grid
    assert all(fig.comm is None for fig in old.values())  # the silent widgets are closed
    for name, fig in ex.figures.items():  # with the data of the last update
        for trace, y in zip(fig.data, expected[name]):
            np.testing.assert_allclose(np.asarray(trace.y, dtype=float), y)


def test_answered_charts_are_left_alone(tmp_path):
    ex = Explorer("b2b_it_services", folder=tmp_path, debounce=0)
    figs = dict(ex.figures)
    ex._acknowledged = {name: True for name in figs} | {"churn": False}
    assert ex.redraw_unanswered() == ["churn"]
    assert all(ex.figures[k] is figs[k] for k in figs if k != "churn")
    assert ex.figures["churn"] is not figs["churn"]
    assert ex.redraw_unanswered() == []  # nothing left to redraw
