"""Management review (9.3), training records (7.2) and the records register (7.5.3),
through the web forms and the API as people use them: inputs prefilled from live data,
decisions followed up on the work list, minutes as .docx; the audit-team certificate
rule; bad input and other agencies change nothing."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from docx import Document as Docx
from markupsafe import escape
from sqlalchemy import func, select

from isodoc.audits.models import Audit, AuditMember
from isodoc.documents.models import Document
from isodoc.records.models import RecordPlace
from isodoc.reviews.models import ManagementReview, ReviewAction, ReviewInput
from isodoc.timeutil import format_date, today_local
from isodoc.training.models import AuditorCertificate, Course
from tests.conftest import api_token, post_form, user_pk

AGENCY = "so-tu-phap"
BASE = f"/agencies/{AGENCY}/management-reviews"
TRAINING = f"/agencies/{AGENCY}/training"
TODAY = today_local()




def review_state(in_db) -> tuple:
    with in_db() as s:
        return (s.execute(select(ManagementReview.id, ManagementReview.conclusion)).all(),
                s.execute(select(ReviewInput.id, ReviewInput.content)).all(),
                s.execute(select(ReviewAction.id, ReviewAction.state, ReviewAction.due_date,
                                 ReviewAction.result)).all())


def new_meeting(client, in_db, **overrides):
    data = {"held_on": format_date(TODAY), "period_start": format_date(date(TODAY.year, 1, 1)),
            "period_end": format_date(TODAY), "chair": str(user_pk(in_db, "stp.lanhdao")),
            "place": "Phòng họp", "attendees": [str(user_pk(in_db, "stp.thuky")),
                                                 str(user_pk(in_db, "stp.danhgia"))],
            "guests": "", **overrides}
    return post_form(client, BASE + "/new", data, page=BASE + "/new")


def meeting_id(in_db) -> int:
    with in_db() as s:
        return s.scalar(select(func.max(ManagementReview.id)))


def test_meeting_inputs_prefilled_decisions_followed_up_and_minutes_docx(desk, in_db, app):
    secretary = desk("secretary")
    # live data: a finding raised outside an audit, open
    response = post_form(secretary, f"/agencies/{AGENCY}/findings/new", {
        "type": "minor", "source": "late_dossier", "source_note": "HS-01",
        "clauses": "8.5.1", "requirement": "Trả kết quả đúng hạn",
        "observed": "Hai hồ sơ chứng thực trễ hạn", "response_due":
        format_date(TODAY + timedelta(days=10))}, page=f"/agencies/{AGENCY}/findings/new")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert new_meeting(secretary, in_db).status_code == 302
    rid = meeting_id(in_db)
    page = secretary.get(f"{BASE}/{rid}").get_data(as_text=True)
    assert "XXLĐ 01/" in page
    assert "Hai hồ sơ chứng thực trễ hạn" in page          # findings prefilled
    assert "điền sẵn từ khảo sát sự hài lòng" in page        # satisfaction from surveys
    with in_db() as s:
        review = s.get(ManagementReview, rid)
        assert "Phát sinh 1" in review.input_text("findings")
        assert review.input_text("satisfaction").startswith(
            "Không có phiếu khảo sát sự hài lòng nào trong kỳ")
        assert {a.user.username for a in review.attendees} == {
            "stp.lanhdao", "stp.thuky", "stp.danhgia"}

    # the satisfaction input typed in the meeting, the conclusion
    form = {f"i-input_{t}": "" for t in ("previous_actions",)}
    form.update({"i-input_satisfaction": "02 phản ánh về thời gian chờ",
                 "i-conclusion": "HTQLCL phù hợp, cần tăng nhân lực một cửa"})
    assert post_form(secretary, f"{BASE}/{rid}/inputs", form,
                     page=f"{BASE}/{rid}").status_code == 302
    with in_db() as s:
        review = s.get(ManagementReview, rid)
        assert review.input_text("satisfaction") == "02 phản ánh về thời gian chờ"
        assert "Phát sinh 1" in review.input_text("findings")  # not sent: kept
        assert review.conclusion.startswith("HTQLCL phù hợp")

    # a decision for the author, due in 20 days: on their work list
    due = TODAY + timedelta(days=20)
    assert post_form(secretary, f"{BASE}/{rid}/actions", {
        "a-kind": "resources", "a-decision": "Bố trí thêm 01 công chức một cửa",
        "a-owner": str(user_pk(in_db, "stp.soanthao")), "a-due_date": format_date(due)},
        page=f"{BASE}/{rid}").status_code == 302
    author = desk("author")
    home = author.get("/").get_data(as_text=True)
    assert "Bố trí thêm 01 công chức một cửa" in home and f"hạn {format_date(due)}" in home
    with in_db() as s:
        action_id = s.scalar(select(ReviewAction.id))
    # the owner reports it done; the secretary confirms it, after which it leaves the lists
    assert post_form(author, f"{BASE}/{rid}/actions/{action_id}/report",
                     {"r-result": "Đã điều động 01 công chức"},
                     page=f"{BASE}/{rid}").status_code == 302
    assert "Bố trí thêm 01 công chức" not in author.get("/").get_data(as_text=True)
    assert "chờ xác nhận" in secretary.get("/").get_data(as_text=True)
    # the owner cannot confirm their own action
    assert post_form(author, f"{BASE}/{rid}/actions/{action_id}/verify",
                     {"v-outcome": "closed"}, page=f"{BASE}/{rid}").status_code == 403
    # sent back: needs a new due date
    refused = post_form(secretary, f"{BASE}/{rid}/actions/{action_id}/verify",
                        {"v-outcome": "return", "v-note": "Chưa đủ"}, page=f"{BASE}/{rid}")
    assert refused.status_code == 422 and "hạn hoàn thành mới" in refused.get_data(as_text=True)
    assert post_form(secretary, f"{BASE}/{rid}/actions/{action_id}/verify",
                     {"v-outcome": "closed", "v-note": "Đạt"},
                     page=f"{BASE}/{rid}").status_code == 302
    with in_db() as s:
        assert s.get(ReviewAction, action_id).state == "closed"

    # the minutes as .docx, in the administrative layout
    response = secretary.get(f"{BASE}/{rid}/minutes.docx")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    doc = Docx(io.BytesIO(response.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "BIÊN BẢN" in text and "HỌP XEM XÉT CỦA LÃNH ĐẠO" in text
    assert "Độc lập - Tự do - Hạnh phúc" in cells and "SỞ TƯ PHÁP" in cells
    assert "Sự hài lòng của người dân" in text and "02 phản ánh về thời gian chờ" in text
    assert "Hai hồ sơ chứng thực trễ hạn" in text
    assert "HTQLCL phù hợp, cần tăng nhân lực một cửa" in text
    assert "Bố trí thêm 01 công chức một cửa" in cells and "Đã xác nhận hoàn thành" in cells
    assert "Phạm Quốc Hùng" in cells  # chair, in attendance and signature
    section = doc.sections[0]
    assert round(section.left_margin.mm) == 30 and round(section.page_width.mm) == 210

    # the API
    api = secretary.get(f"/api/v1/agencies/{AGENCY}/management-reviews",
                        headers=api_token(in_db, "stp.thuky"))
    assert api.status_code == 200
    [meeting] = api.get_json()
    assert meeting["held_on"] == TODAY.isoformat() and meeting["chair"] == "stp.lanhdao"
    topics = {i["topic"]: i for i in meeting["inputs"]}
    assert topics["satisfaction"]["prefilled"] is True  # from the survey (isodoc/surveys)
    assert meeting["actions"][0]["state"] == "closed"
    spec = secretary.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/agencies/{agency_code}/management-reviews" in spec["paths"]


def test_bad_input_and_other_agencies_change_nothing(desk, in_db):
    secretary = desk("secretary")
    assert new_meeting(secretary, in_db).status_code == 302
    rid = meeting_id(in_db)
    before = review_state(in_db)
    for overrides, message in (
            ({"held_on": "31/02/2026"}, "Ngày không hợp lệ"),
            ({"period_end": format_date(date(TODAY.year - 1, 1, 1))}, "kỳ xem xét"),
            ({"chair": "999999"}, "Lựa chọn không hợp lệ"),
            ({"place": "x" * 301}, "Tối đa 300 ký tự")):
        response = new_meeting(secretary, in_db, **overrides)
        assert response.status_code == 422, overrides
        assert message in response.get_data(as_text=True), overrides
    owner = str(user_pk(in_db, "stp.soanthao"))
    for data, message in (
            ({"a-kind": "resources", "a-decision": "", "a-owner": owner,
              "a-due_date": format_date(TODAY)}, "nội dung quyết định"),
            ({"a-kind": "resources", "a-decision": "x", "a-owner": owner,
              "a-due_date": format_date(TODAY - timedelta(days=1))}, "trước ngày họp"),
            ({"a-kind": "nope", "a-decision": "x", "a-owner": owner,
              "a-due_date": format_date(TODAY)}, "Lựa chọn không hợp lệ"),
            ({"a-kind": "change", "a-decision": "x",
              "a-owner": str(user_pk(in_db, "syt.thuky")), "a-due_date": format_date(TODAY)},
             "Lựa chọn không hợp lệ")):
        response = post_form(secretary, f"{BASE}/{rid}/actions", data, page=f"{BASE}/{rid}")
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), data
    # the refused action is shown as typed; the inputs above keep the meeting's content
    typed = {"a-kind": "resources", "a-decision": "Tuyển thêm 02 công chức một cửa",
             "a-owner": owner, "a-due_date": format_date(TODAY - timedelta(days=1))}
    answer = post_form(secretary, f"{BASE}/{rid}/actions", typed,
                       page=f"{BASE}/{rid}").get_data(as_text=True)
    assert "Tuyển thêm 02 công chức một cửa" in answer
    assert f'value="{format_date(TODAY - timedelta(days=1))}"' in answer
    with in_db() as s:
        contents = [c for c in s.scalars(select(ReviewInput.content)) if c.strip()]
    assert contents and all(str(escape(c)) in answer for c in contents)
    assert post_form(secretary, f"{BASE}/{rid}/inputs", {"i-conclusion": "x" * 20_001},
                     page=f"{BASE}/{rid}").status_code == 422
    # another agency's secretary, a reader: 403 on every change; the reader may read
    outsider = desk("outsider")
    assert outsider.get(BASE).status_code == 403
    assert outsider.get(f"{BASE}/{rid}").status_code == 403
    assert outsider.get(f"{BASE}/{rid}/minutes.docx").status_code == 403
    assert post_form(outsider, BASE + "/new", {}, page="/account").status_code == 403
    assert post_form(outsider, f"{BASE}/{rid}/inputs", {"i-conclusion": "x"},
                     page="/account").status_code == 403
    reader = desk("reader")
    assert reader.get(f"{BASE}/{rid}").status_code == 200
    assert post_form(reader, f"{BASE}/{rid}/actions", {}, page="/account").status_code == 403
    assert outsider.get(f"/api/v1/agencies/{AGENCY}/management-reviews",
                        headers=api_token(in_db, "syt.thuky")).status_code == 403
    assert review_state(in_db) == before


def plan_audit(client, **overrides):
    data = {"title": "Đánh giá nội bộ đợt 1", "planned_start": format_date(TODAY),
            "planned_end": format_date(TODAY + timedelta(days=1)),
            "scope_clauses": "7.5.3", "processes": "", "plan": "", **overrides}
    return post_form(client, f"/agencies/{AGENCY}/audits/new", data,
                     page=f"/agencies/{AGENCY}/audits/new")


def test_audit_team_needs_a_valid_certificate_or_the_leads_reason(desk, in_db, make_user):
    auditor = desk("auditor")
    me = str(user_pk(in_db, "stp.danhgia"))
    # no certificate: refused, with what to do
    refused = plan_audit(auditor, lead=me)
    assert refused.status_code == 422
    assert "chưa có chứng chỉ chuyên gia đánh giá nội bộ" in refused.get_data(as_text=True)
    with in_db() as s:
        assert not s.scalar(select(func.count()).select_from(Audit))
    # a certificate that expired before the audit does not count
    secretary = desk("secretary")
    cert = {"k-person": me, "k-number": "ĐGNB-01", "k-issuer": "Trung tâm TĐC",
            "k-issued_on": format_date(TODAY - timedelta(days=800)),
            "k-valid_until": format_date(TODAY - timedelta(days=1)), "k-course": ""}
    assert post_form(secretary, TRAINING + "/certificates", cert,
                     page=TRAINING).status_code == 302
    assert plan_audit(auditor, lead=me).status_code == 422
    # bad certificate input changes nothing
    with in_db() as s:
        count = s.scalar(select(func.count()).select_from(AuditorCertificate))
    for overrides, message in (
            ({"k-valid_until": format_date(TODAY - timedelta(days=900))}, "sau ngày cấp"),
            ({"k-number": ""}, "số chứng chỉ"),
            ({"k-issued_on": "32/01/2026"}, "Ngày không hợp lệ"),
            ({"k-person": str(user_pk(in_db, "syt.thuky"))}, "Lựa chọn không hợp lệ"),
            ({"k-number": "đgnb-01"}, "đã có chứng chỉ số đgnb-01")):  # recorded once
        response = post_form(secretary, TRAINING + "/certificates", {**cert, **overrides},
                             page=TRAINING)
        assert response.status_code == 422, overrides
        answer = response.get_data(as_text=True)
        assert message in answer, overrides
        # the certificate form as typed; the course form beside it is not the post's
        typed = {**cert, **overrides}
        assert f'value="{typed["k-issued_on"]}"' in answer
        assert f'value="{typed["k-number"]}"' in answer and 'value="Trung tâm TĐC"' in answer
    assert post_form(desk("outsider"), TRAINING + "/certificates", cert,
                     page="/account").status_code == 403
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(AuditorCertificate)) == count
    # a valid one: the plan goes through
    cert.update({"k-number": "ĐGNB-02", "k-issued_on": format_date(TODAY - timedelta(days=30)),
                 "k-valid_until": ""})
    assert post_form(secretary, TRAINING + "/certificates", cert,
                     page=TRAINING).status_code == 302
    assert plan_audit(auditor, lead=me).status_code == 302
    # an uncertified member: only with the lead's reason, kept on the audit
    second = make_user((AGENCY, "auditor"), username="stp.danhgia2", full_name="Hà Văn Nam")
    other = str(user_pk(in_db, second))
    refused = plan_audit(auditor, lead=me, team=[other], title="Đợt 2")
    assert refused.status_code == 422 and "Hà Văn Nam" in refused.get_data(as_text=True)
    assert plan_audit(auditor, lead=me, team=[other], title="Đợt 2",
                      uncertified_reason="Đang học khoá ĐGNB, đi kèm để học việc"
                      ).status_code == 302
    with in_db() as s:
        note = s.scalar(select(AuditMember.certificate_note).join(Audit).where(
            Audit.title == "Đợt 2", AuditMember.user_id == int(other)))
        assert note == "Đang học khoá ĐGNB, đi kèm để học việc"
        audit_id = s.scalar(select(Audit.id).where(Audit.title == "Đợt 2"))
    page = auditor.get(f"/agencies/{AGENCY}/audits/{audit_id}").get_data(as_text=True)
    assert "Đang học khoá ĐGNB" in page
    # the reason is the lead's to give: a secretary planning for someone else cannot
    refused = plan_audit(secretary, lead=me, team=[other], title="Đợt 3",
                         uncertified_reason="Thiếu người")
    assert refused.status_code == 422 and "Chỉ trưởng đoàn" in refused.get_data(as_text=True)


def test_courses_with_attendees(desk, in_db):
    secretary = desk("secretary")
    data = {"c-kind": "awareness", "c-title": "Nhận thức ISO 9001:2015",
            "c-provider": "Trung tâm TĐC", "c-held_from": "10/03/2026",
            "c-held_to": "11/03/2026",
            "c-attendees": [str(user_pk(in_db, "stp.thuky")), str(user_pk(in_db, "stp.congchuc"))]}
    assert post_form(secretary, TRAINING + "/courses", data, page=TRAINING).status_code == 302
    page = desk("reader").get(TRAINING).get_data(as_text=True)
    assert "Nhận thức ISO 9001:2015" in page and "Nguyễn Thị Hoa" in page
    for overrides, message in (({"c-held_to": "09/03/2026"}, "Ngày kết thúc"),
                               ({"c-attendees": []}, "ít nhất một người"),
                               ({"c-title": ""}, "tên khoá đào tạo")):
        response = post_form(secretary, TRAINING + "/courses", {**data, **overrides},
                             page=TRAINING)
        answer = response.get_data(as_text=True)
        assert response.status_code == 422 and message in answer
        assert 'value="Trung tâm TĐC"' in answer and 'value="10/03/2026"' in answer  # as typed
    assert desk("outsider").get(TRAINING).status_code == 403
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(Course)) == 1


def test_records_register_from_procedures_in_force(app, client):
    from isodoc import demo
    from isodoc.extensions import db
    from tests.conftest import PASSWORD, login

    with app.app_context():
        demo.seed(PASSWORD)
        db.session.commit()
        # the demo: a meeting with minutes, certified auditors, valid demo audits
        review = db.session.scalars(select(ManagementReview)).one()
        assert review.agency.code == AGENCY and review.actions
        certified = {c.user.username for c in db.session.scalars(select(AuditorCertificate))}
        assert {"stp.danhgia", "himlam.danhgia"} <= certified
        assert db.session.scalar(select(func.count()).select_from(Audit)) >= 2
    assert login(client, "stp.congchuc").status_code == 302
    page = client.get(f"/agencies/{AGENCY}/records").get_data(as_text=True)
    assert "Danh mục hồ sơ cần lưu" in page
    assert "Biên bản huỷ hồ sơ" in page and "QT-02" in page   # from QT-02's table
    assert "Vĩnh viễn" in page or "Lâu dài" in page
    expiring = page.split('id="expiring"')[1].split('id="register"')[0]
    # QT-03 keeps audit records 03 years: the batch of three years ago ends this year
    assert "Chương trình, kế hoạch, báo cáo đánh giá" in expiring
    assert str(TODAY.year - 3) in expiring
    assert "Lâu dài" not in expiring
    register = page.split('id="register"')[1]
    assert "Tủ hồ sơ ISO, Văn phòng Sở" in register          # the demo's noted place
    minutes = client.get(f"/agencies/{AGENCY}/management-reviews/{review.id}/minutes.docx")
    assert minutes.status_code == 200
    assert client.get("/agencies/so-y-te/records").status_code in (403, 404)
    # a reader may not note a place; the secretary may, for a record the procedure names
    with app.app_context():
        qt02 = db.session.scalar(select(Document.id).where(
            Document.code == "QT-02", Document.agency.has(code=AGENCY)))
    place = {"document": str(qt02), "item": "Biên bản huỷ hồ sơ", "place": "Kho lưu trữ Sở"}
    url = f"/agencies/{AGENCY}/records/place"
    assert post_form(client, url, place, page=f"/agencies/{AGENCY}/records").status_code == 403
    secretary = app.test_client()
    assert login(secretary, "stp.thuky").status_code == 302
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(RecordPlace))
    for bad, message in (({"item": "Hồ sơ không có"}, "không có trong mục «Hồ sơ cần lưu»"),
                         ({"place": "x" * 301}, "Tối đa 300 ký tự."),
                         ({"document": "99999"}, "Quy trình không thuộc đơn vị.")):
        response = post_form(secretary, url, {**place, **bad},
                             page=f"/agencies/{AGENCY}/records")
        answer = response.get_data(as_text=True)
        assert response.status_code == 422 and message in answer, bad
        assert "Đã ghi nơi lưu" not in answer, bad
    # a very long place is refused beside its own row, and what was typed is kept there
    typed = "Kho " + "ệ" * 99_996
    response = post_form(secretary, url, {**place, "place": typed},
                         page=f"/agencies/{AGENCY}/records")
    answer = response.get_data(as_text=True)
    assert response.status_code == 422
    row = answer.split(f'value="{typed}"')[1].split("</form>")[0]
    assert '<small class="error"' in row and "Tối đa 300 ký tự." in row
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RecordPlace)) == before
    page = post_form(secretary, url, place, page=f"/agencies/{AGENCY}/records",
                     follow_redirects=True).get_data(as_text=True)
    assert "Đã ghi nơi lưu" in page and "Kho lưu trữ Sở" in page


@pytest.mark.parametrize("text, years, permanent", [
    ("05 năm", 5, False), ("Vĩnh viễn", None, True), ("Lâu dài", None, True),
    ("24 tháng", 2, False), ("Đến khi có bản thay thế", None, False)])
def test_retention_parsing(text, years, permanent):
    from isodoc.records.services import retention_years

    assert retention_years(text) == (years, permanent)
