"""The annual reporting chain: an agency's report prefilled from its records, written by
the secretary, approved by its leader, submitted by the Sở's deadline (or late); the
Sở's overview, deadline and consolidated .docx; the API; who may do what."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document as Docx
from sqlalchemy import func, select

from isodoc.annual_reports.models import AnnualReport, ReportDeadline, ReportState
from isodoc.auth import services as auth_services
from isodoc.auth.models import User
from isodoc.policy import Action, can
from isodoc.timeutil import format_date, today_local
from tests.conftest import agency, csrf_token, login
from tests.test_tthc import issue_procedure, load

COMMUNE = "dbp-him-lam"
THIS_YEAR = today_local().year
LAST_YEAR = THIS_YEAR - 1
REPORTS = f"/agencies/{COMMUNE}/annual-reports"


@pytest.fixture
def people(province, make_user):
    return {
        "admin": make_user(("ubnd-tinh", "admin"), username="admin"),
        "overseer": make_user(("ubnd-tinh", "overseer"), username="sokhcn"),
        "author": make_user((COMMUNE, "author"), username="himlam.soanthao"),
        "secretary": make_user((COMMUNE, "secretary"), username="himlam.thuky"),
        "approver": make_user((COMMUNE, "approver"), username="himlam.lanhdao"),
        "auditor": make_user((COMMUNE, "auditor"), username="himlam.danhgia"),
        "reader": make_user((COMMUNE, "reader"), username="himlam.congchuc"),
        "other": make_user(("mang-bung-lao", "secretary"), username="bunglao.thuky"),
        "other_leader": make_user(("mang-bung-lao", "approver"), username="bunglao.lanhdao"),
    }


@pytest.fixture
def as_(app, people):
    clients = {}

    def client(who: str):
        if who not in clients:
            clients[who] = app.test_client()
            assert login(clients[who], people[who]).status_code == 302
        return clients[who]

    return client


@pytest.fixture
def token_for(app, in_db):
    def make(username: str) -> dict[str, str]:
        with in_db() as s:
            user = s.scalars(select(User).where(User.username == username)).one()
            token = auth_services.create_token(user, user, "kiểm thử")
        return {"Authorization": f"Bearer {token}"}

    return make


def post(client, url: str, data: dict | None = None, page: str | None = None):
    return client.post(url, data={"csrf_token": csrf_token(client, page or "/account"),
                                  **(data or {})})


def report_row(in_db, year: int = THIS_YEAR, code: str = COMMUNE) -> dict | None:
    with in_db() as s:
        report = s.scalar(select(AnnualReport).join(AnnualReport.agency).where(
            AnnualReport.year == year).where(AnnualReport.agency.has(code=code)))
        if report is None:
            return None
        return {"state": report.state, "assessment": report.assessment,
                "figures": report.figure_data, "submitted_at": report.submitted_at,
                "due_on": report.due_on, "events": len(report.events),
                "approved_by": report.approved_by.username if report.approved_by else None}


def start(as_, year: int = THIS_YEAR):
    return post(as_("secretary"), f"{REPORTS}/start", {"year": str(year)}, REPORTS)


def write(as_, year: int = THIS_YEAR, **texts):
    page = f"{REPORTS}/{year}"
    data = {"assessment": "Hệ thống được duy trì.", "difficulties": "Thiếu người.",
            "proposals": "Hỗ trợ kinh phí.", **texts}
    return post(as_("secretary"), f"{page}/save", data, page)


def through_approval(as_, year: int = THIS_YEAR):
    assert start(as_, year).status_code == 302
    assert write(as_, year).status_code == 302
    assert post(as_("secretary"), f"{REPORTS}/{year}/send").status_code == 302
    response = post(as_("approver"), f"{REPORTS}/{year}/approve", {"a-comment": "Đồng ý"})
    assert response.status_code == 302, response.get_data(as_text=True)


def set_deadline(as_, year: int, due: str):
    return post(as_("overseer"), "/annual-reports/deadline",
                {"d-year": str(year), "d-due_on": due}, "/annual-reports/")


# -- the chain ----------------------------------------------------------------------------

def test_a_report_is_prefilled_written_approved_and_submitted_on_time(app, people, as_, in_db,
                                                                       token_for):
    load(app)  # three commune-level TTHC in the catalog
    issue_procedure(app, "QT-KS", "1.001193")
    # the Sở gives this year's reports until 31 March next year: submitted on time
    assert set_deadline(as_, THIS_YEAR, f"31/03/{THIS_YEAR + 1}").status_code == 302
    response = start(as_)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"{REPORTS}/{THIS_YEAR}")
    figures = report_row(in_db)["figures"]
    assert figures["documents"]["issued_new"] == 1 and figures["documents"]["in_force"] == 1
    assert figures["tthc"] == {"must": 3, "covered": 1, "stale": 0, "missing": 2,
                               "percent": 33.3}
    page = as_("secretary").get(f"{REPORTS}/{THIS_YEAR}").get_data(as_text=True)
    assert "1/3 (33,3%)" in page and "Trình lãnh đạo phê duyệt" in page
    assert f"(tính đến {format_date(today_local())})" in page
    assert "Điền sẵn từ hồ sơ công bố HTQLCL" in page  # the declarations section
    assert write(as_).status_code == 302
    assert report_row(in_db)["assessment"] == "Hệ thống được duy trì."
    assert post(as_("secretary"), f"{REPORTS}/{THIS_YEAR}/send").status_code == 302
    # once sent, the secretary cannot edit; the leader sees approve and return
    assert write(as_, assessment="Sửa sau khi trình").status_code == 403
    leader_page = as_("approver").get(f"{REPORTS}/{THIS_YEAR}").get_data(as_text=True)
    assert "Phê duyệt" in leader_page and "Trả lại để sửa" in leader_page
    # a comment over the limit: the page again, the comment as typed, the limit beside it
    typed = "Đồng ý về cơ bản" + ", cần bổ sung" * 200
    refused = post(as_("approver"), f"{REPORTS}/{THIS_YEAR}/approve", {"a-comment": typed})
    answer = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Tối đa 2000 ký tự." in answer
    assert f"{typed}</textarea>" in answer and 'id="a-comment-error"' in answer
    assert "Hệ thống được duy trì." in answer  # the report's own text, not the post's
    assert report_row(in_db)["state"] == ReportState.PENDING
    assert post(as_("approver"), f"{REPORTS}/{THIS_YEAR}/approve",
                {"a-comment": "Đồng ý"}).status_code == 302
    response = post(as_("secretary"), f"{REPORTS}/{THIS_YEAR}/submit")
    assert response.status_code == 302
    row = report_row(in_db)
    assert row["state"] == ReportState.SUBMITTED and row["approved_by"] == "himlam.lanhdao"
    assert row["due_on"] == date(THIS_YEAR + 1, 3, 31)
    history = as_("secretary").get(f"{REPORTS}/{THIS_YEAR}").get_data(as_text=True)
    assert "Trình lãnh đạo phê duyệt (Đang soạn → Chờ lãnh đạo phê duyệt)" in history
    assert "pending_approval" not in history  # the history reads in words
    overview = as_("overseer").get(f"/annual-reports/?year={THIS_YEAR}").get_data(as_text=True)
    assert "Đã nộp đúng hạn" in overview and "(đúng hạn 1," in overview
    api = app.test_client().get(f"/api/v1/reports?year={THIS_YEAR}",
                                headers=token_for("sokhcn")).get_json()
    mine = next(a for a in api["agencies"] if a["agency"] == COMMUNE)
    assert mine["submitted"] is True and mine["late"] is False
    assert mine["figures"]["tthc"]["covered"] == 1 and mine["approved_by"] == "himlam.lanhdao"
    assert api["deadline"] == f"{THIS_YEAR + 1}-03-31" and api["summary"]["on_time"] == 1


def test_a_report_after_the_deadline_is_received_and_marked_late(app, people, as_, in_db,
                                                                   token_for):
    # last year's reports were due on 15/11 last year (the default): any submission now
    # is late
    through_approval(as_, LAST_YEAR)
    response = post(as_("secretary"), f"{REPORTS}/{LAST_YEAR}/submit")
    assert response.status_code == 302
    page = as_("secretary").get(response.headers["Location"]).get_data(as_text=True)
    assert f"sau hạn nộp 15/11/{LAST_YEAR}" in page and "nộp muộn" in page
    row = report_row(in_db, LAST_YEAR)
    assert row["state"] == ReportState.SUBMITTED and row["due_on"] == date(LAST_YEAR, 11, 15)
    overview = as_("overseer").get(f"/annual-reports/?year={LAST_YEAR}&show=late")
    text = overview.get_data(as_text=True)
    assert "Đã nộp muộn" in text and "UBND phường Him Lam" in text
    assert "(đúng hạn 0, <span class=\"error\">muộn 1</span>)" in text
    # the agencies that did not report at all are overdue
    assert "Chưa lập — quá hạn" in text and "UBND xã Búng Lao" in text
    api = app.test_client().get(f"/api/v1/reports?year={LAST_YEAR}",
                                headers=token_for("sokhcn")).get_json()
    mine = next(a for a in api["agencies"] if a["agency"] == COMMUNE)
    assert mine["late"] is True and mine["state"] == "submitted"
    assert api["summary"]["late"] == 1 and api["summary"]["overdue"] == api["summary"]["missing"]


def test_the_leader_returns_a_report_and_it_is_edited_again(app, people, as_, in_db):
    assert start(as_).status_code == 302 and write(as_).status_code == 302
    assert post(as_("secretary"), f"{REPORTS}/{THIS_YEAR}/send").status_code == 302
    # a return needs its reason: refused without one, next to the field, nothing changes
    response = post(as_("approver"), f"{REPORTS}/{THIS_YEAR}/return", {"r-comment": "  "})
    assert response.status_code == 422
    assert "Vui lòng nhập lý do trả lại." in response.get_data(as_text=True)
    assert 'id="r-comment-error"' in response.get_data(as_text=True)
    assert report_row(in_db)["state"] == ReportState.PENDING
    assert post(as_("approver"), f"{REPORTS}/{THIS_YEAR}/return",
                {"r-comment": "Bổ sung số liệu đào tạo"}).status_code == 302
    assert report_row(in_db)["state"] == ReportState.DRAFT
    page = as_("secretary").get(f"{REPORTS}/{THIS_YEAR}").get_data(as_text=True)
    assert "Lãnh đạo trả lại: Bổ sung số liệu đào tạo" in page
    assert write(as_, training="Một lớp tập huấn").status_code == 302


def test_nobody_approves_a_report_they_prepared(app, people, as_, make_user, in_db):
    both = make_user((COMMUNE, "secretary"), (COMMUNE, "approver"), username="himlam.kiemnhiem")
    client = app.test_client()
    assert login(client, both).status_code == 302
    assert post(client, f"{REPORTS}/start", {"year": str(THIS_YEAR)}, REPORTS).status_code == 302
    page = f"{REPORTS}/{THIS_YEAR}"
    assert post(client, f"{page}/save", {"assessment": "Tự viết"}, page).status_code == 302
    assert post(client, f"{page}/send").status_code == 302
    assert post(client, f"{page}/approve", {"a-comment": ""}).status_code == 403
    assert post(as_("approver"), f"{page}/approve", {"a-comment": ""}).status_code == 302


# -- who may ------------------------------------------------------------------------------

def test_another_agency_gets_403(app, people, as_, in_db, token_for):
    through_approval(as_)
    page = f"{REPORTS}/{THIS_YEAR}"
    for who in ("other", "other_leader"):
        assert as_(who).get(REPORTS).status_code == 403
        assert as_(who).get(page).status_code == 403
        assert as_(who).get(f"{page}/export.docx").status_code == 403
        assert post(as_(who), f"{REPORTS}/start", {"year": str(LAST_YEAR)}).status_code == 403
        assert post(as_(who), f"{page}/submit").status_code == 403
        assert post(as_(who), f"{page}/return", {"r-comment": "x"}).status_code == 403
        assert as_(who).get("/annual-reports/").status_code == 403
        assert as_(who).get(f"/annual-reports/{THIS_YEAR}/consolidated.docx"
                            ).status_code == 403
        assert post(as_(who), "/annual-reports/deadline", {
            "d-year": str(THIS_YEAR), "d-due_on": f"01/12/{THIS_YEAR}"}).status_code == 403
    # the overseer reads every report but writes none; only the overseer sets the deadline
    assert as_("overseer").get(page).status_code == 200
    assert post(as_("overseer"), f"{page}/submit").status_code == 403
    assert post(as_("admin"), "/annual-reports/deadline",
                {"d-year": str(THIS_YEAR), "d-due_on": "01/12/2026"}).status_code == 403
    # a reader of the agency neither reads the reports nor starts one
    assert as_("reader").get(page).status_code == 403
    assert report_row(in_db)["state"] == ReportState.APPROVED
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(ReportDeadline)) == 0
    # the API: another agency's secretary sees only its own agency, without the report
    api = app.test_client().get(f"/api/v1/reports?year={THIS_YEAR}",
                                headers=token_for("bunglao.thuky")).get_json()
    assert [a["agency"] for a in api["agencies"]] == ["mang-bung-lao"]
    with app.app_context():
        from isodoc.extensions import db

        other = db.session.scalars(select(User).where(User.username == "bunglao.thuky")).one()
        report = db.session.scalars(select(AnnualReport)).one()
        assert not can(other, Action.REPORT_VIEW, report)
        assert not can(other, Action.REPORT_SUBMIT, report)


# -- bad input ------------------------------------------------------------------------------

def test_bad_input_is_refused_next_to_the_field_and_changes_nothing(app, people, as_, in_db):
    for year, message in (("abcd", "Giá trị phải là số nguyên."),
                          ("1999", "Năm báo cáo phải trong khoảng 2000–2100."),
                          (str(THIS_YEAR + 1), f"Chưa đến năm {THIS_YEAR + 1}")):
        response = start(as_, year)  # type: ignore[arg-type]
        assert response.status_code == 422, year
        assert message in response.get_data(as_text=True), year
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(AnnualReport)) == 0
    assert start(as_).status_code == 302
    again = start(as_)
    assert again.status_code == 422 and "đã có báo cáo năm" in again.get_data(as_text=True)
    # sending without the general assessment
    response = post(as_("secretary"), f"{REPORTS}/{THIS_YEAR}/send")
    assert response.status_code == 422
    assert "Vui lòng viết phần đánh giá chung" in response.get_data(as_text=True)
    # a section too long
    response = write(as_, assessment="x" * 10_001)
    assert response.status_code == 422 and "Tối đa 10000 ký tự." in response.get_data(
        as_text=True)
    assert report_row(in_db)["assessment"] == "" and report_row(in_db)["state"] == "draft"
    # approving what was not sent; submitting what was not approved
    assert post(as_("approver"), f"{REPORTS}/{THIS_YEAR}/approve").status_code == 403
    assert post(as_("secretary"), f"{REPORTS}/{THIS_YEAR}/submit").status_code == 403
    # a deadline that is no date, or outside the year's window
    for due, message in (("32/13/2026", "Ngày không hợp lệ"),
                         ("", "Vui lòng nhập hạn nộp."),
                         (f"01/01/{THIS_YEAR}", f"phải từ 01/07/{THIS_YEAR} đến 31/03/")):
        response = set_deadline(as_, THIS_YEAR, due)
        assert response.status_code == 422, due
        assert message in response.get_data(as_text=True), due
    response = set_deadline(as_, 3000, "01/12/3000")
    assert response.status_code == 422
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(ReportDeadline)) == 0
    # pages out of range
    assert as_("overseer").get("/annual-reports/?year=20x6").status_code == 404
    assert as_("secretary").get(f"{REPORTS}/1999").status_code == 404
    assert as_("secretary").get(f"{REPORTS}/{LAST_YEAR}").status_code == 404
    assert as_("overseer").get("/annual-reports/?page=5000").status_code == 400
    assert as_("overseer").get("/annual-reports/?page=2").status_code == 404
    bad = app.test_client().get("/api/v1/reports?year=1800",
                                headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_api_refuses_a_year_out_of_range(app, people, token_for):
    response = app.test_client().get("/api/v1/reports?year=1800", headers=token_for("sokhcn"))
    assert response.status_code == 422
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert "/api/v1/reports" in spec["paths"]


# -- the Sở's consolidated report ------------------------------------------------------------

def docx_text(data: bytes) -> str:
    doc = Docx(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def test_the_overseer_downloads_the_consolidated_report(app, people, as_, in_db,
                                                         make_agency):
    make_agency("so-khcn", name="Sở Khoa học và Công nghệ")  # the report's issuer
    load(app)
    issue_procedure(app, "QT-KS", "1.001193")
    through_approval(as_, LAST_YEAR)
    assert post(as_("secretary"), f"{REPORTS}/{LAST_YEAR}/submit").status_code == 302
    response = as_("overseer").get(f"/annual-reports/{LAST_YEAR}/consolidated.docx")
    assert response.status_code == 200 and response.mimetype.endswith("document")
    assert "bao-cao-tong-hop-htqlcl" in response.headers["Content-Disposition"]
    text = docx_text(response.data)
    assert f"năm {LAST_YEAR}" in text and "Kính gửi: Ủy ban nhân dân tỉnh; Bộ Khoa học" in text
    assert "UBND TỈNH ĐIỆN BIÊN\nSỞ KHOA HỌC VÀ CÔNG NGHỆ" in text
    assert "Đã nộp: 1 (đúng hạn 0, muộn 1)" in text
    assert "UBND phường Him Lam | UBND cấp xã | Đã nộp muộn" in text
    assert "UBND xã Búng Lao | UBND cấp xã | Chưa lập — quá hạn" in text
    assert "Thiếu người." in text and "Hỗ trợ kinh phí." in text
    # the agency's own report as Word, marked as a draft until submitted
    own = as_("secretary").get(f"{REPORTS}/{LAST_YEAR}/export.docx")
    assert own.status_code == 200
    text = docx_text(own.data)
    assert "Kính gửi: Sở Khoa học và Công nghệ" in text and "Hệ thống được duy trì." in text
    assert "BÁO CÁO" in text


def test_the_default_deadline_is_15_november_and_the_overseer_changes_it(app, people, as_,
                                                                          in_db):
    page = as_("overseer").get(f"/annual-reports/?year={THIS_YEAR}").get_data(as_text=True)
    assert f"15/11/{THIS_YEAR}</strong> (mặc định 15/11)" in page
    assert set_deadline(as_, THIS_YEAR, f"05/12/{THIS_YEAR}").status_code == 302
    page = as_("overseer").get(f"/annual-reports/?year={THIS_YEAR}").get_data(as_text=True)
    assert f"05/12/{THIS_YEAR}</strong> (Sở KH&amp;CN đặt)" in page
    with in_db() as s:
        assert s.get(ReportDeadline, THIS_YEAR).due_on == date(THIS_YEAR, 12, 5)
        assert format_date(s.get(ReportDeadline, THIS_YEAR).due_on) == f"05/12/{THIS_YEAR}"


def test_the_demo_has_reports_on_time_late_and_waiting(app, in_db):
    from isodoc import demo
    from isodoc.annual_reports import services
    from isodoc.commands import run

    with app.app_context():
        run(demo.seed, "mat-khau-demo-2026")
        year = services.current_year()
        rows = {r.agency.code: r for r in services.standings(year)}
        assert rows["so-tu-phap"].submitted and not rows["so-tu-phap"].late
        assert rows["dbp-him-lam"].submitted and rows["dbp-him-lam"].late
        assert rows["dbp-nam-thanh"].state == ReportState.PENDING
        assert "dbp-noong-bua" not in rows  # merged into Nam Thanh
        nam_thanh = rows["dbp-nam-thanh"].report.figure_data
        assert nam_thanh["tthc"]["covered"] >= 1  # Noong Bua's procedure, inherited
        assert agency("dbp-noong-bua").successor.code == "dbp-nam-thanh"


def test_figures_count_revisions_and_findings_of_the_year(app, people, as_, in_db):
    """A second revision counts as revised, not new; a finding raised and one dismissed
    count as raised and closed, the other stays open."""
    from isodoc.documents import services as doc_services
    from isodoc.documents.models import Decision, Document, DocumentKind
    from isodoc.extensions import db
    from isodoc.findings import services as findings
    from isodoc.findings.models import FindingSource, FindingType

    issue_procedure(app, "QT-KS", "")
    with app.app_context():
        def u(name):
            return db.session.scalars(select(User).where(User.username == name)).one()

        document = db.session.scalars(select(Document)).one()
        revision = doc_services.start_revision(document, u("himlam.soanthao"))
        doc_services.save_draft(revision, u("himlam.soanthao"), revision.head_sha,
                                doc_services.DocumentFields("Quy trình QT-KS",
                                                            DocumentKind.INTERNAL),
                                "## 1. Mục đích\n\nLần 2.\n", change_summary="Sửa",
                                reason="Lý do")
        doc_services.submit(revision, u("himlam.soanthao"), [u("himlam.danhgia")])
        doc_services.review(revision, u("himlam.danhgia"), Decision.AGREED, "")
        doc_services.approve(revision, u("himlam.lanhdao"))
        doc_services.issue(revision, u("himlam.thuky"), today_local())
        for kind in (FindingType.OFI, FindingType.MINOR):
            finding = findings.raise_finding(agency(COMMUNE), u("himlam.danhgia"),
                                             findings.FindingInput(
                                                 kind, "7.5.3", "Kiểm soát tài liệu",
                                                 "Quan sát", source=FindingSource.OTHER,
                                                 source_note="Phiếu 01"))
            if kind is FindingType.OFI:
                findings.dismiss(finding, u("himlam.danhgia"), "Ghi nhận")
        db.session.commit()
    assert start(as_).status_code == 302
    figures = report_row(in_db)["figures"]
    assert figures["documents"]["issued_new"] == 1 and figures["documents"]["revised"] == 1
    assert figures["documents"]["in_force"] == 1
    assert [d["number"] for d in figures["documents"]["list"]] == [1, 2]
    assert figures["findings"]["raised"] == 2 and figures["findings"]["closed"] == 1
    assert figures["findings"]["open"] == 1 and figures["findings"]["nonconformities"] == 1
    assert figures["findings"]["by_type"]["ofi"] == 1


def test_the_training_section_is_prefilled_from_the_training_records(app, people, as_,
                                                                     in_db):
    """The year's courses, their attendance and the auditors certified come from the
    training records (7.2) when the report is started; the secretary may edit it."""
    from isodoc.agencies.services import get_by_code
    from isodoc.training import services as training

    with in_db():
        secretary = auth_services.get_user("himlam.thuky")
        agency = get_by_code(COMMUNE)
        day = date(LAST_YEAR, 9, 12)
        course = training.add_course(agency, secretary, training.CourseInput(
            kind="internal_auditor", title="Đánh giá viên nội bộ khoá 1", provider="Sở KH&CN",
            held_from=day, held_to=date(LAST_YEAR, 9, 14),
            attendees=[auth_services.get_user("himlam.danhgia"), secretary]))
        training.add_certificate(agency, secretary, training.CertificateInput(
            person=auth_services.get_user("himlam.danhgia"), number="ĐGNB-01/2025",
            issuer="Sở KH&CN", issued_on=date(LAST_YEAR, 9, 14), course=course))
    assert start(as_, LAST_YEAR).status_code == 302
    with in_db() as s:
        text = s.scalar(select(AnnualReport.training).where(AnnualReport.year == LAST_YEAR))
    assert text.startswith(f"Năm {LAST_YEAR} đơn vị tổ chức hoặc cử người tham gia 1 khoá")
    assert (f"- Đánh giá viên nội bộ khoá 1 (Chuyên gia đánh giá nội bộ), "
            f"12/09/{LAST_YEAR}–14/09/{LAST_YEAR}: 2 người tham dự") in text
    assert "cấp trong năm: 1; số người có chứng chỉ còn hiệu lực" in text
    assert start(as_, THIS_YEAR).status_code == 302
    with in_db() as s:
        text = s.scalar(select(AnnualReport.training).where(AnnualReport.year == THIS_YEAR))
    assert text == (f"Năm {THIS_YEAR} không có khoá đào tạo nào.\nChứng chỉ chuyên gia đánh "
                    f"giá nội bộ cấp trong năm: 0; số người có chứng chỉ còn hiệu lực đến "
                    f"31/12/{THIS_YEAR}: 1.")  # last year's certificate is still valid
