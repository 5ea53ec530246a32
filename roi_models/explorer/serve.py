"""Serve the explorer notebook with Voila, on this machine only, offline, with idle kernels culled.

One place states how the explorer is served, for ``make app``, the browser
test and the browser benchmark:

- **offline**: Voila's ``lab`` template links the Font Awesome stylesheets
  from a CDN; the ``roi`` template (``explorer/voila/voila/templates/roi``,
  found through ``JUPYTER_PATH``) drops those links (Voila's own bundle
  carries Font Awesome), so the page requests nothing off this machine;
- **culled**: a page that is closed leaves its kernel idle and unconnected;
  the kernel manager shuts it down after :data:`CULL_IDLE_SECONDS` (checked
  every :data:`CULL_INTERVAL_SECONDS`), so a day of use does not leave one
  kernel per visit. Connected kernels are never culled, however long the
  analyst reads;
- **local**: bound to 127.0.0.1, no browser opened.

Run: ``python -m roi_models.explorer.serve [NOTEBOOK] [--port 8866]``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

TEMPLATE_ROOT = Path(__file__).resolve().parent / "voila"
"""A Jupyter data directory holding ``voila/templates/roi``."""

TEMPLATE = "roi"
CULL_IDLE_SECONDS = 600
CULL_INTERVAL_SECONDS = 60
NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "01_business_case_explorer.ipynb"


def voila_command(notebook: str | os.PathLike[str] = NOTEBOOK, port: int = 8866, *,
                  voila: str | None = None, cull_idle: int = CULL_IDLE_SECONDS,
                  cull_interval: int = CULL_INTERVAL_SECONDS) -> list[str]:
    """The ``voila`` command line that serves ``notebook`` (run it with :func:`voila_env`)."""
    voila = voila or str(Path(sys.executable).with_name("voila"))
    return [
        voila, str(notebook), "--no-browser", f"--port={int(port)}", "--Voila.ip=127.0.0.1",
        f"--template={TEMPLATE}",
        f"--MappingKernelManager.cull_idle_timeout={int(cull_idle)}",
        f"--MappingKernelManager.cull_interval={int(cull_interval)}",
        "--MappingKernelManager.cull_connected=False",
        "--VoilaConfiguration.show_tracebacks=False",
    ]


def voila_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment with :data:`TEMPLATE_ROOT` first on ``JUPYTER_PATH``."""
    env = dict(os.environ if base is None else base)
    paths = [str(TEMPLATE_ROOT)] + [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    env["JUPYTER_PATH"] = os.pathsep.join(paths)
    return env


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", nargs="?", default=str(NOTEBOOK))
    parser.add_argument("--port", type=int, default=8866)
    args = parser.parse_args(argv)
    command = voila_command(args.notebook, args.port)
    os.execve(command[0], command, voila_env())


if __name__ == "__main__":  # pragma: no cover - replaces the process
    main()
