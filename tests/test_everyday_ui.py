"""Everyday forms, lists and pages (issue 14): errors next to their field with the typed
values kept, required fields marked, no risky defaults, the clause picker's catalog, the
reviewer picker's roles, links shown only to those they serve, the action log in
sentences, and the small things people saw."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from isodoc.extensions import db
from isodoc.findings.models import Finding
from isodoc.timeutil import today_local
from tests.conftest import certify, login
from tests.doc_helpers import BASE, create_from_template, issue_qt05, post, user_id

FINDINGS = "/agencies/so-tu-phap/findings"


def field_html(page: str, name: str) -> str:
    """The <div class="field"> that holds the control named `name`."""
    for block in re.findall(r'<div class="field">.*?</div>', page, re.S):
        if f'name="{name}"' in block:
            return block
    raise AssertionError(f"no field {name}")


def day(offset: int = 0) -> str:
    return (today_local() + timedelta(days=offset)).strftime("%d/%m/%Y")


def test_a_new_finding_has_no_preselected_type_and_marks_what_is_required(staff, desk):
    page = desk("secretary").get(f"{FINDINGS}/new").get_data(as_text=True)
    kind = field_html(page, "type")
    options = re.findall(r"<option[^>]*>[^<]*</option>", kind)
    assert options[0] == '<option value="">— Chọn loại phát hiện —</option>'
    assert not any("selected" in o for o in options)  # the browser shows the empty one
    assert 'class="req"' in kind and 'aria-required="true"' in kind
    assert 'class="req"' in field_html(page, "clauses")
    assert 'class="req"' not in field_html(page, "source_note")  # optional fields are not


def test_a_finding_without_a_type_is_refused_next_to_the_field_keeping_what_was_typed(
        staff, desk, in_db):
    r = post(desk("secretary"), f"{FINDINGS}/new", {
        "type": "", "clauses": "8.5.1", "source": "complaint", "source_note": "PA 12",
        "requirement": "Trả kết quả đúng hạn", "observed": "Hồ sơ trễ hạn 2 ngày"})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    kind = field_html(page, "type")
    assert 'id="type-error">Vui lòng chọn loại phát hiện.</small>' in kind
    assert 'aria-invalid="true"' in kind and 'aria-describedby="type-hint type-error"' not in kind
    assert 'aria-describedby="type-error"' in kind
    assert "Hồ sơ trễ hạn 2 ngày</textarea>" in page and 'value="PA 12"' in page
    with in_db() as s:
        assert s.scalars(select(Finding)).all() == []


def proposed_finding(desk, in_db) -> str:
    r = post(desk("auditor"), f"{FINDINGS}/new", {
        "type": "minor", "clauses": "8.5.1", "source": "complaint", "source_note": "PA 12",
        "requirement": "Đúng hạn", "observed": "Trễ"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    url = r.headers["Location"]
    post(desk("secretary"), f"{url}/propose", {
        "propose-correction": "Trả ngay", "propose-root_cause": "Thiếu người",
        "propose-action_plan": "Thêm người", "propose-owner": user_id(in_db, "stp.thuky"),
        "propose-due_date": day(5)})
    return url


def test_accepting_an_action_needs_its_date_and_a_comment(staff, desk, in_db):
    url = proposed_finding(desk, in_db)
    auditor = desk("auditor")
    page = auditor.get(url).get_data(as_text=True)
    assert 'class="req"' in field_html(page, "accept-verify_after")
    assert 'class="req"' in field_html(page, "accept-comment")
    r = post(auditor, f"{url}/accept", {"accept-verify_after": "", "accept-comment": ""})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Vui lòng nhập ngày bắt đầu xác minh hiệu lực." in field_html(page,
                                                                          "accept-verify_after")
    assert "Vui lòng nhập ý kiến khi chấp nhận." in field_html(page, "accept-comment")
    r = post(auditor, f"{url}/accept", {"accept-verify_after": day(3), "accept-comment": ""})
    assert r.status_code == 422
    assert f'value="{day(3)}"' in field_html(r.get_data(as_text=True), "accept-verify_after")
    with in_db() as s:
        assert s.scalars(select(Finding.state)).one() == "proposed"
    r = post(auditor, f"{url}/accept", {"accept-verify_after": day(3),
                                        "accept-comment": "Kế hoạch hợp lý"})
    assert r.status_code == 302
    with in_db() as s:
        assert s.scalars(select(Finding.state)).one() == "accepted"
    assert "Kế hoạch hợp lý (xác minh hiệu lực từ" in auditor.get(url).get_data(as_text=True)


def test_the_clause_picker_offers_the_catalog_by_number_or_words_without_accents(staff, desk):
    client = desk("auditor")
    by_number = client.get("/clauses/options.json?q=7.5").get_json()
    assert [o["code"] for o in by_number][:4] == ["7.5", "7.5.1", "7.5.2", "7.5.3"]
    by_words = client.get("/clauses/options.json?q=xem xet lanh dao").get_json()
    assert {"code": "9.3", "name": "Xem xét của lãnh đạo"} in by_words
    assert client.get("/clauses/options.json?q=" + "x" * 5000).status_code == 200
    page = client.get(f"{FINDINGS}/new").get_data(as_text=True)
    clauses = field_html(page, "clauses")
    assert 'data-picker="/clauses/options.json"' in clauses and "data-picker-multi" in clauses
    assert "pickers.js" in page


def test_the_reviewer_picker_shows_roles_and_only_eligible_people(staff, desk):
    assert create_from_template(desk("author")).status_code == 302
    page = desk("author").get(f"{BASE}/qt-05/drafts/1").get_data(as_text=True)
    picker = re.search(r'<fieldset class="field choices".*?</fieldset>', page, re.S).group(0)
    assert "Người xem xét" in picker
    def name(person: str) -> str:  # a person's name is agency data, never translated
        return f'<span translate="no">{person}</span>'

    assert f"{name('Đỗ Minh Tâm')} — Đánh giá viên nội bộ" in picker
    assert f"{name('Phạm Quốc Hùng')} — Lãnh đạo" in picker
    assert f"{name('Lê Thu Hà')} — Thư ký ISO" in picker
    assert "Trần Văn Bình" not in picker  # the author
    assert "Nguyễn Thị Hoa" not in picker  # a reader
    assert "Người Sở Y tế" not in picker  # another agency
    assert 'type="checkbox" name="reviewers"' in picker


def test_the_draft_banner_says_draft_once(staff, desk):
    create_from_template(desk("author"))
    page = desk("author").get(f"{BASE}/qt-05/drafts/1").get_data(as_text=True)
    assert "DỰ THẢO — Dự thảo" not in page
    assert "DỰ THẢO 1. Không sử dụng cho công việc." in page


def test_the_document_page_shows_when_it_was_approved_and_issued(staff, desk, in_db):
    issue_qt05(desk, in_db)
    page = desk("reader").get(f"{BASE}/qt-05").get_data(as_text=True)
    facts = re.search(r'<dl class="facts">.*?</dl>', page, re.S).group(0)
    assert re.search(r"<dt>Phê duyệt</dt><dd>Phạm Quốc Hùng, ngày \d\d/\d\d/\d{4}</dd>", facts)
    assert f"<dt>Ban hành</dt><dd>ngày {day()}</dd>" in facts


def test_the_action_log_reads_as_vietnamese_sentences(staff, desk, in_db, make_user, client):
    issue_qt05(desk, in_db)
    make_user(("ubnd-tinh", "admin"), username="quantri", full_name="Quản trị tỉnh")
    assert login(client, "quantri").status_code == 302
    page = client.get("/admin/audit?action=document.").get_data(as_text=True)
    assert f"Lê Thu Hà ban hành QT-05 lần 1, hiệu lực từ {day()}" in page
    assert "Phạm Quốc Hùng phê duyệt QT-05 (dự thảo 1) — Đồng ý ban hành" in page
    assert "Trần Văn Bình trình xem xét QT-05 (dự thảo 1)" in page
    assert "approved → issued" not in page and "<code>document.issue</code>" not in page
    # the filter names kinds of action in words, and keeps the codes as values
    assert '<option value="document." selected>Tài liệu</option>' in page


def test_reports_link_only_for_people_the_report_serves(staff, desk):
    reader = desk("reader").get("/").get_data(as_text=True)
    assert 'href="/reports/findings"' not in reader
    assert desk("reader").get("/reports/findings").status_code == 403
    auditor = desk("auditor").get("/").get_data(as_text=True)
    assert 'href="/reports/findings"' in auditor


def test_the_overseer_role_links_open_the_province_wide_views(province, make_user, client):
    make_user(("ubnd-tinh", "overseer"), username="sokhcn")
    assert login(client, "sokhcn").status_code == 302
    page = client.get("/?viec=1").get_data(as_text=True)  # "/" is the programme dashboard
    roles = re.search(r"<h2>Vai trò của tôi</h2>.*?</ul>", page, re.S).group(0)
    assert "/agencies/ubnd-tinh/documents" not in roles
    assert "/agencies/ubnd-tinh/findings" not in roles
    for link in ('href="/agencies/"', 'href="/reports/findings"', 'href="/tthc/coverage"'):
        assert link in roles, link
        assert client.get(link[6:-1]).status_code == 200


def test_every_page_has_a_skip_link_a_favicon_and_the_card_tables(staff, desk):
    page = desk("reader").get("/").get_data(as_text=True)
    assert '<a class="skip-link" href="#content">' in page and 'id="content"' in page
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
    assert desk("reader").get(icon).status_code == 200
    assert "tables.js" in page
    login_page = desk("reader").application.test_client().get("/login").get_data(as_text=True)
    assert 'rel="icon"' in login_page


def test_checklist_items_name_their_document_once(app, staff, desk, in_db):
    issue_qt05(desk, in_db)
    with app.app_context():
        certify("stp.danhgia")  # an audit team needs a valid internal-auditor certificate
        db.session.commit()
    r = post(desk("auditor"), "/agencies/so-tu-phap/audits/new", {
        "title": "Đánh giá nội bộ đợt 1", "planned_start": day(1), "planned_end": day(2),
        "scope_clauses": "9.3", "documents": user_document_id(in_db),
        "lead": user_id(in_db, "stp.danhgia")})
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    url = r.headers["Location"]
    post(desk("auditor"), f"{url}/checklist")
    page = desk("auditor").get(url).get_data(as_text=True)
    assert "QT-05</a> «Quy trình xem xét của lãnh đạo» (lần ban hành 1)" in page
    assert not re.search(r"QT-05</a>\s*QT-05", page)


def user_document_id(in_db) -> str:
    from isodoc.documents.models import Document

    with in_db() as s:
        return str(s.scalars(select(Document.id).where(Document.code == "QT-05")).one())
