"""Conformity declarations, the Sở KH&CN's inspections and consultants, the way people
use them: the system checks what an agency lacks before it declares (and says so in
Vietnamese), freezes the scope, exports the decision and the notice as Word; a scope
change puts "công bố lại" on the secretary's work list and the overseer's page; the
overseer inspects an agency and raises a finding there that the agency takes through
its usual corrective action; consultants with their engagements, supervision visits and
traced findings. Another agency's staff get 403; forged ids 404; bad input changes
nothing."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from docx import Document as read_docx
from sqlalchemy import func, select

from isodoc.audit import AuditEntry
from isodoc.auth import services as auth_services
from isodoc.declarations.models import Declaration
from isodoc.findings.models import Finding
from isodoc.inspections.models import (
    Consultant,
    Engagement,
    FindingTrace,
    Inspection,
    SupervisionVisit,
)
from isodoc.timeutil import today_local
from tests.conftest import agency, api_token, login, post_form, user_pk
from tests.doc_helpers import issue_qt05

BASE = "/agencies/so-tu-phap/declarations"
TODAY = today_local()




def state(in_db) -> tuple:
    with in_db() as s:
        return tuple(s.scalar(select(func.count()).select_from(model)) for model in
                     (Declaration, Inspection, Finding, Consultant, Engagement,
                      SupervisionVisit, FindingTrace)) + (
            s.scalar(select(func.count()).select_from(AuditEntry).where(
                AuditEntry.action.like("declaration.%") | AuditEntry.action.like(
                    "inspection.%") | AuditEntry.action.like("consultant.%"))),)


def hold_review(in_db) -> None:
    """A management review of the Sở Tư pháp held today (the third prerequisite)."""
    from isodoc.reviews.models import ManagementReview

    with in_db() as s:
        s.add(ManagementReview(agency=agency("so-tu-phap"), year=TODAY.year, seq=1,
                               held_on=TODAY, period_start=TODAY.replace(month=1, day=1),
                               period_end=TODAY, chair=auth_services.get_user("stp.lanhdao")))


def complete_audit(in_db, review: bool = True) -> None:
    """An internal audit completed today and, unless told, a management review held."""
    from isodoc.audits import services as audits
    from isodoc.audits.models import CheckResult
    from tests.conftest import certify

    if review:
        hold_review(in_db)
    with in_db():
        certify("stp.danhgia")
        lead = auth_services.get_user("stp.danhgia")
        audit = audits.plan_audit(agency("so-tu-phap"), lead, audits.AuditPlan(
            "Đợt 1", TODAY, TODAY, lead, [], "7.5.3"))
        audits.start(audit, lead)
        for item in audit.items:
            audits.fill_item(item, lead, CheckResult.CONFORM, "Phù hợp")
        audits.complete(audit, lead, "Phù hợp")


def issue_document(in_db, code: str) -> None:
    """One more procedure issued through the workflow (author, reviewer, approver)."""
    from isodoc.documents import library
    from isodoc.documents import services as docs
    from isodoc.documents.models import Decision

    with in_db():
        people = {n: auth_services.get_user(f"stp.{n}") for n in
                  ("soanthao", "danhgia", "lanhdao", "thuky")}
        revision = docs.create_document(agency("so-tu-phap"), people["soanthao"], code,
                                        docs.DocumentFields(f"Quy trình {code}",
                                                            library.DocumentKind.INTERNAL,
                                                            field="Hành chính",
                                                            iso_clauses="7.5"),
                                        library.BLANK_STRUCTURE)
        docs.submit(revision, people["soanthao"], [people["danhgia"]])
        docs.review(revision, people["danhgia"], Decision.AGREED, "")
        docs.approve(revision, people["lanhdao"], "Đồng ý")
        docs.issue(revision, people["thuky"], TODAY)


def declaration_form(in_db, **overrides) -> dict:
    return {"decision_no": "125/QĐ-STP", "decided_on": TODAY.strftime("%d/%m/%Y"),
            "signer": str(user_pk(in_db, "stp.lanhdao")), "signer_title": "Giám đốc",
            "standard": "TCVN ISO 9001:2015", "note": "", **overrides}


def declare(desk, in_db, **overrides):
    return post_form(desk("secretary"), BASE + "/new", declaration_form(in_db, **overrides),
                     page=BASE + "/new")


def docx_text(data: bytes) -> str:
    doc = read_docx(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def test_declaring_is_checked_and_the_scope_frozen(desk, in_db, client):
    secretary = desk("secretary")
    page = secretary.get(BASE + "/new").get_data(as_text=True)
    assert "Chưa có bộ tài liệu của HTQLCL được ban hành" in page
    assert "Chưa có cuộc đánh giá nội bộ nào hoàn thành trong kỳ" in page
    before = state(in_db)
    refused = declare(desk, in_db)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Chưa đủ điều kiện công bố" in text and "Chưa có bộ tài liệu" in text
    assert state(in_db) == before

    issue_qt05(desk, in_db)
    refused = declare(desk, in_db)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Chưa có bộ tài liệu" not in text and "Chưa có cuộc đánh giá nội bộ" in text
    assert state(in_db) == before

    complete_audit(in_db, review=False)
    refused = declare(desk, in_db)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Chưa có cuộc đánh giá nội bộ" not in text
    assert "Chưa có cuộc họp xem xét của lãnh đạo nào trong kỳ" in text
    assert state(in_db) == before

    hold_review(in_db)
    done = declare(desk, in_db)
    assert done.status_code == 302, done.get_data(as_text=True)
    with in_db() as s:
        declaration = s.scalars(select(Declaration)).one()
        assert (declaration.decision_no, declaration.decided_on, declaration.signer,
                declaration.signer_title) == ("125/QĐ-STP", TODAY, "Phạm Quốc Hùng", "Giám đốc")
        assert [(d.code, d.revision_number) for d in declaration.documents] == [("QT-05", 1)]
        assert declaration.tthc == []  # no TTHC catalog yet
        ident = declaration.id
        assert s.scalar(select(AuditEntry.summary).where(
            AuditEntry.action == "declaration.record")).startswith("Công bố HTQLCL theo QĐ 125")
    shown = secretary.get(f"{BASE}/{ident}").get_data(as_text=True)
    assert "125/QĐ-STP" in shown and "QT-05" in shown and "Cần công bố lại" not in shown

    decision = secretary.get(f"{BASE}/{ident}/decision.docx")
    assert decision.status_code == 200 and decision.mimetype.endswith("document")
    words = docx_text(decision.data)
    for expected in ("QUYẾT ĐỊNH", "Số: 125/QĐ-STP", "GIÁM ĐỐC SỞ TƯ PHÁP", "Điều 1.",
                     "TCVN ISO 9001:2015", "PHẠM VI ÁP DỤNG", "QT-05", "Phạm Quốc Hùng",
                     "Sở Khoa học và Công nghệ tỉnh Điện Biên (để báo cáo)",
                     f"Điện Biên, ngày {TODAY.day:02d} tháng {TODAY.month:02d}"):
        assert expected in words, expected
    notice = docx_text(secretary.get(f"{BASE}/{ident}/notice.docx").data)
    assert "THÔNG BÁO" in notice and "Kính gửi: Sở Khoa học và Công nghệ tỉnh Điện Biên" \
        in notice and "Quyết định số 125/QĐ-STP" in notice

    api = client.get("/api/v1/declarations", headers=api_token(in_db, "stp.thuky"))
    assert api.status_code == 200
    [row] = api.get_json()
    assert (row["agency"], row["decision_no"], row["latest"], row["redeclare"]) == (
        "so-tu-phap", "125/QĐ-STP", True, [])
    assert row["documents"] == [{"code": "QT-05", "title": "Quy trình xem xét của lãnh đạo",
                                 "revision": 1, "effective_date": TODAY.isoformat()}]
    # a second declaration with the same number is refused, next to the field
    again = declare(desk, in_db)
    assert again.status_code == 422 and "Đơn vị đã ghi nhận quyết định số 125/QĐ-STP" in \
        again.get_data(as_text=True)


def test_other_agencies_readers_and_forged_ids(desk, in_db, client, make_user):
    issue_qt05(desk, in_db)
    complete_audit(in_db)
    assert declare(desk, in_db).status_code == 302
    with in_db() as s:
        ident = s.scalar(select(Declaration.id))
    before = state(in_db)
    outsider = desk("outsider")  # the Sở Y tế's secretary
    for url in (BASE, BASE + "/new", f"{BASE}/{ident}", f"{BASE}/{ident}/decision.docx",
                f"{BASE}/{ident}/notice.docx", "/declarations/", "/inspections/",
                "/inspections/new", "/consultants/"):
        assert outsider.get(url).status_code == 403, url
    assert declare(desk, in_db, decision_no="1/QĐ").status_code == 302  # own secretary
    assert post_form(outsider, BASE + "/new", declaration_form(in_db, decision_no="2/QĐ"),
                     page="/account").status_code == 403
    assert post_form(desk("reader"), BASE + "/new", declaration_form(in_db, decision_no="3"),
                     page="/account").status_code == 403
    assert desk("reader").get(BASE).status_code == 200  # members read
    # the Sở's declaration reached through another agency's address does not exist there
    assert outsider.get(f"/agencies/so-y-te/declarations/{ident}").status_code == 404
    assert desk("secretary").get(f"{BASE}/{2**31}").status_code == 404
    assert desk("secretary").get(f"{BASE}/{2**31}/decision.docx").status_code == 404
    headers = api_token(in_db, "syt.thuky")
    assert client.get("/api/v1/declarations", headers=headers).get_json() == []
    assert client.get("/api/v1/declarations?agency=so-tu-phap",
                      headers=headers).status_code == 403
    assert client.get("/api/v1/declarations?agency=khong-co",
                      headers=headers).status_code == 404
    assert client.get("/api/v1/declarations?year=1800", headers=headers).status_code == 422
    overseer = make_user(("ubnd-tinh", "overseer"))
    assert len(client.get("/api/v1/declarations", headers=api_token(in_db, overseer)
                          ).get_json()) == 2
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(Declaration)) == before[0] + 1


@pytest.mark.parametrize("overrides, field, message", [
    ({"decision_no": ""}, "decision_no", "Vui lòng nhập số quyết định công bố"),
    ({"decision_no": "QĐ-STP"}, "decision_no", "phải có số hiệu"),
    ({"decision_no": "1" * 61}, "decision_no", "Tối đa 60 ký tự"),
    ({"decided_on": (TODAY + timedelta(days=1)).strftime("%d/%m/%Y")}, "decided_on",
     "không được ở tương lai"),
    ({"decided_on": "31/02/2026"}, "decided_on", ""),
    ({"decided_on": ""}, "decided_on", "Vui lòng nhập ngày ký"),
    ({"signer": "secretary"}, "signer", "Lựa chọn không hợp lệ"),
    ({"signer_title": " \u200b "}, "signer_title", "Vui lòng nhập chức vụ người ký"),
    ({"standard": "ISO 9001:2008"}, "standard", "Lựa chọn không hợp lệ"),
])
def test_bad_input_is_refused_next_to_the_field(desk, in_db, overrides, field, message):
    issue_qt05(desk, in_db)
    complete_audit(in_db)
    if overrides.get("signer") == "secretary":
        overrides = {"signer": str(user_pk(in_db, "stp.thuky"))}
    before = state(in_db)
    response = declare(desk, in_db, **overrides)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert '<small class="error" id=' in page  # shown next to the field
    assert state(in_db) == before


def test_a_scope_change_asks_for_a_new_declaration(desk, in_db, client, make_user,
                                                  make_agency):
    issue_qt05(desk, in_db)
    complete_audit(in_db)
    assert declare(desk, in_db).status_code == 302
    home = desk("secretary").get("/").get_data(as_text=True)
    assert "cần công bố lại" not in home
    overseer = make_user(("ubnd-tinh", "overseer"), username="sokhcn")
    watcher = client
    assert login(watcher, overseer).status_code == 302
    assert "Còn phù hợp" in watcher.get("/declarations/").get_data(as_text=True)

    issue_document(in_db, "QT-07")  # the scope grew after the declaration
    home = desk("secretary").get("/").get_data(as_text=True)
    assert "Phạm vi HTQLCL đã thay đổi: cần công bố lại" in home
    assert "Tài liệu mới ban hành sau công bố: QT-07." in home
    assert "Tài liệu mới ban hành sau công bố: QT-07." in desk("secretary").get(
        BASE).get_data(as_text=True)
    province = watcher.get("/declarations/").get_data(as_text=True)
    assert "Cần công bố lại" in province and "QT-07" in province
    assert "cần công bố lại" in watcher.get("/?viec=1").get_data(as_text=True)  # work list
    assert 'href="/declarations/"' in watcher.get("/").get_data(as_text=True)  # dashboard
    [row] = client.get("/api/v1/declarations", headers=api_token(in_db, "stp.thuky")).get_json()
    assert row["redeclare"] == ["Tài liệu mới ban hành sau công bố: QT-07."]

    # the TTHC the agency must cover change: a catalog naming it as executing body
    from isodoc.tthc.models import Tthc, TthcBody, TthcBodyMap

    with in_db() as s:
        body = TthcBodyMap(key="so tu phap", name="Sở Tư pháp", agency=agency("so-tu-phap"))
        s.add(Tthc(code="2.000815", name="Cấp phiếu lý lịch tư pháp", at_province=True,
                   bodies=[TthcBody(body=body)]))
    [row] = client.get("/api/v1/declarations", headers=api_token(in_db, "stp.thuky")).get_json()
    assert "TTHC mới đơn vị phải giải quyết: 2.000815." in row["redeclare"]

    # declaring again (a later decision) clears it; an earlier date is refused
    earlier = declare(desk, in_db, decision_no="9/QĐ-STP",
                      decided_on=(TODAY - timedelta(days=1)).strftime("%d/%m/%Y"))
    assert earlier.status_code == 422 and "trước lần công bố gần nhất" in \
        earlier.get_data(as_text=True)
    assert declare(desk, in_db, decision_no="200/QĐ-STP").status_code == 302
    assert "cần công bố lại" not in desk("secretary").get("/").get_data(as_text=True)
    rows = client.get("/api/v1/declarations", headers=api_token(in_db, "stp.thuky")).get_json()
    assert [(r["decision_no"], r["latest"], len(r["tthc"])) for r in rows] == [
        ("200/QĐ-STP", True, 1), ("125/QĐ-STP", False, 0)]

    # a merger into the agency after its declaration (the 2025 reorganisation)
    from isodoc.agencies import services as agencies
    from isodoc.policy import SYSTEM

    make_agency("so-sap-nhap", name="Sở Sáp Nhập")
    with in_db():
        agencies.dissolve(agency("so-sap-nhap"), SYSTEM, TODAY, agency("so-tu-phap"))
    [latest, _] = client.get("/api/v1/declarations", headers=api_token(in_db, "stp.thuky")
                             ).get_json()
    assert latest["redeclare"] == ["Đơn vị sáp nhập vào sau công bố: Sở Sáp Nhập."]


@pytest.fixture
def overseer(make_user, app):
    name = make_user(("ubnd-tinh", "overseer"), username="sokhcn", full_name="Chuyên viên Sở")
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def inspect(overseer, **overrides):
    data = {"agency": "so-tu-phap", "mode": "on_site",
            "inspected_on": TODAY.strftime("%d/%m/%Y"),
            "team": "Chuyên viên Sở KH&CN (trưởng đoàn)",
            "scope": "Việc duy trì HTQLCL; kiểm soát tài liệu", **overrides}
    return post_form(overseer, "/inspections/new", data, page="/inspections/new")


FINDING = {"type": "minor", "clauses": "7.5.3", "requirement": "Kiểm soát tài liệu (7.5.3)",
           "observed": "Bộ phận một cửa dùng biểu mẫu cũ", "response_due": "",
           "engagement": ""}


def test_the_overseer_inspects_and_raises_a_finding_the_agency_acts_on(
        desk, in_db, overseer, make_user, app):
    # today the overseer may not raise a finding at an agency outside an inspection
    assert overseer.get("/agencies/so-tu-phap/findings/new").status_code == 403
    before = state(in_db)
    for bad, message in (({"agency": ""}, "Chọn đơn vị được kiểm tra"),
                         ({"agency": "ubnd-tinh"}, "Lựa chọn không hợp lệ"),
                         ({"mode": "phone"}, "Lựa chọn không hợp lệ"),
                         ({"inspected_on": "32/01/2026"}, "Ngày kiểm tra"),
                         ({"team": ""}, "Vui lòng nhập thành phần đoàn kiểm tra"),
                         ({"inspected_on": (TODAY + timedelta(days=400)).strftime(
                             "%d/%m/%Y")}, "không được ở tương lai")):
        response = inspect(overseer, **bad)
        assert response.status_code == 422, bad
        assert message in response.get_data(as_text=True), bad
    assert state(in_db) == before
    assert desk("secretary").get("/inspections/new").status_code == 403
    assert inspect(desk("secretary")).status_code == 403

    created = inspect(overseer)
    assert created.status_code == 302
    url = created.headers["Location"]
    ident = int(url.rstrip("/").rsplit("/", 1)[1])
    assert f"KT-{TODAY.year}-01" in overseer.get(url).get_data(as_text=True)
    # the agency's quality staff read it; another agency, its readers do not
    assert desk("secretary").get(url).status_code == 200
    assert desk("outsider").get(url).status_code == 403
    assert desk("reader").get(url).status_code == 403
    assert f"KT-{TODAY.year}-01" in desk("secretary").get(BASE).get_data(as_text=True)
    # only the lead raises findings: not the agency's staff, not another overseer
    new = f"/inspections/{ident}/findings/new"
    for who in ("secretary", "auditor", "outsider"):
        assert post_form(desk(who), new, FINDING).status_code == 403, who
    other = app.test_client()
    assert login(other, make_user(("ubnd-tinh", "overseer"))).status_code == 302
    assert post_form(other, new, FINDING).status_code == 403
    bad = post_form(overseer, new, {**FINDING, "clauses": "99.9"})
    assert bad.status_code == 422 and "99.9" in bad.get_data(as_text=True)
    assert post_form(overseer, "/inspections/2147483648/findings/new", FINDING
                     ).status_code == 404
    assert state(in_db) == before[:1] + (before[1] + 1,) + before[2:7] + (before[7] + 1,)

    raised = post_form(overseer, new, FINDING)
    assert raised.status_code == 302
    with in_db() as s:
        finding = s.scalars(select(Finding)).one()
        assert (finding.source, finding.source_note, finding.inspection_id, finding.state) == (
            "inspection", f"KT-{TODAY.year}-01", ident, "open")
        assert finding.raised_by.username == "sokhcn"
        finding_id, code = finding.id, finding.code
    page = desk("secretary").get(f"/agencies/so-tu-phap/findings/{finding_id}")
    assert f"KT-{TODAY.year}-01" in page.get_data(as_text=True)
    assert code in desk("secretary").get("/").get_data(as_text=True)  # on the work list

    # the agency's usual corrective action: the secretary proposes, the lead accepts
    base = f"/agencies/so-tu-phap/findings/{finding_id}"
    proposed = post_form(desk("secretary"), base + "/propose", {
        "propose-correction": "Thu hồi biểu mẫu cũ", "propose-root_cause": "Chưa thu hồi",
        "propose-whys": "", "propose-action_plan": "Sửa QT-01",
        "propose-owner": str(user_pk(in_db, "stp.thuky")),
        "propose-due_date": (TODAY + timedelta(days=10)).strftime("%d/%m/%Y")})
    assert proposed.status_code == 302
    home = overseer.get("/").get_data(as_text=True)
    assert code in home  # waits for the lead, counted in the header's number too
    assert re.search(r'class="count-badge"[^>]*><span class="visually-hidden">\(</span>1<', home)
    accepted = post_form(overseer, base + "/accept", {
        "accept-verify_after": (TODAY + timedelta(days=10)).strftime("%d/%m/%Y"),
        "accept-comment": "Đồng ý"})
    assert accepted.status_code == 302
    with in_db() as s:
        assert s.get(Finding, finding_id).state == "accepted"

    # the conclusion ends the inspection: no more findings
    empty = post_form(overseer, f"/inspections/{ident}/conclude", {"conclusion": ""})
    assert empty.status_code == 422 and "Vui lòng nhập kết luận" in empty.get_data(as_text=True)
    assert post_form(desk("secretary"), f"/inspections/{ident}/conclude",
                     {"conclusion": "Tốt"}).status_code == 403
    done = post_form(overseer, f"/inspections/{ident}/conclude",
                     {"conclusion": "Đơn vị duy trì HTQLCL; 01 điểm không phù hợp nhẹ."})
    assert done.status_code == 302
    assert post_form(overseer, new, FINDING).status_code == 403
    assert "01 điểm không phù hợp nhẹ" in desk("secretary").get(url).get_data(as_text=True)


def test_consultants_engagements_visits_and_traced_findings(desk, in_db, overseer):
    before = state(in_db)
    assert post_form(overseer, "/consultants/", {"name": "", "kind": "organisation"}
                     ).status_code == 422
    made = post_form(overseer, "/consultants/", {"name": "Công ty Tư vấn ISO Việt",
                                                 "kind": "organisation", "contact": "Hà Nội"})
    assert made.status_code == 302
    page = made.headers["Location"]
    ident = int(page.rstrip("/").rsplit("/", 1)[1])
    twice = post_form(overseer, "/consultants/", {"name": "công ty tư vấn iso việt",
                                                  "kind": "expert"})
    assert twice.status_code == 422 and "đã có trong danh sách" in twice.get_data(as_text=True)
    engage = f"/consultants/{ident}/engagements"
    for bad, message in (({"e-agency": "", "e-year": "2026"}, "Chọn cơ quan được tư vấn"),
                         ({"e-agency": "so-tu-phap", "e-year": "1999"}, "Số phải trong"),
                         ({"e-agency": "khong-co", "e-year": "2026"}, "Lựa chọn không hợp lệ")):
        response = post_form(overseer, engage, bad)
        assert response.status_code == 422 and message in response.get_data(as_text=True), bad
    assert post_form(overseer, engage, {"e-agency": "so-tu-phap", "e-year": "2026"}
                     ).status_code == 302
    again = post_form(overseer, engage, {"e-agency": "so-tu-phap", "e-year": "2026"})
    assert again.status_code == 422 and "đã được ghi là tư vấn" in again.get_data(as_text=True)
    post_form(overseer, engage, {"e-agency": "so-y-te", "e-year": "2026"})
    with in_db() as s:
        ours, theirs = (s.scalar(select(Engagement.id).where(
            Engagement.agency_id == agency(code).id)) for code in ("so-tu-phap", "so-y-te"))
    visit = f"/consultants/{ident}/engagements/{ours}/visits"
    future = post_form(overseer, visit, {"v-visited_on": (TODAY + timedelta(days=3)).strftime(
        "%d/%m/%Y"), "v-conclusion": "Tốt"})
    assert future.status_code == 422 and "không được ở tương lai" in future.get_data(
        as_text=True)
    assert future.get_data(as_text=True).count("Tốt</textarea>") == 1  # its own row only
    assert post_form(overseer, f"/consultants/{2**31}/engagements/{ours}/visits",
                     {"v-visited_on": "01/01/2026", "v-conclusion": "x"}).status_code == 404
    assert post_form(overseer, visit, {"v-visited_on": TODAY.strftime("%d/%m/%Y"),
                                       "v-conclusion": "Tư vấn đúng tiến độ"}).status_code == 302
    for who in ("secretary", "outsider"):
        assert desk(who).get(page).status_code == 403
        assert post_form(desk(who), visit, {"v-visited_on": "01/01/2026",
                                            "v-conclusion": "x"}).status_code == 403

    # a finding of an inspection traced to the consultant; another agency's engagement is
    # not offered
    ident_inspection = int(inspect(overseer).headers["Location"].rsplit("/", 1)[1])
    new = f"/inspections/{ident_inspection}/findings/new"
    forged = post_form(overseer, new, {**FINDING, "engagement": str(theirs)})
    assert forged.status_code == 422 and "Lựa chọn không hợp lệ" in forged.get_data(
        as_text=True)
    assert post_form(overseer, new, {**FINDING, "engagement": str(ours)}).status_code == 302
    # a finding from elsewhere (a complaint) traced by its code; forged or repeated refused
    from isodoc.findings import services as findings
    from isodoc.findings.models import FindingSource, FindingType

    with in_db():
        findings.raise_finding(agency("so-tu-phap"), auth_services.get_user("stp.thuky"),
                               findings.FindingInput(FindingType.OBSERVATION, "8.5.1",
                                                     "Đúng hạn", "Trễ 1 hồ sơ",
                                                     source=FindingSource.COMPLAINT,
                                                     source_note="PA-01"))
    trace = f"/consultants/{ident}/engagements/{ours}/findings"
    for code, message in (("PH-1", "có dạng PH-năm-số"), (f"PH-{TODAY.year}-099",
                                                          "không có phát hiện"),
                          (f"PH-{TODAY.year}-001", "đã được gắn")):
        response = post_form(overseer, trace, {"t-code": code})
        answer = response.get_data(as_text=True)
        assert response.status_code == 422 and message in answer
        # the code as typed, in the row of this engagement only (not in Sở Y tế's)
        assert answer.count(f'value="{code}"') == 1
        assert f'id="e{ours}-t-code-error"' in answer
    assert post_form(desk("secretary"), trace, {"t-code": f"PH-{TODAY.year}-002"}
                     ).status_code == 403
    assert post_form(overseer, f"/consultants/{ident}/engagements/{theirs}/findings",
                     {"t-code": f"PH-{TODAY.year}-002"}).status_code == 422  # not theirs
    assert post_form(overseer, trace, {"t-code": f"ph-{TODAY.year}-002"}).status_code == 302
    shown = overseer.get(page).get_data(as_text=True)
    assert "Tư vấn đúng tiến độ" in shown and f"PH-{TODAY.year}-001" in shown
    assert f"PH-{TODAY.year}-002" in shown
    assert "Công ty Tư vấn ISO Việt" in desk("secretary").get(BASE).get_data(as_text=True)
    after = state(in_db)
    assert after[3:7] == (before[3] + 1, before[4] + 2, before[5] + 1, before[6] + 2)


def test_demo_has_a_declaration_and_an_inspection_with_a_finding(app, client):
    from isodoc import demo
    from isodoc.extensions import db
    from tests.conftest import PASSWORD

    with app.app_context():
        demo.seed(PASSWORD)
        db.session.commit()
        declaration = db.session.scalars(select(Declaration)).one()
        assert declaration.agency.code == "so-tu-phap" and declaration.documents
        inspection = db.session.scalars(select(Inspection)).one()
        assert inspection.agency.code == "dbp-him-lam"
        finding = db.session.scalars(select(Finding).where(
            Finding.inspection_id == inspection.id)).one()
        assert db.session.get(FindingTrace, finding.id) is not None
        demo.seed(PASSWORD)  # a second run adds nothing
        assert db.session.scalar(select(func.count()).select_from(Inspection)) == 1
        assert db.session.scalar(select(func.count()).select_from(Declaration)) == 1
        db.session.rollback()
    login(client, "sokhcn")
    province = client.get("/declarations/").get_data(as_text=True)
    assert "Sở Tư pháp" in province and "125/QĐ-STP" in province
    assert "KT-" in client.get("/inspections/").get_data(as_text=True)


def test_the_annual_report_cites_only_the_years_declarations(desk, in_db):
    """The declarations section of a year's annual report: a declaration decided later
    is not that year's (it was cited as in force for the year before)."""
    from isodoc.declarations.services import year_summary

    issue_qt05(desk, in_db)
    complete_audit(in_db)
    assert declare(desk, in_db).status_code == 302
    with in_db():
        assert year_summary(agency("so-tu-phap"), TODAY.year - 1) is None
        text = year_summary(agency("so-tu-phap"), TODAY.year)
    assert text.startswith(f"Năm {TODAY.year} đơn vị công bố HTQLCL 1 lần:")
    assert f"ngày {TODAY.strftime('%d/%m/%Y')} công bố HTQLCL phù hợp" in text


def test_the_signer_line_does_not_repeat_a_word():
    """"Giám đốc Sở" of "Sở Tư pháp" printed "GIÁM ĐỐC SỞ SỞ TƯ PHÁP" on the decision."""
    from isodoc.declarations.exports import signer_of

    assert signer_of("Giám đốc Sở", "Sở Tư pháp") == "Giám đốc Sở Tư pháp"
    assert signer_of("Giám đốc", "Sở Tư pháp") == "Giám đốc Sở Tư pháp"
    assert signer_of("Chủ tịch UBND", "UBND phường Him Lam") == "Chủ tịch UBND phường Him Lam"
    assert signer_of("Phó Giám đốc", "Sở Y tế") == "Phó Giám đốc Sở Y tế"
