"""How Voila serves the explorer: offline template, idle kernels of closed pages culled, local."""

from __future__ import annotations

import os

from roi_models.explorer import serve


def test_the_command_culls_idle_kernels_and_binds_to_this_machine():
    cmd = serve.voila_command("nb.ipynb", 9999, voila="voila")
    assert cmd[:2] == ["voila", "nb.ipynb"]
    assert "--Voila.ip=127.0.0.1" in cmd and "--port=9999" in cmd and "--no-browser" in cmd
    assert f"--MappingKernelManager.cull_idle_timeout={serve.CULL_IDLE_SECONDS}" in cmd
    assert f"--MappingKernelManager.cull_interval={serve.CULL_INTERVAL_SECONDS}" in cmd
    assert "--MappingKernelManager.cull_connected=False" in cmd  # an open page is never culled
    assert f"--template={serve.TEMPLATE}" in cmd


def test_the_template_is_found_and_links_nothing_off_the_machine():
    env = serve.voila_env({"JUPYTER_PATH": "/elsewhere"})
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(serve.TEMPLATE_ROOT), "/elsewhere"]
    folder = serve.TEMPLATE_ROOT / "voila" / "templates" / serve.TEMPLATE
    text = (folder / "index.html.j2").read_text()
    assert "extends 'lab/index.html.j2'" in text and "'https://' not in line" in text
    assert '"base_template": "lab"' in (folder / "conf.json").read_text()


def test_make_app_serves_through_this_module():
    makefile = (serve.NOTEBOOK.parents[1] / "Makefile").read_text()
    app = makefile[makefile.index("\napp:"):].split("\n\n")[0]
    assert "-m roi_models.explorer.serve" in app
