"""The store's publishing path: what it writes is plain git, it touches one entry of the
documents tree, and it starts no git process: the compare-and-swap of main follows git's
own lock protocol, so git and the store exclude each other."""

from __future__ import annotations

import os
import subprocess
import time

import git.cmd
import pytest

from isodoc.documents import store
from isodoc.documents.store import AgencyRepo, DocumentMoved, Person

WHO = Person("Trần Văn Bình", "binh@isodoc.invalid")


def git_out(repo: AgencyRepo, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo.path), *args], capture_output=True,
                          text=True, check=True).stdout


@pytest.fixture
def repo(tmp_path):
    with AgencyRepo(tmp_path, "so-tu-phap", create=True) as opened:
        yield opened


def grow(repo: AgencyRepo, n: int = 30) -> dict[str, str]:
    last = {}
    for i in range(n):
        slug = f"qt-{i:02d}"
        last[slug] = repo.publish(slug, f"---\ncode: QT-{i:02d}\n---\n\nBản {i}.\n".encode(),
                                  WHO, WHO, f"Ban hành {slug}\n\nRevision: 1\n", None)
    return last


def test_published_commits_are_plain_git_touching_one_entry(repo):
    last = grow(repo)
    before = git_out(repo, "ls-tree", "-r", "main").splitlines()
    sha = repo.publish("qt-07", "Nội dung mới.\n".encode(), WHO,
                       Person("Lê <Thu> Hà", "ha@isodoc.invalid"),
                       "Ban hành QT-07 lần 2\n\nRevision: 2\nDocument: QT-07\n", last["qt-07"])
    assert subprocess.run(["git", "-C", str(repo.path), "fsck", "--strict"],
                          capture_output=True).returncode == 0
    after = git_out(repo, "ls-tree", "-r", "main").splitlines()
    changed = set(before) ^ set(after)
    assert {line.split("\t")[1] for line in changed} == {"documents/qt-07.md"}
    assert git_out(repo, "show", "main:documents/qt-07.md") == "Nội dung mới.\n"
    assert git_out(repo, "log", "-1", "--format=%an|%cn|%(trailers:key=Revision,valueonly)",
                   "main").strip() == "Trần Văn Bình|Lê Thu Hà|2"
    assert git_out(repo, "rev-parse", f"{sha}^").strip() == last["qt-29"]
    assert repo.main_sha() == sha
    assert repo.history("qt-07")[0].trailers == {"Revision": "2", "Document": "QT-07"}
    assert repo.blob_sha(sha, "qt-07") == git_out(repo, "rev-parse",
                                                  "main:documents/qt-07.md").strip()


def test_withdrawal_removes_the_entry_and_a_moved_document_is_refused(repo):
    last = grow(repo, 3)
    repo.publish("qt-01", None, WHO, WHO, "Thu hồi\n\nRevision: 1\n", last["qt-01"])
    assert "documents/qt-01.md" not in git_out(repo, "ls-tree", "-r", "--name-only", "main")
    with pytest.raises(DocumentMoved):
        repo.publish("qt-01", b"x\n", WHO, WHO, "Lại\n\nRevision: 2\n", last["qt-01"])


def test_publishing_starts_no_git_process(repo, monkeypatch):
    last = grow(repo)
    started = []
    real_git, real_subprocess = git.cmd.safer_popen, subprocess.Popen

    def counting(real):
        def start(args, *rest, **kwargs):
            started.append([a for a in args if a in ("update-ref", "cat-file", "rev-parse",
                                                     "hash-object")] or args)
            return real(args, *rest, **kwargs)
        return start

    monkeypatch.setattr(git.cmd, "safer_popen", counting(real_git))
    monkeypatch.setattr(subprocess, "Popen", counting(real_subprocess))
    for i in range(3):
        last["qt-03"] = repo.publish("qt-03", f"Bản {i}.\n".encode(), WHO, WHO,
                                     "Sửa\n\nRevision: 2\n", last["qt-03"])
    assert started == [], started
    assert git_out(repo, "rev-parse", "main").strip() == last["qt-03"]
    assert subprocess.run(["git", "-C", str(repo.path), "fsck", "--strict"],
                          capture_output=True).returncode == 0
    assert not list((repo.path / "refs").rglob("*.lock"))
    assert not list((repo.path / "objects").rglob("tmp_obj_*"))


def test_a_lost_compare_and_swap_is_a_stale_ref(repo):
    last = grow(repo, 2)
    with pytest.raises(store.StaleRef):
        repo._update_ref("refs/heads/main", last["qt-00"], last["qt-00"])
    assert repo.main_sha() == last["qt-01"]
    assert not (repo.path / "refs" / "heads" / "main.lock").exists()
    with pytest.raises(store.StaleRef):  # a ref that must not exist yet
        repo._update_ref("refs/heads/main", last["qt-00"], None)
    repo._update_ref("refs/drafts/qt-00/1", last["qt-00"], None)  # a new ref and folder
    assert git_out(repo, "rev-parse", "refs/drafts/qt-00/1").strip() == last["qt-00"]


def test_git_and_the_store_take_the_same_ref_lock(repo):
    """A ref lock held by git (or by a writer that died holding it) stops the store; git
    is stopped by the store's lock the same way."""
    last = grow(repo, 2)
    lock = repo.path / "refs" / "heads" / "main.lock"
    lock.write_text("")
    with pytest.raises(store.StoreError) as raised:
        repo._update_ref("refs/heads/main", last["qt-00"], last["qt-01"])
    assert not isinstance(raised.value, store.StaleRef) and "main.lock" in str(raised.value)
    assert lock.exists() and repo.main_sha() == last["qt-01"]
    lock.unlink()
    fd = repo._lock_ref(lock, "refs/heads/main", last["qt-01"])
    try:
        refused = subprocess.run(["git", "-C", str(repo.path), "update-ref",
                                  "refs/heads/main", last["qt-00"]], capture_output=True)
        assert refused.returncode != 0 and b"main.lock" in refused.stderr
    finally:
        os.close(fd)
        lock.unlink()
    assert repo.main_sha() == last["qt-01"]


def test_an_abandoned_ref_lock_is_removed_under_the_store_lock(repo):
    """A worker killed between creating main.lock and renaming it leaves the lock: with
    the store's lock held, one older than STALE_REF_LOCK cannot belong to a live writer."""
    last = grow(repo, 2)
    lock = repo.path / "refs" / "heads" / "main.lock"
    lock.write_text("")
    old = time.time() - store.STALE_REF_LOCK - 5
    os.utime(lock, (old, old))
    sha = repo.publish("qt-00", "sau khi dọn khoá\n".encode(), WHO, WHO, "Sửa\n\nRevision: 2\n",
                       last["qt-00"])
    assert repo.main_sha() == sha and not lock.exists()


def test_a_ref_lock_left_by_a_killed_writer_is_removed_at_once(repo):
    """A writer names, in the store's lock file, the ref lock it has written (the ref and
    the lock file's device, inode and change time), and blanks the name once the lock is
    renamed or removed. Killed in between, it leaves both: the next writer (a worker
    restarted a moment later) removes that lock at once instead of failing until it is
    STALE_REF_LOCK old. A fresh lock the file does not name, a live git's made after the
    named one was gone, still stops the store."""
    last = grow(repo, 2)
    lock = repo.path / "refs" / "heads" / "main.lock"
    lock.write_text(last["qt-00"] + "\n")  # what the killed writer had written…
    with repo.locked():                    # … and named
        repo._mark(store._lock_identity("refs/heads/main", os.lstat(lock)))
    sha = repo.publish("qt-00", "sau khi dọn khoá\n".encode(), WHO, WHO,
                       "Sửa\n\nRevision: 2\n", last["qt-00"])
    assert repo.main_sha() == sha and not lock.exists()
    assert (repo.path / "isodoc.lock").read_bytes().strip() == b""  # blanked when done

    lock.write_text("")
    with repo.locked():
        repo._mark(store._lock_identity("refs/heads/main", os.lstat(lock)))
    # renamed by its writer, killed before it blanked the name; then a live git's lock on
    # main (made while the first still existed: another inode)
    git_lock = lock.with_name("git-made")
    git_lock.write_text("")
    os.replace(git_lock, lock)
    with pytest.raises(store.StoreError):
        repo.publish("qt-00", b"lan 3\n", WHO, WHO, "Sửa\n\nRevision: 3\n", sha)
    assert lock.exists() and repo.main_sha() == sha


def test_an_interrupted_writer_removes_only_its_own_ref_lock(repo, monkeypatch):
    """A signal can arrive just after the rename (a worker's timeout): by then the lock's
    name may be a live git's new lock, which the writer must leave alone."""
    last = grow(repo, 2)
    lock = repo.path / "refs" / "heads" / "main.lock"
    rename = os.rename

    def renamed_then_interrupted(src, dst):
        rename(src, dst)
        lock.write_text("")  # git takes the lock at once
        raise KeyboardInterrupt

    monkeypatch.setattr(store.os, "rename", renamed_then_interrupted)
    with repo.locked(), pytest.raises(KeyboardInterrupt):
        repo._update_ref("refs/heads/main", last["qt-00"], last["qt-01"])
    assert lock.exists() and repo.main_sha() == last["qt-00"]


def test_a_reflog_is_written_by_git_itself(repo):
    """Where git keeps a reflog for the ref, the store leaves the update to git."""
    subprocess.run(["git", "-C", str(repo.path), "config", "core.logAllRefUpdates", "always"],
                   check=True)
    last = grow(AgencyRepo(repo.path.parent, "so-tu-phap"), 2)
    log = git_out(repo, "reflog", "show", "--format=%H", "refs/heads/main").split()
    assert log == [last["qt-01"], last["qt-00"]]


def test_packed_objects_are_read_through_git(tmp_path):
    with AgencyRepo(tmp_path, "so-y-te", create=True) as repo:
        last = grow(repo, 5)
    subprocess.run(["git", "-C", str(tmp_path / "so-y-te.git"), "gc", "--quiet",
                    "--prune=now"], check=True)
    store._TREES.items.clear()
    store._COMMIT_TREES.items.clear()
    with AgencyRepo(tmp_path, "so-y-te") as repo:
        assert repo.read(last["qt-02"], "qt-02") == "---\ncode: QT-02\n---\n\nBản 2.\n".encode()
        assert repo.main_sha() == last["qt-04"]  # main now in packed-refs
        sha = repo.publish("qt-02", b"sau gc\n", WHO, WHO, "Sau gc\n\nRevision: 2\n",
                           last["qt-02"])
        assert repo.read(sha, "qt-02") == b"sau gc\n"


def test_tree_entries_round_trip():
    entries = [(bytes(range(20)), store.BLOB_MODE, "qt-10.md"),
               (bytes(20), store.TREE_MODE, "qt"), (b"\x01" * 20, store.BLOB_MODE, "qt.md")]
    data = store.format_tree(entries)
    parsed = store.parse_tree(data)
    assert sorted(parsed) == sorted(entries)
    # git's order compares a tree as its name plus "/": "-" (0x2d) < "." < "/" (0x2f)
    assert [e[2] for e in parsed] == ["qt-10.md", "qt.md", "qt"]
