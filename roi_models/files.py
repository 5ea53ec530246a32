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
        If the file exists and ``overwrite`` is False, its folder does not exist,
        or the system refuses the write (permissions, full disk).
    """
    target = Path(path)
    exists_text = "already exists; pass overwrite=True (--overwrite on the command line) to replace it"
    if target.exists() and not overwrite:
        raise InputError.one(str(target), "", str(target), exists_text)
    if not target.parent.is_dir():
        raise InputError.one(str(target), "", str(target.parent), "folder does not exist")
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError.one(str(target), "", str(target.parent), f"cannot write here ({exc.strerror})") from None
    try:
        mode = "wb" if isinstance(data, bytes) else "w"
        kwargs = {} if isinstance(data, bytes) else {"encoding": "utf-8", "newline": "\n"}
        with os.fdopen(fd, mode, **kwargs) as handle:
            handle.write(data)
        # keep the permissions of a file we replace; 0644 (less the umask) for a new one
        os.chmod(tmp, target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask())
        if overwrite:
            os.replace(tmp, target)
        else:
            _place_without_overwrite(tmp, target, exists_text)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError.one(str(target), "", str(target), f"cannot be written ({exc.strerror or exc})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _place_without_overwrite(tmp: str, target: Path, exists_text: str) -> None:
    """Move ``tmp`` to ``target`` unless ``target`` exists, without a race where possible.

    ``os.link`` fails if the target appeared meanwhile; file systems without
    hard links fall back to a check followed by ``os.replace``.
    """
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise InputError.one(str(target), "", str(target), exists_text) from None
    except OSError:  # no hard links here (some network and FAT file systems)
        if target.exists():
            raise InputError.one(str(target), "", str(target), exists_text) from None
        os.replace(tmp, target)
        return
    os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
