"""Crash between the git commit and the SQL commit, concurrent issues, the store's CAS,
and `isodoc check --repair`."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import date

from sqlalchemy import select

from isodoc import search
from isodoc.auth.models import User
from isodoc.cli import main
from isodoc.documents import services
from isodoc.documents.models import Document, Revision
from isodoc.documents.store import AgencyRepo, Person
from isodoc.extensions import db
from isodoc.timeutil import today_local
from tests.doc_helpers import AGENCY, BASE, create_from_template, post, revision_row, user_id

CRASH = """
import os, sys
from sqlalchemy import select
from isodoc import create_app
from isodoc import search
from isodoc.auth.models import User
from isodoc.documents import services
from isodoc.documents.models import Revision
from isodoc.extensions import db
from isodoc.timeutil import today_local

app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["ISODOC_DATABASE_URL"]})
with app.app_context():
    revision = db.session.get(Revision, int(sys.argv[1]))
    secretary = db.session.scalars(select(User).where(User.username == "stp.thuky")).one()
    services.issue(revision, secretary, today_local())
    os._exit(9)  # killed after the git commit, before the SQL commit
"""


def approve_draft(desk, in_db, template="qt-05-xem-xet-lanh-dao", slug="qt-05", **fields):
    create_from_template(desk("author"), template=template, **fields)
    post(desk("author"), f"{BASE}/{slug}/drafts/1/submit",
         {"reviewers": user_id(in_db, "stp.danhgia")})
    post(desk("auditor"), f"{BASE}/{slug}/drafts/1/review", {"decision": "agreed"})
    post(desk("approver"), f"{BASE}/{slug}/drafts/1/approve")
    with in_db() as s:
        return s.scalars(select(Revision.id).join(Document).where(Document.slug == slug)).one()


def main_commits(app, slug: str) -> list[str]:
    repo = AgencyRepo(app.config["ISODOC_STORE_PATH"], AGENCY)
    try:
        return [c.sha for c in repo.history(slug)]
    finally:
        repo.close()


def test_crash_between_git_and_sql_is_repaired(app, desk, in_db, tmp_path):
    revision_id = approve_draft(desk, in_db)
    env = {**os.environ, "ISODOC_INSTANCE_PATH": str(tmp_path),
           "ISODOC_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "ISODOC_STORE_PATH": app.config["ISODOC_STORE_PATH"], "ISODOC_SECRET_KEY": "x"}
    result = subprocess.run([sys.executable, "-c", CRASH, str(revision_id)], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 9, result.stderr
    commits = main_commits(app, "qt-05")
    assert len(commits) == 1
    assert revision_row(in_db)["state"] == "approved"  # SQL never heard of it

    # issuing again is refused: nothing is issued twice
    post(desk("secretary"), f"{BASE}/qt-05/drafts/1/issue",
         {"effective_date": today_local().strftime("%d/%m/%Y")})
    assert main_commits(app, "qt-05") == commits
    assert revision_row(in_db)["state"] == "approved"

    runner = app.test_cli_runner()
    found = runner.invoke(main, ["check"])
    assert found.exit_code == 1 and "CSDL chưa ghi nhận" in found.output
    repaired = runner.invoke(main, ["check", "--repair"])
    assert repaired.exit_code == 0, repaired.output
    row = revision_row(in_db)
    assert (row["state"], row["number"], row["commit"]) == ("issued", 1, commits[0])
    clean = runner.invoke(main, ["check"])
    assert clean.exit_code == 0 and "0 vấn đề" in clean.output
    page = desk("reader").get(f"{BASE}/qt-05").get_data(as_text=True)
    assert "Lần ban hành 1" in page
    with in_db() as s:
        issued_by = s.scalars(select(Revision)).one().issued_by.username
    assert issued_by == "stp.thuky"


def issue_in_thread(app, revision_id: int, results: list, barrier: threading.Barrier) -> None:
    with app.app_context():
        revision = db.session.get(Revision, revision_id)
        secretary = db.session.scalars(select(User).where(User.username == "stp.thuky")).one()
        barrier.wait()
        try:
            services.issue(revision, secretary, today_local())
            db.session.commit()
            search.drain()  # what the request does after its commit
            results.append("ok")
        except Exception as exc:  # noqa: BLE001 — the test reports whatever happened
            db.session.rollback()
            results.append(type(exc).__name__)


def run_concurrently(app, revision_ids: list[int]) -> list[str]:
    results: list[str] = []
    barrier = threading.Barrier(len(revision_ids))
    threads = [threading.Thread(target=issue_in_thread, args=(app, rid, results, barrier))
               for rid in revision_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_documents_issued_at_once_both_succeed(app, desk, in_db):
    first = approve_draft(desk, in_db)
    second = approve_draft(desk, in_db, template="tthc-dang-ky-khai-sinh", slug="qt-tp-01",
                           code="QT-TP-01", title="Quy trình đăng ký khai sinh", kind="tthc",
                           tthc_code="1.001193", iso_clauses="8.1")
    assert sorted(run_concurrently(app, [first, second])) == ["ok", "ok"]
    assert len(main_commits(app, "qt-05")) == 1 and len(main_commits(app, "qt-tp-01")) == 1
    assert app.test_cli_runner().invoke(main, ["check"]).exit_code == 0


def test_the_same_document_issued_twice_at_once_exactly_one_wins(app, desk, in_db):
    revision_id = approve_draft(desk, in_db)
    results = run_concurrently(app, [revision_id, revision_id])
    assert sorted(results) == ["InvalidInput", "ok"], results
    assert len(main_commits(app, "qt-05")) == 1
    assert revision_row(in_db)["number"] == 1
    assert app.test_cli_runner().invoke(main, ["check"]).exit_code == 0


def test_publish_rebuilds_on_a_main_moved_outside_the_lock(tmp_path):
    repo = AgencyRepo(tmp_path, "so-tu-phap", create=True)
    intruder = AgencyRepo(tmp_path, "so-tu-phap")
    person = Person("Thư ký", "tk@example.invalid")
    real_commit = repo._commit
    moved = []

    def commit_then_intrude(*args, **kwargs):
        sha = real_commit(*args, **kwargs)
        if not moved:  # another writer (without our lock) lands on main first
            parent = intruder.main_sha()
            other = intruder._commit(parent, "hd-01", b"HD-01\n", person, person, "HD-01")
            intruder._update_ref("refs/heads/main", other, parent)
            moved.append(other)
        return sha

    repo._commit = commit_then_intrude
    sha = repo.publish("qt-01", b"QT-01\n", person, person, "QT-01", None)
    assert repo.read(sha, "qt-01") == b"QT-01\n" and repo.read(sha, "hd-01") == b"HD-01\n"
    assert repo.repo.commit(sha).parents[0].hexsha == moved[0]
    repo.close()
    intruder.close()


def test_store_refuses_names_that_could_be_git_options(tmp_path):
    import pytest

    from isodoc.documents.store import StoreError

    repo = AgencyRepo(tmp_path, "so-tu-phap", create=True)
    person = Person("A", "a@example.invalid")
    for bad in ("--upload-pack=touch x", "../x", "a/b", "HEAD", "", "-x"):
        with pytest.raises(StoreError):
            repo.save_draft(bad, 1, b"x", person, "m", None)
    with pytest.raises(StoreError):
        repo.read("--all", "qt-01")
    with pytest.raises(StoreError):
        AgencyRepo(tmp_path, "../../etc")
    repo.close()


def test_maintenance_writes_commit_graphs(app, desk, in_db):
    approve_draft(desk, in_db)
    result = app.test_cli_runner().invoke(main, ["maintenance"])
    assert result.exit_code == 0 and "1 kho" in result.output
    graph = f"{app.config['ISODOC_STORE_PATH']}/{AGENCY}.git/objects/info/commit-graph"
    assert os.path.exists(graph) or os.path.isdir(graph + "s")


def test_effective_date_in_the_future_keeps_the_date(app, desk, in_db):
    revision_id = approve_draft(desk, in_db)
    with app.app_context():
        revision = db.session.get(Revision, revision_id)
        secretary = db.session.scalars(select(User).where(User.username == "stp.thuky")).one()
        services.issue(revision, secretary, date(2099, 1, 1))
        db.session.commit()
        assert services.in_force(revision.document) is None
        assert services.upcoming(revision.document).number == 1
