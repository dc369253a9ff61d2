"""Crash reliability: a process issuing documents in a loop is killed with SIGKILL at
random points and restarted, never repaired by hand: either as a server restarts
(create_app, then the start-up repair `isodoc serve` runs) or as gunicorn restarts one
dead worker while the server runs on (create_app only). At the end every approved revision
is issued exactly once, SQL, git and the search index agree (`isodoc check` is clean),
and `git fsck --full` is clean on every agency repository.

Some runs are told to kill themselves right after the git commit of an issue and
before its SQL commit, so that the window between the two is hit every time, not only
by chance. The seed is fixed and printed (ISODOC_RELIABILITY_SEED changes it); on
SQLite the whole run takes well under 90 s: restarts are forks of a forkserver that
has already imported the app.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from isodoc import create_app, search
from isodoc.cli import main
from isodoc.documents import services as docs
from isodoc.documents.models import Document, Revision, RevisionEvent, RevisionState
from isodoc.documents.repos import repo_for
from isodoc.documents.store import MAIN
from isodoc.documents.workflow import OPEN_STATES
from isodoc.extensions import db
from tests.conftest import app_config
from tests.reliability import issuer

SEED = int(os.environ.get("ISODOC_RELIABILITY_SEED", "20261126"))
RANDOM_KILLS = 24
KILLS_AFTER_PUBLISH = 8
WORKER_RESTARTS = 0.4  # share of restarts without the start-up repair
START_TIMEOUT = 30.0


@pytest.fixture
def config(app, tmp_path) -> dict:
    """A fresh instance: its own git store and index; its own SQLite file, or the test
    PostgreSQL database (emptied by the autouse fixture) when one is given."""
    url = app.config["SQLALCHEMY_DATABASE_URI"] if os.environ.get("ISODOC_TEST_DATABASE_URL") \
        else f"sqlite:///{tmp_path / 'kill.sqlite3'}"
    settings = app_config(tmp_path / "instance", url)
    settings["TESTING"] = False
    issuer.setup(settings)
    return settings


@pytest.fixture(scope="module")
def forkserver():
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.reliability.issuer"])
    return ctx


class Runs:
    """Starts the issuer process, one log file per run, and counts what happened."""

    def __init__(self, ctx, config: dict, folder: Path):
        self.ctx, self.config, self.folder = ctx, config, folder
        self.count, self.kills, self.kills_after_publish = 0, 0, 0
        self.steps: Counter[str] = Counter()
        self.startups: Counter[str] = Counter()

    def start(self, **options) -> tuple[multiprocessing.Process, Path]:
        self.count += 1
        log = self.folder / f"run-{self.count:03d}.log"
        log.touch()
        process = self.ctx.Process(target=issuer.run, args=(self.config, options, str(log)),
                                   daemon=True)
        process.start()
        return process, log

    def lines(self, log: Path) -> list[str]:
        return log.read_text(encoding="utf-8").splitlines()

    def wait_for(self, process, log: Path, word: str, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while word not in self.lines(log) and process.is_alive():
            assert time.monotonic() < deadline, f"run {self.count}: no {word!r} in {timeout} s"
            time.sleep(0.005)

    def finished(self, process, log: Path) -> int | None:
        process.join(60)
        assert process.exitcode is not None, f"run {self.count} did not end"
        lines = self.lines(log)
        self.steps.update(line for line in lines if line not in ("started", "ready"))
        refused = [line for line in lines if line.startswith("refused")]
        assert not refused, f"run {self.count}: the workflow refused to go on: {refused}"
        return process.exitcode


def test_killed_issuers_lose_nothing_and_duplicate_nothing(forkserver, config, tmp_path):
    rng = random.Random(SEED)
    print(f"seed {SEED} (ISODOC_RELIABILITY_SEED), database "
          f"{config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
    runs = Runs(forkserver, config, tmp_path)
    began = time.monotonic()
    plan = ["publish" if i % 4 == 3 else "random" for i in range(RANDOM_KILLS +
                                                                  KILLS_AFTER_PUBLISH)]
    for kind in plan:
        seed = rng.randrange(2**32)
        # A server restart runs the start-up repair; gunicorn restarting one killed worker
        # does not (the repair runs once per start, not per worker).
        startup = "none" if rng.random() < WORKER_RESTARTS else "serve"
        runs.startups[startup] += 1
        if kind == "publish":
            process, log = runs.start(seed=seed, kill_after_publish=True, startup=startup)
            assert runs.finished(process, log) == -signal.SIGKILL, runs.lines(log)
            runs.kills += 1
            runs.kills_after_publish += 1
            continue
        process, log = runs.start(seed=seed, startup=startup)
        runs.wait_for(process, log, "started")
        time.sleep(rng.uniform(0.0, 1.5))  # during the start-up repair or the loop
        if process.is_alive():
            process.kill()
        exitcode = runs.finished(process, log)
        if exitcode == -signal.SIGKILL:
            runs.kills += 1
    process, log = runs.start(seed=rng.randrange(2**32), finish=True)
    assert runs.finished(process, log) == 0, runs.lines(log)
    elapsed = time.monotonic() - began
    print(f"{runs.count} runs, {runs.kills} kills ({runs.kills_after_publish} between the git "
          f"commit and the SQL commit), restarts {dict(runs.startups)}, "
          f"steps {dict(runs.steps)}, {elapsed:.1f} s")
    assert runs.kills >= RANDOM_KILLS + KILLS_AFTER_PUBLISH - 2  # a run may end by itself

    app = create_app(config)
    try:
        check = app.test_cli_runner().invoke(main, ["check"])
        assert check.exit_code == 0, check.output
        assert "Kiểm tra: 0 vấn đề" in check.output, check.output
        with app.app_context():
            assert issued_exactly_once() >= 10  # the loop did get somewhere
            index_has_exactly_the_documents_in_force()
            folders = {Path(repo_for(d.agency).path) for d in db.session.scalars(select(Document))}
            db.session.rollback()
    finally:
        with app.app_context():
            db.engine.dispose()
    assert folders
    for folder in sorted(folders):
        fsck = subprocess.run(["git", "fsck", "--full", "--strict", "--no-dangling"], cwd=folder,
                              capture_output=True, text=True, timeout=60)
        assert fsck.returncode == 0 and not fsck.stdout.strip(), (folder, fsck.stdout,
                                                                  fsck.stderr)
        assert "error" not in fsck.stderr.lower(), fsck.stderr


def issued_exactly_once() -> int:
    """Git and SQL agree revision by revision: each commit on main names one revision,
    no revision has two, every approved revision is issued with the commit that names
    it, and nothing is left open."""
    revisions = db.session.scalars(select(Revision)).all()
    assert revisions
    on_main: dict[int, list[str]] = {}
    for document in db.session.scalars(select(Document)):
        repo = repo_for(document.agency)
        assert repo.ref_sha(MAIN)
        for commit in repo.main_log():
            if commit.trailers.get("Document") == document.code:
                on_main.setdefault(int(commit.trailers["Isodoc-Revision"]), []).append(
                    commit.sha)
    duplicated = {rid: shas for rid, shas in on_main.items() if len(shas) != 1}
    assert not duplicated, f"revisions issued more than once on main: {duplicated}"
    approved = set(db.session.scalars(select(RevisionEvent.revision_id).where(
        RevisionEvent.action == "approve")))
    for revision in revisions:
        assert revision.state not in OPEN_STATES, (revision.id, revision.state)
        if revision.id in approved:
            assert revision.state == RevisionState.ISSUED, (revision.id, revision.state)
        if revision.state == RevisionState.ISSUED:
            assert on_main.get(revision.id) == [revision.commit_sha], \
                (revision.id, revision.commit_sha, on_main.get(revision.id))
            assert revision.document.head_commit is not None
    assert set(on_main) == {r.id for r in revisions if r.state == RevisionState.ISSUED}
    for document in db.session.scalars(select(Document)):
        numbers = sorted(r.number for r in docs.issued(document))
        assert numbers == list(range(1, len(numbers) + 1)), (document.code, numbers)
        assert document.head_commit == repo_for(document.agency).last_change(document.slug)
    return len(on_main)


def index_has_exactly_the_documents_in_force() -> None:
    assert search.check() == []
    expected = set()
    for document in db.session.scalars(select(Document)):
        revision = docs.in_force(document)
        assert revision is not None, document.code
        expected.add(f"{document.id}:r{revision.number}")
    assert search.engine().entry_keys() == expected


def test_a_retry_after_a_crash_between_git_and_sql_records_the_issue(forkserver, config,
                                                                      tmp_path):
    """Issue 8, defect 5: a worker dies after the git commit of an issue and before the
    SQL commit; the other workers were already running (no start-up repair). Retrying
    the issue there must record the commit already on main — once — not answer 422
    "vừa được ban hành…" for ever."""
    runs = Runs(forkserver, config, tmp_path)
    process, log = runs.start(seed=SEED, kill_after_publish=True, startup="none")
    assert runs.finished(process, log) == -signal.SIGKILL, runs.lines(log)
    app = create_app(config)
    try:
        with app.app_context():
            [revision] = db.session.scalars(select(Revision)).all()
            assert revision.state == RevisionState.APPROVED  # git has it, SQL does not yet
            db.session.rollback()
        process, log = runs.start(seed=SEED, startup="none", finish=True)
        assert runs.finished(process, log) == 0, runs.lines(log)
        assert runs.lines(log)[-1] == "issue"
        with app.app_context():
            issued_exactly_once()
            db.session.rollback()
    finally:
        with app.app_context():
            db.engine.dispose()
