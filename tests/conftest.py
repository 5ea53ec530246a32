"""Test-suite settings shared by every folder.

Hypothesis runs derandomized (the same examples on every machine and every run), so a
red CI is reproducible; set HYPOTHESIS_PROFILE=explore to search with fresh random
examples locally.
"""

import os

from hypothesis import settings

settings.register_profile("default", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", derandomize=False, deadline=None, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
