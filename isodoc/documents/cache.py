"""Revisions as read and rendered, keyed by names that can never mean other content.

A revision's file is a git blob, named by the SHA-1 of its bytes; a commit names its
tree, so "the file `documents/<slug>.md` at commit C" never changes either. This cache
keeps, per blob, the file's text, its parsed front matter and body, and its sanitised
HTML (the same `content.render`), and, per (commit, slug), which blob that is. Reading
what is in force then starts no git process once the revision was read once: first this
worker's memory, then files under `<instance>/cache/`, and only then git.

Nothing is ever invalidated, because nothing a key names can change. Git stays the
truth: a file is checked against its name when it is loaded (a damaged or edited file
is ignored and the blob read from git again), and the HTML is stored with a digest of
the blob, the fingerprint of the code that rendered it and the HTML itself, so a
changed sanitiser or a damaged file renders again.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from flask import current_app
from markupsafe import Markup

from isodoc.atomicfile import write_atomically
from isodoc.documents import content
from isodoc.documents.store import SHA_RE, check_code, check_sha

MAX_ENTRIES = 2048
MAX_CHARS = 48_000_000  # text + HTML kept in one worker's memory


def blob_id(data: bytes) -> str:
    """The git name of a blob holding `data` (`git hash-object`)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _renderer_fingerprint() -> str:
    """What the HTML depends on besides the body: content.py and the two libraries."""
    digest = hashlib.sha256(Path(content.__file__).read_bytes())
    for package in ("markdown-it-py", "nh3"):
        try:
            digest.update(f"{package}={version(package)}".encode())
        except PackageNotFoundError:
            digest.update(package.encode())
    return digest.hexdigest()[:16]


RENDERER = _renderer_fingerprint()


class Entry:
    """One blob: its text, front matter, body and (rendered once) HTML."""

    __slots__ = ("blob", "text", "_meta", "body", "_html")

    def __init__(self, blob: str, text: str, html: str | None = None):
        self.blob, self.text = blob, text
        self._meta, self.body = content.split(text.encode("utf-8"))
        self._html = html

    @property
    def meta(self) -> dict:
        """A copy: callers may change it (issuing adds the revision's number)."""
        return copy.deepcopy(self._meta)

    @property
    def html(self) -> Markup:
        if self._html is None:  # without the too-long note: that is in the reader's language
            self._html = str(content.render(self.body, with_note=False))
            _write_blob(self)
        note = content.too_long_note(self.body)
        return Markup(note + self._html + note)  # noqa: S704 (content.render's sanitised output)

    @property
    def size(self) -> int:
        return len(self.text) + len(self._html or "")


_lock = threading.Lock()
_blobs: OrderedDict[str, Entry] = OrderedDict()
_chars = [0]
_commits: OrderedDict[tuple[str, str], str] = OrderedDict()  # "" means: no such file


def clear_memory() -> None:
    """Forget this worker's copies (tests; the files stay)."""
    with _lock:
        _blobs.clear()
        _commits.clear()
        _chars[0] = 0


def _root() -> Path:
    return Path(current_app.instance_path) / "cache"


def _blob_path(blob: str) -> Path:
    return _root() / "blobs" / blob[:2] / f"{check_sha(blob)}.json"


def _commit_path(commit: str, slug: str) -> Path:
    return _root() / "commits" / commit[:2] / f"{check_sha(commit)}-{check_code(slug)}"


def _write(path: Path, data: str) -> None:
    """Atomically (a reader sees the old file or the new one); a failure only costs a
    later read from git."""
    try:
        write_atomically(path, data.encode())
    except OSError:
        current_app.logger.warning("revision cache: cannot write %s", path, exc_info=True)


def _html_check(blob: str, html: str) -> str:
    """Ties stored HTML to its blob and renderer: a damaged or foreign HTML is not used."""
    return hashlib.sha256(f"{blob}\0{RENDERER}\0{html}".encode()).hexdigest()


def _write_blob(entry: Entry) -> None:
    html = entry._html
    _write(_blob_path(entry.blob), json.dumps(
        {"text": entry.text, "html": html, "renderer": RENDERER,
         "check": _html_check(entry.blob, html) if html is not None else None},
        ensure_ascii=False))


def _remember(entry: Entry) -> Entry:
    with _lock:
        if entry.blob not in _blobs:
            _blobs[entry.blob] = entry
            _chars[0] += entry.size
        _blobs.move_to_end(entry.blob)
        while _blobs and (len(_blobs) > MAX_ENTRIES or _chars[0] > MAX_CHARS):
            _, old = _blobs.popitem(last=False)
            _chars[0] -= old.size
    return entry


def _load_blob(blob: str) -> Entry | None:
    with _lock:
        entry = _blobs.get(blob)
        if entry is not None:
            _blobs.move_to_end(blob)
            return entry
    try:
        stored = json.loads(_blob_path(blob).read_text(encoding="utf-8"))
        text = stored["text"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(text, str) or blob_id(text.encode("utf-8")) != blob:
        return None  # not the content its name says: read git again
    html = stored.get("html")
    if not isinstance(html, str) or stored.get("check") != _html_check(blob, html):
        html = None  # rendered again on first use
    return _remember(Entry(blob, text, html))


def _blob_at(commit: str, slug: str) -> str | None:
    """Which blob the document is at a commit, if already known ("" = not there)."""
    key = (commit, slug)
    with _lock:
        if key in _commits:
            _commits.move_to_end(key)
            return _commits[key]
    try:
        blob = _commit_path(commit, slug).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if blob and not SHA_RE.match(blob):
        return None
    _note_commit(commit, slug, blob)
    return blob


def _note_commit(commit: str, slug: str, blob: str) -> None:
    with _lock:
        _commits[(commit, slug)] = blob
        while len(_commits) > MAX_ENTRIES * 4:
            _commits.popitem(last=False)


def entry(read_git: Callable[[], bytes | None], commit: str, slug: str) -> Entry | None:
    """The document's file at `commit`, or None if the commit has no such file.
    `read_git()` returns the bytes from the repository; it is called only on a miss."""
    check_sha(commit)
    check_code(slug)
    known = _blob_at(commit, slug)
    if known == "":
        return None
    if known and (found := _load_blob(known)) is not None:
        return found
    data = read_git()
    if data is None:
        _note_commit(commit, slug, "")
        _write(_commit_path(commit, slug), "")
        return None
    name = blob_id(data)
    _note_commit(commit, slug, name)
    _write(_commit_path(commit, slug), name)
    found = _load_blob(name)
    if found is None:
        found = _remember(Entry(name, data.decode("utf-8")))
        _write_blob(found)
    return found
