"""Writing outputs safely: fail before any work when a path cannot be written, and never
leave a half-written file or clobber an existing one when a run fails.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator

from nlpmetrics.errors import InputError


def check_writable(path: str | None) -> None:
    """Fail before any work when ``-o`` cannot be written (missing folder, a directory, no permission)."""
    if path is None or path == "-":
        return
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise InputError(f"{path}: is a directory; -o needs a file name")
    if not os.path.isdir(folder):
        raise InputError(f"{path}: cannot write the output, folder {os.path.dirname(path) or folder!r} does not exist")
    if not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise InputError(f"{path}: cannot write the output (permission denied)")


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """A temporary path in the target's folder, renamed to ``path`` only when the block succeeds."""
    check_writable(path)
    folder = os.path.dirname(os.path.abspath(path))
    stem, ext = os.path.splitext(os.path.basename(path))
    handle, temporary = tempfile.mkstemp(prefix=f".{stem}.", suffix=f".tmp{ext}", dir=folder)
    os.close(handle)
    try:
        yield temporary
        if os.path.exists(path):
            with contextlib.suppress(OSError):
                os.chmod(temporary, os.stat(path).st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def write_text_atomically(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file renamed into place."""
    with atomic_path(os.fspath(path)) as temporary, open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
