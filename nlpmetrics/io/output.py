"""Writing outputs safely.

Fail before any work when a path cannot be written, never overwrite an
input, never leave a half-written or temporary file, and never clobber an
existing output when a run fails (an error, Ctrl-C, SIGTERM or a full disk).

An output is written to a temporary file in the folder of the file it will
replace and renamed over it (one atomic step).  When ``-o`` names a symbolic
link, the link's target is the file replaced, so the link stays a link.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from nlpmetrics.errors import InputError


def output_target(path: str) -> str:
    """Return the file an output to ``path`` replaces: ``path`` itself, or the file a symbolic link points to."""
    return os.path.realpath(path) if os.path.islink(path) else path


def check_writable(path: str | None, inputs: Iterable[Any] = ()) -> None:
    """Fail before any work when ``-o`` cannot be written or names one of the ``inputs``.

    Parameters
    ----------
    path : str or None
        The output (``None`` or ``-``: standard output, nothing to check).
    inputs : iterable of paths
        The files the run reads.  An output that is the same file as one of
        them (through ``./``, an absolute path, a hard link or a symbolic
        link: compared with :func:`os.path.samefile`) is refused, since
        writing it would destroy the input.

    Raises
    ------
    InputError
        A missing folder, a directory, no permission, or an input named as output.
    """
    if path is None or path == "-":
        return
    if not isinstance(path, str) or not path.strip():
        raise InputError(f"-o must name a file, not {path!r}", argument="output")
    for source in inputs:
        if source in (None, "-") or not isinstance(source, (str, os.PathLike)):
            continue
        with contextlib.suppress(OSError):
            if os.path.exists(path) and os.path.samefile(path, source):
                raise InputError(
                    f"{path}: the output is the input file {os.fspath(source)}, which writing it would destroy; "
                    "write the output to another file", argument="output")
    target = output_target(path)
    folder = os.path.dirname(os.path.abspath(target))
    if os.path.isdir(target):
        raise InputError(f"{path}: is a directory; -o needs a file name", argument="output")
    if not os.path.isdir(folder):
        shown = os.path.dirname(path) or folder
        raise InputError(f"{path}: cannot write the output, folder {shown!r} does not exist", argument="output")
    if not os.access(folder, os.W_OK) or (os.path.exists(target) and not os.access(target, os.W_OK)):
        raise InputError(f"{path}: cannot write the output (permission denied)", argument="output")


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """Yield a temporary path in the target's folder, renamed over the target only when the block succeeds.

    The target is ``path``, or the file it links to when ``path`` is a
    symbolic link.  On any failure (including ``KeyboardInterrupt`` and the
    exception the command line raises on SIGTERM) the temporary file is
    removed and the target is left as it was.  A full disk or another write
    error becomes an :class:`InputError` naming ``path``.
    """
    check_writable(path)
    target = output_target(path)
    folder = os.path.dirname(os.path.abspath(target))
    stem, ext = os.path.splitext(os.path.basename(target))
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{stem}.", suffix=f".tmp{ext}", dir=folder)
    except OSError as error:
        raise write_error(path, error) from None
    os.close(handle)
    try:
        yield temporary
        if os.path.exists(target):
            with contextlib.suppress(OSError):
                os.chmod(temporary, os.stat(target).st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except OSError as error:
        raise write_error(path, error) from None
    finally:
        with contextlib.suppress(OSError):
            if os.path.lexists(temporary):
                os.unlink(temporary)


def write_error(path: str, error: OSError) -> InputError:
    """Return the message for an output that could not be written (a full disk first: it is the usual cause)."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return InputError(f"no space left to write {path}; free some space or write the output elsewhere "
                          "(the previous file, if any, is unchanged)", argument="output")
    return InputError(f"cannot write {path}: {error.strerror or error} (the previous file, if any, is unchanged)",
                      argument="output")


def write_text_atomically(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file renamed into place.

    Characters UTF-8 cannot hold (a lone surrogate from a badly encoded
    command-line argument) are written as ``?`` instead of failing the run.
    """
    with atomic_path(os.fspath(path)) as temporary, open(temporary, "w", encoding="utf-8", errors="replace") as handle:
        handle.write(text)
