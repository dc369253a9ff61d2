"""Reading pages kept per person (isodoc/pagecache.py): served again only while the data
version in SQL is unchanged, never to someone else, never with a stale CSRF token, and
never past a change of state, roles or session, on this node or another."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from isodoc import pagecache, search
from isodoc.auth import services as auth_services
from isodoc.auth.models import Membership, Role, User
from isodoc.extensions import db
from isodoc.policy import SYSTEM
from tests.conftest import CSRF_RE, api_token
from tests.doc_helpers import BASE, create_from_template, issue_qt05, post
from tests.test_page_costs import counted

API = "/api/v1/agencies/so-tu-phap/documents"


def version(in_db) -> str | None:
    with in_db() as s:
        return s.execute(pagecache.VERSION_QUERY).scalar()


@pytest.fixture
def token(in_db, staff) -> dict:
    return api_token(in_db, staff["reader"], 'trang')


def test_a_kept_page_is_served_again_with_one_query_and_a_fresh_csrf_token(app, desk, in_db,
                                                                            token):
    issue_qt05(desk, in_db)
    reader = desk("reader")
    url = f"{BASE}/qt-05"
    first = reader.get(url).get_data(as_text=True)
    with counted(app) as statements:
        again = reader.get(url).get_data(as_text=True)
    assert len(statements) == 1, statements  # the person with the data version
    # the same page, with this session's token (signed anew: its time may differ)
    assert CSRF_RE.sub("", again) == CSRF_RE.sub("", first)
    assert {t for t in CSRF_RE.findall(again)} == {CSRF_RE.search(again).group(1)}
    assert "\x00" not in again
    # the token put back is valid for this session: a form of the kept page works
    csrf = CSRF_RE.search(again).group(1)
    answer = reader.post(f"{BASE}/qt-05/acknowledge/1", data={"csrf_token": csrf})
    assert answer.status_code == 302
    assert "Bạn đã xác nhận đã đọc" in reader.get(url).get_data(as_text=True)
    # the API: the token with its person and the data version
    api = app.test_client()
    first = api.get(f"{API}/qt-05", headers=token).get_json()
    with counted(app) as statements:
        assert api.get(f"{API}/qt-05", headers=token).get_json() == first
    assert len(statements) == 1, statements
    assert not [s for s in statements if not s.lstrip().upper().startswith("SELECT")]


def test_reading_pages_never_change_the_data_version(app, desk, in_db, token):
    issue_qt05(desk, in_db)
    reader = desk("reader")
    reader.get(f"{API}/qt-05", headers=token)  # records the token's use (once a minute)
    before = version(in_db)
    for url in (f"{BASE}/qt-05", "/", f"{BASE}/qt-05/history", f"{BASE}/"):
        assert reader.get(url).status_code == 200
    assert reader.get(f"{API}/qt-05", headers=token).status_code == 200
    assert version(in_db) == before


def test_every_write_gives_a_new_version_orm_core_and_raw_sql(app, desk, in_db):
    issue_qt05(desk, in_db)
    seen = {version(in_db)}
    with in_db() as s:  # ORM
        s.scalars(select(User).where(User.username == "stp.congchuc")).one().full_name = "Hoa"
    seen.add(version(in_db))
    with in_db() as s:  # raw SQL through the session
        s.execute(text("UPDATE document SET title = 'Đổi' WHERE slug = 'qt-05'"))
    seen.add(version(in_db))
    with in_db() as s:  # a rolled back write changes nothing
        s.execute(text("UPDATE document SET title = 'Không' WHERE slug = 'qt-05'"))
        s.rollback()
    seen.add(version(in_db))
    assert len(seen) == 3 and None not in seen


def test_a_change_of_state_is_on_the_next_page(app, desk, in_db):
    issue_qt05(desk, in_db)
    reader = desk("reader")
    url = f"{BASE}/qt-05"
    assert "Xác nhận đã đọc" in reader.get(url).get_data(as_text=True)
    assert "count-badge" in reader.get("/").get_data(as_text=True)
    # the secretary asks to withdraw it: the reader's kept pages are not served again
    post(desk("secretary"), f"{BASE}/qt-05/withdraw", {"reason": "Không còn áp dụng"})
    post(desk("approver"), f"{BASE}/qt-05/withdraw/decide",
         {"decision": "confirm", "comment": ""})
    page = reader.get(url).get_data(as_text=True)
    assert "ĐÃ HẾT HIỆU LỰC" in page and "Xác nhận đã đọc" not in page
    assert "count-badge" not in reader.get("/").get_data(as_text=True)


def test_another_person_gets_their_own_page(app, desk, in_db, token):
    issue_qt05(desk, in_db)
    url = f"{BASE}/qt-05"
    reader, author = desk("reader"), desk("author")
    mine = reader.get(url).get_data(as_text=True)
    theirs = author.get(url).get_data(as_text=True)
    assert "(stp.congchuc)" in mine and "(stp.soanthao)" not in mine
    assert "(stp.soanthao)" in theirs and "(stp.congchuc)" not in theirs
    assert CSRF_RE.search(mine).group(1) != CSRF_RE.search(theirs).group(1)
    # kept for each: served again to each as their own
    assert "(stp.congchuc)" in reader.get(url).get_data(as_text=True)
    again = author.get(url).get_data(as_text=True)
    assert "(stp.soanthao)" in again and "(stp.congchuc)" not in again
    # the API page is the token's person's; without a token, nothing
    assert app.test_client().get(f"{API}/qt-05", headers=token).status_code == 200
    assert app.test_client().get(f"{API}/qt-05").status_code == 401


def test_a_removed_role_is_refused_at_the_next_request(app, desk, in_db, staff):
    # a document never issued is shown to its agency's staff only
    assert create_from_template(desk("author")).status_code == 302
    author = desk("author")
    url = f"{BASE}/qt-05"
    assert author.get(url).status_code == 200
    assert author.get(url).status_code == 200  # kept
    with in_db() as s:
        user = s.scalars(select(User).where(User.username == staff["author"])).one()
        membership = s.scalars(select(Membership).where(
            Membership.user_id == user.id, Membership.role == Role.AUTHOR)).one()
        auth_services.remove_membership(membership, SYSTEM)
    assert author.get(url).status_code == 403


def test_a_signed_out_or_disabled_session_is_not_served(app, desk, in_db, staff):
    issue_qt05(desk, in_db)
    reader, url = desk("reader"), f"{BASE}/qt-05"
    reader.get(url)
    assert reader.get(url).status_code == 200
    with in_db() as s:
        s.scalars(select(User).where(User.username == staff["reader"])).one().active = False
    answer = reader.get(url)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_a_change_on_another_node_is_on_this_nodes_next_page(app, make_app, desk, in_db):
    """Two nodes on one database: each keeps its own pages, the version is in SQL."""
    issue_qt05(desk, in_db)
    node_b = make_app(ISODOC_STORE_PATH=app.config["ISODOC_STORE_PATH"],
                      ISODOC_INDEX_PATH=app.config["ISODOC_INDEX_PATH"])
    reader, url = desk("reader"), f"{BASE}/qt-05"
    assert "Xác nhận đã đọc" in reader.get(url).get_data(as_text=True)
    other = node_b.test_client()  # the same browser, its next request on node B
    for cookie in reader._cookies.values():
        other.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    page = other.get(url).get_data(as_text=True)
    assert "Xác nhận đã đọc" in page
    token = CSRF_RE.search(page).group(1)
    assert other.post(f"{BASE}/qt-05/acknowledge/1",
                      data={"csrf_token": token}).status_code == 302
    assert "Bạn đã xác nhận đã đọc" in reader.get(url).get_data(as_text=True)


def test_a_page_with_a_message_is_neither_kept_nor_served_from_the_cache(app, desk, in_db):
    issue_qt05(desk, in_db)
    reader, url = desk("reader"), f"{BASE}/qt-05"
    reader.get(url)
    token = CSRF_RE.search(reader.get(url).get_data(as_text=True)).group(1)
    reader.post(f"{BASE}/qt-05/acknowledge/1", data={"csrf_token": token})
    with_message = reader.get(url).get_data(as_text=True)
    assert re.search(r'class="flash flash-', with_message)
    assert not re.search(r'class="flash flash-', reader.get(url).get_data(as_text=True))


def test_the_cache_can_be_turned_off(app, desk, in_db, monkeypatch):
    issue_qt05(desk, in_db)
    monkeypatch.setitem(app.config, "ISODOC_PAGE_CACHE", False)
    reader, url = desk("reader"), f"{BASE}/qt-05"
    reader.get(url)
    with counted(app) as statements:
        assert reader.get(url).status_code == 200
    assert len(statements) > 2
    with app.app_context():
        assert db.session.execute(pagecache.VERSION_QUERY).scalar()


def test_a_page_of_search_results_is_kept_until_the_index_it_read_moves(app, make_app, desk,
                                                                          in_db, tmp_path):
    """Node B's index catches up with A's issue after A's commit: B's results rendered in
    between (new data version, old index) must not be served once B's index has it."""
    node_b = make_app(ISODOC_NODE="b", ISODOC_STORE_PATH=app.config["ISODOC_STORE_PATH"],
                      ISODOC_INDEX_PATH=str(tmp_path / "search-b"))
    try:
        with node_b.app_context():
            search.catch_up()
        reader = desk("reader")
        reader.get("/")
        other = node_b.test_client()  # the reader's browser, on node B
        for cookie in reader._cookies.values():
            other.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
        url = "/search/?q=QT-05"
        assert "QT-05" not in hits(other.get(url))
        with counted(node_b) as statements:
            assert other.get(url).status_code == 200
        assert len(statements) == 1, statements  # kept: the person with the data version

        issue_qt05(desk, in_db)  # on node A: B's index has not followed yet
        assert "QT-05" not in hits(other.get(url))
        with node_b.app_context():
            assert search.catch_up() >= 1
        assert "QT-05" in hits(other.get(url))
    finally:
        search._engines.pop((node_b.config["ISODOC_SEARCH_ENGINE"],
                             node_b.config["ISODOC_INDEX_PATH"]), None)


def hits(response) -> str:
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return page.split('<ol class="hits">', 1)[1].split("</ol>", 1)[0] if "hits" in page else ""


badge = re.compile(r'class="count-badge"[^>]*>\D*(\d+)')


def counted_counts(monkeypatch) -> list:
    """One entry each time the statement of what waits runs."""
    from isodoc.main import waiting

    counts, counts_now = [], waiting.counts_now
    monkeypatch.setattr(waiting, "counts_now",
                        lambda *a, **k: counts.append(1) or counts_now(*a, **k))
    return counts


def test_the_home_pages_count_is_kept_for_the_next_pages(app, desk, in_db, monkeypatch):
    """The home page rendered anew counts its lists and the header in one statement;
    the next page's header reads that count kept, it does not count again."""
    reader = desk("reader")
    issue_qt05(desk, in_db)  # a write: the pages kept so far are retired
    counts = counted_counts(monkeypatch)
    home = reader.get("/").get_data(as_text=True)
    assert "QT-05" in home and len(counts) == 1
    assert badge.search(reader.get("/account").get_data(as_text=True)).group(1) == "1"
    assert len(counts) == 1


def test_the_headers_count_is_kept_until_the_data_changes(app, desk, in_db, monkeypatch):
    """The count of what waits (every page's header) is counted once per person and data
    version: a page rendered anew does not count again, a change is counted at once."""

    issue_qt05(desk, in_db)
    reader = desk("reader")  # QT-05 lần 1 waits to be confirmed as read
    counts = counted_counts(monkeypatch)
    assert badge.search(reader.get("/account").get_data(as_text=True)).group(1) == "1"
    assert badge.search(reader.get("/account").get_data(as_text=True)).group(1) == "1"
    assert len(counts) == 1
    page = reader.get(f"{BASE}/qt-05").get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    assert reader.post(f"{BASE}/qt-05/acknowledge/1",
                       data={"csrf_token": token}).status_code == 302
    assert not badge.search(reader.get("/account").get_data(as_text=True))
    assert len(counts) == 2
