"""Internal audit and corrective action, the way the agency's people use them: an auditor
plans and runs an audit, records nonconformities against 7.5.3 and 8.5.1, the secretary
proposes actions, one leads to a document revision that is issued, the auditor verifies
effectiveness and closes both; every refusal along the way."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from docx import Document as Docx
from sqlalchemy import select

from isodoc.audits.models import Audit, ChecklistItem
from isodoc.findings.models import Finding
from isodoc.timeutil import today_local
from tests.conftest import certify, login
from tests.doc_helpers import issue_qt05, post, user_id

AGENCY = "so-tu-phap"
AUDITS = f"/agencies/{AGENCY}/audits"
FINDINGS = f"/agencies/{AGENCY}/findings"


def day(offset: int = 0) -> str:
    return (today_local() + timedelta(days=offset)).strftime("%d/%m/%Y")


def accepting(offset: int) -> dict:
    """The accept form as an auditor fills it: both the date and a comment are required."""
    return {"accept-verify_after": day(offset), "accept-comment": "Đồng ý kế hoạch"}


@pytest.fixture
def team(staff, make_user, desk, in_db):
    """The Sở's staff, a second internal auditor, and QT-05 issued (reviewed by stp.danhgia)."""
    staff["auditor2"] = make_user((AGENCY, "auditor"), username="stp.danhgia2",
                                  full_name="Vũ Thị Lan")
    staff["outside_auditor"] = make_user(("so-y-te", "auditor"), username="syt.danhgia")
    with in_db():
        certify("stp.danhgia", "stp.danhgia2", "syt.danhgia")
    issue_qt05(desk, in_db)
    return staff


def document_id(in_db, code: str = "QT-05") -> str:
    from isodoc.documents.models import Document

    with in_db() as s:
        return str(s.scalars(select(Document.id).where(Document.code == code)).one())


def plan(desk, in_db, **overrides):
    data = {"title": "Đánh giá nội bộ đợt 1", "planned_start": day(0), "planned_end": day(2),
            "lead": user_id(in_db, "stp.danhgia"), "team": [user_id(in_db, "stp.danhgia2")],
            "scope_clauses": "7.5.3, 8.5.1", "documents": [document_id(in_db)],
            "processes": "Bộ phận một cửa; phòng Hành chính tư pháp",
            "plan": "Phỏng vấn, xem hồ sơ tháng 10–11", **overrides}
    return post(desk("auditor"), f"{AUDITS}/new", data)


def the_audit(in_db) -> dict:
    with in_db() as s:
        audit = s.scalars(select(Audit)).one()
        return {"id": audit.id, "state": audit.state, "items": [
            (i.id, i.position, i.clause, i.document_id, i.result) for i in audit.items],
            "conflicts": [(c.id, c.user.username, c.decision) for c in audit.conflicts]}


def finding_row(in_db, seq: int) -> Finding:
    with in_db() as s:
        f = s.scalars(select(Finding).where(Finding.seq == seq)).one()
        s.expunge(f)
        return f


def state_of(in_db, seq: int) -> str:
    return finding_row(in_db, seq).state


def test_the_whole_journey_from_plan_to_closure(team, desk, in_db, client):
    # -- plan: the conflict (stp.danhgia reviewed QT-05) is flagged for the lead
    response = plan(desk, in_db)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    audit = the_audit(in_db)
    url = f"{AUDITS}/{audit['id']}"
    assert [(u, d) for _, u, d in audit["conflicts"]] == [("stp.danhgia", "pending")]
    page = desk("auditor").get(url).get_data(as_text=True)
    assert "Đã xem xét tài liệu QT-05" in page and "Chờ trưởng đoàn quyết định" in page

    # the audit cannot start while the conflict is undecided
    post(desk("auditor"), f"{url}/start")
    assert the_audit(in_db)["state"] == "planned"
    conflict_id = audit["conflicts"][0][0]
    r = post(desk("auditor"), f"{url}/conflicts/{conflict_id}", {"decision": "excluded",
                                                                 "note": ""})
    assert the_audit(in_db)["conflicts"][0][2] == "pending"  # a decision needs its reason
    post(desk("auditor"), f"{url}/conflicts/{conflict_id}",
         {"decision": "excluded", "note": "Bà Lan đánh giá QT-05"})
    assert the_audit(in_db)["conflicts"][0][2] == "excluded"

    r = post(desk("auditor"), f"{url}/start")
    assert r.status_code == 302
    audit = the_audit(in_db)
    assert audit["state"] == "in_progress"
    assert [(p, c) for _, p, c, _, _ in audit["items"]] == [(1, "7.5.3"), (2, "8.5.1"),
                                                            (3, "9.3")]
    (i1, *_), (i2, *_), (i3, *_) = audit["items"]

    # -- fill the checklist: the lead may not audit QT-05, the second auditor does
    r = post(desk("auditor"), f"{url}/items/{i3}", {"result": "conform", "evidence": "ok"})
    assert r.status_code == 422 and "Bạn không đánh giá câu hỏi 3" in r.get_data(as_text=True)
    assert the_audit(in_db)["items"][2][4] is None
    post(desk("auditor2"), f"{url}/items/{i3}", {"result": "conform",
                                                 "evidence": "Biên bản họp 10/2026"})
    # a nonconformity needs its evidence written
    post(desk("auditor"), f"{url}/items/{i1}", {"result": "nonconform", "evidence": ""})
    assert the_audit(in_db)["items"][0][4] is None
    post(desk("auditor"), f"{url}/items/{i1}", {
        "result": "nonconform",
        "evidence": "Bộ phận một cửa còn dùng mẫu BM-01 phiên bản cũ"})
    post(desk("auditor"), f"{url}/items/{i2}", {
        "result": "nonconform", "evidence": "3/20 hồ sơ khai sinh trả kết quả trễ hạn"})
    assert [i[4] for i in the_audit(in_db)["items"]] == ["nonconform", "nonconform", "conform"]

    # the audit cannot be completed while a nonconformity has no finding
    post(desk("auditor"), f"{url}/complete", {"conclusion": "Hệ thống cơ bản phù hợp"})
    assert the_audit(in_db)["state"] == "in_progress"

    # -- two findings, raised from the checklist rows
    new_page = desk("auditor").get(f"{FINDINGS}/new?audit={audit['id']}&item={i1}")
    assert new_page.status_code == 200 and "7.5.3" in new_page.get_data(as_text=True)
    r = post(desk("auditor"), f"{FINDINGS}/new", {
        "audit": audit["id"], "item": i1, "type": "minor", "clauses": "7.5.3",
        "documents": [document_id(in_db)],
        "requirement": "Tài liệu đang áp dụng phải sẵn có tại nơi sử dụng (7.5.3.1)",
        "observed": "Bộ phận một cửa dùng mẫu BM-01 phiên bản cũ", "response_due": day(10)})
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    r = post(desk("auditor"), f"{FINDINGS}/new", {
        "audit": audit["id"], "item": i2, "type": "minor", "clauses": "8.5.1",
        "requirement": "Hồ sơ được giải quyết đúng thời hạn của quy trình",
        "observed": "3/20 hồ sơ khai sinh trả kết quả trễ hạn", "response_due": day(10)})
    assert r.status_code == 302
    f1, f2 = finding_row(in_db, 1), finding_row(in_db, 2)
    assert (f1.code, f1.state, f2.state) == (f"PH-{today_local().year}-001", "open", "open")

    r = post(desk("auditor"), f"{url}/complete", {"conclusion": "Hệ thống cơ bản phù hợp; "
                                                                "2 điểm không phù hợp nhẹ"})
    assert the_audit(in_db)["state"] == "completed"
    report = desk("secretary").get(f"{url}/report.docx")
    assert report.status_code == 200
    text = "\n".join(c.text for t in Docx(io.BytesIO(report.data)).tables
                     for row in t.rows for c in row.cells)
    assert "7.5.3" in text and "PH-" in text and "Không phù hợp" in text

    # -- the secretary proposes actions; the auditor accepts
    f1_url, f2_url = f"{FINDINGS}/{f1.id}", f"{FINDINGS}/{f2.id}"
    secretary_id = user_id(in_db, "stp.thuky")
    proposal = {"propose-correction": "Thu hồi mẫu cũ tại bộ phận một cửa",
                "propose-root_cause": "QT-05 không quy định việc thu hồi bản in cũ",
                "propose-whys": "Vì sao dùng mẫu cũ?\nVì bản in cũ không bị thu hồi",
                "propose-action_plan": "Sửa QT-05: thêm bước thu hồi bản in khi ban hành",
                "propose-owner": secretary_id, "propose-due_date": day(20)}
    # a proposal without a root cause is refused, and the typed text stays on the page
    r = post(desk("secretary"), f"{f1_url}/propose", {**proposal, "propose-root_cause": ""})
    assert r.status_code == 422
    assert "Thu hồi mẫu cũ tại bộ phận một cửa" in r.get_data(as_text=True)
    assert state_of(in_db, 1) == "open"
    post(desk("secretary"), f"{f1_url}/propose", proposal)
    assert state_of(in_db, 1) == "proposed"
    post(desk("secretary"), f"{f2_url}/propose", {
        **proposal, "propose-correction": "Xin lỗi 3 công dân, trả kết quả ngay",
        "propose-root_cause": "Thiếu người tiếp nhận trong tuần cao điểm",
        "propose-action_plan": "Bố trí thêm 1 công chức luân phiên tại bộ phận một cửa"})
    # nobody accepts their own proposal: the secretary is not an auditor anyway
    assert post(desk("secretary"), f"{f1_url}/accept", accepting(0)
                ).status_code == 403
    post(desk("auditor"), f"{f1_url}/accept", accepting(0))
    post(desk("auditor2"), f"{f2_url}/accept", accepting(0))
    assert (state_of(in_db, 1), state_of(in_db, 2)) == ("accepted", "accepted")

    # -- finding 1 needs a document change: the draft opens from the finding
    r = post(desk("secretary"), f"{f1_url}/revise", {"revise-document": "999999"})
    answer = r.get_data(as_text=True)
    assert r.status_code == 422 and "Lựa chọn không hợp lệ." in answer
    assert 'id="revise-document-error"' in answer
    r = post(desk("secretary"), f"{f1_url}/revise", {"revise-document": document_id(in_db)})
    assert r.status_code == 302 and "/drafts/2" in r.headers["Location"]
    # implemented is refused while the revision is not issued
    post(desk("secretary"), f"{f1_url}/implement", {"implement-report": "Đã sửa QT-05"})
    assert state_of(in_db, 1) == "accepted"
    walk_draft_to_issue(desk, in_db)
    page = desk("secretary").get(f1_url).get_data(as_text=True)
    assert re.search(r"đã ban hành lần 2 ngày \d\d/\d\d/\d{4}", page), page
    post(desk("secretary"), f"{f1_url}/implement",
         {"implement-report": "QT-05 lần 2 ban hành; đã thu hồi bản in cũ"})
    post(desk("secretary"), f"{f2_url}/implement",
         {"implement-report": "Quyết định phân công luân phiên số 12/QĐ-STP"})
    assert (state_of(in_db, 1), state_of(in_db, 2)) == ("implemented", "implemented")

    # -- the auditor verifies effectiveness (the owner may not) and closes
    assert post(desk("secretary"), f"{f1_url}/verify", {"verify-note": "ok"}
                ).status_code == 403
    post(desk("auditor"), f"{f1_url}/verify", {"verify-note": "Kiểm tra 10 hồ sơ: đúng mẫu"})
    post(desk("auditor"), f"{f2_url}/verify", {"verify-note": "0/25 hồ sơ trễ hạn tháng 11"})
    post(desk("auditor"), f"{f1_url}/close", {"comment-comment": "Đóng"})
    post(desk("auditor"), f"{f2_url}/close", {"comment-comment": "Đóng"})
    assert (state_of(in_db, 1), state_of(in_db, 2)) == ("closed", "closed")

    # -- the clause page for 7.5.3 shows the finding and its closure
    page = desk("reader").get(f"/clauses/7.5.3?agency={AGENCY}").get_data(as_text=True)
    assert "QT-05" in page  # the procedure addressing 7.5.3 (front matter)
    assert f1.code not in page  # a reader (công chức) does not see findings
    page = desk("approver").get(f"/clauses/7.5.3?agency={AGENCY}").get_data(as_text=True)
    assert f1.code in page and f"{f1.code}</a> đóng ngày {day(0)}" in page
    assert f2.code not in page
    page = desk("approver").get("/clauses/7.5").get_data(as_text=True)
    assert f1.code in page  # sub-clauses roll up

    # every transition is in the audit log and in the finding's history
    from isodoc.audit import AuditEntry

    with in_db() as s:
        actions = [a for (a,) in s.execute(select(AuditEntry.action).where(
            AuditEntry.object_type == "finding", AuditEntry.object_id == str(f1.id))
            .order_by(AuditEntry.id))]
    assert actions == ["finding.raise", "finding.propose", "finding.accept",
                       "finding.revise_document", "finding.implement", "finding.verify",
                       "finding.close"]


def walk_draft_to_issue(desk, in_db) -> None:
    from tests.doc_helpers import draft_form

    base = f"/agencies/{AGENCY}/documents/qt-05/drafts/2"
    form = draft_form(desk("secretary"), 2)
    assert "Hành động khắc phục PH-" in form["reason"]
    form.update(change_summary="Thêm bước thu hồi bản in cũ", iso_clauses="9.3 7.5.3",
                body=form["body"] + "\n\nThu hồi bản in cũ khi ban hành lần mới.\n")
    assert post(desk("secretary"), f"{base}/edit", form).status_code == 302
    post(desk("secretary"), f"{base}/submit", {"reviewers": user_id(in_db, "stp.danhgia2")})
    post(desk("auditor2"), f"{base}/review", {"decision": "agreed"})
    post(desk("approver"), f"{base}/approve", {"comment": "Đồng ý"})
    post(desk("secretary"), f"{base}/issue", {"effective_date": day(0)})
    with in_db() as s:
        from isodoc.documents.models import Revision

        assert s.scalars(select(Revision.state).where(Revision.seq == 2)).one() == "issued"


def test_ineffective_action_goes_back_to_planning(team, desk, in_db):
    finding = raise_outside_audit(desk, in_db)
    url = f"{FINDINGS}/{finding.id}"
    post(desk("secretary"), f"{url}/propose", {
        "propose-correction": "Trả kết quả ngay", "propose-root_cause": "Quá tải",
        "propose-action_plan": "Nhắc việc tự động", "propose-owner": user_id(in_db, "stp.thuky"),
        "propose-due_date": day(5)})
    post(desk("auditor"), f"{url}/return", {"comment-comment": ""})
    assert state_of(in_db, 1) == "proposed"  # returning needs a reason
    post(desk("auditor"), f"{url}/return", {"comment-comment": "Nguyên nhân chưa tới gốc"})
    assert state_of(in_db, 1) == "open"
    post(desk("secretary"), f"{url}/propose", {
        "propose-correction": "Trả kết quả ngay", "propose-root_cause": "Không có nhắc hạn",
        "propose-action_plan": "Nhắc việc tự động", "propose-owner": user_id(in_db, "stp.thuky"),
        "propose-due_date": day(5)})
    post(desk("auditor"), f"{url}/accept", accepting(3))
    post(desk("secretary"), f"{url}/implement", {"implement-report": "Đã cài nhắc việc"})
    # too early to verify
    post(desk("auditor"), f"{url}/ineffective", {"verify-note": "Vẫn trễ"})
    assert state_of(in_db, 1) == "implemented"
    with in_db() as s:
        s.get(Finding, finding.id).verify_after = today_local()
    post(desk("auditor"), f"{url}/ineffective", {"verify-note": "Tháng 12 vẫn trễ 2 hồ sơ"})
    row = finding_row(in_db, 1)
    assert (row.state, row.cycles, row.proposed_by_id) == ("open", 2, None)


def raise_outside_audit(desk, in_db, **overrides) -> Finding:
    r = post(desk("secretary"), f"{FINDINGS}/new", {
        "type": "minor", "clauses": "8.5.1", "source": "late_dossier",
        "source_note": "Hồ sơ 000.12.34.H17-261101-0003",
        "requirement": "Trả kết quả đúng hạn", "observed": "Trễ 2 ngày", **overrides})
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    return finding_row(in_db, 1)


@pytest.mark.parametrize("field,value,message", [
    ("clauses", "7.5.9", "Không có điều khoản 7.5.9"),
    ("clauses", "", "Vui lòng nhập điều khoản"),
    ("source_note", "", "Ghi rõ nguồn phát hiện"),
    ("response_due", "31/02/2026", "Ngày không hợp lệ"),
    ("response_due", "01/01/2020", "không được ở quá khứ"),
])
def test_bad_findings_are_refused_with_a_reason_and_change_nothing(team, desk, in_db, field,
                                                                  value, message):
    data = {"type": "minor", "clauses": "8.5.1", "source": "complaint", "source_note": "PA 12",
            "requirement": "Đúng hạn", "observed": "Trễ", field: value}
    r = post(desk("secretary"), f"{FINDINGS}/new", data)
    assert r.status_code == 422
    assert message in r.get_data(as_text=True)
    with in_db() as s:
        assert s.scalars(select(Finding)).all() == []


def test_observation_can_be_dismissed_but_a_nonconformity_cannot(team, desk, in_db):
    finding = raise_outside_audit(desk, in_db, type="ofi")
    assert post(desk("secretary"), f"{FINDINGS}/{finding.id}/dismiss",
                {"comment-comment": "x"}).status_code == 403  # the auditor decides
    post(desk("auditor"), f"{FINDINGS}/{finding.id}/dismiss",
         {"comment-comment": "Ghi nhận cho kỳ xem xét lãnh đạo"})
    assert state_of(in_db, 1) == "closed"


def test_nonconformity_cannot_be_dismissed(team, desk, in_db):
    finding = raise_outside_audit(desk, in_db)
    assert post(desk("auditor"), f"{FINDINGS}/{finding.id}/dismiss",
                {"comment-comment": "x"}).status_code == 403
    assert state_of(in_db, 1) == "open"


def test_wrong_role_or_agency_gets_403(team, desk, in_db, app):
    finding = raise_outside_audit(desk, in_db)
    plan(desk, in_db)
    audit_id = the_audit(in_db)["id"]
    outsider = app.test_client()
    login(outsider, "syt.thuky")
    for url in (f"{FINDINGS}/{finding.id}", FINDINGS, f"{AUDITS}/{audit_id}", AUDITS,
                f"{AUDITS}/{audit_id}/report.docx", f"/agencies/{AGENCY}/management-review"):
        assert outsider.get(url).status_code == 403, url
        assert desk("reader").get(url).status_code == 403, url
    assert desk("author").get(f"{FINDINGS}/{finding.id}").status_code == 200
    assert desk("author").get(f"{AUDITS}/new").status_code == 403
    assert post(desk("author"), f"{FINDINGS}/new", {}).status_code == 403
    # an auditor of another agency cannot sit on this agency's team: not offered, refused
    r = plan(desk, in_db, team=[user_id(in_db, "syt.danhgia")])
    assert r.status_code == 422 and "không phải là lựa chọn hợp lệ" in r.get_data(as_text=True)
    from isodoc.audits import services
    from isodoc.auth.models import User
    from isodoc.errors import InvalidInput

    with in_db() as s:
        lead, other = (s.scalars(select(User).where(User.username == n)).one()
                       for n in ("stp.danhgia", "syt.danhgia"))
        audit = s.get(Audit, audit_id)
        with pytest.raises(InvalidInput, match="không phải"):
            services.update_audit(audit, lead, services.AuditPlan(
                "x", audit.planned_start, audit.planned_end, lead, [other], "7.5.3"))
        s.rollback()
    with in_db() as s:
        assert len(s.scalars(select(Audit)).all()) == 1


def test_overdue_actions_are_flagged_on_my_work_and_the_dashboard(team, desk, in_db):
    finding = raise_outside_audit(desk, in_db)
    with in_db() as s:
        s.get(Finding, finding.id).response_due = today_local() - timedelta(days=3)
    home = desk("secretary").get("/").get_data(as_text=True)
    assert finding.code in home and "QUÁ HẠN" in home
    dashboard = desk("approver").get(f"/agencies/{AGENCY}").get_data(as_text=True)
    assert "1 quá hạn" in dashboard
    listing = desk("approver").get(f"{FINDINGS}?overdue=1").get_data(as_text=True)
    assert finding.code in listing


def test_attachments_are_checked_and_served_only_to_those_allowed(team, desk, in_db, app):
    finding = raise_outside_audit(desk, in_db)
    url = f"{FINDINGS}/{finding.id}"
    from tests.conftest import csrf_token

    def upload(who, name, data):
        client = desk(who)
        return client.post(f"{url}/attachments", data={
            "csrf_token": csrf_token(client, "/"),
            "attach-file": (io.BytesIO(data), name)}, content_type="multipart/form-data")

    refused = upload("secretary", "virus.exe", b"MZ")
    answer = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Chỉ nhận tệp PDF, ảnh JPG/PNG" in answer
    assert 'id="attach-file-error"' in answer  # the reason beside the file field
    missing = upload("secretary", "", b"")
    assert missing.status_code == 422 and "Vui lòng chọn tệp." in missing.get_data(as_text=True)
    upload("secretary", "bien-ban.pdf", b"%PDF-1.4 evidence")
    with in_db() as s:
        files = s.get(Finding, finding.id).attachments
        assert [a.filename for a in files] == ["bien-ban.pdf"]
        attachment_id = files[0].id
    with desk("auditor").get(f"{url}/attachments/{attachment_id}") as got:
        assert got.status_code == 200 and got.data == b"%PDF-1.4 evidence"
        assert "bien-ban.pdf" in got.headers["Content-Disposition"]
    assert desk("reader").get(f"{url}/attachments/{attachment_id}").status_code == 403


def test_reports_csv_and_management_review(team, desk, in_db, app, make_user):
    finding = raise_outside_audit(desk, in_db)
    overseer = app.test_client()
    login(overseer, make_user(("ubnd-tinh", "overseer"), username="sokhcn"))
    assert finding.code in overseer.get("/reports/findings").get_data(as_text=True)
    assert finding.code not in desk("outsider").get("/reports/findings").get_data(as_text=True)
    page = desk("approver").get(f"/reports/findings?agency={AGENCY}").get_data(as_text=True)
    assert "8.5</a> Sản xuất và cung cấp dịch vụ" in page and "Tổng số: <strong>1</strong>" in page
    csv = desk("approver").get(f"/reports/findings?agency={AGENCY}&format=csv")
    lines = csv.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("so,don_vi,nam,loai") and "8.5.1" in lines[1]
    review = desk("approver").get(f"/agencies/{AGENCY}/management-review")
    text = review.get_data(as_text=True)
    assert review.status_code == 200 and "Phát sinh: <strong>1</strong>" in text
    assert "QT-05</a> lần 1" in text  # documents issued in the period
    bad = desk("approver").get(f"/agencies/{AGENCY}/management-review?from=32/13/2026")
    assert bad.status_code == 422 and "Ngày không hợp lệ" in bad.get_data(as_text=True)
    for far in ("from=0001-01-01&to=2026-11-26", "from=2026-01-01&to=9999-12-31"):
        bad = desk("approver").get(f"/agencies/{AGENCY}/management-review?{far}")  # was a 500
        assert bad.status_code == 422, far
        assert "Kỳ xem xét phải nằm trong các năm 2000–2100." in bad.get_data(as_text=True)


def test_checklist_rows_and_clause_browser(team, desk, in_db):
    page = desk("reader").get("/clauses/").get_data(as_text=True)
    for number in ("4.1", "7.1.6", "7.5.3", "8.5.6", "10.3"):
        assert f">{number}</a>" in page
    assert "Amd 1:2024" in page
    page = desk("reader").get("/clauses/7.5.3").get_data(as_text=True)
    assert "4.2.3 Kiểm soát tài liệu" in page and "4.2.4 Kiểm soát hồ sơ" in page
    assert desk("reader").get("/clauses/7.9").status_code == 404
    page = desk("reader").get("/clauses/2008").get_data(as_text=True)
    assert "Không có điều khoản tương ứng" in page  # 5.5.2 management representative
    with in_db() as s:
        assert s.scalars(select(ChecklistItem)).all() == []


def test_a_refused_audit_step_keeps_what_was_typed(team, desk, in_db):
    """A refusal shows the audit page again with the form as typed and a 422, instead
    of a redirect that loses the text (issue: forms keep typed values)."""
    plan(desk, in_db)
    audit = the_audit(in_db)
    url = f"{AUDITS}/{audit['id']}"
    conflict_id = audit["conflicts"][0][0]
    post(desk("auditor"), f"{url}/conflicts/{conflict_id}",
         {"decision": "excluded", "note": "Bà Lan đánh giá QT-05"})
    post(desk("auditor"), f"{url}/start")
    (i1, *_), *_ = the_audit(in_db)["items"]

    # the command refuses (a nonconformity needs its evidence): the choice stays selected
    r = post(desk("auditor"), f"{url}/items/{i1}", {"result": "nonconform", "evidence": ""})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and 'value="nonconform" selected' in page
    # the form refuses (too long): the text typed is back in its box, the error beside it
    long = "Bằng chứng dài " * 800
    r = post(desk("auditor"), f"{url}/items/{i1}", {"result": "conform", "evidence": long})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and long.strip()[:200] in page and 'aria-invalid="true"' in page
    assert the_audit(in_db)["items"][0][4] is None

    # completing is refused while questions are open: the conclusion typed is kept
    r = post(desk("auditor"), f"{url}/complete", {"conclusion": "Kết luận riêng của đoàn XYZ"})
    assert r.status_code == 422
    assert "Kết luận riêng của đoàn XYZ</textarea>" in r.get_data(as_text=True)
    assert the_audit(in_db)["state"] == "in_progress"
    r = post(desk("auditor"), f"{url}/cancel", {"reason": ""})
    assert r.status_code == 422 and the_audit(in_db)["state"] == "in_progress"
