"""Writing files safely: atomically, and never over a user's file unless asked.

:func:`write_atomic` is the one way roi_models writes a file (reports, workbooks,
scenario files). Its promises:

- **all or nothing**: the bytes go to an unnamed temporary file first and appear
  under the target's name only when complete, so a crash, an error, SIGKILL or
  SIGTERM mid-write never leaves half a file, and on Linux not even a hidden
  temporary file: it is created with ``O_TMPFILE`` (no name at all) and given
  its name with ``linkat``. Where the OS or file system has no ``O_TMPFILE``, a
  named temporary file ``.NAME.PID.RANDOM.tmp`` is used, and the next write to
  the same target removes those left by writers that no longer run;
- **never over something that is not the user's file**: an existing target is
  replaced only with ``overwrite=True``, and only if it is a regular file or a
  symbolic link (the link itself is replaced, not what it points to); a
  device (``/dev/null``), a directory, a FIFO or a socket is refused;
- **a name the file system can hold**: an empty name, a name ending in ``/``
  (a folder), a component longer than the file system's ``NAME_MAX`` (255 bytes
  here) or a path longer than ``PATH_MAX`` (4,096 bytes) is refused before
  anything is built, with the figures, instead of an ``OSError`` from deep inside.

:func:`check_source` is the reading side: a scenario file must be a regular file
(a FIFO would block the reader forever, ``/dev/zero`` never ends).
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import secrets
import stat
import tempfile
from pathlib import Path

from .errors import InputError

_HAVE_O_TMPFILE = (hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd")
                   and os.name == "posix")
_CHUNK = 1 << 20  # bytes per os.write call
EXISTS_TEXT = "already exists; pass --overwrite (overwrite=True in Python) to replace it"
"""The refusal of an existing target without ``overwrite`` (for a command-line user first)."""


def write_atomic(
    path: str | os.PathLike[str], data: str | bytes, *, overwrite: bool = False
) -> Path:
    """Write text or bytes to ``path`` atomically (an unnamed temporary file, then a link).

    Parameters
    ----------
    path : str or os.PathLike
        The file to write.
    data : str or bytes
        Text (written as UTF-8 with ``\\n`` line ends) or bytes.
    overwrite : bool
        Replace an existing regular file or symbolic link (``--overwrite`` on the
        command line). Anything else that exists is refused either way.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    InputError
        If the target exists and ``overwrite`` is False, or it is not a regular file
        or a symbolic link, its folder does not exist, or the system refuses the
        write (permissions, full disk).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_atomic(folder / "plan.txt", "hello").read_text()
    'hello'
    >>> sorted(p.name for p in folder.iterdir())  # no temporary file left
    ['plan.txt']
    """
    target = _named(path)
    info = _checked(target, overwrite)
    _remove_stale_temporaries(target)
    payload = data if isinstance(data, bytes) else data.encode("utf-8")
    mode = (info.st_mode & 0o7777 if info is not None and stat.S_ISREG(info.st_mode)
            else 0o666 & ~_umask())
    try:
        if _HAVE_O_TMPFILE:
            try:
                _write_unnamed(target, payload, mode, overwrite)
                return target
            except _NoTmpfile:
                pass
        _write_named(target, payload, mode, overwrite, EXISTS_TEXT)
    except FileExistsError:
        raise InputError.one(str(target), "", str(target), EXISTS_TEXT) from None
    except OSError as exc:
        raise InputError.one(str(target), "", str(target),
                             f"cannot be written ({exc.strerror or exc})") from None
    return target


def check_target(path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Refuse now what :func:`write_atomic` would refuse: call it before expensive work.

    A report or a PDF takes seconds to build; checking the target first means a
    refused target costs nothing and no other file is written before the refusal.

    Parameters
    ----------
    path : str or os.PathLike
        The file that will be written.
    overwrite : bool
        Whether an existing regular file or symbolic link may be replaced.

    Returns
    -------
    Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    InputError
        As :func:`write_atomic` does for the target (exists without ``overwrite``,
        not a regular file or symbolic link, no such folder).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> check_target(pathlib.Path(tempfile.mkdtemp()) / "new.html").name
    'new.html'
    """
    target = _named(path)
    _checked(target, overwrite)
    return target


def check_source(path: str | os.PathLike[str]) -> Path:
    """Refuse an input that is not a regular file (after following symbolic links).

    A FIFO with no writer blocks its reader forever, a socket cannot be opened,
    ``/dev/zero`` and ``/dev/urandom`` never end: a scenario file is a regular file.
    A missing file passes (its reader says "file not found").

    Parameters
    ----------
    path : str or os.PathLike
        The file that will be read.

    Returns
    -------
    Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    InputError
        If ``path`` exists and is not a regular file, its name is empty or longer
        than the file system allows, or it cannot be examined (permissions).

    Examples
    --------
    >>> try:
    ...     check_source("/dev/zero")
    ... except InputError as exc:
    ...     print(exc)
    /dev/zero: is a character device, not a regular file (a scenario file is YAML text)
    """
    source = _named(path, reading=True)
    try:
        info = os.stat(source)
    except FileNotFoundError:
        return source
    except OSError as exc:
        raise InputError.one(str(source), "", str(source),
                             f"cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError.one(str(source), "", None,
                             f"is {_kind(info.st_mode)}, not a regular file (a scenario file "
                             "is YAML text)")
    return source


def _named(path: str | os.PathLike[str], *, reading: bool = False) -> Path:
    """``path`` as a Path, after refusing a name no file system holds.

    ``Path("")`` is ``.`` and ``Path("out/")`` is ``out``: the text is checked before
    the conversion hides what the user wrote.
    """
    raw = os.fsencode(path)
    text = os.fsdecode(raw)
    shown = _shown(text)
    what = "read" if reading else "written"
    if not raw:
        raise InputError.one(shown, "", None,
                             f"an empty file name: name the file to be {what}")
    if b"\0" in raw:
        raise InputError.one(shown, "", None, "a file name cannot hold a NUL byte")
    if not reading and (raw.endswith(b"/") or Path(text).name in ("", ".", "..")):
        raise InputError.one(shown, "", None,
                             f"names a folder, not a file: name the file to be {what}")
    name_max, path_max = _limits(Path(text))
    longest = max(raw.split(b"/"), key=len)
    if len(longest) > name_max:
        start = longest[:24].decode("utf-8", "ignore")  # never half a character
        raise InputError.one(
            shown, "", None,
            f"a name of {len(longest):,} bytes ({start}...); the file system allows at most "
            f"{name_max:,} bytes in a name (NAME_MAX)")
    if len(raw) >= path_max:
        raise InputError.one(
            shown, "", None,
            f"a path of {len(raw):,} bytes; the file system allows at most "
            f"{path_max - 1:,} bytes in a path (PATH_MAX)")
    return Path(text)


def _shown(text: str, limit: int = 80) -> str:
    """A file name for a message: ``''`` for an empty one, the middle of a long one cut."""
    if not text:
        return "''"
    return text if len(text) <= limit else f"{text[:limit - 20]}...{text[-17:]}"


def _limits(path: Path) -> tuple[int, int]:
    """NAME_MAX and PATH_MAX of the file system holding ``path`` (255 and 4,096 by default)."""
    folder = path.parent
    for candidate in (folder, *folder.parents):
        try:
            return (os.pathconf(candidate, "PC_NAME_MAX"), os.pathconf(candidate, "PC_PATH_MAX"))
        except (OSError, ValueError):
            continue
    return 255, 4096


def _checked(target: Path, overwrite: bool) -> os.stat_result | None:
    """The target's lstat (None if absent), after refusing what may not be written."""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise InputError.one(str(target), "", str(target),
                             f"cannot be written ({exc.strerror or exc})") from None
    if info is not None:
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
            raise InputError.one(
                str(target), "", str(target),
                f"exists and is {_kind(info.st_mode)}, not a regular file: roi_models "
                "replaces only its own files (a regular file or a symbolic link), even "
                "with --overwrite")
        if not overwrite:
            raise InputError.one(str(target), "", str(target), EXISTS_TEXT)
    if not target.parent.is_dir():
        raise InputError.one(str(target), "", str(target.parent), "folder does not exist")
    return info


class _NoTmpfile(Exception):
    """This file system cannot create unnamed temporary files."""


def _write_unnamed(target: Path, payload: bytes, mode: int, overwrite: bool) -> None:
    """O_TMPFILE: the data has no name until it is complete, so a kill leaves nothing."""
    try:
        fd = os.open(target.parent, os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            raise _NoTmpfile from None  # no O_TMPFILE here: the named fallback
        raise
    try:
        _write_all(fd, payload)
        os.fchmod(fd, mode)
        os.fsync(fd)
        if not overwrite:
            _link_fd(fd, target)  # fails with FileExistsError if the target appeared meanwhile
            return
        # overwrite: give the complete file a temporary name, then rename it over the target
        # (rename is atomic; linkat cannot replace). A kill between the two leaves a complete
        # named file, which the next write removes (see _remove_stale_temporaries).
        tmp = target.with_name(_temporary_name(target))
        _link_fd(fd, tmp)
        try:
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    finally:
        os.close(fd)


def _link_fd(fd: int, name: Path) -> None:
    """Give the unnamed file ``fd`` the name ``name``: ``linkat`` of ``/proc/self/fd/FD``.

    ``AT_SYMLINK_FOLLOW`` makes the kernel link the open file, not the ``/proc``
    symbolic link; ``os.link`` calls plain ``link()`` there, which fails with EXDEV.
    """
    libc = _libc()
    if libc is None:
        raise _NoTmpfile
    source = f"/proc/self/fd/{fd}".encode()
    if libc.linkat(_AT_FDCWD, source, _AT_FDCWD, os.fsencode(name), _AT_SYMLINK_FOLLOW) == 0:
        return
    code = ctypes.get_errno()
    if code in (errno.ENOENT, errno.EXDEV, errno.ENOSYS, errno.EPERM, errno.EOPNOTSUPP):
        raise _NoTmpfile  # no /proc, or a file system that cannot: the named fallback
    raise OSError(code, os.strerror(code), str(name))


_AT_FDCWD, _AT_SYMLINK_FOLLOW = -100, 0x400


def _libc():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.linkat.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                                ctypes.c_int]
        return libc
    except (OSError, AttributeError):
        return None


def _write_named(target: Path, payload: bytes, mode: int, overwrite: bool,
                 exists_text: str) -> None:
    """The fallback: a named temporary file beside the target, then a link or a rename."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{os.getpid()}.",
                               suffix=".tmp")
    try:
        try:
            _write_all(fd, payload)
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        if overwrite:
            os.replace(tmp, target)
        else:
            _place_without_overwrite(tmp, target, exists_text)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        written = os.write(fd, view[:_CHUNK])
        view = view[written:]


def _temporary_name(target: Path) -> str:
    return f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"


def _remove_stale_temporaries(target: Path) -> None:
    """Remove ``.NAME.PID.*.tmp`` files of this target left by writers that no longer run.

    A writer killed mid-write (SIGKILL cannot be caught) leaves its named temporary file
    behind where ``O_TMPFILE`` is not available. Files of a process that is still alive
    (another writer right now) are left alone; so are files that are not ours.
    """
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(\d+)\.[A-Za-z0-9_]+\.tmp$")
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        match = pattern.match(name)
        if not match or _alive(int(match.group(1))):
            continue
        try:
            stale = target.parent / name
            if stat.S_ISREG(os.lstat(stale).st_mode):
                stale.unlink()
        except OSError:
            pass  # gone meanwhile, or not ours to remove


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


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
