"""Reusable buffers for large batches run in chunks.

A workspace is a plain dict a caller keeps from one call to the next (one per
thread). Asking it for a buffer of the same name and shape returns the array
it already holds, so chunk after chunk writes into memory the process has
touched before instead of fresh pages; with no workspace every call gets a
fresh array. Whoever passes a workspace owns what is in it: the next call
with the same workspace overwrites it.
"""

from __future__ import annotations

import numpy as np


def empty(workspace: dict | None, name: str, shape: tuple[int, ...], *,
          like: np.ndarray | None = None) -> np.ndarray:
    """An uninitialised float array of ``shape`` (laid out like ``like`` when given):
    fresh, or the workspace's array of that name if it has that shape and layout."""
    def make() -> np.ndarray:
        return np.empty(shape) if like is None else np.empty_like(like, dtype=float)

    if workspace is None:
        return make()
    buffer = workspace.get(name)
    if (buffer is None or buffer.shape != tuple(shape)
            or (like is not None and buffer.strides != like.strides)):
        buffer = workspace[name] = make()
    return buffer
