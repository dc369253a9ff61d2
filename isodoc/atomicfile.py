"""Files replaced whole: a reader, or the machine after a power cut, sees the old file or
the complete new one, never a part (the git store writes its objects itself)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, durable: bool = False) -> None:
    """Write `data` under a temporary name of its own in the same folder (two writers of
    one path never share it), then rename it over `path`. `durable`: the file and the
    folder are on disk before this returns (evidence a database row will point at).
    On any failure the temporary file is removed and the error raised."""
    made = not path.parent.is_dir()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:  # a full disk, an interrupt: nothing partial left behind
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        _fsync_folder(path.parent)
        if made:  # the new folder's own entry, too
            _fsync_folder(path.parent.parent)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
