"""Test-suite settings and fixtures shared by every folder.

- Hypothesis runs derandomized (the same examples on every machine and every run), so
  a red CI is reproducible; set HYPOTHESIS_PROFILE=explore to search with fresh random
  examples locally.
- ``browser``: Debian's chromium driven by Playwright's sync API (never a downloaded
  browser). When chromium or Playwright is missing, browser tests are skipped locally
  and fail when the environment variable CI is "true" (``unavailable``).
"""

import os
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("default", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", derandomize=False, deadline=None, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [  # found by trying: without the background-networking flags chromium
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",  # keeps calling out
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def unavailable(reason: str):
    """Skip a test that needs a missing tool; fail it under CI=true, where it must run."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's chromium; skip (locally) or fail (CI) when it is missing."""
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        unavailable(f"{CHROMIUM} not found: install it with `apt-get install -y chromium`")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path):
    """A headless Chromium launched by Playwright's sync API for the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        unavailable("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def consumer_with_certain_event():
    """The shipped consumer file with its deterministic viral event of month 14 switched on in
    base (the shipped file states its events as a rate since issue 13): the case of a file
    that puts one certain event in every scenario."""
    import yaml

    from roi_models.assumptions import scenario_file_from_dict
    from roi_models.data import scenario_path

    raw = yaml.safe_load(scenario_path("consumer_brand").read_text())
    raw["base"]["viral_event"]["enabled"] = True
    raw["base"]["viral_event"]["rate_per_month"] = 0.0
    return scenario_file_from_dict(raw, "consumer_brand (certain event)")
