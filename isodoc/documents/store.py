"""The git store: one bare repository per agency, written with plumbing only.

- `refs/heads/main` holds what is issued: each commit is one issued revision (or a
  withdrawal) of one document, with trailers naming it;
- `refs/drafts/<slug>/<n>` holds draft n of a document, one commit per save.

Every write runs under a per-repository file lock and ends with a compare-and-swap
ref update (`git update-ref <ref> <new> <old>`), so concurrent writers never lose
work. No working tree, no index. Nothing a user typed reaches git as an option or a
ref: agency codes, slugs and shas are allowlisted here.

Objects are written as loose objects in Python and read in Python when loose (git reads
them all the same); a packed object is read through GitPython, whose `Repo` is opened
only then (it holds two `git cat-file` processes and is not thread-safe: one per
request, closed at its end). The compare-and-swap of a ref is done here too, by git's
own protocol for a loose ref (what `git update-ref <ref> <new> <old>` does: create
`<ref>.lock` exclusively, compare the ref with the expected value under it, write the
lock, rename it over the ref), so git and the store exclude each other on the same
lock file; a repository whose refs need more than that (a reflog, a
reference-transaction hook, another ref storage) is updated by `git update-ref` itself.
Publishing starts no process.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import subprocess
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from git import Actor, Repo
from git.exc import BadName, GitCommandError
from git.objects import Commit
from gitdb import LooseObjectDB
from gitdb.exc import BadObject

log = logging.getLogger(__name__)

CODE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
SHA_RE = re.compile(r"^[0-9a-f]{40}$")
ZERO = "0" * 40
MAIN = "refs/heads/main"
BLOB_MODE, TREE_MODE = 0o100644, 0o040000
DOCUMENTS = "documents"
ATTACHMENTS = "refs/isodoc/attachments"
LOCK_TIMEOUT = 15.0
REF_LOCK_WAIT = 0.1      # git's core.filesRefLockTimeout: how long a held ref lock is awaited
STALE_REF_LOCK = 10.0    # a ref lock this old, found under the store's lock, was abandoned
MARK_SIZE = 1024         # the store's lock file: the ref lock its holder has written (_mark)


class StoreError(Exception):
    """Anything the store refuses or cannot do."""


class StaleRef(StoreError):
    """The ref moved since the caller read it (a lost update was prevented)."""

    def __init__(self, ref: str, current: str | None):
        super().__init__(f"{ref} is at {current}, not at the expected commit")
        self.ref, self.current = ref, current


class DocumentMoved(StoreError):
    """Main's last commit for the document is not the one the caller expected:
    someone issued or withdrew it meanwhile."""


class LockTimeout(StoreError):
    pass


class _AskGit(Exception):
    """A ref in a state the store does not update itself: `git update-ref` does."""


@dataclass(frozen=True)
class Person:
    name: str
    email: str

    def actor(self) -> Actor:
        return Actor(self.name, self.email)


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    author: str
    authored_at: datetime
    message: str
    trailers: dict[str, str]


def check_code(code: str) -> str:
    if not CODE_RE.match(code or ""):
        raise StoreError(f"not an allowed repository or document name: {code!r}")
    return code


def check_sha(sha: str) -> str:
    if not SHA_RE.match(sha or ""):
        raise StoreError(f"not a commit id: {sha!r}")
    return sha


def document_path(slug: str) -> str:
    return f"{DOCUMENTS}/{check_code(slug)}.md"


def draft_ref(slug: str, n: int) -> str:
    if not isinstance(n, int) or n < 1:
        raise StoreError(f"not a draft number: {n!r}")
    return f"refs/drafts/{check_code(slug)}/{n}"


TRAILER_RE = re.compile(r"([A-Za-z][A-Za-z-]*): (.*)")


def parse_trailers(message: str) -> dict[str, str]:
    """The trailer block: the message's last paragraph, if every line of it is a
    `Key: value` line (git's own rule, without its 25 % tolerance). The code that
    writes main's commits always ends the message with this block, so text above it
    (a change reason) can neither add a trailer nor override one."""
    paragraphs = message.strip().split("\n\n")
    if len(paragraphs) < 2:
        return {}
    found = {}
    for line in paragraphs[-1].splitlines():
        match = TRAILER_RE.fullmatch(line)
        if match is None:
            return {}
        found[match.group(1)] = match.group(2).strip()
    return found


Entry = tuple[bytes, int, str]  # (binary sha, mode, name), as git stores a tree entry


def parse_tree(data: bytes) -> list[Entry]:
    """A tree object's entries: `<octal mode> <name>\\0<20-byte sha>` each."""
    entries, i, end = [], 0, len(data)
    while i < end:
        space = data.index(b" ", i)
        nul = data.index(b"\0", space)
        entries.append((data[nul + 1:nul + 21], int(data[i:space], 8),
                        data[space + 1:nul].decode("utf-8", "surrogateescape")))
        i = nul + 21
    return entries


def format_tree(entries: list[Entry]) -> bytes:
    # git orders tree entries by name, with a tree's name compared as "name/"
    ordered = sorted(entries, key=lambda e: e[2] + ("/" if e[1] == TREE_MODE else ""))
    return b"".join(b"%o %s\0%s" % (mode, name.encode("utf-8", "surrogateescape"), sha)
                    for sha, mode, name in ordered)


def ident(person: Person, when: datetime) -> bytes:
    """`Name <email> seconds +0000`, without the characters git itself strips."""
    def clean_part(text: str) -> str:
        return re.sub(r"[<>\n\r\0]", "", text).strip()
    return (f"{clean_part(person.name)} <{clean_part(person.email)}> "
            f"{int(when.timestamp())} +0000").encode()


class _Immutable:
    """Parsed git objects of any repository, by their name: a name fixes the content,
    so what one request parsed serves the next (the documents tree of main is parsed
    once per issue, not at every step of it)."""

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, {}, threading.Lock()

    def get(self, key):
        return self.items.get(key)

    def put(self, key, value):
        with self.lock:
            if len(self.items) >= self.size:
                self.items.pop(next(iter(self.items)))
            self.items[key] = value
        return value


_TREES = _Immutable(256)  # tree binsha -> entries
_COMMIT_TREES = _Immutable(4096)  # commit hex -> tree binsha


class AgencyRepo:
    """The bare repository of one agency."""

    def __init__(self, root: str | Path, agency_code: str, *, create: bool = False):
        self.path = Path(root) / f"{check_code(agency_code)}.git"
        if not self.path.exists():
            if not create:
                raise StoreError(f"no repository for {agency_code}")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            Repo.init(self.path, bare=True, initial_branch="main").close()
        self._repo: Repo | None = None
        # objects are written, and read when loose, in Python: no `git hash-object` or
        # `git cat-file` process for what the store itself wrote
        self._loose = LooseObjectDB(str(self.path / "objects"))
        self._objects = self.path / "objects"
        self._lock_path = self.path / "isodoc.lock"
        self._lock_fd: int | None = None  # the store's lock file, while this object holds it
        self._plain: bool | None = None  # refs are loose files git needs nothing more for

    @property
    def repo(self) -> Repo:
        """GitPython's view, opened on first use (publishing and reading loose objects
        need none of it)."""
        if self._repo is None:
            self._repo = Repo(self.path)
        return self._repo

    def close(self) -> None:
        if self._repo is not None:
            self._repo.close()

    def __enter__(self) -> AgencyRepo:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------

    def ref_sha(self, ref: str) -> str | None:
        try:
            return self.repo.git.rev_parse("--verify", "--quiet", f"{ref}^{{commit}}",
                                           "--end-of-options") or None
        except GitCommandError:
            return None

    def main_sha(self) -> str | None:
        """Main's commit, read from the ref files (loose or packed) without a process;
        writers still compare-and-swap it with `git update-ref`."""
        sha = self._ref_file(MAIN)
        return sha if sha is not None and SHA_RE.match(sha) else self.ref_sha(MAIN)

    def _ref_file(self, ref: str) -> str | None:
        """A ref's value as git stores it: its loose file, else its line in packed-refs
        (None when neither has it, or it is symbolic: then ask git)."""
        try:
            return (self.path / ref).read_text(encoding="ascii").strip()
        except FileNotFoundError:
            pass
        except (OSError, UnicodeDecodeError):
            return None
        try:
            packed = (self.path / "packed-refs").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        for line in packed.splitlines():
            sha, _, name = line.partition(" ")
            if name == ref:
                return sha
        return None

    def read(self, commit_sha: str, slug: str) -> bytes | None:
        """The document's bytes at a commit, or None if it is not there."""
        blob = self._blob(commit_sha, slug)
        return self._read_object(blob, b"blob") if blob else None

    def blob_sha(self, commit_sha: str, slug: str) -> str | None:
        blob = self._blob(commit_sha, slug)
        return blob.hex() if blob else None

    def _blob(self, commit_sha: str, slug: str) -> bytes | None:
        tree = self._tree_of(check_sha(commit_sha))
        docs = self._entry(tree, DOCUMENTS, TREE_MODE)
        return self._entry(docs, f"{check_code(slug)}.md", BLOB_MODE) if docs else None

    def _info(self, commit: Commit) -> CommitInfo:
        return CommitInfo(sha=commit.hexsha, author=commit.author.name,
                          authored_at=commit.authored_datetime.astimezone(UTC),
                          message=commit.message, trailers=parse_trailers(commit.message))

    def commit_info(self, sha: str) -> CommitInfo:
        return self._info(self.repo.commit(check_sha(sha)))

    def history(self, slug: str, ref: str = MAIN) -> list[CommitInfo]:
        """Commits of `ref` touching the document, newest first (`rev-list -- path`).
        Read as commit objects: no user text is ever split on a separator."""
        if self.ref_sha(ref) is None:
            return []
        return [self._info(c) for c in self.repo.iter_commits(
            self.ref_sha(ref), paths=document_path(slug))]

    def last_change(self, slug: str) -> str | None:
        """Main's newest commit touching the document."""
        if self.main_sha() is None:
            return None
        sha = self.repo.git.log("-1", "--format=%H", MAIN, "--", document_path(slug)).strip()
        return sha or None

    def last_changes(self) -> dict[str, str]:
        """Main's newest commit touching each document file, by path, from one walk of
        main (`last_change` is a walk per document: minutes for a province at start).
        The same answer on main's linear history; names read NUL-separated (-z)."""
        if self.main_sha() is None:
            return {}
        found: dict[str, str] = {}
        commit = None
        out = self.repo.git.log("-z", "--format=%H", "--name-only", MAIN, "--",
                                f"{DOCUMENTS}/")
        for token in out.split("\0"):
            token = token.lstrip("\n")
            if token.startswith(f"{DOCUMENTS}/"):
                if commit is not None:
                    found.setdefault(token, commit)
            elif SHA_RE.match(token):
                commit = token
        return found

    def main_log(self) -> list[CommitInfo]:
        """Every commit on main, oldest first: what `isodoc check` compares with SQL."""
        main = self.main_sha()
        if main is None:
            return []
        return [self._info(c) for c in self.repo.iter_commits(main, reverse=True)]

    def changes(self, sha: str, slug: str) -> bool:
        """Whether the commit changes the document's own file (against its first parent)."""
        commit = self.repo.commit(check_sha(sha))
        before = self.blob_sha(commit.parents[0].hexsha, slug) if commit.parents else None
        return self.blob_sha(commit.hexsha, slug) != before

    def next_draft_number(self, slug: str, at_least: int = 1) -> int:
        """A draft number no ref uses yet: a draft saved by a request whose SQL
        transaction then failed leaves its ref behind, and is never overwritten."""
        prefix = f"refs/drafts/{check_code(slug)}/"
        used = [int(ref[len(prefix):]) for ref in self.draft_refs()
                if ref.startswith(prefix) and ref[len(prefix):].isdigit()]
        return max([at_least - 1, *used]) + 1

    def draft_refs(self) -> dict[str, str]:
        out = self.repo.git.for_each_ref("--format=%(refname) %(objectname)", "refs/drafts/")
        return dict(line.split(" ", 1) for line in out.splitlines() if line)

    # -- writing ---------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[None]:
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + LOCK_TIMEOUT
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise LockTimeout(f"{self.path.name} is busy") from None
                    time.sleep(0.005)
            self._lock_fd = fd
            yield
        finally:
            self._lock_fd = None
            os.close(fd)  # closing releases the lock

    def save_draft(self, slug: str, n: int, content: bytes, author: Person, message: str,
                   expected: str | None) -> str:
        """Commit `content` on draft n. `expected` is the draft head the editor was based
        on (None for a new draft, which starts from main). Refuses a stale base."""
        ref = draft_ref(slug, n)
        with self.locked():
            current = self.ref_sha(ref)
            if current != expected:
                raise StaleRef(ref, current)
            parent = current or self.main_sha()
            new = self._commit(parent, slug, content, author, author, message)
            self._update_ref(ref, new, current)
            return new

    def publish(self, slug: str, content: bytes | None, author: Person, committer: Person,
                message: str, expected_last: str | None, retries: int = 5) -> str:
        """One commit on main replacing (or, with None, removing) the document.

        `expected_last` is main's last commit for this document as the caller knows it:
        if another issue or withdrawal came first, DocumentMoved. Changes to other
        documents meanwhile are fine: the commit is rebuilt on the new main.

        The check compares the document's blob on main with its blob at `expected_last`
        (two tree lookups) rather than walking `git log -- path`, which grows with the
        history: every issue rewrites the front matter, so a changed document always has
        a new blob."""
        path = document_path(slug)
        with self.locked():
            expected_blob = self.blob_sha(check_sha(expected_last), slug) \
                if expected_last else None
            for _ in range(retries):
                parent = self.main_sha()
                if (self.blob_sha(parent, slug) if parent else None) != expected_blob:
                    raise DocumentMoved(path)
                new = self._commit(parent, slug, content, author, committer, message)
                try:
                    self._update_ref(MAIN, new, parent)
                    return new
                except StaleRef:
                    continue  # someone outside our lock moved main: rebuild on it
            raise StoreError(f"main kept moving while publishing {path}")

    def store_blobs(self, files: list[bytes]) -> list[str]:
        """Write files as loose blobs (content-addressed: the same bytes, the same id).
        Nothing names them yet: `keep_blobs` does, when a revision starts naming them."""
        return [self._store(b"blob", data).hex() for data in files]

    def has_blob(self, blob: str) -> bool:
        try:
            self._read_object(bytes.fromhex(check_sha(blob)), b"blob")
        except (BadObject, BadName, ValueError, StoreError):
            return False
        return True

    def read_blob(self, blob: str) -> bytes:
        return self._read_object(bytes.fromhex(check_sha(blob)), b"blob")

    def keep_blobs(self, blobs: list[str]) -> None:
        """Make blobs reachable from `refs/isodoc/attachments`, whose commit's tree names
        every attachment blob as `<2 hex>/<40 hex>` (append-only): git's gc then never
        drops an attachment that a revision's front matter names."""
        wanted = sorted({check_sha(b) for b in blobs})
        if not wanted:
            return
        for blob in wanted:
            if not self.has_blob(blob):
                raise StoreError(f"no such blob: {blob}")
        with self.locked():
            current = self._ref_file(ATTACHMENTS) or self.ref_sha(ATTACHMENTS)
            root = self._tree_of(current) if current else None
            changed = False
            for blob in wanted:
                fan = self._entry(root, blob[:2], TREE_MODE)
                if self._entry(fan, blob, BLOB_MODE) is None:
                    fan = self._replace(fan, blob, bytes.fromhex(blob), BLOB_MODE)
                    root = self._replace(root, blob[:2], fan, TREE_MODE)
                    changed = True
            if not changed:
                return
            who = ident(Person("isodoc", "isodoc@localhost"), datetime.now(UTC))
            body = (b"tree %s\nauthor %s\ncommitter %s\n\nAttachments\n"
                    % (root.hex().encode(), who, who))
            new = self._store(b"commit", body).hex()
            _COMMIT_TREES.put(new, root)
            self._update_ref(ATTACHMENTS, new, current)

    def write_commit_graph(self) -> None:
        self.repo.git.commit_graph("write", "--reachable", "--changed-paths")

    # -- plumbing --------------------------------------------------------------

    def _commit(self, parent: str | None, slug: str, content: bytes | None, author: Person,
                committer: Person, message: str) -> str:
        """The commit replacing one entry of `documents/`: the two trees on the path are
        rewritten, every other entry is kept as it is."""
        base = self._tree_of(parent) if parent else None
        docs = self._entry(base, DOCUMENTS, TREE_MODE) if base else None
        name = f"{check_code(slug)}.md"
        blob = self._store(b"blob", content) if content is not None else None
        new_docs = self._replace(docs, name, blob, BLOB_MODE)
        new_root = self._replace(base, DOCUMENTS, new_docs, TREE_MODE)
        root = new_root or self._store(b"tree", b"")
        now = datetime.now(UTC)
        body = b"tree %s\n" % root.hex().encode()
        if parent:
            body += b"parent %s\n" % check_sha(parent).encode()
        body += (b"author %s\ncommitter %s\n\n" % (ident(author, now), ident(committer, now))
                 + message.encode("utf-8"))
        sha = self._store(b"commit", body).hex()
        _COMMIT_TREES.put(sha, root)
        return sha

    def _tree_of(self, commit_sha: str) -> bytes:
        tree = _COMMIT_TREES.get(commit_sha)
        if tree is None:
            data = self._read_object(bytes.fromhex(check_sha(commit_sha)), b"commit")
            if not data.startswith(b"tree ") or not SHA_RE.match(data[5:45].decode()):
                raise StoreError(f"not a commit: {commit_sha}")
            tree = _COMMIT_TREES.put(commit_sha, bytes.fromhex(data[5:45].decode()))
        return tree

    def _read_object(self, binsha: bytes, kind: bytes) -> bytes:
        """An object's bytes: loose ones read here, packed ones through `git cat-file`."""
        try:
            stream = self._loose.stream(binsha)
        except BadObject:
            stream = self.repo.odb.stream(binsha)
        if stream.type != kind:
            raise StoreError(f"{binsha.hex()} is a {stream.type.decode()}, not a {kind.decode()}")
        return stream.read()

    def _entries(self, tree: bytes | None) -> list[Entry]:
        if tree is None:
            return []
        entries = _TREES.get(tree)
        if entries is None:
            entries = _TREES.put(tree, parse_tree(self._read_object(tree, b"tree")))
        return entries

    def _entry(self, tree: bytes | None, name: str, mode: int) -> bytes | None:
        for sha, entry_mode, entry_name in self._entries(tree):
            if entry_name == name and (entry_mode & 0o170000) == (mode & 0o170000):
                return sha
        return None

    def _replace(self, tree: bytes | None, name: str, sha: bytes | None, mode: int
                 ) -> bytes | None:
        entries = [e for e in self._entries(tree) if e[2] != name]
        if sha is not None:
            entries.append((sha, mode, name))
        if not entries:
            return None
        new = self._store(b"tree", format_tree(entries))
        _TREES.put(new, entries)
        return new

    def _store(self, kind: bytes, data: bytes) -> bytes:
        """A loose object, as git writes one: zlib of `<kind> <size>\\0<data>` under
        objects/xx/yyyy…, written to a temporary file and renamed (kept if present)."""
        raw = b"%s %d\0%s" % (kind, len(data), data)
        binsha = hashlib.sha1(raw).digest()  # noqa: S324 (git's object name)
        hexsha = binsha.hex()
        folder = self._objects / hexsha[:2]
        target = folder / hexsha[2:]
        if target.exists():
            return binsha
        compressed = zlib.compress(raw, 1)  # git's core.looseCompression
        tmp = self._objects / f"tmp_obj_{os.getpid()}_{threading.get_ident()}_{hexsha[:8]}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        except FileExistsError:  # left by a dead process that had this pid and thread
            tmp.unlink()
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(compressed)
            try:
                os.rename(tmp, target)
            except FileNotFoundError:
                folder.mkdir(exist_ok=True)
                os.rename(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return binsha

    def _plain_refs(self) -> bool:
        """Whether a ref update is only the loose-ref protocol: no reflog to append
        (git writes one when core.logAllRefUpdates asks for it, or when the ref's log
        exists), no reference-transaction hook, the files ref storage. Else git does it."""
        if self._plain is None:
            try:
                config = (self.path / "config").read_text(encoding="utf-8").lower()
            except (OSError, UnicodeDecodeError):
                config = "refstorage"
            self._plain = not (
                "logallrefupdates" in config or "refstorage" in config
                or "hookspath" in config or (self.path / "reftable").exists()
                or (self.path / "hooks" / "reference-transaction").exists())
        return self._plain and not (self.path / "logs" / "refs").exists()

    def _update_ref(self, ref: str, new: str, old: str | None) -> None:
        """Move `ref` from `old` (None: it must not exist) to `new`, or raise StaleRef
        if it is elsewhere; any other failure is a StoreError and leaves it as it was."""
        check_sha(new)
        if not (self._plain_refs() and (self._objects / new[:2] / new[2:]).exists()):
            self._update_ref_git(ref, new, old)  # git checks what we would not
            return
        path = self.path / ref
        lock = path.with_name(path.name + ".lock")
        fd = self._lock_ref(lock, ref, old)
        if fd is None:
            self._update_ref_git(ref, new, old)
        else:
            self._move_ref(fd, lock, path, ref, new, old)

    # The store's lock file names the ref lock its holder has written (the ref and the
    # lock file's identity: device, inode, change time) until it is renamed or removed.
    # Found still named by the next holder, a lock with that identity was left by a
    # holder that died before its rename: removed at once. Any other lock (a live git's,
    # or one whose holder died before naming it) is awaited, and removed only when
    # STALE_REF_LOCK old. A rename changes the inode's change time, so a name left by a
    # holder killed just after its rename matches no lock made later.

    def _mark(self, value: str) -> None:
        """Write `value` over the store's lock file in place: one record of a fixed size,
        so no write allocates or frees a block (a journal transaction on ext4)."""
        if self._lock_fd is None:
            return
        record = value.encode()
        if len(record) >= MARK_SIZE:
            record = b""  # a name that long is not marked: the age rule applies
        try:
            os.pwrite(self._lock_fd, record.ljust(MARK_SIZE), 0)
        except OSError:  # only the quick removal after a crash is lost
            log.warning("cannot write %s", self._lock_path, exc_info=True)

    def _marked(self) -> str:
        if self._lock_fd is None:
            return ""
        try:
            return os.pread(self._lock_fd, MARK_SIZE, 0).decode("utf-8", "replace").strip()
        except OSError:
            return ""

    @staticmethod
    def _left_there(lock: Path, ref: str, left: str) -> bool:
        try:
            return _lock_identity(ref, os.lstat(lock)) == left
        except OSError:
            return False

    def _move_ref(self, fd: int, lock: Path, path: Path, ref: str, new: str,
                  old: str | None) -> None:
        own = os.fstat(fd)
        try:
            try:
                current = self._ref_under_lock(ref)
                if current != (old or None):
                    raise StaleRef(ref, current)
                os.write(fd, f"{new}\n".encode("ascii"))
                self._mark(_lock_identity(ref, os.fstat(fd)))  # written: only a rename left
            finally:
                os.close(fd)
            os.rename(lock, path)  # the swap: readers see the old value or the new
            return
        except (_AskGit, OSError):
            _remove_if_same(lock, own)  # a symbolic ref, a full disk…: git decides
        except BaseException:
            # an exception can arrive just after the rename (a worker's timeout signal),
            # when the lock's name may already be a live git's
            _remove_if_same(lock, own)
            raise
        finally:
            self._mark("")  # renamed or removed: no lock of ours is left
        self._update_ref_git(ref, new, old)

    def _ref_under_lock(self, ref: str) -> str | None:
        """The ref's commit as git would read it (its loose file, else its packed-refs
        line; None if neither has it); _AskGit when it is anything else."""
        try:
            value = (self.path / ref).read_bytes().decode("ascii").strip()
        except FileNotFoundError:
            value = None
        except (OSError, UnicodeDecodeError):
            raise _AskGit from None
        if value is None:
            try:
                packed = (self.path / "packed-refs").read_text(encoding="utf-8")
            except FileNotFoundError:
                return None
            except (OSError, UnicodeDecodeError):
                raise _AskGit from None
            for line in packed.splitlines():
                sha, _, name = line.partition(" ")
                if name == ref:
                    value = sha
                    break
            else:
                return None
        if not SHA_RE.match(value):
            raise _AskGit  # symbolic, or not what git writes
        return value

    def _lock_ref(self, lock: Path, ref: str, old: str | None) -> int | None:
        """`<ref>.lock`, created exclusively as git creates it and awaited as long as git
        awaits it; None when git should be asked instead (a name that is no plain path)."""
        deadline = time.monotonic() + REF_LOCK_WAIT
        made_folder = stale_checked = False
        left = self._marked()  # a lock still named there was left by a dead holder (_mark)
        while True:
            try:
                return os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
            except FileNotFoundError:
                if made_folder:
                    return None
                made_folder = True
                try:
                    lock.parent.mkdir(parents=True, exist_ok=True)
                except OSError:
                    return None
                continue
            except FileExistsError:
                if left.startswith(f"{ref} ") and self._left_there(lock, ref, left):
                    left = ""
                    log.warning("removing %s, left by a writer killed while it held it", lock)
                    lock.unlink(missing_ok=True)
                    continue
            except OSError:
                return None
            if time.monotonic() < deadline:
                time.sleep(0.005)
                continue
            if self._lock_fd is not None and not stale_checked:
                stale_checked = True
                # Under the store's lock no other store writer is at work: a ref lock
                # that old was left by one killed between its lock and its rename.
                try:
                    age = time.time() - lock.stat().st_mtime
                except FileNotFoundError:
                    continue
                if age > STALE_REF_LOCK:
                    log.warning("removing %s, abandoned %.0f s ago", lock, age)
                    lock.unlink(missing_ok=True)
                    continue
            current = self._ref_file(ref)
            if current != (old or None):
                raise StaleRef(ref, current)
            raise StoreError(f"cannot lock ref {ref}: {lock} exists (held by another git "
                             "process, or left by one that died)")

    def _update_ref_git(self, ref: str, new: str, old: str | None) -> None:
        done = subprocess.run(
            ["git", "--git-dir", str(self.path), "update-ref", ref, check_sha(new), old or ZERO],
            capture_output=True, text=True, check=False)
        if done.returncode != 0:
            # a lost compare-and-swap leaves the ref elsewhere; anything else (a stale
            # lock file, a full disk, a broken object) leaves it where it was
            current = self.ref_sha(ref)
            if current != (old or None):
                raise StaleRef(ref, current)
            stderr = done.stderr.strip() or f"exit {done.returncode}"
            raise StoreError(f"git update-ref {ref} failed: {stderr}")


def _remove_if_same(path: Path, own: os.stat_result) -> None:
    try:
        there = os.lstat(path)
    except FileNotFoundError:
        return
    if (there.st_dev, there.st_ino) == (own.st_dev, own.st_ino):
        path.unlink(missing_ok=True)


def _lock_identity(ref: str, st: os.stat_result) -> str:
    return f"{ref} {st.st_dev}:{st.st_ino}:{st.st_ctime_ns}"


def open_repo(root: str | Path, agency_code: str, *, create: bool = False) -> AgencyRepo:
    try:
        return AgencyRepo(root, agency_code, create=create)
    except BadName as exc:
        raise StoreError(str(exc)) from exc
