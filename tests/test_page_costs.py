"""What a reading page costs: a bounded number of SQL queries whatever the history, roles
remembered within a request but never past a change, and an API read that writes nothing."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from isodoc import policy
from isodoc.auth import services as auth_services
from isodoc.auth.models import ApiToken, Role, User
from isodoc.documents.models import Revision
from isodoc.extensions import db
from isodoc.policy import SYSTEM
from isodoc.timeutil import today_local
from tests.conftest import agency, api_token, csrf_token
from tests.doc_helpers import BASE, create_from_template, issue_qt05, post, user_id

API = "/api/v1/agencies/so-tu-phap/documents"


@contextmanager
def counted(app):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def rendered(app, monkeypatch) -> None:
    """Every request renders its page: what a first visit (or the first after a change)
    costs, not the kept page (isodoc/pagecache.py; its own costs: tests/test_page_cache.py)."""
    monkeypatch.setitem(app.config, "ISODOC_PAGE_CACHE", False)


@pytest.fixture
def token(in_db, staff) -> dict:
    return api_token(in_db, staff["reader"], 'chi phi')


def test_reading_pages_run_a_fixed_number_of_queries(app, desk, in_db, token, rendered):
    issue_qt05(desk, in_db)
    reader = desk("reader")
    # 6 for the page, 1 for the header's count of what waits (isodoc/main/waiting.py)
    pages = {f"{BASE}/qt-05": 7, f"{BASE}/qt-05/history": 7, f"{BASE}/qt-05/revisions/1": 7}
    for url, most in pages.items():
        reader.get(url)
        with counted(app) as statements:
            assert reader.get(url).status_code == 200
        assert len(statements) <= most, (url, statements)
    reader.get(f"{API}/qt-05", headers=token)
    with counted(app) as statements:
        assert reader.get(f"{API}/qt-05", headers=token).status_code == 200
    assert len(statements) <= 7, statements
    assert not [s for s in statements if not s.lstrip().upper().startswith("SELECT")]


def test_effective_roles_are_remembered_until_a_flush(app, province, make_user):
    username = make_user(("so-tu-phap", "reader"))
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.username == username))
        office = agency("so-tu-phap")
        assert policy.effective_roles(user, office) == {Role.READER}
        assert not policy.can(user, policy.Action.DOC_CREATE, office)
        auth_services.add_membership(user, SYSTEM, office, Role.AUTHOR)  # flushes
        assert policy.effective_roles(user, office) == {Role.READER, Role.AUTHOR}
        assert policy.can(user, policy.Action.DOC_CREATE, office)
        membership = next(m for m in user.memberships if m.role == Role.AUTHOR)
        auth_services.remove_membership(membership, SYSTEM)
        assert not policy.can(user, policy.Action.DOC_CREATE, office)
        db.session.rollback()


def test_token_use_is_recorded_once_a_minute(app, desk, in_db, token):
    issue_qt05(desk, in_db)
    client = app.test_client()
    assert client.get(f"{API}/qt-05", headers=token).status_code == 200
    with in_db() as s:
        first = s.scalars(select(ApiToken.last_used_at)).one()
    assert first is not None
    assert client.get(f"{API}/qt-05", headers=token).status_code == 200
    with in_db() as s:
        assert s.scalars(select(ApiToken.last_used_at)).one() == first
        row = s.scalars(select(ApiToken)).one()
        row.last_used_at = first - timedelta(minutes=5)
    assert client.get(f"{API}/qt-05", headers=token).status_code == 200
    with in_db() as s:
        assert s.scalars(select(ApiToken.last_used_at)).one() > first - timedelta(minutes=5)


def test_the_count_of_what_waits_costs_the_document_page_one_query(app, desk, in_db,
                                                                    monkeypatch, rendered):
    """The header's number (what waits for me) is one COUNT statement, run once however
    often the page asks for it; the document page pays at most 2 queries for it."""
    from isodoc.main import waiting

    issue_qt05(desk, in_db)
    reader = desk("reader")  # QT-05 lần 1 waits to be confirmed as read
    url = f"{BASE}/qt-05"
    reader.get(url)
    with counted(app) as with_count:
        page = reader.get(url).get_data(as_text=True)
    assert '<span class="count-badge"' in page
    assert re.search(r'count-badge[^>]*>.*?>1<', page)
    monkeypatch.setattr(waiting, "count_for", lambda user: 0)
    with counted(app) as without:
        page = reader.get(url).get_data(as_text=True)
    assert "count-badge" not in page
    assert len(with_count) - len(without) == 1, with_count


def test_issuing_reads_the_people_it_names_in_one_query(app, desk, in_db):
    """The commit names the draft's author, approver and reviewers: one query reads them
    all (it was one lazy load each)."""
    assert create_from_template(desk("author")).status_code == 302
    post(desk("author"), f"{BASE}/qt-05/drafts/1/submit",
         {"reviewers": user_id(in_db, "stp.danhgia")})
    post(desk("auditor"), f"{BASE}/qt-05/drafts/1/review", {"decision": "agreed"})
    post(desk("approver"), f"{BASE}/qt-05/drafts/1/approve", {"comment": "Đồng ý"})
    secretary = desk("secretary")
    data = {"csrf_token": csrf_token(secretary, f"{BASE}/qt-05/drafts/1"),
            "effective_date": today_local().strftime("%d/%m/%Y")}
    with counted(app) as statements:
        assert secretary.post(f"{BASE}/qt-05/drafts/1/issue", data=data).status_code == 302
    written = next(i for i, s in enumerate(statements) if s.startswith("UPDATE revision"))
    people = [s for s in statements[:written] if re.search(r"\bFROM user_account\b", s)]
    # the person signed in, then author + approver + reviewer together
    assert len(people) == 2, people
    assert " IN (" in people[1]
    # the claim carries every column of the issued revision, and the document's cache is
    # one statement: nothing is left for the unit of work (it had a second UPDATE of the
    # revision, and its flush of three objects was a sixth of an issue)
    writes = [s.split(" SET ")[0] for s in statements if s.startswith(("UPDATE", "INSERT"))]
    assert writes.count("UPDATE revision") == 1, writes
    assert writes.count("UPDATE document") == 1, writes
    with in_db() as s:
        issued = s.scalar(select(Revision).where(Revision.seq == 1))
        assert (issued.state, issued.number, issued.issued_by.username) == \
            ("issued", 1, "stp.thuky")
        assert len(issued.commit_sha) == len(issued.blob_sha) == 40
        assert issued.document.head_commit == issued.commit_sha
        assert [e.action for e in issued.events][-1] == "issue"


def test_an_event_written_as_a_statement_is_seen_by_the_revision_that_loaded_its_events(
        app, desk, in_db):
    """Events are INSERTed as Core statements; a revision whose events were loaded earlier
    in the transaction (the approval's check of who saved the draft) reads them again."""
    from isodoc.documents import services

    assert create_from_template(desk("author")).status_code == 302
    with app.app_context():
        revision = db.session.scalar(select(Revision).where(Revision.seq == 1))
        secretary = db.session.scalar(select(User).where(User.username == "stp.thuky"))
        assert secretary.id not in policy.contributors(revision)  # events now loaded
        services._event(revision, secretary, "save", revision.state, "Sửa lỗi chính tả")
        assert secretary.id in policy.contributors(revision)
        assert revision.events[-1].comment == "Sửa lỗi chính tả"
        db.session.rollback()
