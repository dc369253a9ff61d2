"""Search as people use it: the header box, the API, and an index that follows issues."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from isodoc import demo, search
from isodoc.auth import services as auth_services
from isodoc.auth.models import User
from isodoc.cli import main
from isodoc.documents.models import Document
from isodoc.extensions import db
from isodoc.search import tantivy_engine
from isodoc.search.models import SearchChange
from tests.conftest import login
from tests.doc_helpers import BASE, issue_qt05, post


@pytest.fixture
def demo_province(app):
    with app.app_context():
        demo.seed("mat-khau-demo-2026")
        db.session.commit()
        search.drain()


def test_commune_reader_finds_their_procedure_first(app, demo_province):
    client = app.test_client()
    login(client, "himlam.congchuc", "mat-khau-demo-2026")
    home = client.get("/").get_data(as_text=True)
    assert 'action="/search/"' in home  # the search box is in the header of every page
    page = client.get("/search/?q=dang ky khai sinh").get_data(as_text=True)
    first = page.split('<li class="card hit">')[1]
    assert "QT-TP-01" in first and "UBND phường Him Lam" in first
    assert "<mark>đăng</mark> <mark>ký</mark> <mark>khai</mark> <mark>sinh</mark>" in first
    assert "lần ban hành 2" in first
    assert "Đơn vị" in page  # facets

    with app.app_context():
        reader = db.session.scalars(select(User).where(
            User.username == "himlam.congchuc")).one()
        token = auth_services.create_token(reader, reader, "api")
        db.session.commit()
    api = client.get("/api/v1/search?q=dang ky khai sinh",
                     headers={"Authorization": f"Bearer {token}"}).get_json()
    assert api["hits"][0]["code"] == "QT-TP-01" and api["hits"][0]["agency"] == "dbp-him-lam"
    assert "<mark>khai</mark>" in api["hits"][0]["snippet_html"]
    assert {f["value"] for f in api["facets"]["agency"]} >= {"dbp-him-lam"}
    bad = client.get("/api/v1/search?q=", headers={"Authorization": f"Bearer {token}"})
    assert bad.status_code == 422


def test_hit_urls_are_the_document_route(app):
    """A result page builds its document route once and fills in each hit's agency and
    slug: the same URL url_for gives, under a prefix too; other names go to url_for."""
    from flask import url_for

    names = [("dbp-him-lam", "qt-tp-01"), ("so-tu-phap", "qt-05"), ("0slug0", "0agency0"),
             ("Sở x", "a/b?c"), ("-x", "y-")]
    for base in ("http://localhost/", "http://localhost/isodoc/"):
        with app.test_request_context("/", base_url=base):
            urls = search.DocumentUrls()
            for agency, slug in names:
                assert urls.show(agency, slug) == url_for("documents.show",
                                                          agency_code=agency, slug=slug)


def test_scope_filters_and_no_results_page(app, demo_province):
    client = app.test_client()
    login(client, "himlam.congchuc", "mat-khau-demo-2026")
    mine = client.get("/search/?q=chung thuc&scope=agency").get_data(as_text=True)
    assert "UBND phường Him Lam" in mine and "Sở Tư pháp</p>" not in mine
    nothing = client.get("/search/?q=phi thuyền quokka").get_data(as_text=True)
    assert "Không tìm thấy tài liệu nào cho «phi thuyền quokka»." in nothing
    assert "Thử tìm không dấu" in nothing and "phi thuyen quokka" in nothing
    typo = client.get("/search/?q=chung thuc ban saoo").get_data(as_text=True)
    assert "Có phải bạn muốn tìm" in typo and "chung thuc ban sao" in typo
    suggestions = client.get("/search/suggest?q=quy trinh dang").get_json()["suggestions"]
    assert "Quy trình đăng ký khai sinh" in {s["title"] for s in suggestions}


def test_staff_may_include_their_drafts(app, demo_province):
    client = app.test_client()
    login(client, "stp.thuky", "mat-khau-demo-2026")
    without = client.get("/search/?q=dich vu cong truc tuyen").get_data(as_text=True)
    assert "HD-01" not in without
    with_drafts = client.get("/search/?q=dich vu cong truc tuyen&drafts=1").get_data(
        as_text=True)
    assert "HD-01" in with_drafts and "Dự thảo" in with_drafts
    reader = app.test_client()
    login(reader, "stp.congchuc", "mat-khau-demo-2026")
    assert "HD-01" not in reader.get("/search/?q=dich vu cong truc tuyen&drafts=1").get_data(
        as_text=True)


def hits(client, q: str) -> str:
    page = client.get(f"/search/?q={q}").get_data(as_text=True)
    return page.split('<ol class="hits">')[1].split("</ol>")[0] if '<ol class="hits">' in page \
        else ""


def pending(app) -> int:
    """Log rows this index has not applied."""
    with app.app_context():
        cursor = search.read_cursor(search.engine())
        return db.session.scalar(select(func.count()).select_from(SearchChange)
                                 .where(SearchChange.id > (cursor or 0)))


def test_issuing_updates_the_index_in_the_same_request(app, desk, in_db):
    reader = desk("reader")
    assert "QT-05" not in hits(reader, "xem xet lanh dao")
    issue_qt05(desk, in_db)
    assert "QT-05" in hits(reader, "xem xet lanh dao")
    assert pending(app) == 0
    with in_db() as s:  # the log is append-only: the rows stay for the other nodes
        assert s.scalar(select(func.count()).select_from(SearchChange)) > 0


def test_a_failed_index_update_waits_in_the_log(desk, in_db, app, monkeypatch):
    from isodoc.search.tantivy_engine import TantivyEngine
    from isodoc.search.whoosh_engine import WhooshEngine

    def broken(self, docs, ids):
        raise TimeoutError("search index writer is busy")

    with monkeypatch.context() as m:
        m.setattr(TantivyEngine, "replace", broken)
        m.setattr(WhooshEngine, "replace", broken)
        issue_qt05(desk, in_db)  # the issue itself succeeds
    reader = desk("reader")
    assert "Lần ban hành 1" in reader.get(f"{BASE}/qt-05").get_data(as_text=True)
    assert pending(app) > 0
    assert app.test_cli_runner().invoke(main, ["check"]).exit_code == 1
    # the next writer applies what was left
    post(desk("author"), f"{BASE}/qt-05/revise")
    assert pending(app) == 0
    assert "QT-05" in hits(reader, "xem xet lanh dao")
    assert app.test_cli_runner().invoke(main, ["check"]).exit_code == 0


def test_reindex_rebuilds_from_the_database(app, demo_province, in_db):
    with app.app_context():
        search.engine().clear()
        assert search.check()  # entries missing
    with in_db() as s:  # a change not applied yet: the rebuild covers it
        s.add(SearchChange(document_id=s.scalars(select(Document.id)).first()))
    result = app.test_cli_runner().invoke(main, ["reindex"])
    assert result.exit_code == 0 and "Đã lập chỉ mục" in result.output
    with app.app_context():
        assert search.check() == []
    assert pending(app) == 0
    with in_db() as s:  # nothing deleted: other nodes' indexes follow the same log
        assert s.scalar(select(func.count()).select_from(SearchChange)) > 0


def test_a_new_index_schema_is_rebuilt_at_the_next_drain(app, demo_province, monkeypatch):
    """An upgrade that changes the tantivy schema starts a new, empty index beside the
    old one; the drain run by the start-up repair fills it from the database and removes
    the old folder, so search keeps working without anyone running `isodoc reindex`."""
    monkeypatch.setitem(app.config, "ISODOC_SEARCH_ENGINE", "tantivy")
    root = Path(app.config["ISODOC_INDEX_PATH"])
    with app.app_context():
        search._engines.clear()
        shutil.rmtree(root / f"tantivy-{tantivy_engine.SCHEMA_VERSION}", ignore_errors=True)
        (root / "tantivy").mkdir(parents=True, exist_ok=True)  # the previous version's
        (root / "tantivy" / "meta.json").write_text("{}", encoding="utf-8")
        assert search.engine().count() == 0
        search.drain()
        assert search.check() == []
        assert search.engine().count() > 0 and not (root / "tantivy").exists()
        search._engines.clear()


def test_did_you_mean_offers_words_never_a_nearby_number(app, demo_province):
    """Codes and numbers are most of an index's terms; a mistyped one is not a typo of
    another (and scanning them all cost 40–130 ms a query at 50k documents)."""
    from isodoc.search.analysis import parse

    with app.test_request_context():
        words = search.vocabulary()
        assert "001193" not in words and "khai" in words
        assert search.did_you_mean(search.bounded(parse("001194"))) == ""
        assert search.did_you_mean(search.bounded(parse("khai sinhh"))) == "khai sinh"


def test_a_renamed_agency_shows_in_the_next_search(app, demo_province, in_db):
    """Facet labels follow the data version as the kept page of results does: a name
    remembered for a minute would be kept in the page until some other write."""
    from isodoc.agencies.models import Agency

    client = app.test_client()
    login(client, "himlam.congchuc", "mat-khau-demo-2026")
    url = "/search/?q=khai sinh"
    assert "UBND phường Him Lam" in client.get(url).get_data(as_text=True)
    with in_db() as s:
        s.scalars(select(Agency).where(Agency.name == "UBND phường Him Lam")).one().name = \
            "UBND phường Him Lam mới"
        s.commit()
    assert "UBND phường Him Lam mới" in client.get(url).get_data(as_text=True)
