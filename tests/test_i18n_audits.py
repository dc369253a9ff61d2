"""Internal audits, findings, training and records in English: the pages, their refusals
and the API's messages follow the chosen language, while what is filed stays Vietnamese
(the audit report, the checklist questions and the activity log's summaries)."""

from __future__ import annotations

import io

from docx import Document as Docx
from sqlalchemy import select

from isodoc.audit import AuditEntry
from tests.conftest import api_token, in_english, post_form
from tests.doc_helpers import post, user_id
from tests.test_quality import (
    AGENCY,
    AUDITS,
    FINDINGS,
    day,
    plan,
    raise_outside_audit,
    team,  # noqa: F401 (a fixture)
    the_audit,
)

TRAINING = f"/agencies/{AGENCY}/training"



def docx_text(data: bytes) -> str:
    doc = Docx(io.BytesIO(data))
    return "\n".join([p.text for p in doc.paragraphs] + [
        c.text for t in doc.tables for row in t.rows for c in row.cells])


def test_audit_pages_in_english_and_the_report_stays_vietnamese(team, desk, in_db):  # noqa: F811
    auditor = in_english(desk("auditor"))
    assert plan(desk, in_db).status_code == 302
    audit = the_audit(in_db)
    url = f"{AUDITS}/{audit['id']}"

    page = auditor.get(AUDITS).get_data(as_text=True)
    assert "Internal audit programme for" in page and "Planned" in page
    assert "Chương trình đánh giá nội bộ năm" not in page and "Đã lập kế hoạch" not in page
    assert "Việc của tôi" not in page and "My work" in page

    page = auditor.get(url).get_data(as_text=True)
    for text in ("Audit team", "Checklist", "Awaiting the lead auditor’s decision",
                 "Download the report (.docx)", "Results by clause"):
        assert text in page, text
    for text in ("Đoàn đánh giá", "Danh mục kiểm tra", "Chờ trưởng đoàn quyết định"):
        assert text not in page, text
    assert "Đã xem xét tài liệu QT-05" in page  # the stored reason: the audit's record

    # a refusal in English: the conflict is still undecided
    refused = post(auditor, f"{url}/start")
    page = refused.get_data(as_text=True)  # the page again, 422, with the message
    assert refused.status_code == 422
    assert "1 case of an auditor involved in an audited part still awaits" in page
    assert the_audit(in_db)["state"] == "planned"
    post(auditor, f"{url}/checklist")
    page = auditor.get(url).get_data(as_text=True)
    assert "The checklist was created (3 questions)." in page

    # the planning form, its labels and its select options
    page = auditor.get(f"{AUDITS}/{audit['id']}/edit").get_data(as_text=True)
    assert "Audit title" in page and "Lead auditor" in page
    assert "Tên cuộc đánh giá" not in page

    # the filed report: Vietnamese whoever downloads it, labels included
    report = auditor.get(f"{url}/report.docx")
    assert report.status_code == 200
    text = docx_text(report.data)
    assert "KẾT QUẢ ĐÁNH GIÁ NỘI BỘ" in text and "Đã lập kế hoạch" in text
    assert "Chưa đánh giá" in text and "Not assessed" not in text and "Planned" not in text
    # so are the generated checklist questions and the activity log
    with in_db() as s:
        summaries = s.scalars(select(AuditEntry.summary).where(
            AuditEntry.action.like("audit.%"))).all()
    assert any("lập kế hoạch" in x for x in summaries)
    assert any("tạo danh mục kiểm tra (3 câu hỏi)" in x for x in summaries)


def test_findings_in_english(team, desk, in_db):  # noqa: F811
    secretary = in_english(desk("secretary"))
    finding = raise_outside_audit(desk, in_db)
    page = secretary.get(f"{FINDINGS}/{finding.id}").get_data(as_text=True)
    for text in ("Minor nonconformity", "Late administrative procedure (TTHC) dossier",
                 "Corrective action", "Open", "Propose action", "Attached evidence"):
        assert text in page, text
    assert '<small class="muted">Minor nonconformity</small>' in page
    for text in ("Hạn đề xuất", "Hành động khắc phục", "Đề xuất hành động"):
        assert text not in page, text

    # a refused finding keeps the form and says why in English
    refused = post(secretary, f"{FINDINGS}/new", {
        "type": "minor", "clauses": "7.5.9", "source": "complaint", "source_note": "PA 12",
        "requirement": "Đúng hạn", "observed": "Trễ"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "There is no clause 7.5.9 in TCVN ISO 9001:2015" in page
    assert "Finding type" in page and "— Choose the finding type —" in page
    # a refused step: proposing without an action plan
    refused = post(secretary, f"{FINDINGS}/{finding.id}/propose", {
        "propose-correction": "x", "propose-root_cause": "y",
        "propose-owner": user_id(in_db, "stp.thuky"), "propose-due_date": day(5)})
    assert refused.status_code == 422
    assert "Please enter the corrective action plan." in refused.get_data(as_text=True)

    page = secretary.get(f"{FINDINGS}?overdue=0").get_data(as_text=True)
    assert "Findings and corrective actions" in page and "All types" in page
    page = secretary.get(f"/reports/findings?agency={AGENCY}").get_data(as_text=True)
    assert "Findings and corrective actions report" in page and "By clause" in page
    assert "Theo điều khoản" not in page
    page = secretary.get(f"/agencies/{AGENCY}/management-review").get_data(as_text=True)
    assert "Management review inputs" in page and "Open findings" in page
    bad = secretary.get(f"/agencies/{AGENCY}/management-review?from=01/01/1990")
    assert bad.status_code == 422
    assert "The review period must lie within the years 2000–2100." in bad.get_data(
        as_text=True)

    # the finding's history: the step in English, the stored comment as it was written
    page = secretary.get(f"{FINDINGS}/{finding.id}").get_data(as_text=True)
    assert "finding raised — Không phù hợp nhẹ, điều khoản 8.5.1" in page


def test_training_and_records_in_english(desk, in_db):
    secretary = in_english(desk("secretary"))
    page = secretary.get(TRAINING).get_data(as_text=True)
    for text in ("Training records", "Internal auditor certificates", "Record the course",
                 "TCVN ISO 9001:2015 awareness"):
        assert text in page, text
    assert "Hồ sơ đào tạo" not in page and "Ghi khoá đào tạo" not in page
    refused = post_form(secretary, TRAINING + "/courses", {
        "c-kind": "awareness", "c-title": "ISO", "c-held_from": "10/03/2026",
        "c-held_to": "11/03/2026"}, page=TRAINING)
    assert refused.status_code == 422
    assert "Choose at least one attendee." in refused.get_data(as_text=True)

    page = secretary.get(f"/agencies/{AGENCY}/records").get_data(as_text=True)
    assert "Register of records to keep" in page and "Storage location" in page
    assert "Danh mục hồ sơ cần lưu" not in page


def test_quality_api_messages_in_english(client, staff, in_db):
    secretary = api_token(in_db, "stp.thuky")
    missing = client.get("/api/v1/clauses/7.9?lang=en", headers=secretary)
    assert missing.status_code == 404
    assert missing.get_json()["message"] == "There is no clause 7.9 in TCVN ISO 9001:2015."
    vietnamese = client.get("/api/v1/clauses/7.9", headers=secretary).get_json()
    assert vietnamese["message"] == "Không có điều khoản 7.9 trong TCVN ISO 9001:2015."
    spec = client.get("/api/v1/openapi.json?lang=en").get_json()
    assert {"name": "api_quality",
            "description": "ISO 9001 clauses, internal audits, findings and corrective actions"
            } in spec["tags"]
