"""The quality areas in English: management reviews, quality objectives, risks and the
satisfaction survey (staff pages, a refused form, the API, the citizens' public page)
when English is chosen; what is filed or recorded stays Vietnamese (the minutes, the
prefilled review inputs, the activity log, a finding's text, the desk's poster)."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

from docx import Document as Docx
from sqlalchemy import func, select

from isodoc.audit import AuditEntry
from isodoc.findings.models import Finding
from isodoc.reviews.models import ManagementReview
from isodoc.surveys.models import SurveyResponse
from isodoc.timeutil import format_date, today_local
from tests.conftest import CSRF_RE, api_token, in_english, post_form, user_pk
from tests.test_surveys import catalog  # noqa: F401  (a fixture: the agency's TTHC)

AGENCY = "so-tu-phap"
TODAY = today_local()
YEAR = TODAY.year





def text(response) -> str:
    return response.get_data(as_text=True)


def test_staff_pages_in_english_and_what_is_filed_stays_vietnamese(desk, in_db):
    secretary = desk("secretary")
    in_english(secretary)
    reviews = f"/agencies/{AGENCY}/management-reviews"
    created = post_form(secretary, reviews + "/new", {
        "held_on": format_date(TODAY), "period_start": format_date(date(YEAR, 1, 1)),
        "period_end": format_date(TODAY), "chair": str(user_pk(in_db, "stp.lanhdao")),
        "place": "Phòng họp", "attendees": [str(user_pk(in_db, "stp.thuky"))]},
        page=reviews + "/new")
    assert created.status_code == 302, text(created)[:2000]
    with in_db() as s:
        rid = s.scalar(select(func.max(ManagementReview.id)))
    assert post_form(secretary, f"{reviews}/{rid}/actions", {
        "a-kind": "improvement", "a-decision": "Rà soát quy trình chứng thực",
        "a-owner": str(user_pk(in_db, "stp.thuky")),
        "a-due_date": format_date(TODAY + timedelta(days=30))},
        page=f"{reviews}/{rid}").status_code == 302

    page = text(secretary.get(f"{reviews}/{rid}"))
    assert '<html lang="en">' in page
    for shown in ('Management review meeting <span translate="no">XXLĐ 01/',
                  "Download the minutes (.docx)", "Review inputs (9.3.2) and conclusions",
                  "Internal audit results",
                  "Decisions and actions (9.3.3)", "Opportunity for improvement",
                  "In progress", "Add decision", '<th scope="col">Owner</th>'):
        assert shown in page, shown
    for chrome in ("Họp xem xét của lãnh đạo", "Kết quả đánh giá nội bộ", "Thêm quyết định",
                   "Đang thực hiện", "Đầu vào xem xét"):
        assert chrome not in page, chrome
    listing = text(secretary.get(reviews))
    assert "Record a new review meeting" in listing and "1 (1 not finished)" in listing
    assert "Ghi cuộc họp xem xét mới" not in listing

    # the inputs are the minutes' text: prefilled in Vietnamese whoever records them
    with in_db() as s:
        review = s.get(ManagementReview, rid)
        assert "Không có hành động nào từ các lần xem xét trước." in review.input_text(
            "previous_actions")
        summaries = s.scalars(select(AuditEntry.summary).where(
            AuditEntry.action.like("review.%")).order_by(AuditEntry.id)).all()
    assert "họp ngày" in summaries[0] and "hạn" in summaries[1]
    minutes = secretary.get(f"{reviews}/{rid}/minutes.docx")
    assert minutes.status_code == 200
    doc = "\n".join(p.text for p in Docx(io.BytesIO(minutes.data)).paragraphs)
    assert "BIÊN BẢN" in doc and "Kết quả đánh giá nội bộ" in doc
    assert "Internal audit results" not in doc
    cells = " ".join(c.text for t in Docx(io.BytesIO(minutes.data)).tables
                     for row in t.rows for c in row.cells)
    assert "Cơ hội cải tiến" in cells and "Đang thực hiện" in cells
    assert "In progress" not in cells and "Opportunities" not in cells

    risks = f"/agencies/{AGENCY}/risks"
    register = text(secretary.get(risks))
    assert "Risks and opportunities register" in register and "Record a new risk" in register
    assert "Sổ đăng ký rủi ro" not in register and "Ghi rủi ro mới" not in register
    form = text(secretary.get(risks + "/new?kind=risk"))
    assert "Likelihood" in form and "Khả năng xảy ra" not in form


def test_objectives_in_english_a_refusal_and_a_finding_kept_in_vietnamese(desk, in_db):
    secretary = desk("secretary")
    in_english(secretary)
    base = f"/agencies/{AGENCY}/objectives"
    form = text(secretary.get(base + "/new"))
    assert "Set a quality objective" in form and "Monthly" in form and "At least (≥)" in form
    assert "Đặt mục tiêu chất lượng" not in form and "Hằng tháng" not in form
    data = {"year": str(YEAR), "title": "Giải quyết hồ sơ TTHC đúng hạn",
            "measure": "Tỷ lệ hồ sơ đúng hạn", "comparison": "ge", "target": "abc",
            "unit": "%", "owner": str(user_pk(in_db, "stp.soanthao")), "frequency": "monthly",
            "data_source": ""}
    refused = post_form(secretary, base + "/new", data, page=base + "/new")
    assert refused.status_code == 422
    assert "«abc» is not a valid number: enter the target as 97.5" in text(refused)
    assert "không phải là số hợp lệ" not in text(refused)
    created = post_form(secretary, base + "/new", {**data, "target": "97,5"},
                        page=base + "/new")
    assert created.status_code == 302
    objective = int(created.headers["Location"].rsplit("/", 1)[1])
    entered = post_form(secretary, f"{base}/{objective}/measurements",
                        {"m-month": str(TODAY.month), "m-value": "90,25"},
                        page=f"{base}/{objective}")
    assert entered.status_code == 302
    show = text(secretary.get(f"{base}/{objective}"))
    assert "≥ 97.5 %" in show and "90.25 %" in show and "Not met" in show
    assert "Record value" in show and "Ghi kết quả" not in show
    assert "Không đạt" not in show
    with in_db() as s:
        logged = s.scalars(select(AuditEntry.summary).where(
            AuditEntry.action.like("objective.%")).order_by(AuditEntry.id)).all()
    assert "≥ 97,5 %" in logged[0] and "90,25 %" in logged[1] and "chỉ tiêu" in logged[1]

    raised = post_form(secretary, f"{base}/{objective}/measurements/{TODAY.month}/finding",
                       {"f-type": "observation"}, page=f"{base}/{objective}")
    assert raised.status_code == 302
    with in_db() as s:
        finding = s.scalars(select(Finding).order_by(Finding.id.desc())).first()
        assert finding.requirement.startswith("Mục tiêu chất lượng MT-")
        assert "không đạt chỉ tiêu ≥ 97,5 %" in finding.observed


def test_the_api_answers_english_messages_with_codes_unchanged(desk, in_db, client):
    secretary = desk("secretary")
    base = f"/agencies/{AGENCY}/objectives"
    created = post_form(secretary, base + "/new", {
        "year": str(YEAR), "title": "Đúng hạn", "measure": "Tỷ lệ", "comparison": "ge",
        "target": "100", "unit": "%", "owner": str(user_pk(in_db, "stp.soanthao")),
        "frequency": "quarterly", "data_source": ""}, page=base + "/new")
    objective = int(created.headers["Location"].rsplit("/", 1)[1])
    url = f"/api/v1/agencies/{AGENCY}/objectives/{objective}/measurements?lang=en"
    headers = api_token(in_db, "stp.thuky")
    refused = client.post(url, json={"period": f"{YEAR}-02", "value": 1}, headers=headers)
    assert refused.status_code == 422
    assert "This objective is measured quarterly: enter values for month(s) 3, 6, 9, 12" \
        in json.dumps(refused.get_json())
    missing = client.post(url, json={"period": f"{YEAR}-03"}, headers=headers)
    assert missing.status_code == 422
    assert "The measured value is missing (value)." in json.dumps(missing.get_json())

    reviews = f"/agencies/{AGENCY}/management-reviews"
    assert post_form(secretary, reviews + "/new", {
        "held_on": format_date(TODAY), "period_start": format_date(date(YEAR, 1, 1)),
        "period_end": format_date(TODAY), "chair": str(user_pk(in_db, "stp.lanhdao"))},
        page=reviews + "/new").status_code == 302
    answer = client.get(f"/api/v1/agencies/{AGENCY}/management-reviews?lang=en",
                        headers=headers)
    assert answer.status_code == 200
    inputs = answer.get_json()[0]["inputs"]
    assert inputs[6] | {"content": None} == {
        "topic": "audits", "label": "Internal audit results", "prefilled": True,
        "content": None}
    spec = client.get("/api/v1/openapi.json?lang=en")
    assert spec.status_code == 200
    assert "Management review (TCVN ISO 9001:2015, 9.3)" in spec.get_data(as_text=True)


def test_a_citizen_answers_the_survey_in_english(app, catalog, client, desk, in_db):  # noqa: F811
    public = f"/khao-sat/{AGENCY}"
    page = text(client.get(public))
    assert '<html lang="vi">' in page and "Đánh giá sự hài lòng" in page
    token_ = CSRF_RE.search(page).group(1)
    switched = client.post("/language/en", data={"csrf_token": token_, "next": public})
    assert switched.status_code == 302 and switched.headers["Location"].endswith(public)
    page = text(client.get(public))
    assert '<html lang="en">' in page
    for shown in ("Rate your satisfaction", "Your overall satisfaction", "Very satisfied",
                  "Send rating", "Dossier number", "Tiếng Việt"):
        assert shown in page, shown
    for chrome in ("Đánh giá sự hài lòng", "Mức độ hài lòng chung", "Rất hài lòng",
                   "Gửi đánh giá", "(bắt buộc)"):
        assert chrome not in page, chrome
    token_ = CSRF_RE.search(page).group(1)
    refused = client.post(public, data={"csrf_token": token_, "receipt": "",
                                        "overall": "5", "guidance": "5", "attitude": "5"})
    assert refused.status_code == 422
    body = text(refused)
    assert "Please enter the dossier number" in body
    assert "Vui lòng" not in body
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(SurveyResponse)) == 0
    token_ = CSRF_RE.search(body).group(1)
    sent = client.post(public, data={"csrf_token": token_, "receipt": "000.00.12.H18-1",
                                     "guidance": "5", "attitude": "1", "timeliness": "5",
                                     "overall": "2", "comment_kind": "complaint",
                                     "comment": "Phải đi lại ba lần."})
    assert sent.status_code == 302
    assert "Your answer has been sent." in text(client.get(sent.headers["Location"]))

    # the agency's results in English; the printed poster stays Vietnamese
    secretary = desk("secretary")
    in_english(secretary)
    results = text(secretary.get(f"/agencies/{AGENCY}/surveys"))
    assert "Low scores, complaints and petitions" in results and "Complaint:" in results
    assert "Điểm thấp, phản ánh và kiến nghị" not in results
    poster = text(secretary.get(f"/agencies/{AGENCY}/surveys/poster"))
    assert '<html lang="vi">' in poster
    assert "Xin Ông/Bà quét mã QR bằng điện thoại" in poster and "Please scan" not in poster
    with in_db() as s:
        response_id = s.scalar(select(SurveyResponse.id))
    raised = post_form(secretary, f"/agencies/{AGENCY}/surveys/{response_id}/finding",
                       {"f-type": "minor"}, page=f"/agencies/{AGENCY}/surveys")
    assert raised.status_code == 302
    with in_db() as s:
        finding = s.scalars(select(Finding).order_by(Finding.id.desc())).first()
        assert "Phản ánh của người dân: «Phải đi lại ba lần.»" in finding.observed
        assert "Thái độ: 1/5" in finding.observed


def test_a_target_of_thousands_is_offered_for_editing_without_group_separators(desk, in_db):
    """Editing an objective offers its target as typed (1234,5; in English 1234.5): a
    grouped 1.234 would be read back as one point two three four."""
    secretary = desk("secretary")
    base = f"/agencies/{AGENCY}/objectives"
    created = post_form(secretary, base + "/new", {
        "year": str(YEAR), "title": "Tiếp nhận hồ sơ", "measure": "Số hồ sơ",
        "comparison": "ge", "target": "1234,5", "unit": "hồ sơ",
        "owner": str(user_pk(in_db, "stp.soanthao")), "frequency": "yearly",
        "data_source": ""}, page=base + "/new")
    objective = int(created.headers["Location"].rsplit("/", 1)[1])
    assert 'value="1234,5"' in text(secretary.get(f"{base}/{objective}/edit"))
    in_english(secretary)
    assert 'value="1234.5"' in text(secretary.get(f"{base}/{objective}/edit"))
    assert "≥ 1,234.5 hồ sơ" in text(secretary.get(f"{base}/{objective}"))
