"""The start-up repair runs once per start of the server, however it is served
(issue 9, defect 3): `isodoc serve`, or gunicorn with several workers."""

from __future__ import annotations

import os

from sqlalchemy import select

from isodoc.documents import integrity as startup
from isodoc.documents.models import Revision
from tests.test_integrity import approve_draft


def test_the_repair_runs_once_per_start_not_once_per_worker(app, desk, in_db, monkeypatch):
    revision_id = approve_draft(desk, in_db)
    runs = []
    real = startup.check

    def counted(repair=False, thorough=True):
        runs.append(repair)
        assert not thorough  # at start: what a crash can leave, not every revision's content
        return real(repair=repair, thorough=thorough)

    monkeypatch.setattr(startup, "check", counted)
    assert startup.repair_once(app, "master-101") is not None
    assert startup.repair_once(app, "master-101") is None  # the second worker of that start
    assert runs == [True]
    assert startup.repair_once(app, "master-202") is not None   # the next start
    assert runs == [True, True]
    with in_db() as s:
        assert s.get(Revision, revision_id).state == "approved"  # nothing to replay


def test_the_repair_at_start_replays_a_crash(app, desk, in_db):
    from isodoc.auth.models import User
    from isodoc.documents import services
    from isodoc.extensions import db
    from isodoc.timeutil import today_local

    revision_id = approve_draft(desk, in_db)
    with app.app_context():
        revision = db.session.get(Revision, revision_id)
        secretary = db.session.scalars(select(User).where(User.username == "stp.thuky")).one()
        services.issue(revision, secretary, today_local())
        db.session.rollback()
    assert startup.repair_once(app, "master-303") is not None
    with in_db() as s:
        assert s.get(Revision, revision_id).state == "issued"


def test_the_start_key_is_the_gunicorn_master(monkeypatch):
    me = startup.start_key()
    assert me == startup.start_key()  # stable within one process
    monkeypatch.setattr(startup, "_is_gunicorn", lambda pid: pid == os.getppid())
    assert startup.start_key().startswith(f"{os.getppid()}:")
    monkeypatch.setattr(startup, "_is_gunicorn", lambda pid: False)
    assert startup.start_key().startswith(f"{os.getpid()}:")


def test_serving_through_wsgi_runs_the_repair(app, desk, in_db, tmp_path):
    """`gunicorn isodoc.wsgi:app` (the README's line) repairs a crash at start."""
    import subprocess
    import sys

    from tests.test_integrity import CRASH

    revision_id = approve_draft(desk, in_db)
    env = {**os.environ, "ISODOC_INSTANCE_PATH": str(tmp_path),
           "ISODOC_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "ISODOC_STORE_PATH": app.config["ISODOC_STORE_PATH"],
           "ISODOC_INDEX_PATH": app.config["ISODOC_INDEX_PATH"], "ISODOC_SECRET_KEY": "x"}
    crashed = subprocess.run([sys.executable, "-c", CRASH, str(revision_id)], env=env,
                             capture_output=True, text=True, timeout=60)
    assert crashed.returncode == 9, crashed.stderr
    with in_db() as s:
        assert s.get(Revision, revision_id).state == "approved"
    served = subprocess.run([sys.executable, "-c", "import isodoc.wsgi"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert served.returncode == 0, served.stderr
    with in_db() as s:
        assert s.get(Revision, revision_id).state == "issued"


def test_serve_repairs_and_its_gunicorn_workers_do_not_repeat_it(app, desk, in_db,
                                                                  monkeypatch):
    from isodoc.auth.models import User
    from isodoc.cli import main
    from isodoc.documents import services
    from isodoc.extensions import db
    from isodoc.timeutil import today_local

    revision_id = approve_draft(desk, in_db)
    with app.app_context():
        revision = db.session.get(Revision, revision_id)
        secretary = db.session.scalars(select(User).where(User.username == "stp.thuky")).one()
        services.issue(revision, secretary, today_local())
        db.session.rollback()
    execs = []
    monkeypatch.setattr(os, "execv", lambda path, args: execs.append(args))
    result = app.test_cli_runner().invoke(main, ["serve", "--port", "5999"])
    assert result.exit_code == 0, result.output
    assert "isodoc.wsgi:app" in execs[0] and "đã sửa" in result.output
    with in_db() as s:
        assert s.get(Revision, revision_id).state == "issued"
    # gunicorn keeps this pid: its workers see the start already repaired
    assert startup.repair_once(app, startup.start_key_of(os.getpid())) is None


def test_one_walk_of_main_finds_each_documents_last_change(tmp_path):
    """What the start-up repair reads instead of one `git log -- path` per document."""
    from isodoc.documents.store import AgencyRepo, Person, document_path

    repo = AgencyRepo(tmp_path, "so-tu-phap", create=True)
    person = Person("Thư ký", "tk@example.invalid")
    assert repo.last_changes() == {}
    last: dict[str, str | None] = {}
    for slug, text in (("qt-01", b"1\n"), ("qt-02", b"2\n"), ("qt-01", b"1b\n"),
                       ("qt-03", b"3\n"), ("qt-02", None)):  # qt-02 withdrawn last
        last[slug] = repo.publish(slug, text, person, person, f"{slug} ban hành",
                                  last.get(slug))
    found = repo.last_changes()
    assert found == {document_path(s): repo.last_change(s) for s in ("qt-01", "qt-02", "qt-03")}
    assert found == {document_path(s): sha for s, sha in last.items()}
    repo.close()


def test_the_repair_at_start_reads_no_issued_content(app, desk, in_db, monkeypatch):
    """A province of 50,000 documents waited four minutes for the start-up repair to read
    every issued revision's file and `git log` each document; a crash changes neither.
    The thorough check (`isodoc check`) still reads them."""
    from isodoc.documents.store import AgencyRepo
    from tests.doc_helpers import issue_qt05

    issue_qt05(desk, in_db)
    reads, logs = [], []
    blob, last_change = AgencyRepo._blob, AgencyRepo.last_change
    monkeypatch.setattr(AgencyRepo, "_blob", lambda self, *a: reads.append(a) or blob(self, *a))
    monkeypatch.setattr(AgencyRepo, "last_change",
                        lambda self, slug: logs.append(slug) or last_change(self, slug))
    with app.app_context():
        assert startup.check(repair=False, thorough=False) == []
        assert reads == [] and logs == []
        assert startup.check(repair=False) == []
        assert reads and logs == []
