"""An author who has never seen Markdown writes a procedure in the visual editor (Toast
UI, static/editor.js): a heading, a numbered list and a 2×2 table, made with the
toolbar. What is stored is Markdown (a pipe table), and the draft shows a real table."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from isodoc.agencies.models import Agency
from isodoc.documents import library, services
from isodoc.documents.models import Document
from isodoc.extensions import db
from tests.browser.test_sign_in_journey import sign_in

REGISTER = "/agencies/so-tu-phap/documents/"


def stored_body(app, code: str) -> str:
    with app.app_context():
        document = db.session.scalars(select(Document).join(Agency).where(
            Agency.code == "so-tu-phap", Document.code == code)).one()
        return services.read_parts(document.revisions[-1])[1]


def test_author_writes_heading_numbered_list_and_table_without_markdown(page, app):
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text)
            if "Content Security Policy" in m.text else None)
    sign_in(page, "stp.soanthao")
    page.goto(REGISTER + "new")
    page.get_by_label("Mã tài liệu").fill("QT-20")
    page.get_by_label("Tên tài liệu").fill("Quy trình tiếp nhận đơn thư")
    # an internal process: a TTHC procedure would have to name a catalog TTHC
    page.get_by_label("Loại tài liệu").select_option(value="internal")
    # the visual editor replaces the Markdown box; its toolbar speaks Vietnamese
    expect(page.get_by_label("Nội dung (Markdown)")).to_be_hidden()
    editor = page.locator(".toastui-editor-ww-container .ProseMirror")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.get_by_role("button", name="Đề mục").click()
    page.locator(".toastui-editor-popup-add-heading li[data-level='2']").click()
    page.keyboard.type("Trình tự thực hiện")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Danh sách đánh số").click()
    page.keyboard.type("Tiếp nhận đơn thư")
    page.keyboard.press("Enter")
    page.keyboard.type("Phân loại và chuyển xử lý")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Chèn bảng").click()
    # the size picker: the second cell of the second row is a 2×2 table
    cell = page.locator(".toastui-editor-table-row").nth(1) \
        .locator(".toastui-editor-table-cell").nth(1)
    box = cell.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    cells = editor.locator("table th, table td")
    expect(cells).to_have_count(4)
    for i, text in enumerate(("Bước", "Người thực hiện", "Tiếp nhận", "Văn thư")):
        cells.nth(i).click()
        page.keyboard.type(text)
    # the live preview (rendered by the server) follows the visual editor
    expect(page.locator("#preview table td").first).to_have_text("Tiếp nhận")

    # the source view shows the Markdown the visual editor wrote, in the sans font
    page.get_by_role("button", name="Xem mã nguồn Markdown").click()
    source = page.get_by_label("Nội dung (Markdown)")
    expect(source).to_be_visible()
    assert "| Bước | Người thực hiện |" in source.input_value()
    font = "el => getComputedStyle(el).fontFamily"
    page_font = page.locator("body").evaluate(font)
    assert "mono" not in page_font and source.evaluate(font) == page_font
    page.get_by_role("button", name="Soạn trực quan").click()
    expect(editor.locator("table td").nth(1)).to_have_text("Văn thư")
    for element in ("h2", "ol > li", "td"):
        assert editor.locator(element).first.evaluate(font) == page_font, element

    page.get_by_role("button", name="Tạo dự thảo").click()
    expect(page.get_by_text("Đã tạo dự thảo QT-20.")).to_be_visible()
    body = stored_body(app, "QT-20")
    assert "## Trình tự thực hiện" in body
    assert "1. Tiếp nhận đơn thư\n2. Phân loại và chuyển xử lý" in body
    lines = [line.replace(" ", "") for line in body.splitlines() if line.startswith("|")]
    assert lines[0] == "|Bước|Ngườithựchiện|" and set(lines[1]) <= set("|-:")
    assert lines[2] == "|Tiếpnhận|Vănthư|" and len(lines) == 3

    shown = page.locator("article.doc-body")
    expect(shown.locator("h2")).to_have_text("Trình tự thực hiện")
    expect(shown.locator("ol > li")).to_have_text(["Tiếp nhận đơn thư",
                                                   "Phân loại và chuyển xử lý"])
    expect(shown.locator("table thead th")).to_have_text(["Bước", "Người thực hiện"])
    expect(shown.locator("table tbody td")).to_have_text(["Tiếp nhận", "Văn thư"])

    # opened again, a draft the person does not touch is saved as it was stored
    page.get_by_role("link", name="Sửa dự thảo").click()
    expect(page.locator(".toastui-editor-ww-container table")).to_be_visible()
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.get_by_text("Đã lưu dự thảo.")).to_be_visible()
    assert stored_body(app, "QT-20") == body
    assert refused == []


def test_a_text_left_untouched_in_the_visual_editor_is_stored_as_written(page, app):
    """Toast UI writes Markdown its own way (list markers, escapes): a body the person
    did not change in the visual editor is sent exactly as it came."""
    sign_in(page, "stp.soanthao")
    page.goto(REGISTER + "new?template=qt-05-xem-xet-lanh-dao")
    expect(page.locator(".toastui-editor-ww-container h2").first).to_have_text("1. Mục đích")
    page.get_by_role("button", name="Tạo dự thảo").click()
    expect(page.get_by_text("Đã tạo dự thảo QT-05.")).to_be_visible()
    assert stored_body(app, "QT-05").strip() == library.get("qt-05-xem-xet-lanh-dao").body.strip()


def test_an_edit_in_the_visual_editor_keeps_the_house_style_of_the_source(page, app):
    """Once the person changes something, the Markdown comes from Toast UI, tidied
    (static/editor.js): the source diff then shows the change, not Toast UI's style."""
    sign_in(page, "stp.soanthao")
    page.goto(REGISTER + "new?template=qt-05-xem-xet-lanh-dao")
    paragraph = page.locator(".toastui-editor-ww-container p").first
    paragraph.click()
    page.keyboard.press("End")
    page.keyboard.type(" Bổ sung.")
    page.get_by_role("button", name="Tạo dự thảo").click()
    expect(page.get_by_text("Đã tạo dự thảo QT-05.")).to_be_visible()
    stored = stored_body(app, "QT-05")
    template = library.get("qt-05-xem-xet-lanh-dao").body
    assert "Bổ sung." in stored
    assert "## 1. Mục đích" in stored and "## 4. Định nghĩa, viết tắt" in stored
    assert "\n- TCVN ISO 9001:2015, điều 9.3." in stored
    delimiter_rows = [line for line in stored.splitlines() if line.startswith("|-")]
    assert delimiter_rows == [line for line in template.splitlines() if line.startswith("|-")]
