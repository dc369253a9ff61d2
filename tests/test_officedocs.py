"""Word and Excel exports in the official layout (issue 12, export half), checked the way
a person checks a file: downloaded through the pages and the API by the people who may
(and may not) read it, opened with python-docx and openpyxl, and rendered to PDF by
LibreOffice, whose pages are measured (A4, margins, page numbers, fonts) and read.

LibreOffice starts slowly, so every export is rendered in one `soffice` run per module.
Without `soffice` the PDF checks are skipped with a message, unless
ISODOC_REQUIRE_LIBREOFFICE=1 (set by .ci/run), where its absence fails.

Times New Roman is not free software: on Debian, fontconfig gives LibreOffice its
metric-compatible clone Liberation Serif for it, so either name is accepted in the PDF;
a theme font left in a style would come out as Carlito/Caladea or DejaVu instead."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from docx import Document as Docx
from docx.oxml.ns import qn
from openpyxl import load_workbook
from sqlalchemy import select

from isodoc.officedocs import layout
from isodoc.officedocs import markdown as md_docx
from tests.conftest import PASSWORD, login
from tests.security.conftest import reset_everything

AGENCY, OTHER = "so-tu-phap", "dbp-him-lam"
D = f"/agencies/{AGENCY}/documents"
RICH_BODY = """# 1. Mục đích

Quy định **cách thức** tiếp nhận hồ sơ *trực tuyến* của cơ quan.

# 2. Nội dung quy trình

## 2.1. Các bước chính

1. Tiếp nhận hồ sơ
2. Kiểm tra tính **đầy đủ**
   - Hồ sơ giấy
   - Hồ sơ điện tử
3. Trả kết quả

Các bước tiếp theo:

5. Lưu hồ sơ
6. Báo cáo định kỳ

## 2.2. Lưu đồ

| Bước | Nội dung công việc | Trách nhiệm | Thời gian |
|---|---|---|---|
""" + "".join(f"| B{n} | Công việc số {n} của quy trình mẫu | Công chức {n} | {n} ngày |\n"
              for n in range(1, 61)) + """
### 2.3. Ghi chú

Đoạn kết thúc với *chữ nghiêng* và **chữ đậm**.
"""
RICH_HEADINGS = ["1. Mục đích", "2. Nội dung quy trình", "2.1. Các bước chính",
                 "2.2. Lưu đồ", "2.3. Ghi chú"]
FORMULA_TITLE = "=HYPERLINK(\"http://x.invalid\";\"bấm\") quy trình"


@dataclass
class World:
    slugs: dict[str, str] = field(default_factory=dict)
    seqs: dict[str, int] = field(default_factory=dict)
    shas: dict[str, str] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    audit: int = 0
    declaration: int = 0


@pytest.fixture(autouse=True)
def empty_tables() -> None:
    """The module keeps its one world (overrides tests/conftest.py's emptying)."""


@pytest.fixture(scope="module")
def world(app) -> World:
    """The demo province (QT-01 of the Sở Tư pháp has three issued revisions), a draft
    with every kind of Markdown the converter handles, and one whose title is a formula."""
    from isodoc import demo
    from isodoc.agencies.services import get_by_code
    from isodoc.audits.models import Audit
    from isodoc.auth import services as auth
    from isodoc.documents import services as docs
    from isodoc.documents.models import Document, DocumentKind
    from isodoc.extensions import db
    from isodoc.policy import SYSTEM

    reset_everything(app)
    w = World()
    with app.app_context():
        demo.seed(PASSWORD)
        agency, author = get_by_code(AGENCY), auth.get_user("stp.soanthao")
        rich = docs.create_document(agency, author, "QT-77", docs.DocumentFields(
            "Quy trình tiếp nhận hồ sơ trực tuyến", DocumentKind.INTERNAL,
            iso_clauses="8.2"), RICH_BODY)
        formula = docs.create_document(agency, author, "QT-78", docs.DocumentFields(
            FORMULA_TITLE, DocumentKind.INTERNAL), "Nội dung.")
        qt01 = db.session.scalar(select(Document).where(Document.agency_id == agency.id,
                                                        Document.code == "QT-01"))
        qt03 = db.session.scalar(select(Document).where(Document.agency_id == agency.id,
                                                        Document.code == "QT-03"))
        docs.request_withdrawal(qt03, auth.get_user("stp.thuky"), "Không còn áp dụng")
        docs.decide_withdrawal(qt03, auth.get_user("stp.lanhdao"), True)
        issued = docs.issued(qt01)
        current = docs.in_force(qt01)
        w.slugs.update(rich=rich.document.slug, formula=formula.document.slug, qt01=qt01.slug)
        w.seqs["rich"] = rich.seq
        w.shas.update(rich=rich.head_sha, qt01_current=current.commit_sha)
        w.numbers.update(current=current.number, superseded=issued[0].number)
        for name in ("stp.soanthao", "stp.congchuc", "himlam.soanthao"):
            w.tokens[name] = auth.create_token(auth.get_user(name), SYSTEM, "xuất Word")
        w.audit = db.session.scalar(select(Audit.id).where(Audit.agency_id == agency.id,
                                                           Audit.state == "completed"))
        from isodoc.declarations.models import Declaration

        w.declaration = db.session.scalar(select(Declaration.id).where(
            Declaration.agency_id == agency.id))
        db.session.commit()
    assert w.numbers["current"] > w.numbers["superseded"], "the demo's QT-01 has revisions"
    return w


@pytest.fixture(scope="module")
def person(app, world):
    clients = {}

    def client(username: str):
        if username not in clients:
            c = app.test_client()
            assert login(c, username).status_code == 302
            clients[username] = c
        return clients[username]

    return client


def docx_of(response) -> Docx:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == layout.DOCX_MIMETYPE
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return Docx(io.BytesIO(response.data))


@pytest.fixture(scope="module")
def files(world, person) -> dict[str, bytes]:
    """Every export, downloaded as the people who print them would."""
    reader, author = person("stp.congchuc"), person("stp.soanthao")
    out = {
        "in_force": reader.get(f"{D}/{world.slugs['qt01']}/revisions/"
                               f"{world.numbers['current']}/export.docx"),
        # issued text is open to the whole province: another agency's reader prints it too
        "superseded": person("himlam.congchuc").get(
            f"{D}/{world.slugs['qt01']}/revisions/{world.numbers['superseded']}/export.docx"),
        # a withdrawn document's last revision is no longer in force either
        "withdrawn": reader.get(f"{D}/qt-03/revisions/1/export.docx"),
        "draft": author.get(f"{D}/{world.slugs['rich']}/drafts/{world.seqs['rich']}"
                            "/export.docx"),
        "register": person("stp.thuky").get(f"{D}/export.docx"),
        "audit": person("stp.thuky").get(f"/agencies/{AGENCY}/audits/{world.audit}"
                                         "/report.docx"),
        # the demo's conformity declaration: the decision and its notice to the Sở
        "decision": reader.get(f"/agencies/{AGENCY}/declarations/{world.declaration}"
                               "/decision.docx"),
        "notice": reader.get(f"/agencies/{AGENCY}/declarations/{world.declaration}"
                             "/notice.docx"),
    }
    for name, response in out.items():
        assert response.status_code == 200, (name, response.status_code)
    return {name: response.data for name, response in out.items()}


# -- Word, read with python-docx --------------------------------------------------------

def header_texts(doc: Docx) -> tuple[str, str]:
    section = doc.sections[0]
    return ("\n".join(p.text for p in section.first_page_header.paragraphs),
            "\n".join(p.text for p in section.header.paragraphs))


def assert_official_layout(doc: Docx, landscape: bool = False) -> None:
    section = doc.sections[0]
    width, height = (layout.PAGE_HEIGHT, layout.PAGE_WIDTH) if landscape else \
        (layout.PAGE_WIDTH, layout.PAGE_HEIGHT)
    assert (round(section.page_width.mm), round(section.page_height.mm)) == \
        (round(width.mm), round(height.mm))
    mm = [round(v / 36000) for v in (section.top_margin, section.bottom_margin,
                                     section.left_margin, section.right_margin)]
    assert 20 <= mm[0] <= 25 and 20 <= mm[1] <= 25 and 30 <= mm[2] <= 35 and 15 <= mm[3] <= 20
    styles = doc.styles.element
    assert not [a for f in styles.iter(qn("w:rFonts")) for a in f.attrib
                if a.endswith("Theme")], "a theme font is left in styles.xml"
    assert not list(styles.iter(qn("w:color"))) or all(
        c.get(qn("w:val")) in ("000000", "auto") for c in styles.iter(qn("w:color")))
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    fonts = defaults.find(qn("w:rPr")).find(qn("w:rFonts"))
    assert {fonts.get(qn(f"w:{s}")) for s in ("ascii", "hAnsi", "eastAsia", "cs")} == \
        {"Times New Roman"}
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt in (13, 14)
    assert normal.paragraph_format.alignment == 3  # justified
    assert normal.paragraph_format.first_line_indent > 0
    # page numbers from page 2: a different first page, a PAGE field in the other header
    assert section.different_first_page_header_footer
    assert "PAGE" in "".join(t.text for t in section.header._element.iter(qn("w:instrText")))
    assert not list(section.first_page_header._element.iter(qn("w:instrText")))
    # page 1: the agency and the national motto
    head = "\n".join(c.text for c in doc.tables[0].rows[0].cells)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in head and "Độc lập - Tự do - Hạnh phúc" in head


def test_revision_docx_in_force_and_superseded(app, world, files):
    doc = Docx(io.BytesIO(files["in_force"]))
    assert_official_layout(doc)
    head = doc.tables[0].rows[0].cells[0].text
    assert "UBND TỈNH ĐIỆN BIÊN" in head and "SỞ TƯ PHÁP" in head  # under its parent
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "QUY TRÌNH" in text and "KIỂM SOÁT THÔNG TIN DẠNG VĂN BẢN" in text
    assert "Mã hiệu: QT-01" in text and f"Lần ban hành: {world.numbers['current']}" in text
    assert re.search(r"Ngày hiệu lực: \d\d/\d\d/\d{4}", text)
    sign = doc.tables[1]
    assert [c.text for c in sign.rows[0].cells] == ["", "Soạn thảo", "Xem xét", "Phê duyệt"]
    assert [r.cells[0].text for r in sign.rows] == ["", "Họ và tên", "Chức vụ", "Chữ ký",
                                                    "Ngày"]
    assert all(c.text for c in sign.rows[1].cells[1:]), "every sign-off has a name"
    assert sign.rows[2].cells[3].text == "Giám đốc Sở"  # the approver's recorded chức vụ
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", c.text.split("\n")[0])
               for c in sign.rows[4].cells[1:])
    changes = doc.tables[2]
    assert [r.cells[0].text for r in changes.rows[1:]] == \
        [str(n) for n in range(1, world.numbers["current"] + 1)]
    assert changes.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    # the body: real headings, tables whose header row repeats
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "1. Mục đích" in headings and "5. Nội dung quy trình" in headings
    assert doc.paragraphs[-1].text or True
    body_tables = doc.tables[3:]
    assert body_tables and all(t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
                               for t in body_tables)
    assert header_texts(doc) == ("", "2")  # nothing marks a revision in force
    props = layout.custom_properties(doc)
    assert props == {"isodoc-code": "QT-01", "isodoc-revision": str(world.numbers["current"]),
                     "isodoc-base": world.shas["qt01_current"], "isodoc-agency": AGENCY}

    withdrawn = Docx(io.BytesIO(files["withdrawn"]))
    assert all("ĐÃ HẾT HIỆU LỰC" in h for h in header_texts(withdrawn))

    old = Docx(io.BytesIO(files["superseded"]))
    first, other = header_texts(old)
    assert "ĐÃ HẾT HIỆU LỰC" in first and "ĐÃ HẾT HIỆU LỰC" in other  # every page
    assert "Tình trạng: Đã hết hiệu lực" in "\n".join(p.text for p in old.paragraphs)
    assert [r.cells[0].text for r in old.tables[2].rows[1:]] == \
        [str(world.numbers["superseded"])]  # the history as it stood then


def numbering_of(doc: Docx, paragraph) -> tuple[int, str, int]:
    """(level, number format, start) of a numbered paragraph, from numbering.xml."""
    num_pr = paragraph._p.pPr.numPr
    level, num_id = num_pr.ilvl.val, num_pr.numId.val
    root = doc.part.numbering_part.element
    num = next(n for n in root.findall(qn("w:num")) if int(n.get(qn("w:numId"))) == num_id)
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = next(a for a in root.findall(qn("w:abstractNum"))
                    if a.get(qn("w:abstractNumId")) == abstract_id)
    lvl = next(v for v in abstract.findall(qn("w:lvl")) if int(v.get(qn("w:ilvl"))) == level)
    return (level, lvl.find(qn("w:numFmt")).get(qn("w:val")),
            int(lvl.find(qn("w:start")).get(qn("w:val"))))


def test_draft_docx_converts_the_markdown(app, world, files, person):
    doc = Docx(io.BytesIO(files["draft"]))
    assert_official_layout(doc)
    first, other = header_texts(doc)
    assert "DỰ THẢO" in first and "DỰ THẢO" in other
    styles = {p.text: p.style.name for p in doc.paragraphs}
    assert [styles[h] for h in RICH_HEADINGS] == ["Heading 1", "Heading 1", "Heading 2",
                                                  "Heading 2", "Heading 3"]
    paragraphs = {p.text: p for p in doc.paragraphs}
    assert [numbering_of(doc, paragraphs[t]) for t in
            ("Tiếp nhận hồ sơ", "Hồ sơ giấy", "Trả kết quả", "Lưu hồ sơ")] == [
        (0, "decimal", 1), (1, "bullet", 1), (0, "decimal", 1), (0, "decimal", 5)]
    one = paragraphs["Tiếp nhận hồ sơ"]._p.pPr.numPr.numId.val
    assert paragraphs["Trả kết quả"]._p.pPr.numPr.numId.val == one  # the same list
    assert paragraphs["Lưu hồ sơ"]._p.pPr.numPr.numId.val != one    # its own, from 5
    runs = {r.text: r for r in paragraphs["Quy định cách thức tiếp nhận hồ sơ trực tuyến "
                                          "của cơ quan."].runs}
    assert runs["cách thức"].bold and runs["trực tuyến"].italic and not runs["Quy định "].bold
    flow = doc.tables[-1]
    assert len(flow.rows) == 61 and flow.style.name == "Table Grid"
    assert [c.text for c in flow.rows[0].cells] == ["Bước", "Nội dung công việc",
                                                    "Trách nhiệm", "Thời gian"]
    assert flow.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(r.bold for c in flow.rows[0].cells for r in c.paragraphs[0].runs)
    assert flow.rows[60].cells[1].text == "Công việc số 60 của quy trình mẫu"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Lần ban hành: 1 (dự thảo 1)" in text and "chưa ban hành" in text
    # the edit-in-Word upload reads where the file came from
    assert layout.custom_properties(doc) == {
        "isodoc-code": "QT-77", "isodoc-revision": f"d{world.seqs['rich']}",
        "isodoc-base": world.shas["rich"], "isodoc-agency": AGENCY}
    page = person("stp.soanthao").get(f"{D}/{world.slugs['rich']}/drafts/{world.seqs['rich']}")
    assert "Tải về để sửa bằng Word" in page.get_data(as_text=True)


def test_api_exports_with_the_read_permissions_of_the_pages(app, world):
    client = app.test_client()

    def get(path: str, who: str | None):
        headers = {"Authorization": f"Bearer {world.tokens[who]}"} if who else {}
        return client.get(f"/api/v1/agencies/{AGENCY}/documents/{path}", headers=headers)

    revision = f"QT-01/revisions/{world.numbers['superseded']}/export.docx"
    draft = f"{world.slugs['rich']}/drafts/{world.seqs['rich']}/export.docx"
    doc = docx_of(get(revision, "himlam.soanthao"))
    assert layout.custom_properties(doc)["isodoc-revision"] == str(world.numbers["superseded"])
    assert layout.custom_properties(docx_of(get(draft, "stp.soanthao")))["isodoc-base"] == \
        world.shas["rich"]
    assert get(draft, "stp.congchuc").status_code == 403      # a reader sees no drafts
    assert get(draft, "himlam.soanthao").status_code == 403   # nor another agency's staff
    assert get(draft, None).status_code == 401
    assert get("QT-01/revisions/99/export.docx", "stp.congchuc").status_code == 404
    spec = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert layout.DOCX_MIMETYPE in spec["/api/v1/agencies/{agency_code}/documents/{ref}/"
                                        "revisions/{number}/export.docx"]["get"][
        "responses"]["200"]["content"]


def test_pages_refuse_drafts_to_those_who_cannot_see_them(world, person):
    url = f"{D}/{world.slugs['rich']}/drafts/{world.seqs['rich']}/export.docx"
    assert person("stp.congchuc").get(url).status_code == 403
    assert person("himlam.soanthao").get(url).status_code == 403
    assert person("stp.danhgia").get(url).status_code == 200  # the agency's staff
    show = person("stp.congchuc").get(f"{D}/{world.slugs['qt01']}").get_data(as_text=True)
    assert f"revisions/{world.numbers['current']}/export.docx" in show
    history = person("himlam.congchuc").get(f"{D}/{world.slugs['qt01']}/history")
    assert f"revisions/{world.numbers['superseded']}/export.docx" in history.get_data(
        as_text=True)
    register = person("stp.congchuc").get(f"{D}/?kind=internal").get_data(as_text=True)
    assert "export.docx?kind=internal" in register and "export.xlsx?kind=internal" in register


def test_register_as_word_and_excel(world, person, files):
    doc = Docx(io.BytesIO(files["register"]))
    assert_official_layout(doc, landscape=True)
    table = doc.tables[-1]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    codes = [r.cells[1].text for r in table.rows[1:]]
    assert "QT-01" in codes and "QT-77" in codes  # the secretary sees the agency's drafts
    assert "DANH MỤC TÀI LIỆU NỘI BỘ" in "\n".join(p.text for p in doc.paragraphs)
    # another agency's staff: issued documents only
    theirs = docx_of(person("himlam.soanthao").get(f"{D}/export.docx"))
    assert "QT-01" in [r.cells[1].text for r in theirs.tables[-1].rows[1:]]
    assert "QT-77" not in [r.cells[1].text for r in theirs.tables[-1].rows[1:]]

    response = person("stp.thuky").get(f"{D}/export.xlsx?kind=internal")
    assert response.status_code == 200 and response.mimetype == layout.XLSX_MIMETYPE
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    assert rows[0][:3] == ["TT", "Mã hiệu", "Tên tài liệu"]
    by_code = {r[1]: r for r in rows[1:]}
    assert "QT-01" in by_code and all(r[3] == "Quy trình nội bộ" for r in rows[1:])
    assert by_code["QT-78"][2] == "'" + FORMULA_TITLE  # never a formula
    assert all(not str(c.value).startswith("=") for row in sheet.iter_rows() for c in row
               if c.value is not None)
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4 and \
        sheet.page_setup.orientation == "landscape"


def test_print_view_follows_the_layout(world, person, app):
    page = person("stp.congchuc").get(f"{D}/{world.slugs['qt01']}/revisions/"
                                      f"{world.numbers['superseded']}?print=1")
    html = page.get_data(as_text=True)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and "Độc lập - Tự do - Hạnh phúc" in html
    assert "BẢNG THEO DÕI SỬA ĐỔI" in html and "Họ và tên" in html
    assert 'class="obsolete"' in html and "ĐÃ HẾT HIỆU LỰC" in html
    css = person("stp.congchuc").get("/static/print.css").get_data(as_text=True)
    assert "size: A4 portrait; margin: 20mm 15mm 20mm 30mm" in css


def test_audit_report_uses_the_same_layout(files):
    doc = Docx(io.BytesIO(files["audit"]))
    assert_official_layout(doc)
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "1. Thông tin chung" and headings[-1] == "5. Kết luận"
    assert doc.styles["Heading 1"].font.color.rgb in (None, layout.RGBColor(0, 0, 0))


def test_declaration_decision_and_notice_use_the_same_layout(files):
    for name, title in (("decision", "QUYẾT ĐỊNH"), ("notice", "THÔNG BÁO")):
        doc = Docx(io.BytesIO(files[name]))
        assert_official_layout(doc)
        texts = [p.text for p in doc.paragraphs]
        assert title in texts and "PHẠM VI ÁP DỤNG HỆ THỐNG QUẢN LÝ CHẤT LƯỢNG" in texts
        # the signature block: "Nơi nhận" on the left, the signer on the right
        foot = next(t for t in doc.tables if "Nơi nhận:" in t.rows[0].cells[0].text)
        assert "GIÁM ĐỐC" in foot.rows[0].cells[1].text
        assert layout.custom_properties(doc)["isodoc-declaration"] == "125/QĐ-STP"


def test_markdown_conversion_is_bounded(app):
    """A body at the size limit with a huge table: the work handed to python-docx is
    capped (cells, columns), and the cut is said in the document."""
    wide = "| " + " | ".join(f"c{i}" for i in range(40)) + " |\n" + \
        "|" + "---|" * 40 + "\n" + ("| " + " | ".join("x" for _ in range(40)) + " |\n") * 400
    doc = layout.new_document()
    md_docx.write_body(doc, wide)
    doc = Docx(io.BytesIO(layout.save(doc)))
    table = doc.tables[0]
    assert len(table.columns) == md_docx.MAX_TABLE_COLUMNS
    assert len(table.rows) * len(table.columns) <= md_docx.MAX_TABLE_CELLS
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "quá nhiều cột" in text and "Bảng quá lớn" in text


# -- rendered by LibreOffice ------------------------------------------------------------

RENDERED = ("in_force", "superseded", "draft", "register", "audit", "decision", "notice")


@pytest.fixture(scope="module")
def pdfs(files, tmp_path_factory) -> dict[str, object]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("ISODOC_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("ISODOC_REQUIRE_LIBREOFFICE=1 but soffice is not installed")
        pytest.skip("LibreOffice (soffice) is not installed: `apt-get install "
                    "libreoffice-writer-nogui` to render the exports to PDF")
    from pypdf import PdfReader

    folder = tmp_path_factory.mktemp("pdf")
    paths = []
    for name in RENDERED:
        path = folder / f"{name}.docx"
        path.write_bytes(files[name])
        paths.append(str(path))
    profile = folder / "profile"  # its own profile: another soffice may be running
    done = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(folder), *paths],
        capture_output=True, timeout=180, check=False)
    out = {}
    for name in RENDERED:
        pdf = Path(folder / f"{name}.pdf")
        assert pdf.exists(), f"LibreOffice did not render {name}: {done.stderr[-500:]!r}"
        out[name] = PdfReader(str(pdf))
    return out


def positions(page) -> list[tuple[str, float, float]]:
    """(text, x, y) of every piece of text drawn on the page (PDF points, origin bottom
    left)."""
    found: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():  # the text matrix's origin through the current matrix
            found.append((text.strip(), tm[4] * cm[0] + tm[5] * cm[2] + cm[4],
                          tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    return found


def fonts(reader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return names


def text_of(reader) -> str:
    text = unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages))
    return re.sub(r"\s+", " ", text)


MM = 72 / 25.4
SERIF = re.compile(r"^(TimesNewRoman|Times-New-Roman|LiberationSerif)"
                   r"(PS)?(-|,)?(Bold|Italic|BoldItalic|BoldMT|MT|ItalicMT|BoldItalicMT)?$")


@pytest.mark.parametrize("name, landscape, pages", [
    ("in_force", False, (2, 5)), ("superseded", False, (2, 5)), ("draft", False, (3, 6)),
    ("register", True, (1, 3)), ("audit", False, (2, 8)), ("decision", False, (2, 4)),
    ("notice", False, (2, 4))])
def test_exports_print_on_a4_with_the_official_margins(pdfs, name, landscape, pages):
    reader = pdfs[name]
    assert pages[0] <= len(reader.pages) <= pages[1], f"{name}: {len(reader.pages)} pages"
    width, height = (842, 595) if landscape else (595, 842)
    for page in reader.pages:
        box = page.mediabox
        assert abs(float(box.width) - width) < 2 and abs(float(box.height) - height) < 2
    used = fonts(reader)
    assert used and all(SERIF.match(f) for f in used), f"{name}: fonts {used}"
    assert any("Bold" in f for f in used) and any("Bold" not in f for f in used)
    top, bottom, left = height - 20 * MM, 20 * MM, 30 * MM
    for number, page in enumerate(reader.pages, start=1):
        found = positions(page)
        marks = {"ĐÃ HẾT HIỆU LỰC", "DỰ THẢO", str(number)}
        body = [(t, x, y) for t, x, y in found if t not in marks]
        assert all(y <= top for _, _, y in body), f"{name} p{number}: text above the margin"
        assert all(y >= bottom for _, _, y in body), f"{name} p{number}: below the margin"
        assert min(x for _, x, _ in body) >= left - 1, f"{name} p{number}: left margin"
        numbers = [(x, y) for t, x, y in found if t == str(number) and y > top]
        if number == 1:
            assert not numbers, f"{name}: page 1 carries no number"
        else:  # centred between the margins: the centre of the text area is the page's
            # centre moved by half the difference of the left and right margins
            centre = (30 * MM + width - 15 * MM) / 2
            assert numbers and abs(numbers[0][0] + 3.25 - centre) < 4, \
                f"{name} p{number}: page number at {numbers}, centre {centre:.1f}"
        if name == "superseded":
            assert "ĐÃ HẾT HIỆU LỰC" in [t for t, _, _ in found], f"page {number} unmarked"
        if name == "draft":
            assert "DỰ THẢO" in [t for t, _, _ in found], f"page {number} unmarked"
    if not landscape:  # the left edge of the body text is the left margin, not beyond it
        assert any(abs(x - left) < 2 for _, x, _ in positions(reader.pages[1])), name


def test_every_section_is_in_the_pdf(pdfs, world):
    cover = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
             "SỞ TƯ PHÁP", "QUY TRÌNH", "Mã hiệu: QT-01", "Soạn thảo Xem xét Phê duyệt",
             "Họ và tên", "Chức vụ", "Chữ ký", "BẢNG THEO DÕI SỬA ĐỔI"]
    text = text_of(pdfs["in_force"])
    body = Path(__file__).parents[1].joinpath("procedures", "qt-01-kiem-soat-tai-lieu.md")
    headings = re.findall(r"^#+ (.+)$", body.read_text(encoding="utf-8"), re.M)
    for wanted in [*cover, *headings, "Danh mục tài liệu nội bộ, bên ngoài",
                   f"Lần ban hành: {world.numbers['current']}"]:
        assert wanted in text, f"in force: {wanted!r} missing"
    draft = text_of(pdfs["draft"])
    for wanted in [*RICH_HEADINGS, "Tiếp nhận hồ sơ", "Hồ sơ điện tử", "Lưu hồ sơ",
                   "Công việc số 1 của quy trình mẫu", "Công việc số 60 của quy trình mẫu",
                   "Đoạn kết thúc với chữ nghiêng và chữ đậm."]:
        assert wanted in draft, f"draft: {wanted!r} missing"
    # the flow table spans pages, and its header row is printed again on the next one
    assert draft.count("Nội dung công việc") >= 2
    register = text_of(pdfs["register"])
    assert "DANH MỤC TÀI LIỆU NỘI BỘ" in register and "QT-77" in register
    audit = text_of(pdfs["audit"])
    assert "BÁO CÁO" in audit and "5. Kết luận" in audit
