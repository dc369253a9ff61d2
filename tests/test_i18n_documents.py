"""Document control in English: the pages, the refusals, the API's messages and the
visual editor's words follow the person's language; the filed documents (the procedure
.docx, its print view, the register's exports) stay Vietnamese."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

from docx import Document as Docx
from sqlalchemy import select

from isodoc.auth import services as auth_services
from isodoc.auth.models import User
from isodoc.timeutil import today_local
from tests.conftest import in_english
from tests.doc_helpers import BASE, create_from_template, issue_qt05, post

API = "/api/v1/agencies/so-tu-phap/documents"



def text_of(response) -> str:
    assert response.status_code in (200, 422), response.status_code
    return response.get_data(as_text=True)


def test_the_document_pages_speak_english(desk, in_db):
    issue_qt05(desk, in_db)
    secretary = in_english(desk("secretary"))
    register = text_of(secretary.get(f"{BASE}/"))
    assert "Document register" in register and "In force" in register
    assert "Download Word" in register and "Blank document with the standard structure" in register
    assert "Danh mục tài liệu" not in register and "Đang hiệu lực" not in register
    assert "Quy trình xem xét của lãnh đạo" in register  # the document's own title stays
    page = text_of(secretary.get(f"{BASE}/qt-05"))
    assert "Revision 1" in page and "Drafted by" in page and "Change history table" in page
    assert "First issue" in page and "Withdraw the document (no longer in force)" in page
    for vietnamese in ("Lịch sử sửa đổi", "Bảng theo dõi sửa đổi", "Soạn thảo", "Thu hồi tài liệu"):
        assert vietnamese not in page, vietnamese
    history = text_of(secretary.get(f"{BASE}/qt-05/history"))
    assert "Revision history of QT-05" in history and "Reviewed by" in history
    assert "Lịch sử sửa đổi" not in history
    # a draft, its workflow and its events
    assert post(secretary, f"{BASE}/qt-05/revise").status_code == 302
    draft = text_of(secretary.get(f"{BASE}/qt-05/drafts/2"))
    assert "DRAFT 2. Do not use for work." in draft and "Approval workflow" in draft
    assert "created the draft" in draft and "DỰ THẢO" not in draft
    # the reader confirms reading, in English
    reader = in_english(desk("reader"))
    assert "Have you read it?" in text_of(reader.get(f"{BASE}/qt-05"))
    done = post(reader, f"{BASE}/qt-05/acknowledge/1")
    assert done.status_code == 302
    assert "Confirmed as read." in text_of(reader.get(f"{BASE}/qt-05"))


def test_refusals_and_api_messages_in_english(desk, in_db, staff):
    assert create_from_template(desk("author")).status_code == 302
    author = in_english(desk("author"))
    # the editor refuses a bad code with the form kept; the message is English
    refused = create_from_template(author, code="qt 05 é")
    assert refused.status_code == 200
    assert "is not valid: use capital letters without diacritics" in text_of(refused)
    # a Word upload that is not a Word file
    upload = author.post(f"{BASE}/import", data={
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                                author.get(f"{BASE}/import").get_data(as_text=True)).group(1),
        "file": (io.BytesIO(b"not a zip at all"), "qt-07.docx"), "tracked": "ask",
        "document": ""}, content_type="multipart/form-data")
    assert upload.status_code == 422
    body = text_of(upload)
    assert "The file is not a Word .docx document" in body and "Tệp không phải" not in body
    assert "Import a document from a Word file (.docx)" in body
    # the API answers in the language asked for; its codes stay codes
    with in_db() as s:
        user = s.scalars(select(User).where(User.username == staff["author"])).one()
        token = {"Authorization": f"Bearer {auth_services.create_token(user, user, 'api')}"}
    client = desk.app.test_client()
    answer = client.get(f"{API}/qt-05?lang=en", headers=token)
    assert answer.status_code == 404
    assert answer.get_json()["message"] == "The document has no revision in force."
    assert client.get(f"{API}/qt-05", headers=token).get_json()["message"] == \
        "Tài liệu không có bản đang hiệu lực."  # Vietnamese stays the default
    unknown = client.post(f"{API}/qt-05/drafts/1/submit?lang=en", headers=token,
                          json={"reviewers": ["khong.co"]})
    assert unknown.status_code == 422
    assert unknown.get_json()["message"] == "A reviewer username does not exist."
    # an issue refused by the service
    issue_page = f"{BASE}/qt-05/drafts/1"
    with in_db() as s:
        reviewer = str(s.scalars(select(User.id).where(User.username == "stp.danhgia")).one())
    post(author, f"{issue_page}/submit", {"reviewers": reviewer})
    post(desk("auditor"), f"{issue_page}/review", {"decision": "agreed"})
    post(desk("approver"), f"{issue_page}/approve")
    secretary = in_english(desk("secretary"))
    past = (today_local() - timedelta(days=1)).strftime("%d/%m/%Y")
    refused = post(secretary, f"{issue_page}/issue", {"effective_date": past})
    assert refused.status_code == 422
    assert "The effective date must not be before today." in text_of(refused)


def editor_strings(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="editor-strings">(.*?)</script>',
                      page, re.S)
    assert found, "the editor page carries its words for static/editor.js"
    return json.loads(found.group(1))


def test_the_visual_editor_takes_its_words_from_the_page(desk):
    author = desk("author")
    vietnamese = editor_strings(text_of(author.get(f"{BASE}/new")))
    assert vietnamese["toolbar"]["Insert table"] == "Chèn bảng"
    assert vietnamese["toolbar"]["More"] == "Thêm"
    assert vietnamese["source"] == "Xem mã nguồn Markdown"
    english = editor_strings(text_of(in_english(author).get(f"{BASE}/new")))
    assert english["toolbar"]["Insert table"] == "Insert table"
    assert english["toolbar"]["OK"] == "OK" and english["toolbar"]["More"] == "More"
    assert (english["source"], english["visual"]) == ("Show Markdown source", "Visual editing")
    assert set(english["toolbar"]) == set(vietnamese["toolbar"])
    assert not any(re.search("[ạảấầẩậắằặễệịọỏốồổộớờởợụủứừửựỳỷđ]", v)
                   for v in english["toolbar"].values())


def test_filed_documents_stay_vietnamese_for_an_english_interface(desk, in_db):
    issue_qt05(desk, in_db)
    secretary = in_english(desk("secretary"))
    word = secretary.get(f"{BASE}/qt-05/revisions/1/export.docx")
    assert word.status_code == 200
    document = Docx(io.BytesIO(word.data))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "BẢNG THEO DÕI SỬA ĐỔI" in text and "Ban hành lần đầu" in text
    assert "Họ và tên" in text and "Full name" not in text and "First issue" not in text
    printed = text_of(secretary.get(f"{BASE}/qt-05?print=1"))
    assert "Họ và tên" in printed and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in printed
    assert "Full name" not in printed and "Drafted by" not in printed
    csv = secretary.get(f"{BASE}/export.csv").get_data(as_text=True)
    assert "Mã hiệu" in csv and "Đang hiệu lực" in csv and "In force" not in csv
    assert "Internal procedure" not in csv and "Quy trình nội bộ" in csv


def test_a_long_body_is_noted_in_the_readers_language_whatever_was_cached(app):
    """The rendered HTML is cached and shared by every reader; the note that a body was
    cut is not part of it, so each reader gets it in their own language."""
    from isodoc.documents import cache, content, redline

    body = "Dòng.\n" * (content.RENDER_MAX_LINES + 5)
    text = content.compose({"code": "QT-99"}, body).decode()
    entry = cache.Entry(cache.blob_id(text.encode()), text)
    with app.test_request_context("/?lang=en"):
        english = str(entry.html)  # rendered and cached now, by an English reader
        assert "too long to show in full" in english and "10,000 lines" in english
        assert "only the beginning is compared" in str(redline.TOO_LONG)
        assert "10,000 lines" in str(redline.TOO_LONG)
    with app.test_request_context("/"):
        vietnamese = str(entry.html)
        assert "quá dài để hiển thị đầy đủ" in vietnamese and "10.000 dòng" in vietnamese
        assert "too long" not in vietnamese
        assert "10.000 dòng" in str(redline.TOO_LONG)
    assert english.count("Dòng.") == vietnamese.count("Dòng.")
