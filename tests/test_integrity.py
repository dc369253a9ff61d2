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
from isodoc.commands import run
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


CRASH_HISTORY = """
import os, sys
from datetime import date
from sqlalchemy import select
from isodoc import create_app
from isodoc.auth.models import User
from isodoc.documents import docx_import
from isodoc.documents.models import Revision
from isodoc.extensions import db

app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["ISODOC_DATABASE_URL"]})
with app.app_context():
    revision = db.session.get(Revision, int(sys.argv[1]))
    secretary = db.session.scalars(select(User).where(User.username == "stp.thuky")).one()
    docx_import.record_history(revision, secretary, 2, date(2020, 3, 1),
                               "Chuyển hồ sơ giấy lên hệ thống")
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
            run(services.issue, revision, secretary, today_local())  # as a request does
            search.drain()  # what the request does after its commit
            results.append("ok")
        except Exception as exc:  # noqa: BLE001 — the test reports whatever happened
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
    assert "thống kê của cơ sở dữ liệu" in result.output  # ANALYZE (isodoc/dbstats.py)
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


# -- issue 8 defect 5: a crash between git and SQL does not leave the document stuck --

def test_issuing_again_after_a_lost_sql_commit_records_the_commit_on_main(app, desk, in_db):
    revision_id = approve_draft(desk, in_db)
    with app.app_context():
        revision = db.session.get(Revision, revision_id)
        secretary = db.session.scalars(select(User).where(User.username == "stp.thuky")).one()
        services.issue(revision, secretary, date(2099, 1, 1))
        db.session.rollback()  # the SQL commit never happened
    commits = main_commits(app, "qt-05")
    assert len(commits) == 1 and revision_row(in_db)["state"] == "approved"
    response = post(desk("secretary"), f"{BASE}/qt-05/drafts/1/issue",
                    {"effective_date": today_local().strftime("%d/%m/%Y")})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert main_commits(app, "qt-05") == commits
    row = revision_row(in_db)
    # what git holds wins: the effective date written in the commit
    assert (row["state"], row["number"], row["commit"], row["effective"]) == \
        ("issued", 1, commits[0], date(2099, 1, 1))
    assert app.test_cli_runner().invoke(main, ["check"]).exit_code == 0


def test_withdrawing_again_after_a_lost_sql_commit_records_the_commit(app, desk, in_db):
    from isodoc.documents.models import WithdrawalRequest
    from tests.doc_helpers import issue_qt05

    issue_qt05(desk, in_db)
    post(desk("secretary"), f"{BASE}/qt-05/withdraw", {"reason": "Thay bằng QT-07"})
    with app.app_context():
        document = db.session.scalars(select(Document)).one()
        approver = db.session.scalars(select(User).where(User.username == "stp.lanhdao")).one()
        services.decide_withdrawal(document, approver, True)
        db.session.rollback()
    assert len(main_commits(app, "qt-05")) == 2
    post(desk("approver"), f"{BASE}/qt-05/withdraw/decide", {"decision": "confirm"})
    with in_db() as s:
        assert s.scalars(select(WithdrawalRequest.state)).one() == "confirmed"
        assert s.scalars(select(Document)).one().withdrawn_on is not None
    assert len(main_commits(app, "qt-05")) == 2
    assert app.test_cli_runner().invoke(main, ["check"]).exit_code == 0


# -- issue 9 defect 8: a lost compare-and-swap is not every git failure ---------------

def test_update_ref_tells_a_lost_cas_from_another_git_failure(tmp_path):
    import pytest

    from isodoc.documents.store import MAIN, StaleRef, StoreError

    repo = AgencyRepo(tmp_path, "so-tu-phap", create=True)
    person = Person("A", "a@example.invalid")
    first = repo.publish("qt-01", b"1\n", person, person, "one", None)
    second = repo._commit(first, "qt-01", b"2\n", person, person, "two")
    with pytest.raises(StaleRef):
        repo._update_ref(MAIN, second, second)  # main is not where the caller thought
    lock = repo.path / "refs" / "heads" / "main.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text("")
    with pytest.raises(StoreError) as raised:
        repo._update_ref(MAIN, second, first)
    assert not isinstance(raised.value, StaleRef)
    assert "main.lock" in str(raised.value)
    with pytest.raises(StoreError) as raised:  # publish does not retry it as a lost race
        repo.publish("qt-01", b"3\n", person, person, "three", first)
    assert not isinstance(raised.value, StaleRef) and "main.lock" in str(raised.value)
    lock.unlink()
    assert repo.main_sha() == first
    repo.close()


# -- issue 9 defect 3: check compares metadata and evidence files ----------------------

def test_check_finds_metadata_planted_in_sql_and_corrupted_evidence(app, desk, in_db):
    import io

    from isodoc.findings.models import Attachment
    from isodoc.findings.services import attachment_path
    from tests.conftest import csrf_token
    from tests.doc_helpers import issue_qt05

    issue_qt05(desk, in_db)
    runner = app.test_cli_runner()
    assert runner.invoke(main, ["check"]).exit_code == 0
    r = post(desk("secretary"), "/agencies/so-tu-phap/findings/new", {
        "type": "minor", "clauses": "8.5.1", "source": "late_dossier", "source_note": "HS 1",
        "requirement": "Trả kết quả đúng hạn", "observed": "Trễ 2 ngày"})
    assert r.status_code == 302
    finding_url = r.headers["Location"]
    client = desk("secretary")
    client.post(f"{finding_url}/attachments", data={
        "csrf_token": csrf_token(client, "/"),
        "attach-file": (io.BytesIO(b"%PDF-1.4 evidence"), "bien-ban.pdf")},
        content_type="multipart/form-data")
    assert runner.invoke(main, ["check"]).exit_code == 0

    with in_db() as s:
        revision = s.scalars(select(Revision)).one()
        revision.title = "Tên đã bị sửa trong CSDL"
        revision.effective_date = date(2031, 1, 1)
        attachment = s.scalars(select(Attachment)).one()
        with app.app_context():
            path = attachment_path(attachment)
    path.write_bytes(b"%PDF-1.4 tampered")
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 1
    assert "tên tài liệu" in result.output and "ngày hiệu lực" in result.output
    assert "bien-ban.pdf" in result.output and "SHA-256" in result.output

    def light() -> str:  # the start-up repair's check: what a crash can leave
        from isodoc.documents import integrity

        with app.app_context():
            return "\n".join(map(str, integrity.check(thorough=False)))

    assert "SHA-256" not in light()  # it reads no evidence file, it only looks for them
    path.unlink()
    assert "thiếu tệp" in light()
    result = runner.invoke(main, ["check", "--repair"])
    assert result.exit_code == 1 and "thiếu tệp" in result.output


# -- issue 9: what belongs to a revision is compared with its front matter -----------

def test_check_compares_what_belongs_to_the_revision_with_its_front_matter(app, desk, in_db):
    from tests.doc_helpers import issue_qt05

    issue_qt05(desk, in_db)
    runner = app.test_cli_runner()
    assert runner.invoke(main, ["check"]).exit_code == 0
    planted = {"kind": "tthc", "tthc_code": "1.004227", "field": "Hộ tịch",
               "iso_clauses": "8.5.1", "review_months": 6}
    with in_db() as s:
        revision = s.scalars(select(Revision)).one()
        for column, value in planted.items():
            setattr(revision, column, value)
    result = runner.invoke(main, ["check", "--repair"])
    assert result.exit_code == 1
    for label in ("loại tài liệu", "mã TTHC", "lĩnh vực", "điều khoản ISO",
                  "chu kỳ xem xét (tháng)"):
        assert f"[CHƯA sửa] {AGENCY}/QT-05: lần 1: {label} trong CSDL" in result.output, label
    assert "«8.5.1») khác git («9.3»)" in result.output
    with in_db() as s:  # reported, never "repaired" from one side to the other
        revision = s.scalars(select(Revision)).one()
        assert {c: getattr(revision, c) for c in planted} == planted


def test_repair_on_a_later_day_supersedes_what_the_issue_commit_named(
        app, desk, in_db, monkeypatch):
    """Revision 3, issued to take effect before the pending revision 2, reached git but
    not SQL; the repair runs after revision 2's day: revision 2 must still end up
    superseded before effect, as the Supersedes: trailer says, never in force."""
    from datetime import timedelta

    from tests.doc_helpers import draft_form, issue_qt05
    from tests.test_revision_metadata import revise_and_issue

    today = today_local()
    issue_qt05(desk, in_db)
    revise_and_issue(desk, in_db, 2, today + timedelta(days=7))
    author = desk("author")
    post(author, f"{BASE}/qt-05/revise")
    form = draft_form(author, seq=3)
    form.update(change_location="Mục 2", change_summary="Sửa đổi lần 3", reason="Chỉ đạo")
    assert post(author, f"{BASE}/qt-05/drafts/3/edit", form).status_code == 302
    post(author, f"{BASE}/qt-05/drafts/3/submit", {"reviewers": user_id(in_db, "stp.danhgia")})
    post(desk("auditor"), f"{BASE}/qt-05/drafts/3/review", {"decision": "agreed"})
    post(desk("approver"), f"{BASE}/qt-05/drafts/3/approve")
    assert revision_row(in_db, 3)["state"] == "approved"
    with app.app_context():
        revision = db.session.scalars(select(Revision).where(Revision.seq == 3)).one()
        secretary = db.session.scalars(select(User).where(User.username == "stp.thuky")).one()
        services.issue(revision, secretary, today + timedelta(days=3))
        db.session.rollback()  # the SQL commit never happened
        repo = AgencyRepo(app.config["ISODOC_STORE_PATH"], AGENCY)
        assert repo.commit_info(repo.main_sha()).trailers["Supersedes"] == "2"
        repo.close()

    monkeypatch.setattr(services, "today_local", lambda: today + timedelta(days=10))
    repaired = app.test_cli_runner().invoke(main, ["check", "--repair"])
    assert "đã sửa" in repaired.output, repaired.output
    with in_db() as s:
        by_number = {r.number: r for r in s.scalars(select(Revision)) if r.number}
        assert by_number[3].state == "issued"
        assert by_number[2].superseded_before_effect
        assert [e.action for e in by_number[2].events][-1] == "supersede_before_effect"
        later = today + timedelta(days=10)
        document = by_number[3].document
        assert services.in_force(document, later).number == 3
        assert services.revision_status(by_number[2], later) == "superseded_before_effect"


def test_crash_while_recording_history_is_repaired(app, desk, in_db, tmp_path):
    """A history-migration commit whose SQL half was lost is replayed by the repair,
    with its audit entry; before the fix the repair refused it (the draft is not
    approved, as recording history needs no approval)."""
    from isodoc.audit import AuditEntry
    from tests import docx_files as files
    from tests.test_docx_import import IMPORT, confirm_data, text, upload

    secretary = desk("secretary")
    page = text(upload(secretary, IMPORT, files.real_procedure(code="QT-07")))
    assert post(secretary, f"{IMPORT}/confirm", confirm_data(page)).status_code == 302
    with in_db() as s:
        revision_id = s.scalars(select(Revision.id).join(Document).where(
            Document.slug == "qt-07")).one()
    env = {**os.environ, "ISODOC_INSTANCE_PATH": str(tmp_path),
           "ISODOC_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "ISODOC_STORE_PATH": app.config["ISODOC_STORE_PATH"], "ISODOC_SECRET_KEY": "x"}
    result = subprocess.run([sys.executable, "-c", CRASH_HISTORY, str(revision_id)], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 9, result.stderr
    assert len(main_commits(app, "qt-07")) == 1
    assert revision_row(in_db, slug="qt-07")["state"] == "draft"  # SQL never heard of it
    runner = app.test_cli_runner()
    repaired = runner.invoke(main, ["check", "--repair"])
    assert repaired.exit_code == 0, repaired.output
    row = revision_row(in_db, slug="qt-07")
    assert (row["state"], row["number"], row["effective"]) == ("issued", 2, date(2020, 3, 1))
    assert "0 vấn đề" in runner.invoke(main, ["check"]).output
    with in_db() as s:
        entry = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "document.record_history")).one()
        assert entry.username == "stp.thuky"
        assert "Chuyển hồ sơ giấy lên hệ thống" in entry.summary
        assert "khi sửa chữa" in entry.summary
