"""Word in: import of .docx files (web and CLI), hostile files, drafts edited in Word."""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from isodoc.documents import attachments as attachments_of
from isodoc.documents import docx_safety
from isodoc.documents.models import Document, DocxImport, Revision
from isodoc.timeutil import today_local
from tests import docx_files as files
from tests.conftest import csrf_token
from tests.doc_helpers import (
    BASE,
    create_from_template,
    draft_form,
    issue_qt05,
    post,
    revision_row,
    user_id,
)

IMPORT = f"{BASE}/import"


def upload(client, url: str, data: bytes, name: str = "tai-lieu.docx", **fields):
    """A browser's multipart upload. Encoded here in memory: the test client spools a
    body over 500 KB to a temporary file it never closes (a ResourceWarning)."""
    boundary, body = encode_multipart({
        "csrf_token": csrf_token(client, "/"), **fields,
        "file": FileStorage(io.BytesIO(data), filename=name,
                            content_type="application/octet-stream")})
    return client.post(url, data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def counts(in_db) -> tuple[int, int, int]:
    with in_db() as s:
        return (s.scalar(select(func.count()).select_from(Document)),
                s.scalar(select(func.count()).select_from(Revision)),
                s.scalar(select(func.count()).select_from(DocxImport)))


def confirm_data(page: str) -> dict:
    """The confirmation form as the browser would post it."""
    values = {name: html.unescape(value) for name, value in
              re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', page)}
    values.pop("csrf_token", None)
    values["body"] = html.unescape(re.search(
        r'<textarea[^>]*name="body"[^>]*>\n?(.*?)</textarea>', page, re.S).group(1))
    values["kind"] = re.search(r'<option selected value="(\w+)"', page).group(1)
    return values


# -- hostile and broken files: each refused in Vietnamese, nothing created ----------

def doc97() -> bytes:
    return files.ole(["WordDocument", "1Table"])


def encrypted() -> bytes:
    return files.ole(["EncryptionInfo", "EncryptedPackage"])


def truncated() -> bytes:
    data = files.plain()
    return data[:len(data) * 2 // 3]


def damaged_entry() -> bytes:
    """The end record intact, a part's bytes broken: found when the part is read."""
    data = bytearray(files.plain())
    start = data.find(b"word/document.xml") + 40
    data[start:start + 20] = b"\0" * 20
    return bytes(data)


HOSTILE = {
    "not a zip": (lambda: "Chỉ là văn bản thường".encode(), "không phải tài liệu Word"),
    "word 97 .doc": (doc97, "Word 97–2003 (.doc)"),
    "docm with macros": (files.macro, "macro (VBA)"),
    "password-protected": (encrypted, "đặt mật khẩu"),
    "zip bomb": (files.zip_bomb, "bom nén"),
    "entity expansion": (files.billion_laughs, "thực thể XML"),
    "external entity": (files.external_entity, "thực thể XML"),
    "zip-slip name": (files.zip_slip, "tên thành phần không hợp lệ"),
    "0 bytes": (lambda: b"", "Tệp rỗng (0 byte)"),
    "truncated": (truncated, "không trọn vẹn"),
    "damaged part": (damaged_entry, "bị hỏng"),
    "missing part": (files.missing_part, "thiếu thành phần bắt buộc (word/document.xml)"),
    "deeply nested tables": (files.nested_tables, "bảng lồng trong bảng"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_bad_file_is_refused_with_a_message_and_nothing_is_created(case, staff, desk, in_db):
    make, message = HOSTILE[case]
    client = desk("author")
    response = upload(client, IMPORT, make())
    assert response.status_code == 422
    assert message in text(response)
    assert counts(in_db) == (0, 0, 0)
    assert client.get(f"{BASE}/").status_code == 200  # the server answers on


def test_file_over_the_configured_limit_is_refused(app, staff, desk, in_db, monkeypatch):
    monkeypatch.setitem(app.config, "ISODOC_DOCX_MAX_BYTES", 20_000)
    data = files.real_procedure()
    assert len(data) > 20_000
    response = upload(desk("author"), IMPORT, data)
    assert response.status_code == 422
    assert "lớn hơn giới hạn" in text(response)
    assert counts(in_db) == (0, 0, 0)


def test_default_size_limit_is_20_mb_above_the_apps_request_limit(app, staff, desk, in_db):
    """The app refuses bodies over 16 MB; a Word upload may be up to 20 MB, checked
    by the import with its own message."""
    with app.app_context():
        assert docx_safety.max_bytes() == 20 * 1024 * 1024
    assert app.config["MAX_CONTENT_LENGTH"] < 17 * 1024 * 1024
    client = desk("author")
    response = upload(client, IMPORT, b"x" * (17 * 1024 * 1024))
    assert response.status_code == 422
    assert "không phải tài liệu Word" in text(response)
    response = upload(client, IMPORT, b"PK\x03\x04" + b"\0" * (20 * 1024 * 1024))
    assert response.status_code == 422
    assert "lớn hơn giới hạn 20 MB" in text(response)
    assert counts(in_db) == (0, 0, 0)


def test_parsing_runs_in_a_child_with_a_memory_limit(app, staff, desk, in_db, monkeypatch):
    """A file that needs more memory than the child may have ends the child, not the
    worker: here the limit is set below what the reader needs for any file."""
    monkeypatch.setitem(app.config, "ISODOC_DOCX_CHILD_MEMORY_MB", 40)
    response = upload(desk("author"), IMPORT, files.real_procedure())
    assert response.status_code == 422
    assert "vượt giới hạn bộ nhớ" in text(response)
    assert counts(in_db) == (0, 0, 0)


def test_parsing_runs_in_a_child_with_a_time_limit(app, staff, desk, in_db, monkeypatch):
    monkeypatch.setitem(app.config, "ISODOC_DOCX_CHILD_SECONDS", 0.05)
    response = upload(desk("author"), IMPORT, files.real_procedure())
    assert response.status_code == 422
    assert "quá thời gian cho phép" in text(response)
    assert counts(in_db) == (0, 0, 0)


# -- conversion ----------------------------------------------------------------------

def test_real_looking_procedure_converts_to_our_markdown(app):
    with app.app_context():
        converted = docx_safety.convert(files.real_procedure())
    assert converted.code == "QT-07"
    assert converted.title == "Quy trình kiểm soát hồ sơ"
    assert converted.control == {
        "revision": 2, "date": "2023-03-15", "drafted_by": "Trần Văn Bình",
        "drafted_title": "Chuyên viên", "reviewed_by": "Đỗ Minh Tâm",
        "reviewed_title": "Trưởng phòng", "approved_by": "Phạm Quốc Hùng",
        "approved_title": "Giám đốc"}
    body = converted.markdown
    assert body.startswith("## 1. MỤC ĐÍCH\n")  # the control block is not body text
    assert "CỘNG HÒA" not in body and "Mã hiệu" not in body
    assert "## 5. NỘI DUNG QUY TRÌNH" in body and "### 5.1. Lưu đồ" in body
    assert "1. TCVN ISO 9001:2015\n2. Luật Lưu trữ 2011" in body
    assert "Bước *quan trọng* phải **ký nhận**." in body
    # merged down: repeated on each row; merged across: the text once
    assert "| B1 | Tiếp nhận hồ sơ | Văn thư |\n| B2 | Vào sổ | Văn thư |" in body
    assert "| Kết thúc |  |  |" in body


def test_simple_structure_is_faithful(app):
    """What the export writes for a Markdown body comes back as that body."""
    with app.app_context():
        converted = docx_safety.convert(files.simple_structure())
    assert converted.markdown == (
        "## 1. Mục đích\n\nVăn bản có **chữ đậm** và *chữ nghiêng*.\n\n"
        "### 5.1. Bước thực hiện\n\n1. Bước một\n2. Bước hai\n\n"
        "#### 5.1.1. Chi tiết\n\n- Ý một\n- Ý hai\n\n"
        "| TT | Tên |\n|---|---|\n| 1 | Sổ theo dõi |")


def test_word_numbered_headings_get_their_numbers_from_numbering_xml(app):
    with app.app_context():
        body = docx_safety.convert(files.numbered_headings()).markdown
    assert "## 1. MỤC ĐÍCH" in body
    assert "## 2. PHẠM VI" in body
    assert "### 2.1. Chi tiết phạm vi" in body


@pytest.mark.parametrize(("mode", "kept", "gone"), [("accept", "mới", "cũ"),
                                                     ("reject", "cũ", "mới")])
def test_tracked_changes_follow_the_choice(app, mode, kept, gone):
    with app.app_context():
        converted = docx_safety.convert(files.with_tracked_changes(), mode)
    assert kept in converted.markdown and gone not in converted.markdown
    assert converted.tracked_changes == 2


# -- web import ----------------------------------------------------------------------

def test_import_new_document_through_the_confirmation_page(staff, desk, in_db):
    client = desk("author")
    data = files.real_procedure()
    response = upload(client, IMPORT, data, name="QT-07 ho so.docx")
    page = text(response)
    assert response.status_code == 200
    assert 'value="QT-07"' in page and "Quy trình kiểm soát hồ sơ" in page
    assert 'value="Phạm Quốc Hùng"' in page and 'value="15/03/2023"' in page
    assert counts(in_db) == (0, 0, 0)  # nothing until confirmed
    form = confirm_data(page)
    form["field"] = "Hệ thống quản lý chất lượng"
    response = post(client, f"{IMPORT}/confirm", form)
    assert response.status_code == 302, text(response)
    assert counts(in_db) == (1, 1, 1)
    assert revision_row(in_db, slug="qt-07")["state"] == "draft"
    draft = text(client.get(f"{BASE}/qt-07/drafts/1"))
    assert "MỤC ĐÍCH" in draft and "Tiếp nhận hồ sơ" in draft
    assert "Nhập từ tệp Word" in draft and "ngày 15/03/2023; phê duyệt: Phạm Quốc Hùng" in draft
    from isodoc.documents import services

    with in_db() as s:
        revision = s.scalars(select(Revision)).one()
        meta, body = services.read_parts(revision)
    assert meta["imported"]["approved_by"] == "Phạm Quốc Hùng"
    assert meta["imported"]["revision"] == 2 and meta["imported"]["date"] == "2023-03-15"
    assert meta["imported"]["file"] == "QT-07 ho so.docx"
    assert body.startswith("## 1. MỤC ĐÍCH")
    # the same file again: said on the confirmation page, refused on confirming
    again = upload(client, IMPORT, data)
    assert "đã được nhập trước đó thành QT-07" in text(again)
    refused = post(client, f"{IMPORT}/confirm", confirm_data(text(again)))
    assert refused.status_code == 422
    assert counts(in_db) == (1, 1, 1)


def test_what_is_not_found_is_asked(staff, desk, in_db):
    client = desk("author")
    page = text(upload(client, IMPORT, files.simple_structure(), name="tai lieu.docx"))
    assert "Không tìm thấy trong tệp:" in page
    assert "mã hiệu" in page and "người phê duyệt" in page
    data = confirm_data(page)
    response = post(client, f"{IMPORT}/confirm", data)  # no code given: asked again
    assert response.status_code == 422
    assert "Vui lòng nhập mã tài liệu" in text(response)
    assert counts(in_db) == (0, 0, 0)
    response = post(client, f"{IMPORT}/confirm", {**data, "code": "HD-09",
                                                   "title": "Hướng dẫn lưu trữ"})
    assert response.status_code == 302
    assert counts(in_db) == (1, 1, 1)


def test_import_as_draft_revision_of_an_issued_document(staff, desk, in_db):
    issue_qt05(desk, in_db)
    client = desk("secretary")
    page = text(upload(client, IMPORT, files.simple_structure(), document="qt-05"))
    assert "dự thảo sửa đổi của QT-05" in page
    response = post(client, f"{IMPORT}/confirm", confirm_data(page))
    assert response.status_code == 302, text(response)
    row = revision_row(in_db, seq=2)
    assert row["state"] == "draft"
    draft = text(client.get(f"{BASE}/qt-05/drafts/2"))
    assert "Sổ theo dõi" in draft
    assert revision_row(in_db, seq=1)["state"] == "issued"  # what is in force is untouched


def test_reader_cannot_import(staff, desk, in_db):
    response = upload(desk("reader"), IMPORT, files.real_procedure())
    assert response.status_code == 403
    assert counts(in_db) == (0, 0, 0)


# -- drafts edited in Word -------------------------------------------------------------

def upload_url(seq: int = 1, slug: str = "qt-05") -> str:
    return f"{BASE}/{slug}/drafts/{seq}/upload"


def test_upload_edited_draft_becomes_the_next_save(staff, desk, in_db):
    client = desk("author")
    assert create_from_template(client).status_code == 302
    before = revision_row(in_db)["head"]
    response = upload(client, upload_url(), files.simple_structure())
    assert response.status_code == 302
    after = revision_row(in_db)["head"]
    assert after != before
    assert "Sổ theo dõi" in text(client.get(f"{BASE}/qt-05/drafts/1"))
    # the same file again changes nothing: no new commit
    response = upload(client, upload_url(), files.simple_structure())
    assert response.status_code == 302
    assert revision_row(in_db)["head"] == after
    assert "không có thay đổi" in text(client.get(f"{BASE}/qt-05/drafts/1"))


def test_untouched_export_changes_nothing(staff, desk, in_db, app):
    """A file that says it was exported from the draft's head and reads as its body
    is no new save."""
    client = desk("author")
    with app.app_context():
        body = docx_safety.convert(files.simple_structure()).markdown
    assert create_from_template(client, body=body).status_code == 302
    head = revision_row(in_db)["head"]
    data = files.custom_properties(files.export_like(), {
        "isodoc-code": "QT-05", "isodoc-revision": "d1", "isodoc-base": head})
    assert upload(client, upload_url(), data).status_code == 302
    assert revision_row(in_db)["head"] == head


def test_upload_from_an_older_base_is_a_stale_save(staff, desk, in_db):
    client = desk("author")
    assert create_from_template(client).status_code == 302
    old_head = revision_row(in_db)["head"]
    assert upload(client, upload_url(), files.real_procedure()).status_code == 302  # moves on
    head = revision_row(in_db)["head"]
    stale = files.custom_properties(files.simple_structure(), {"isodoc-base": old_head,
                                                               "isodoc-code": "QT-05"})
    response = upload(client, upload_url(), stale)
    assert response.status_code == 409
    page = text(response)
    assert "CHƯA được lưu" in page and "<ins>" in response.get_data(as_text=True)
    assert "Sổ theo dõi" in page  # what the file says, kept in the editor
    assert f'action="{BASE}/qt-05/drafts/1/edit"' in page
    assert revision_row(in_db)["head"] == head
    fresh = files.custom_properties(files.simple_structure(), {"isodoc-base": head})
    assert upload(client, upload_url(), fresh).status_code == 302
    assert revision_row(in_db)["head"] != head


def test_upload_of_another_documents_file_is_refused(staff, desk, in_db):
    client = desk("author")
    assert create_from_template(client).status_code == 302
    head = revision_row(in_db)["head"]
    other = files.custom_properties(files.simple_structure(), {"isodoc-code": "QT-01"})
    response = upload(client, upload_url(), other)
    assert response.status_code == 422
    assert "là của tài liệu QT-01" in text(response)
    assert revision_row(in_db)["head"] == head


def test_tracked_changes_are_never_silently_dropped(staff, desk, in_db):
    client = desk("author")
    assert create_from_template(client).status_code == 302
    head = revision_row(in_db)["head"]
    response = upload(client, upload_url(), files.with_tracked_changes(), tracked="ask")
    assert response.status_code == 422
    assert "2 thay đổi được theo dõi" in text(response)
    assert revision_row(in_db)["head"] == head
    assert upload(client, upload_url(), files.with_tracked_changes(),
                  tracked="reject").status_code == 302
    page = text(client.get(f"{BASE}/qt-05/drafts/1"))
    assert "Văn bản cũ" in page and "mới" not in page.split("Văn bản")[-1][:10]
    assert upload(client, upload_url(), files.with_tracked_changes(),
                  tracked="accept").status_code == 302
    assert "Văn bản mới" in text(client.get(f"{BASE}/qt-05/drafts/1"))


def test_hostile_upload_onto_a_draft_changes_nothing(staff, desk, in_db):
    client = desk("author")
    assert create_from_template(client).status_code == 302
    head = revision_row(in_db)["head"]
    response = upload(client, upload_url(), files.billion_laughs())
    assert response.status_code == 422
    assert revision_row(in_db)["head"] == head


# -- command line ---------------------------------------------------------------------

def test_cli_imports_a_folder_with_a_report_and_is_idempotent(app, staff, tmp_path, in_db):
    from isodoc.cli import main

    folder = tmp_path / "quy-trinh"
    folder.mkdir()
    (folder / "QT-07 Kiem soat ho so.docx").write_bytes(files.real_procedure())
    (folder / "QT-08 Danh gia.docx").write_bytes(
        files.real_procedure(code="QT-08", title="ĐÁNH GIÁ NỘI BỘ", extra="nội bộ"))
    (folder / "HD-02 Luu tru.docx").write_bytes(files.simple_structure())
    (folder / "QT-11 Luu do.docx").write_bytes(files.with_image_and_object())
    (folder / "cu.doc").write_bytes(doc97())
    (folder / "khong-ma.docx").write_bytes(files.plain())
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["import-docx", "--agency", "so-tu-phap", str(folder)])
    out = result.output
    assert result.exit_code == 1, out  # two files failed
    assert "QT-07 Kiem soat ho so.docx: đã nhập thành QT-07 — Quy trình kiểm soát hồ sơ" in out
    assert "QT-08 Danh gia.docx: đã nhập thành QT-08 — Quy trình đánh giá nội bộ" in out
    assert "HD-02 Luu tru.docx: đã nhập thành HD-02" in out
    assert "cu.doc: lỗi vì Đây là tệp Word 97–2003 (.doc)" in out
    assert "khong-ma.docx: lỗi vì không tìm thấy mã hiệu" in out
    assert "Đã nhập 4, bỏ qua 0, lỗi 2 (tổng 6 tệp)." in out
    assert counts(in_db) == (4, 4, 4)
    with in_db() as s:
        states = set(s.scalars(select(Revision.state)))
        author = s.scalars(select(Revision)).first().author.username
    assert states == {"draft"}  # never issued
    assert author == "stp.thuky"
    again = runner.invoke(main, ["import-docx", "--agency", "so-tu-phap", str(folder)])
    assert "QT-07 Kiem soat ho so.docx: bỏ qua vì đã nhập trước đó thành QT-07" in again.output
    assert "Đã nhập 0, bỏ qua 4, lỗi 2" in again.output
    assert counts(in_db) == (4, 4, 4)
    with in_db() as s:  # the pictures and forms of a file imported on the command line
        kept = attachments_of.of(s.scalars(select(Revision).join(Document).where(
            Document.code == "QT-11")).one())
    assert [a["name"] for a in kept] == ["hinh-1.png", "microsoft-excel-worksheet1.xlsx"]


def test_cli_tracked_changes_need_a_choice(app, staff, tmp_path, in_db):
    from isodoc.cli import main

    (tmp_path / "QT-09 Sua.docx").write_bytes(files.with_tracked_changes())
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["import-docx", "--agency", "so-tu-phap", str(tmp_path)])
    assert "--tracked-changes accept hoặc reject" in result.output
    assert counts(in_db) == (0, 0, 0)
    result = runner.invoke(main, ["import-docx", "--agency", "so-tu-phap",
                                  "--tracked-changes", "accept", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "đã nhập thành QT-09" in result.output
    assert counts(in_db) == (1, 1, 1)


def test_a_file_without_headings_keeps_its_text_beside_the_control_block(app):
    from docx import Document as Word

    document = Word()
    files.control_block(document, code="HD-03")
    document.add_paragraph("Toàn bộ nội dung hướng dẫn nằm ở đây.")
    with app.app_context():
        converted = docx_safety.convert(files.save(document))
    assert converted.code == "HD-03"
    assert "Toàn bộ nội dung hướng dẫn nằm ở đây." in converted.markdown
    assert "Mã hiệu" not in converted.markdown and "Phạm Quốc Hùng" not in converted.markdown


def test_export_page_one_is_read_and_not_body_text(app):
    with app.app_context():
        plain = docx_safety.convert(files.simple_structure()).markdown
        exported = docx_safety.convert(files.export_like())
        with_intro = docx_safety.convert(files.export_like(intro="Lời nói đầu.")).markdown
    assert exported.markdown == plain
    assert exported.code == "QT-05" and exported.title == "Quy trình xem xét của lãnh đạo"
    assert exported.control["drafted_by"] == "Trần Văn Bình"
    assert with_intro == "Lời nói đầu.\n\n" + plain  # body text before the first heading


ATTACHMENT_LINK = r'href="([^"]*/attachments/[0-9a-f]{40}/%s)"'


def test_pictures_and_embedded_forms_become_attachments(staff, desk, in_db):
    """The picture and the embedded workbook are named where they were in the text and
    listed on the confirmation page; a forged list, or one made for another file, is
    refused and nothing is created."""
    author = desk("author")
    page = text(upload(author, IMPORT, files.with_image_and_object(), name="QT-11 Luu do.docx"))
    assert "Tệp đính kèm (2):" in page
    assert "*[Hình 1 — tệp đính kèm hinh-1.png]*" in page  # where the picture was
    assert "microsoft-excel-worksheet1.xlsx" in page
    assert "Chưa nhập" not in page
    data = confirm_data(page)
    assert data["attachments"]
    forged = post(author, f"{IMPORT}/confirm",
                  {**data, "attachments": data["attachments"][:-4] + "AAAA"})
    assert forged.status_code == 422
    assert "tệp đính kèm không hợp lệ" in text(forged)
    other = confirm_data(text(upload(author, IMPORT, files.real_procedure(code="QT-12"))))
    borrowed = post(author, f"{IMPORT}/confirm", {**other, "attachments": data["attachments"]})
    assert borrowed.status_code == 422
    assert "không thuộc tệp này" in text(borrowed)
    assert counts(in_db) == (0, 0, 0)


def test_attachments_are_served_to_readers_only_and_survive_saves_and_issue(
        staff, desk, in_db):
    author = desk("author")
    page = text(upload(author, IMPORT, files.with_image_and_object(), name="QT-11 Luu do.docx"))
    response = post(author, f"{IMPORT}/confirm", confirm_data(page))
    assert response.status_code == 302
    draft = text(author.get(f"{BASE}/qt-11/drafts/1"))
    picture = re.search(ATTACHMENT_LINK % r"hinh-1\.png", draft).group(1)
    workbook = re.search(ATTACHMENT_LINK % r"microsoft-excel-worksheet1\.xlsx", draft).group(1)
    got = author.get(picture)
    assert got.status_code == 200 and got.mimetype == "image/png"
    assert got.data == files.png()
    got = author.get(workbook)
    assert got.mimetype == "application/octet-stream"
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert got.data == b"PK\x03\x04 not read"
    # a draft's attachments are not for another agency, nor under another name or blob
    assert desk("outsider").get(picture).status_code == 403
    assert author.get(picture.replace("hinh-1.png", "khac.png")).status_code == 404
    assert author.get(re.sub(r"[0-9a-f]{40}", "0" * 40, picture)).status_code == 404
    assert author.get(re.sub(r"[0-9a-f]{40}", "--all", picture)).status_code == 404
    # a later save in the web editor keeps them
    form = draft_form(author, slug="qt-11")
    form["body"] += "\n\nThêm một dòng."
    assert post(author, f"{BASE}/qt-11/drafts/1/edit", form).status_code == 302
    assert picture in text(author.get(f"{BASE}/qt-11/drafts/1"))
    # the draft's .docx, uploaded untouched, changes nothing (the pictures' places are text)
    exported = author.get(f"{BASE}/qt-11/drafts/1/export.docx").data
    head = revision_row(in_db, slug="qt-11")["head"]
    response = upload(author, f"{BASE}/qt-11/drafts/1/upload", exported, tracked="ask")
    assert response.status_code == 302
    assert revision_row(in_db, slug="qt-11")["head"] == head
    # issued: the province may read the text, so the attachments too
    post(author, f"{BASE}/qt-11/drafts/1/submit", {"reviewers": user_id(in_db, "stp.danhgia")})
    post(desk("auditor"), f"{BASE}/qt-11/drafts/1/review", {"decision": "agreed"})
    post(desk("approver"), f"{BASE}/qt-11/drafts/1/approve", {"comment": "Đồng ý"})
    post(desk("secretary"), f"{BASE}/qt-11/drafts/1/issue",
         {"effective_date": today_local().strftime("%d/%m/%Y")})
    assert revision_row(in_db, slug="qt-11")["state"] == "issued"
    shown = text(desk("outsider").get(f"{BASE}/qt-11"))
    assert picture in shown
    assert desk("outsider").get(picture).data == files.png()


def test_a_numbered_list_continued_after_a_paragraph_keeps_its_numbers(app):
    """Word numbers the third step 3 after a note between the steps: so does the import."""
    from docx import Document as Word

    document = Word()
    document.add_heading("5. Các bước", level=1)
    document.add_paragraph("Tiếp nhận", style="List Number")
    document.add_paragraph("Kiểm tra", style="List Number")
    document.add_paragraph("Ghi chú: hồ sơ thiếu thì trả lại.")
    document.add_paragraph("Trả kết quả", style="List Number")
    with app.app_context():
        body = docx_safety.convert(files.save(document)).markdown
    assert body == ("## 5. Các bước\n\n1. Tiếp nhận\n2. Kiểm tra\n\n"
                    "Ghi chú: hồ sơ thiếu thì trả lại.\n\n3. Trả kết quả")


# -- history migration ------------------------------------------------------------------

def test_secretary_records_imported_drafts_as_earlier_revisions(staff, desk, in_db, app):
    """Lần 1 and lần 2 of a paper procedure, recorded in order with their dates; the
    audit log keeps the reason; an author may not; a later or out-of-order one is
    refused."""
    from isodoc.audit import AuditEntry
    from isodoc.documents import integrity

    client = desk("secretary")
    first = files.real_procedure(code="QT-07")
    page = text(upload(client, IMPORT, first))
    assert post(client, f"{IMPORT}/confirm", confirm_data(page)).status_code == 302
    url = f"{BASE}/qt-07/drafts/1/record-history"
    draft = text(client.get(f"{BASE}/qt-07/drafts/1"))
    assert "Ghi nhận là lần ban hành cũ" in draft and 'value="15/03/2023"' in draft
    assert "Ghi nhận là lần ban hành cũ" not in text(desk("author").get(
        f"{BASE}/qt-07/drafts/1"))
    assert post(desk("author"), url, {"number": "1", "effective_date": "15/03/2023",
                                      "reason": "x"}).status_code == 403
    refused = post(client, url, {"number": "1", "effective_date": "01/01/2099",
                                 "reason": "Chuyển hồ sơ giấy"})
    assert refused.status_code == 302
    assert revision_row(in_db, slug="qt-07")["state"] == "draft"
    done = post(client, url, {"number": "2", "effective_date": "15/03/2023",
                              "reason": "Chuyển hồ sơ giấy lên hệ thống"})
    assert done.status_code == 302
    row = revision_row(in_db, slug="qt-07")
    assert row["state"] == "issued" and row["number"] == 2
    assert str(row["effective"]) == "2023-03-15"
    shown = text(client.get(f"{BASE}/qt-07"))
    assert "Bản này có hiệu lực từ 15/03/2023" in shown and "Phạm Quốc Hùng" in shown
    with in_db() as s:
        entry = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "document.record_history")).one()
        assert "Chuyển hồ sơ giấy lên hệ thống" in entry.summary
    # the next paper revision, imported as a draft revision, cannot go back in time
    second = files.real_procedure(code="QT-07", extra="sửa đổi")
    page = text(upload(client, IMPORT, second, document="qt-07"))
    assert post(client, f"{IMPORT}/confirm", confirm_data(page)).status_code == 302
    url2 = f"{BASE}/qt-07/drafts/2/record-history"
    post(client, url2, {"number": "3", "effective_date": "01/01/2023", "reason": "Giấy"})
    assert revision_row(in_db, seq=2, slug="qt-07")["state"] == "draft"
    post(client, url2, {"number": "3", "effective_date": "01/06/2024", "reason": "Giấy"})
    assert revision_row(in_db, seq=2, slug="qt-07")["number"] == 3
    with app.app_context():
        assert integrity.check() == []  # git and SQL agree


def test_markdown_markers_typed_in_word_stay_text(app):
    """Asterisks, underscores and a typed "1." in Word are text, not Markdown."""
    from docx import Document as Word

    from isodoc.documents import content

    document = Word()
    document.add_paragraph("Ghi *không* in nghiêng, _cũng_ không; mã BM_01.")
    document.add_paragraph("1. Đoạn gõ số bằng tay")
    document.add_paragraph("# không phải đề mục")
    with app.app_context():
        body = docx_safety.convert(files.save(document)).markdown
    rendered = str(content.render(body))
    assert "<em>" not in rendered and "<ol>" not in rendered and "<h1>" not in rendered
    assert "Ghi *không* in nghiêng, _cũng_ không; mã BM_01." in rendered
    assert "1. Đoạn gõ số bằng tay" in rendered and "# không phải đề mục" in rendered


def test_a_picture_added_in_word_becomes_an_attachment_of_the_draft(staff, desk, in_db):
    from docx import Document as Word

    author = desk("author")
    assert create_from_template(author).status_code == 302
    word = Word(io.BytesIO(author.get(f"{BASE}/qt-05/drafts/1/export.docx").data))
    word.add_paragraph("Lưu đồ:")
    word.add_picture(io.BytesIO(files.png()))
    response = upload(author, f"{BASE}/qt-05/drafts/1/upload", files.save(word))
    assert response.status_code == 302
    draft = text(author.get(f"{BASE}/qt-05/drafts/1"))
    assert "tệp đính kèm hinh-1.png" in draft
    picture = re.search(ATTACHMENT_LINK % r"hinh-1\.png", draft).group(1)
    assert author.get(picture).data == files.png()
