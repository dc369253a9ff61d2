"""The 2025 reorganisation: a merger carries the QMS over. The successor sees its
predecessors' documents in force (read-only, with their origin), adopts one as its own
draft in one step, counts their TTHC procedures in its coverage until it issues its
own, and is listed as having to declare again."""

from __future__ import annotations

from sqlalchemy import select

from isodoc.agencies.models import AgencyKind, QmsStatus
from isodoc.auth.models import User
from isodoc.documents import services as doc_services
from isodoc.documents.models import Decision, Document, DocumentKind, Revision
from isodoc.extensions import db
from isodoc.policy import SYSTEM
from isodoc.succession import services
from isodoc.succession.models import InheritedAdoption
from isodoc.timeutil import format_date, today_local
from isodoc.tthc import coverage
from tests.conftest import agency, csrf_token, login
from tests.test_annual_reports import people  # noqa: F401  (the fixture)
from tests.test_tthc import load

OLD, HEIR = "dbp-him-lam", "dbp-tan-thanh"


def user(name: str) -> User:
    return db.session.scalars(select(User).where(User.username == name)).one()


def issue_at(app, code: str, tthc_code: str, prefix: str, where: str, body: str) -> None:
    with app.app_context():
        staff = {k: user(f"{prefix}.{k}") for k in ("soanthao", "danhgia", "lanhdao", "thuky")}
        kind = DocumentKind.TTHC if tthc_code else DocumentKind.INTERNAL
        revision = doc_services.create_document(
            agency(where), staff["soanthao"], code,
            doc_services.DocumentFields(f"Quy trình {code}", kind, tthc_code), body)
        doc_services.submit(revision, staff["soanthao"], [staff["danhgia"]])
        doc_services.review(revision, staff["danhgia"], Decision.AGREED, "")
        doc_services.approve(revision, staff["lanhdao"])
        doc_services.issue(revision, staff["thuky"], today_local())
        db.session.commit()


def client_for(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def post(client, url: str, data: dict | None = None, page: str = "/account"):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **(data or {})})


def merge(app, people, make_agency, make_user):  # noqa: F811
    """Him Lam (declared in 2020, two procedures in force) merges into a new ward, through
    the registry page as the province admin."""
    make_agency(HEIR, AgencyKind.COMMUNE, parent="ubnd-dbp", name="UBND phường Tân Thanh")
    for suffix, role in (("soanthao", "author"), ("thuky", "secretary"),
                         ("lanhdao", "approver"), ("danhgia", "auditor")):
        make_user((HEIR, role), username=f"tanthanh.{suffix}")
    load(app)
    body = "## 1. Mục đích\n\nUBND phường Him Lam tiếp nhận hồ sơ khai sinh.\n"
    issue_at(app, "QT-KS", "1.001193", "himlam", OLD, body)
    issue_at(app, "QT-01", "", "himlam", OLD, "## 1. Mục đích\n\nKiểm soát tài liệu.\n")
    with app.app_context():
        old = agency(OLD)  # declared before isodoc: the registry's date
        old.qms_status, old.declared_on = QmsStatus.DECLARED_2015.value, \
            today_local().replace(year=2020)
        db.session.commit()
    admin = client_for(app, "admin")
    response = post(admin, f"/agencies/{OLD}/dissolve",
                    {"on": format_date(today_local()), "successor": HEIR}, f"/agencies/{OLD}")
    assert response.status_code == 302


def test_a_merger_carries_documents_and_coverage_over(app, people, make_agency,  # noqa: F811
                                                      make_user, in_db):
    merge(app, people, make_agency, make_user)
    heir = client_for(app, "tanthanh.thuky")
    page = heir.get(f"/agencies/{HEIR}/inherited").get_data(as_text=True)
    assert "QT-KS" in page and "QT-01" in page
    assert 'kế thừa từ <span translate="no">UBND phường Him Lam</span>' in page
    assert "Kế thừa thành dự thảo" in page
    assert "Tài liệu kế thừa" in heir.get(f"/agencies/{HEIR}").get_data(as_text=True)
    # read-only: the predecessor's documents stay, nobody drafts there any more
    assert heir.get(f"/agencies/{OLD}/documents/qt-ks").status_code == 200
    himlam = client_for(app, "himlam.soanthao")
    assert himlam.get(f"/agencies/{OLD}/documents/new").status_code == 403
    # coverage: Him Lam's procedure counts for the successor until it issues its own
    with app.app_context():
        view = coverage.agency_coverage(agency(HEIR))
        assert (view.counts.must, view.counts.covered) == (3, 1)
        item = next(i for i in view.items if i.tthc.code == "1.001193")
        assert item.procedure.origin_code == OLD
        row = next(r for r in coverage.province_coverage().agencies if r.code == HEIR)
        assert row.counts.covered == 1
    listed = heir.get(f"/agencies/{HEIR}/coverage").get_data(as_text=True)
    assert "kế thừa từ UBND phường Him Lam" in listed
    # and it must declare again
    with app.app_context():
        listed = services.must_redeclare()
        assert [r.agency.code for r in listed] == [HEIR]
        assert [p.code for p in listed[0].merged] == [OLD]
    overseer = client_for(app, "sokhcn")
    overview = overseer.get("/annual-reports/").get_data(as_text=True)
    assert "phải công bố lại" in overview and "UBND phường Tân Thanh" in overview
    # the declarations page agrees (it listed only agencies that declared themselves)
    declarations = overseer.get("/declarations/").get_data(as_text=True)
    assert "Đơn vị nhận sáp nhập cần công bố" in declarations
    assert "UBND phường Tân Thanh</a>: sáp nhập UBND phường Him Lam" in declarations
    assert "<strong>1</strong> đơn vị cần công bố lại" in declarations


def test_the_successor_adopts_a_document_in_one_step_then_issues_its_own(
        app, people, make_agency, make_user, in_db):  # noqa: F811
    merge(app, people, make_agency, make_user)
    with in_db() as s:
        source_id = s.scalar(select(Document.id).where(Document.code == "QT-KS"))
    heir = client_for(app, "tanthanh.thuky")
    url = f"/agencies/{HEIR}/inherited/{source_id}/adopt"
    response = post(heir, url, page=f"/agencies/{HEIR}/inherited")
    assert response.status_code == 302 and "/drafts/" in response.headers["Location"]
    with app.app_context():
        adoption = db.session.scalars(select(InheritedAdoption)).one()
        draft = adoption.revision
        assert adoption.source_number == 1 and draft.document.agency.code == HEIR
        text = doc_services.read_text(draft)
        assert "UBND phường Tân Thanh tiếp nhận hồ sơ" in text and "Him Lam" not in text
    page = heir.get(f"/agencies/{HEIR}/inherited").get_data(as_text=True)
    assert "Kế thừa thành dự thảo" in page  # QT-01 still may be
    # a second adoption of the same document is refused, saying why
    again = post(heir, url, page=f"/agencies/{HEIR}/inherited")
    assert again.status_code == 422 and "đã kế thừa QT-KS" in again.get_data(as_text=True)
    # until the successor issues its own, the inherited one counts; then its own does
    with app.app_context():
        item = next(i for i in coverage.agency_coverage(agency(HEIR)).items
                    if i.tthc.code == "1.001193")
        assert item.procedure.origin_code == OLD
        revision = db.session.get(Revision, draft.id)
        tt = {k: user(f"tanthanh.{k}") for k in ("danhgia", "lanhdao", "thuky")}
        doc_services.submit(revision, tt["thuky"], [tt["danhgia"]])
        doc_services.review(revision, tt["danhgia"], Decision.AGREED, "")
        doc_services.approve(revision, tt["lanhdao"])
        doc_services.issue(revision, tt["thuky"], today_local())
        db.session.commit()
        item = next(i for i in coverage.agency_coverage(agency(HEIR)).items
                    if i.tthc.code == "1.001193")
        assert item.procedure.origin_code is None and item.procedure.code == "QT-KS"
    # the other document: the successor has no QT-01, so it keeps its code
    with in_db() as s:
        qt01 = s.scalar(select(Document.id).where(Document.code == "QT-01"))
    assert post(heir, f"/agencies/{HEIR}/inherited/{qt01}/adopt").status_code == 302


def test_adoption_is_refused_to_others_and_for_documents_not_inherited(
        app, people, make_agency, make_user, in_db):  # noqa: F811
    merge(app, people, make_agency, make_user)
    with in_db() as s:
        source_id = s.scalar(select(Document.id).where(Document.code == "QT-KS"))
    url = f"/agencies/{HEIR}/inherited/{source_id}/adopt"
    # another ward's secretary, the overseer, a reader: 403, nothing created
    for who in ("bunglao.thuky", "sokhcn"):
        assert post(client_for(app, who), url).status_code == 403, who
    make_user((HEIR, "reader"), username="tanthanh.congchuc")
    assert post(client_for(app, "tanthanh.congchuc"), url).status_code == 403
    # a document of an agency that was not merged into this one
    make_agency("dbp-khac", AgencyKind.COMMUNE, parent="ubnd-dbp", name="UBND phường Khác")
    make_user(("dbp-khac", "secretary"), username="khac.thuky")
    response = post(client_for(app, "khac.thuky"), f"/agencies/dbp-khac/inherited/{source_id}"
                    "/adopt")
    assert response.status_code == 422
    assert "không phải tài liệu của đơn vị đã sáp nhập" in response.get_data(as_text=True)
    assert post(client_for(app, "tanthanh.thuky"),
                f"/agencies/{HEIR}/inherited/999999/adopt").status_code == 404
    with in_db() as s:
        assert s.scalars(select(InheritedAdoption)).all() == []


def test_a_merger_by_registry_import_counts_the_same(app, people, make_agency,  # noqa: F811
                                                     make_user, in_db):
    """A merger recorded by importing the registry (dissolved_on + successor_code)."""
    from isodoc.agencies import registry_csv
    from isodoc.commands import run

    load(app)
    issue_at(app, "QT-KS", "1.001193", "himlam", OLD, "## 1\n")
    with app.app_context():
        data = registry_csv.export_csv().decode()
        lines = data.splitlines()
        lines = [line.replace(f"{OLD},UBND phường Him Lam,commune,ubnd-dbp,not_started,,2019,,",
                              f"{OLD},UBND phường Him Lam,commune,ubnd-dbp,not_started,,2019,"
                              f"{today_local().isoformat()},mang-bung-lao") for line in lines]
        run(registry_csv.import_csv, ("\n".join(lines) + "\n").encode(), SYSTEM)
        assert agency(OLD).successor.code == "mang-bung-lao"
        view = coverage.agency_coverage(agency("mang-bung-lao"))
        assert view.counts.covered == 1
        assert services.must_redeclare() == []  # no declared scope was involved
