"""Per-revision metadata, effective dates out of order, metadata validation and the
constant number of SQL queries of the register, work list and document API."""

from __future__ import annotations

import subprocess
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from isodoc import search
from isodoc.auth import services as auth_services
from isodoc.auth.models import User
from isodoc.documents import content, services
from isodoc.documents.models import Document, Revision
from isodoc.documents.repos import repo_for
from isodoc.extensions import db
from isodoc.search import entries as search_entries
from isodoc.search.base import OPEN_END, day_number
from isodoc.timeutil import today_local
from tests.conftest import agency as agency_named
from tests.doc_helpers import (
    AGENCY,
    BASE,
    create_from_template,
    draft_form,
    issue_qt05,
    post,
    revision_row,
    user_id,
)

API = f"/api/v1/agencies/{AGENCY}/documents"


@pytest.fixture
def tokens(app, staff, in_db):
    out = {}
    with in_db() as s:
        for who, username in staff.items():
            user = s.scalars(select(User).where(User.username == username)).one()
            out[who] = {"Authorization": f"Bearer {auth_services.create_token(user, user, 'api')}"}
    return out


def revise_and_issue(desk, in_db, seq: int, effective: date, **changes) -> None:
    """Revision `seq` of QT-05 through the whole workflow, issued to take effect on a day."""
    author = desk("author")
    assert post(author, f"{BASE}/qt-05/revise").status_code == 302
    form = draft_form(author, seq=seq)
    form.update(change_location="Mục 2", change_summary=f"Sửa đổi lần {seq}",
                reason="Kết luận xem xét của lãnh đạo", **changes)
    form["body"] = form["body"] + f"\nBổ sung của lần sửa đổi {seq}.\n"
    assert post(author, f"{BASE}/qt-05/drafts/{seq}/edit", form).status_code == 302
    post(author, f"{BASE}/qt-05/drafts/{seq}/submit", {"reviewers": user_id(in_db, "stp.danhgia")})
    post(desk("auditor"), f"{BASE}/qt-05/drafts/{seq}/review", {"decision": "agreed"})
    post(desk("approver"), f"{BASE}/qt-05/drafts/{seq}/approve")
    post(desk("secretary"), f"{BASE}/qt-05/drafts/{seq}/issue",
         {"effective_date": effective.strftime("%d/%m/%Y")})
    assert revision_row(in_db, seq)["state"] == "issued"


def index_entries(in_db, slug: str = "qt-05"):
    with in_db() as s:
        document = s.scalars(select(Document).where(Document.slug == slug)).one()
        return search_entries.entries_for(document)


# -- defect 1: a draft never changes what is in force ------------------------------------

def test_saving_then_cancelling_a_draft_leaves_the_revision_in_force_alone(
        desk, in_db, client, tokens):
    issue_qt05(desk, in_db)
    author = desk("author")
    assert post(author, f"{BASE}/qt-05/revise").status_code == 302
    form = draft_form(author, seq=2)
    form.update(kind="tthc", tthc_code="1.004227", iso_clauses="8.1 8.5.1", review_months="3",
                field="Hộ tịch", change_summary="Đổi loại", reason="Thử")
    assert post(author, f"{BASE}/qt-05/drafts/2/edit", form).status_code == 302

    def in_force_values_everywhere():
        page = desk("reader").get(f"{BASE}/qt-05").get_data(as_text=True)
        assert "Quy trình nội bộ" in page and "9.3" in page
        assert "1.004227" not in page and "Hộ tịch" not in page and "8.5.1" not in page
        register = desk("reader").get(f"{BASE}/").get_data(as_text=True)
        assert "Quy trình nội bộ" in register and "1.004227" not in register
        csv = desk("secretary").get(f"{BASE}/export.csv").get_data(as_text=True)
        assert "Quy trình nội bộ" in csv and "1.004227" not in csv and "Hộ tịch" not in csv
        listed = client.get(API, headers=tokens["reader"]).get_json()
        assert [(d["kind"], d["tthc_code"], d["iso_clauses"], d["field"]) for d in listed] == [
            ("internal", None, ["9.3"], "Hệ thống quản lý chất lượng")]
        one = client.get(f"{API}/qt-05", headers=tokens["reader"]).get_json()["document"]
        assert (one["kind"], one["iso_clauses"]) == ("internal", ["9.3"])
        public = [e for e in index_entries(in_db) if e.visibility == "public"]
        assert [(e.kind, e.tthc_code, e.clauses, e.field) for e in public] == [
            ("internal", "", ["9.3"], "Hệ thống quản lý chất lượng")]
        with in_db() as s:
            document = s.scalars(select(Document).where(Document.slug == "qt-05")).one()
            assert services.review_due(document) == services.add_months(today_local(), 12)

    in_force_values_everywhere()
    # the staff's draft entry carries the draft's own values
    draft = [e for e in index_entries(in_db) if e.visibility == "staff"]
    assert [(e.kind, e.tthc_code) for e in draft] == [("tthc", "1.004227")]
    # the editor of the draft starts from the draft's values, not the document's
    again = draft_form(author, seq=2)
    assert (again["kind"], again["tthc_code"], again["review_months"]) == ("tthc", "1.004227",
                                                                           "3")
    post(author, f"{BASE}/qt-05/drafts/2/cancel", {"comment": "Không sửa nữa"})
    assert revision_row(in_db, 2)["state"] == "cancelled"
    in_force_values_everywhere()


def test_a_revision_taking_effect_brings_its_own_metadata(desk, in_db, client, tokens):
    issue_qt05(desk, in_db)
    next_week = today_local() + timedelta(days=7)
    revise_and_issue(desk, in_db, 2, next_week, iso_clauses="9.3 10.3", review_months="6")
    # until next week, revision 1 with its clauses is in force
    listed = client.get(API, headers=tokens["reader"]).get_json()
    assert (listed[0]["revision"], listed[0]["iso_clauses"]) == (1, ["9.3"])
    with in_db() as s:
        document = s.scalars(select(Document).where(Document.slug == "qt-05")).one()
        meta = services.current_metadata(document, next_week)
        assert (meta.number, meta.clause_list, meta.review_months) == (2, ["9.3", "10.3"], 6)
        assert services.current_metadata(document).clause_list == ["9.3"]
    windows = {(e.revision, tuple(e.clauses)) for e in index_entries(in_db)}
    assert windows == {(1, ("9.3",)), (2, ("9.3", "10.3"))}
    # the clause pages list what is in force today
    reader = desk("reader")
    assert "QT-05" in reader.get(f"/clauses/9.3?agency={AGENCY}").get_data(as_text=True)
    assert "QT-05" not in reader.get(f"/clauses/10.3?agency={AGENCY}").get_data(as_text=True)


# -- defect 2: effective dates out of order ------------------------------------------

def test_a_revision_effective_earlier_supersedes_a_pending_one(desk, in_db, client, tokens):
    today = today_local()
    issue_qt05(desk, in_db)
    revise_and_issue(desk, in_db, 2, today + timedelta(days=7))
    revise_and_issue(desk, in_db, 3, today)

    with in_db() as s:
        document = s.scalars(select(Document).where(Document.slug == "qt-05")).one()
        by_number = {r.number: r for r in services.issued(document)}
        assert services.in_force(document).number == 3
        assert services.in_force(document, today + timedelta(days=30)).number == 3
        assert services.upcoming(document) is None
        assert [services.revision_status(by_number[n]) for n in (1, 2, 3)] == [
            "superseded", "superseded_before_effect", "in_force"]
        # the git commit of revision 3 says what it cancelled
        repo = repo_for(document.agency)
        commit = by_number[3].commit_sha
        meta, _ = content.split(repo.read(commit, "qt-05"))
        path = repo.path
        assert [e.action for e in by_number[2].events][-1] == "supersede_before_effect"
    assert meta["supersedes"] == [2]
    message = subprocess.run(["git", "-C", str(path), "log", "-1", "--format=%B", commit],
                             capture_output=True, text=True, check=True).stdout
    assert "Supersedes: 2" in message

    reader = desk("reader")
    page = reader.get(f"{BASE}/qt-05").get_data(as_text=True)
    assert "Lần ban hành 3" in page and "sẽ thay thế bản này" not in page
    history = reader.get(f"{BASE}/qt-05/history").get_data(as_text=True)
    assert "Không có hiệu lực (bị thay thế trước ngày hiệu lực)" in history
    second = reader.get(f"{BASE}/qt-05/revisions/2").get_data(as_text=True)
    assert "Không có hiệu lực (bị thay thế trước ngày hiệu lực)" in second
    assert "sẽ hiệu lực từ" not in second
    register = reader.get(f"{BASE}/").get_data(as_text=True)
    assert "Lần 2 hiệu lực từ" not in register and "Đang hiệu lực" in register
    listed = client.get(API, headers=tokens["reader"]).get_json()
    assert (listed[0]["revision"], listed[0]["status"]) == (3, "in_force")
    revisions = client.get(f"{API}/qt-05/revisions", headers=tokens["reader"]).get_json()
    assert [(r["number"], r["status"]) for r in revisions] == [
        (3, "in_force"), (2, "superseded_before_effect"), (1, "superseded")]

    # search: only revision 3, today and on revision 2's day
    assert [e.key.split(":")[1] for e in index_entries(in_db)
            if e.visibility == "public"] == ["r3"]
    with in_db():
        search.drain()
    hits = client.get("/api/v1/search?q=QT-05", headers=tokens["reader"]).get_json()["hits"]
    assert [h["revision"] for h in hits] == [3]
    web = reader.get("/search/?q=QT-05").get_data(as_text=True)
    assert "lần ban hành 3" in web and "lần ban hành 1" not in web


def test_a_later_revision_effective_after_the_pending_one_leaves_it_alone(desk, in_db):
    today = today_local()
    issue_qt05(desk, in_db)
    revise_and_issue(desk, in_db, 2, today + timedelta(days=7))
    revise_and_issue(desk, in_db, 3, today + timedelta(days=14))
    with in_db() as s:
        document = s.scalars(select(Document).where(Document.slug == "qt-05")).one()
        assert [services.revision_status(r) for r in services.issued(document)] == [
            "in_force", "pending", "pending"]
        assert services.in_force(document, today + timedelta(days=8)).number == 2
        assert services.upcoming(document).number == 2
    windows = [(e.revision, e.valid_from, e.valid_until) for e in index_entries(in_db)]
    week, fortnight = day_number(today + timedelta(days=7)), day_number(today + timedelta(days=14))
    assert windows == [(1, day_number(today), week), (2, week, fortnight), (3, fortnight, OPEN_END)]


# -- defect 7: clauses and TTHC codes are checked ------------------------------------

def test_clauses_come_from_the_catalog_and_tthc_codes_have_the_national_format(desk, in_db):
    author = desk("author")
    for overrides, message in (
            ({"iso_clauses": "9.9.9"}, "Điều khoản 9.9.9 không có trong TCVN ISO 9001:2015"),
            ({"iso_clauses": "8.5.1 4.9"}, "Điều khoản 4.9 không có trong TCVN ISO 9001:2015"),
            ({"tthc_code": "ABC"}, "Mã TTHC «ABC» không hợp lệ"),
            ({"tthc_code": "1.00422"}, "Mã TTHC «1.00422» không hợp lệ"),
            ({"tthc_code": "12.004227"}, "Mã TTHC «12.004227» không hợp lệ")):
        page = create_from_template(author, **overrides).get_data(as_text=True)
        assert message in page, message
    with in_db() as s:
        assert s.scalars(select(Document)).all() == []
    assert create_from_template(author, tthc_code="2.002766", kind="tthc",
                                iso_clauses="8.1 8.5.1").status_code == 302


def approve_tthc(desk, in_db, code: str, seq: int = 1) -> str:
    slug = services.slugify(code)
    response = create_from_template(desk("author"), template="tthc-dang-ky-khai-sinh", code=code,
                                    title=f"Quy trình đăng ký khai sinh ({code})", kind="tthc",
                                    tthc_code="1.001193", iso_clauses="8.1")
    assert response.status_code == 302, response.get_data(as_text=True)
    post(desk("author"), f"{BASE}/{slug}/drafts/{seq}/submit",
         {"reviewers": user_id(in_db, "stp.danhgia")})
    post(desk("auditor"), f"{BASE}/{slug}/drafts/{seq}/review", {"decision": "agreed"})
    post(desk("approver"), f"{BASE}/{slug}/drafts/{seq}/approve")
    return slug


def test_one_procedure_per_tthc_code_in_an_agency(desk, in_db):
    first = approve_tthc(desk, in_db, "QT-TP-01")
    second = approve_tthc(desk, in_db, "QT-TP-02")  # both drafts may exist
    day = today_local().strftime("%d/%m/%Y")
    post(desk("secretary"), f"{BASE}/{first}/drafts/1/issue", {"effective_date": day})
    assert revision_row(in_db, 1, first)["state"] == "issued"
    # issuing the second procedure for the same TTHC is refused, naming the first
    response = post(desk("secretary"), f"{BASE}/{second}/drafts/1/issue",
                    {"effective_date": day})
    assert response.status_code == 422  # the draft again, with the reason
    page = response.get_data(as_text=True)
    assert "Mã TTHC 1.001193 đã có quy trình QT-TP-01" in page
    assert revision_row(in_db, 1, second)["state"] == "approved"
    # and so is creating a third one
    page = create_from_template(desk("author"), template="tthc-dang-ky-khai-sinh",
                                code="QT-TP-03", title="Khai sinh", kind="tthc",
                                tthc_code="1.001193", iso_clauses="8.1").get_data(as_text=True)
    assert "Mã TTHC 1.001193 đã có quy trình QT-TP-01" in page
    with in_db() as s:
        assert s.scalar(select(Document).where(Document.code == "QT-TP-03")) is None


# -- defect 10: month arithmetic from the standard library ----------------------------

def test_review_due_month_arithmetic():
    assert services.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert services.add_months(date(2100, 1, 31), 1) == date(2100, 2, 28)
    assert services.add_months(date(2000, 1, 31), 1) == date(2000, 2, 29)
    assert services.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert services.add_months(date(2026, 12, 15), 12) == date(2027, 12, 15)
    assert services.add_months(date(2026, 3, 31), 60) == date(2031, 3, 31)


def test_review_due_follows_the_revision_in_force(desk, in_db):
    issue_qt05(desk, in_db)
    with in_db() as s:
        document = s.scalars(select(Document).where(Document.slug == "qt-05")).one()
        assert services.review_due(document) == services.add_months(today_local(), 12)
        document.last_reviewed_on = date(2026, 1, 31)
        revision = services.in_force(document)
        revision.effective_date = date(2025, 1, 1)
        revision.review_months = 1
        assert services.review_due(document) == date(2026, 2, 28)


# -- a constant number of queries -------------------------------------------------------

@contextmanager
def counted(app):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def grow(app, staff, first: int, n: int) -> None:
    """`n` documents straight into SQL: issued ones (one with a future revision), a draft
    of a later revision, and never-issued drafts."""
    with app.app_context():
        agency = agency_named(AGENCY)
        author = db.session.scalar(select(User).where(User.username == staff["author"]))
        today = today_local()
        for i in range(first, first + n):
            code = f"QT-{i + 1:03d}"
            document = Document(agency=agency, code=code, slug=services.slugify(code),
                                title=f"Quy trình {i + 1}", kind="internal")
            db.session.add(document)
            issued = i % 5 != 4
            if issued:
                document.revisions.append(Revision(
                    seq=1, number=1, state="issued", author=author, title=document.title,
                    effective_date=today - timedelta(days=400), kind="internal",
                    iso_clauses="7.5", commit_sha="0" * 40))
            if i % 5 == 1:
                document.revisions.append(Revision(
                    seq=2, number=2, state="issued", author=author, title=document.title,
                    effective_date=today + timedelta(days=3), kind="internal",
                    commit_sha="1" * 40))
            if i % 5 in (2, 4):
                document.revisions.append(Revision(
                    seq=len(document.revisions) + 1, state="draft", author=author,
                    title=document.title, kind="tthc", tthc_code=f"1.{i:06d}",
                    last_comment="Sửa lại"))
        db.session.commit()


def queries_for(app, desk, tokens, n_before: int, n: int) -> dict[str, int]:
    from isodoc.documents import worklist

    grow(app, desk.staff, n_before, n - n_before)
    out = {}
    for name, who, url in (("register", "secretary", f"{BASE}/"),
                           ("register-reader", "reader", f"{BASE}/"),
                           ("export", "secretary", f"{BASE}/export.csv")):
        client = desk(who)
        client.get(url)  # warm up: session, user
        with counted(app) as statements:
            response = client.get(url)
        assert response.status_code == 200
        out[name] = len(statements)
    api = app.test_client()
    api.get(API, headers=tokens["secretary"])
    with counted(app) as statements:
        listed = api.get(API, headers=tokens["secretary"]).get_json()
    assert len(listed) == n
    out["api"] = len(statements)
    with app.test_request_context(), app.app_context():
        user = db.session.scalar(select(User).where(User.username == desk.staff["author"]))
        with counted(app) as statements:
            work = worklist.work_for(user)
        assert work["returned"] or n == 0
        out["worklist"] = len(statements)
        db.session.rollback()
    return out


def test_register_worklist_and_api_cost_a_constant_number_of_queries(app, desk, tokens):
    small = queries_for(app, desk, tokens, 0, 5)
    large = queries_for(app, desk, tokens, 5, 30)
    assert small == large
    assert all(count <= 12 for count in large.values()), large


def test_standing_gives_the_same_answers_as_the_single_functions(app, staff, in_db):
    grow(app, staff, 0, 10)
    today = today_local()
    with in_db() as s:
        documents = services.agency_documents(agency_named(AGENCY))
        documents[0].withdrawn_on = today + timedelta(days=2)
        documents[1].revisions[1].superseded_before_effect = True
        documents[3].last_reviewed_on = today - timedelta(days=20)
        for day in (today - timedelta(days=500), today, today + timedelta(days=3),
                    today + timedelta(days=30)):
            for d in documents:
                st = services.standing(d, day)
                assert (st.current, st.upcoming, st.status, st.meta, st.review_due,
                        st.open_draft) == (
                    services.in_force(d, day), services.upcoming(d, day),
                    services.document_status(d, day), services.current_metadata(d, day),
                    services.review_due(d, day), services.open_revision(d)), (d.code, day)
        s.rollback()


def test_the_migration_gives_existing_revisions_their_documents_values(tmp_path):
    """On a database of its own: rows written under 0004, then upgraded."""
    from alembic import command
    from sqlalchemy import text

    from tests.doc_helpers import older_database

    with older_database(tmp_path, "0004") as (connection, cfg):
        connection.execute(text(
            "INSERT INTO document (id, agency_id, code, slug, title, kind, tthc_code, field, "
            "iso_clauses, review_months, created_at) VALUES (1, 1, 'QT-TP-01', 'qt-tp-01', "
            "'Khai sinh', 'tthc', '1.001193', 'Hộ tịch', '8.1 8.5.1', 6, '2026-01-01')"))
        for seq in (1, 2):
            connection.execute(text(
                "INSERT INTO revision (document_id, seq, state, author_id, title, "
                "change_location, change_summary, reason, last_comment, created_at, "
                "updated_at) VALUES (1, :seq, 'draft', 1, 'Khai sinh', '', '', '', '', "
                "'2026-01-01', '2026-01-01')"), {"seq": seq})
        command.upgrade(cfg, "head")
        rows = connection.execute(text(
            "SELECT kind, tthc_code, field, iso_clauses, review_months, "
            "superseded_before_effect FROM revision ORDER BY seq")).all()
        assert [tuple(r) for r in rows] == [("tthc", "1.001193", "Hộ tịch", "8.1 8.5.1", 6,
                                            False)] * 2


def test_the_api_refuses_unknown_clauses_and_bad_tthc_codes(client, tokens, in_db):
    body = {"code": "QT-TP-09", "title": "Khai sinh", "kind": "tthc", "tthc_code": "1.001193",
            "iso_clauses": "8.1", "body": "## 1. Mục đích\n"}
    for change, message in (({"iso_clauses": "8.1 9.9.9"}, "Điều khoản 9.9.9 không có"),
                            ({"tthc_code": "1.1193"}, "Mã TTHC «1.1193» không hợp lệ")):
        response = client.post(API, json={**body, **change}, headers=tokens["author"])
        assert response.status_code == 422 and message in response.get_json()["message"]
    with in_db() as s:
        assert s.scalars(select(Document)).all() == []
    assert client.post(API, json=body, headers=tokens["author"]).status_code == 201
