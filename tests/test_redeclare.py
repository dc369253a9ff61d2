"""Whether an agency must declare again is one rule (isodoc/declarations/redeclare.py),
for a scope change and for a merger alike, and the province's lists weigh every declared
agency from a fixed number of queries: the province page, the overseer's work list and
dashboard cost the same with three declared agencies as with nine."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from isodoc.agencies.models import Agency, AgencyKind, QmsStatus
from isodoc.auth import services as auth_services
from isodoc.auth.models import User
from isodoc.declarations import redeclare
from isodoc.declarations import services as declarations
from isodoc.declarations.models import Declaration, DeclaredDocument, DeclaredTthc
from isodoc.documents.models import Document, Revision
from isodoc.extensions import db
from isodoc.succession import services as succession
from isodoc.timeutil import today_local, utc_start_of
from isodoc.tthc import coverage
from isodoc.tthc.models import Tthc, TthcBody, TthcBodyMap
from tests.conftest import agency, login
from tests.test_page_costs import counted

TODAY = today_local()
DECLARED = TODAY - timedelta(days=30)


@pytest.fixture
def rendered(app, monkeypatch) -> None:
    """Every request renders its page (not the kept page of isodoc/pagecache.py)."""
    monkeypatch.setitem(app.config, "ISODOC_PAGE_CACHE", False)


@pytest.fixture
def author(province, make_user, app) -> int:
    name = make_user(("so-tu-phap", "author"))
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == name))


def in_force(agency_row: Agency, code: str, author: int, on, tthc: str | None = None
             ) -> Document:
    document = Document(agency=agency_row, code=code, slug=code.lower(), title=f"Quy trình {code}",
                        kind="internal")
    document.revisions.append(Revision(seq=1, number=1, state="issued", author_id=author,
                                       title=document.title, effective_date=on,
                                       kind="tthc" if tthc else "internal", tthc_code=tthc,
                                       commit_sha="0" * 40))
    db.session.add(document)
    return document


def grow(app, author: int, first: int, n: int) -> None:
    """`n` declared agencies straight into SQL, each with a document in force and a
    province-level TTHC it must cover, both frozen in its declaration; then after it:
    one in three issued a new document, one in three took a commune over (a merger: the
    commune's procedure for the TTHC counts in its coverage, stale one time in two),
    one in three lost its TTHC. And a successor that never declared, into which an
    agency declared before isodoc (the registry's date) was merged."""
    with app.app_context():
        parent = agency("ubnd-tinh")
        for i in range(first, first + n):
            office = Agency(code=f"so-{i}", name=f"Sở số {i:02d}", kind=AgencyKind.DEPARTMENT,
                            parent=parent)
            db.session.add(office)
            tthc = Tthc(code=f"3.{i:06d}", name=f"Thủ tục {i}", at_province=True)
            tthc.bodies = [TthcBody(body=TthcBodyMap(key=f"so {i}", name=office.name,
                                                     agency=office))]
            db.session.add_all([office, tthc])
            document = in_force(office, "QT-01", author, DECLARED - timedelta(days=5))
            db.session.flush()
            db.session.add(Declaration(
                agency=office, decision_no=f"{i}/QĐ", decided_on=DECLARED, signer="A",
                signer_title="Giám đốc", standard="TCVN ISO 9001:2015",
                documents=[DeclaredDocument(document_id=document.id, code="QT-01",
                                            title=document.title, revision_number=1,
                                            effective_date=DECLARED - timedelta(days=5))],
                tthc=[DeclaredTthc(tthc_code=tthc.code, name=tthc.name, covered=False)]))
            if i % 3 == 0:
                in_force(office, "QT-02", author, TODAY - timedelta(days=2))
            elif i % 3 == 1:
                commune = Agency(code=f"xa-{i}", name=f"UBND xã {i}", kind=AgencyKind.COMMUNE,
                                 parent=office, dissolved_on=TODAY - timedelta(days=1),
                                 successor=office)
                db.session.add(commune)
                in_force(commune, "QT-TT", author, DECLARED, tthc.code)
                if i % 2:
                    tthc.changed_at = utc_start_of(TODAY)
            else:
                tthc.abolished_on = TODAY - timedelta(days=3)
        district = agency("ubnd-dbp")
        heir = Agency(code=f"ubnd-moi-{first}", name=f"UBND phường mới {first}",
                      kind=AgencyKind.COMMUNE, parent=district)
        db.session.add_all([heir, Agency(
            code=f"ubnd-cu-{first}", name=f"UBND phường cũ {first}", kind=AgencyKind.COMMUNE,
            parent=district, qms_status=QmsStatus.DECLARED_2015.value,
            declared_on=DECLARED.replace(year=DECLARED.year - 3),
            dissolved_on=TODAY - timedelta(days=4), successor=heir)])
        db.session.commit()


def costs(app, watcher, token: dict) -> dict[str, int]:
    out = {}
    for url, headers in (("/declarations/", {}), ("/?viec=1", {}), ("/", {}),
                         ("/api/v1/declarations", token)):
        watcher.get(url, headers=headers)
        with counted(app) as statements:
            assert watcher.get(url, headers=headers).status_code == 200
        out[url] = len(statements)
    return out


def test_the_province_lists_cost_the_same_however_many_agencies_declared(
        app, author, make_user, rendered):
    watcher = app.test_client()
    assert login(watcher, make_user(("ubnd-tinh", "overseer"), username="sokhcn")).status_code \
        == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "sokhcn"))
        token = {"Authorization": f"Bearer {auth_services.create_token(user, user, 'api')}"}
        db.session.commit()
    grow(app, author, 0, 3)
    few = costs(app, watcher, token)
    page = watcher.get("/declarations/").get_data(as_text=True)
    assert page.count("Tài liệu mới ban hành sau công bố: QT-02.") == 1
    assert page.count("Đơn vị sáp nhập vào sau công bố: UBND xã") == 1
    assert page.count("TTHC đã bãi bỏ hoặc không còn thuộc đơn vị") == 1
    assert "UBND phường mới 0</a>: sáp nhập UBND phường cũ 0" in page
    assert "<strong>4</strong> đơn vị cần công bố lại" in page

    grow(app, author, 3, 6)
    many = costs(app, watcher, token)
    page = watcher.get("/declarations/").get_data(as_text=True)
    assert page.count("Tài liệu mới ban hành sau công bố: QT-02.") == 3
    assert page.count("Đơn vị sáp nhập vào sau công bố: UBND xã") == 3
    assert "UBND phường mới 3</a>: sáp nhập UBND phường cũ 3" in page
    assert "<strong>11</strong> đơn vị cần công bố lại" in page
    work = watcher.get("/?viec=1").get_data(as_text=True)
    assert work.count("Phạm vi HTQLCL đã thay đổi sau công bố: cần công bố lại") == 9
    rows = watcher.get("/api/v1/declarations", headers=token).get_json()
    assert sum(bool(r["redeclare"]) for r in rows) == 9
    assert many == few, (few, many)
    assert many["/declarations/"] <= 20, many


def test_the_province_list_says_what_each_agency_page_says(app, author):
    grow(app, author, 0, 6)
    with app.test_request_context():
        found = declarations.province()
        assert len(found.rows) == 6 and found.redeclare == 7
        for row in found.rows:
            assert row.reasons == declarations.changes_since(row.declaration), row.agency.code
            assert row.reasons
        # the merger list is the same rule: those the rows flag for a merger, and the
        # successor that never declared itself
        merged = {r.agency.code for r in succession.must_redeclare()}
        assert merged == {"so-1", "so-4", "ubnd-moi-0"}
        assert {r.agency.code for r in found.merged} == {"ubnd-moi-0"}
        # the province's coverage counts the successors' inherited procedures together,
        # as each agency's own coverage does
        rows = {r.code: r.counts for r in coverage.province_coverage().agencies}
        for code in rows:
            one = coverage.agency_coverage(agency(code)).counts
            assert (rows[code].must, rows[code].covered, rows[code].stale) == (
                one.must, one.covered, one.stale), code
        assert (rows["so-1"].covered, rows["so-1"].stale) == (0, 1)
        assert (rows["so-4"].covered, rows["so-4"].stale) == (1, 0)


def test_a_merger_on_the_day_of_the_declaration_asks_for_a_new_one_everywhere(app, author):
    """The declaration and the merger the same day: the merged scope may not have been
    declared. Both the agency's page and the merger list say so (they used to differ)."""
    grow(app, author, 0, 2)
    with app.test_request_context():
        office = agency("so-0")
        db.session.add(Agency(code="xa-cung-ngay", name="UBND xã Cùng Ngày",
                              kind=AgencyKind.COMMUNE, parent=office,
                              dissolved_on=DECLARED, successor=office))
        db.session.flush()
        latest = declarations.latest(office)
        assert "Đơn vị sáp nhập vào sau công bố: UBND xã Cùng Ngày." in \
            declarations.changes_since(latest)
        assert "so-0" in {r.agency.code for r in redeclare.must_redeclare()}
        # a merger the day before the declaration was declared with it
        db.session.execute(Agency.__table__.update().where(Agency.code == "xa-cung-ngay")
                           .values(dissolved_on=DECLARED - timedelta(days=1)))
        db.session.expire_all()
        assert not [r for r in declarations.changes_since(declarations.latest(office))
                    if "sáp nhập" in r]
        assert "so-0" not in {r.agency.code for r in redeclare.must_redeclare()}
        db.session.rollback()
