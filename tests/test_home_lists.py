""""Việc của tôi" lists the first items of each document list and links to the rest, a
page at a time: a person with hundreds of documents to read costs the same queries and a
page of the same size as one with three (the lists are chosen in SQL, isodoc/documents/
worklist.py; tests/test_mail.py checks they are the policy's lists)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from isodoc.auth.models import User
from isodoc.extensions import db
from isodoc.timeutil import today_local
from tests.conftest import agency
from tests.doc_helpers import post
from tests.test_page_costs import counted
from tests.test_redeclare import in_force

TODAY = today_local()


@pytest.fixture
def rendered(app, monkeypatch) -> None:
    """Every request renders its page (not the kept page of isodoc/pagecache.py)."""
    monkeypatch.setitem(app.config, "ISODOC_PAGE_CACHE", False)


def issue_many(app, staff, first: int, last: int) -> None:
    """Documents QT-first..QT-last in force in the Sở Tư pháp, QT-01 the newest."""
    with app.app_context():
        author = db.session.scalar(select(User.id).where(User.username == staff["author"]))
        office = agency("so-tu-phap")
        for i in range(first, last + 1):
            in_force(office, f"QT-{i:02d}", author, TODAY - timedelta(days=i))
        db.session.commit()


def acknowledge_codes(page: str) -> list[str]:
    section = page.split("Văn bản mới cần xác nhận đã đọc", 1)[1].split("</section>", 1)[0]
    return re.findall(r"<strong>(QT-\d+)</strong>", section)


def listed_codes(page: str) -> list[str]:
    return re.findall(r"<strong>(QT-\d+)</strong>", page.split("<h1>", 1)[1])


def test_home_shows_the_first_items_and_the_rest_a_page_at_a_time(app, staff, desk, rendered):
    issue_many(app, staff, 1, 30)
    reader = desk("reader")
    page = reader.get("/?viec=1").get_data(as_text=True)
    assert acknowledge_codes(page) == [f"QT-{i:02d}" for i in range(1, 11)]  # newest first
    assert "Xem tất cả 30 việc" in page and 'href="/viec/acknowledge"' in page

    first = reader.get("/viec/acknowledge")
    assert first.status_code == 200
    text = first.get_data(as_text=True)
    assert listed_codes(text) == [f"QT-{i:02d}" for i in range(1, 26)]
    assert "30 việc" in text and "Trang 1/2" in text and "/viec/acknowledge?page=2" in text
    second = reader.get("/viec/acknowledge?page=2").get_data(as_text=True)
    assert listed_codes(second) == [f"QT-{i:02d}" for i in range(26, 31)]
    assert "Trang 2/2" in second and "/viec/acknowledge?page=1" in second

    # reading one takes it off the list at once
    assert post(reader, "/agencies/so-tu-phap/documents/qt-01/acknowledge/1",
                {"next": "/?viec=1"}).status_code == 302
    page = reader.get("/?viec=1").get_data(as_text=True)
    assert acknowledge_codes(page)[0] == "QT-02" and "Xem tất cả 29 việc" in page


def test_a_list_page_refuses_what_no_list_has(app, staff, desk, client, rendered):
    issue_many(app, staff, 1, 3)
    reader = desk("reader")
    assert reader.get("/viec/acknowledge?page=2").status_code == 404
    for bad in ("0", "-1", "abc", "1e3", "99999999999", "1\x00"):
        r = reader.get("/viec/acknowledge", query_string={"page": bad})
        assert r.status_code == 400, bad
        assert "Số trang phải là số nguyên" in r.get_data(as_text=True)
    assert reader.get("/viec/nothing").status_code == 404
    assert reader.get("/viec/acknowledge").status_code == 200
    assert client.get("/viec/acknowledge").status_code == 302  # signed out: to sign in
    # another agency's person sees their own list: none of these documents
    other = desk("outsider").get("/viec/acknowledge").get_data(as_text=True)
    assert listed_codes(other) == [] and "Không có việc nào." in other


def test_home_costs_the_same_with_three_documents_to_read_as_with_thirty(app, staff, desk,
                                                                         rendered):
    reader = desk("reader")
    issue_many(app, staff, 1, 3)
    reader.get("/?viec=1")
    with counted(app) as few:
        few_page = reader.get("/?viec=1").get_data(as_text=True)
    issue_many(app, staff, 4, 30)
    reader.get("/?viec=1")
    with counted(app) as many:
        many_page = reader.get("/?viec=1").get_data(as_text=True)
    assert len(acknowledge_codes(few_page)) == 3 and len(acknowledge_codes(many_page)) == 10
    assert len(many) == len(few), (len(few), len(many))


def test_overdue_reviews_come_most_overdue_first(app, staff, desk, rendered):
    """Ordered by when each review fell due (its own interval), not by effective date."""
    with app.app_context():
        author = db.session.scalar(select(User.id).where(User.username == staff["author"]))
        office = agency("so-tu-phap")
        yearly = in_force(office, "QT-A", author, TODAY - timedelta(days=400))  # due ≈ 35 d ago
        half = in_force(office, "QT-B", author, TODAY - timedelta(days=390))    # ≈ 208 d ago
        yearly.revisions[0].review_months, half.revisions[0].review_months = 12, 6
        db.session.commit()
    page = desk("secretary").get("/viec/periodic").get_data(as_text=True)
    assert listed_codes(page.replace("QT-A", "QT-90").replace("QT-B", "QT-91")) == \
        ["QT-91", "QT-90"]


def test_a_dissolved_agencys_drafts_leave_the_review_and_returned_lists(
        app, staff, desk, in_db, rendered):
    """Reviewing or editing a draft of an agency dissolved yesterday is refused: its
    drafts leave the reviewer's and the author's lists, and their counts, with it."""
    from tests.doc_helpers import create_from_template, user_id

    reviewer = user_id(in_db, "stp.danhgia")
    author, auditor = desk("author"), desk("auditor")
    assert create_from_template(author).status_code == 302  # QT-05, then returned
    post(author, "/agencies/so-tu-phap/documents/qt-05/drafts/1/submit", {"reviewers": reviewer})
    post(auditor, "/agencies/so-tu-phap/documents/qt-05/drafts/1/review",
         {"decision": "changes_requested", "comment": "Sửa mục 3"})
    assert create_from_template(author, code="QT-06").status_code == 302  # in review
    post(author, "/agencies/so-tu-phap/documents/qt-06/drafts/1/submit", {"reviewers": reviewer})

    def listed(client, group: str) -> tuple[str, list[str]]:
        page = client.get(f"/viec/{group}").get_data(as_text=True)
        return re.search(r"(\d+) việc", page).group(1), listed_codes(page)

    assert listed(auditor, "review") == ("1", ["QT-06"])
    assert listed(author, "returned") == ("1", ["QT-05"])
    with app.app_context():
        agency("so-tu-phap").dissolved_on = TODAY - timedelta(days=1)
        db.session.commit()
    assert listed(auditor, "review") == ("0", [])
    assert listed(author, "returned") == ("0", [])
    for client in (author, auditor):
        assert "count-badge" not in client.get("/account").get_data(as_text=True)
