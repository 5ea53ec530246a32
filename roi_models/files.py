"""Writing files safely: atomically, and never over a user's file unless asked."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputError


def write_atomic(
    path: str | os.PathLike[str], data: str | bytes, *, overwrite: bool = False
) -> Path:
    """Write text or bytes to ``path`` atomically (temporary file, then ``os.replace``).

    A crash or an error mid-write never leaves half a file behind.

    Raises
    ------
    InputError
        If the file exists and ``overwrite`` is False, or its folder does not exist.
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise InputError.one(
            str(target), "", str(target),
            "already exists; pass overwrite=True (--overwrite on the command line) to replace it",
        )
    if not target.parent.is_dir():
        raise InputError.one(str(target), "", str(target.parent), "folder does not exist")
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        mode = "wb" if isinstance(data, bytes) else "w"
        kwargs = {} if isinstance(data, bytes) else {"encoding": "utf-8", "newline": "\n"}
        with os.fdopen(fd, mode, **kwargs) as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        if overwrite:
            os.replace(tmp, target)
        else:
            # os.link fails if the target appeared meanwhile: no silent overwrite race.
            try:
                os.link(tmp, target)
            except FileExistsError:
                raise InputError.one(
                    str(target), "", str(target), "already exists; pass overwrite=True to replace it"
                ) from None
            os.unlink(tmp)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
