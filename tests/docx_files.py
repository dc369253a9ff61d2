"""Word files for the import tests, built with python-docx (real-looking procedures)
and by hand at the zip level (hostile ones)."""

from __future__ import annotations

import io
import struct
import zipfile

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def bold(document, text: str):
    paragraph = document.add_paragraph()
    paragraph.add_run(text).bold = True
    return paragraph


def custom_properties(data: bytes, props: dict[str, str]) -> bytes:
    """docProps/custom.xml with these string properties (what the export writes)."""
    items = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{i}" name="{k}">'
        f"<vt:lpwstr>{v}</vt:lpwstr></property>" for i, (k, v) in enumerate(props.items(), 2))
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
           'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
           f'2006/docPropsVTypes">{items}</Properties>')
    return replace_parts(data, {"docProps/custom.xml": xml.encode()})


def control_block(document, code="QT-07", edition="02", day="15/03/2023",
                  title="KIỂM SOÁT HỒ SƠ"):
    """Page 1 as agencies print it: motto, QUY TRÌNH and the title, the code table and
    the sign-off table."""
    document.add_paragraph("SỞ TƯ PHÁP TỈNH ĐIỆN BIÊN")
    document.add_paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    document.add_paragraph("Độc lập - Tự do - Hạnh phúc")
    bold(document, "QUY TRÌNH")
    bold(document, title)
    table = document.add_table(rows=3, cols=1)
    table.cell(0, 0).text = f"Mã hiệu: {code}"
    table.cell(1, 0).text = f"Lần ban hành: {edition}"
    table.cell(2, 0).text = f"Ngày ban hành: {day}"
    sign = document.add_table(rows=4, cols=4)
    for i, text in enumerate(["", "Soạn thảo", "Xem xét", "Phê duyệt"]):
        sign.cell(0, i).text = text
    for i, text in enumerate(["Chữ ký", "", "", ""]):
        sign.cell(1, i).text = text
    for i, text in enumerate(["Họ tên", "Trần Văn Bình", "Đỗ Minh Tâm", "Phạm Quốc Hùng"]):
        sign.cell(2, i).text = text
    for i, text in enumerate(["Chức vụ", "Chuyên viên", "Trưởng phòng", "Giám đốc"]):
        sign.cell(3, i).text = text


def real_procedure(code="QT-07", title="KIỂM SOÁT HỒ SƠ", extra: str = "") -> bytes:
    """A procedure as agencies write them: the control block, bold numbered Normal
    paragraphs as headings, a numbered list, a flow table with merged cells."""
    document = Document()
    control_block(document, code=code, title=title)
    bold(document, "1. MỤC ĐÍCH")
    document.add_paragraph("Quy định cách thức lưu trữ và bảo quản hồ sơ " + extra)
    bold(document, "2. PHẠM VI")
    document.add_paragraph("Áp dụng cho các phòng chuyên môn.")
    bold(document, "3. TÀI LIỆU VIỆN DẪN")
    document.add_paragraph("TCVN ISO 9001:2015", style="List Number")
    document.add_paragraph("Luật Lưu trữ 2011", style="List Number")
    bold(document, "5. NỘI DUNG QUY TRÌNH")
    bold(document, "5.1. Lưu đồ")
    paragraph = document.add_paragraph("Bước ")
    paragraph.add_run("quan trọng").italic = True
    paragraph.add_run(" phải ")
    paragraph.add_run("ký nhận").bold = True
    paragraph.add_run(".")
    table = document.add_table(rows=4, cols=3)
    for i, text in enumerate(["Bước", "Nội dung", "Trách nhiệm"]):
        table.cell(0, i).text = text
    table.cell(1, 0).text = "B1"
    table.cell(1, 1).text = "Tiếp nhận hồ sơ"
    merged = table.cell(1, 2).merge(table.cell(2, 2))  # one person, two steps
    merged.text = "Văn thư"
    table.cell(2, 0).text = "B2"
    table.cell(2, 1).text = "Vào sổ"
    wide = table.cell(3, 0).merge(table.cell(3, 2))
    wide.text = "Kết thúc"
    return save(document)


def simple_structure() -> bytes:
    """What the export writes for a simple Markdown body: Heading 1–3, List Number,
    List Bullet, a table, bold and italic."""
    document = Document()
    _simple_body(document)
    return save(document)


def _simple_body(document) -> None:
    document.add_heading("1. Mục đích", level=1)
    paragraph = document.add_paragraph("Văn bản có ")
    paragraph.add_run("chữ đậm").bold = True
    paragraph.add_run(" và ")
    paragraph.add_run("chữ nghiêng").italic = True
    paragraph.add_run(".")
    document.add_heading("5.1. Bước thực hiện", level=2)
    document.add_paragraph("Bước một", style="List Number")
    document.add_paragraph("Bước hai", style="List Number")
    document.add_heading("5.1.1. Chi tiết", level=3)
    document.add_paragraph("Ý một", style="List Bullet")
    document.add_paragraph("Ý hai", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "TT", "Tên"
    table.cell(1, 0).text, table.cell(1, 1).text = "1", "Sổ theo dõi"


def export_like(code: str = "QT-05", title: str = "XEM XÉT CỦA LÃNH ĐẠO",
                intro: str = "") -> bytes:
    """Page 1 as the export writes it (header table, kind and title, the facts as
    "label: value" lines, the sign-off table, the change table under its caption), a
    page break, then the simple structure (optionally after an intro paragraph)."""
    document = Document()
    header = document.add_table(rows=1, cols=2)
    header.cell(0, 0).text = "UBND TỈNH ĐIỆN BIÊN\nSỞ TƯ PHÁP"
    header.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    document.add_paragraph()
    bold(document, "QUY TRÌNH")
    bold(document, title)
    for label, value in (("Mã hiệu", code), ("Lần ban hành", "1 (dự thảo 1)"),
                         ("Ngày hiệu lực", "chưa ban hành")):
        paragraph = document.add_paragraph(f"{label}: ")
        paragraph.add_run(value).bold = True
    sign = document.add_table(rows=5, cols=4)
    for r, row in enumerate([["", "Soạn thảo", "Xem xét", "Phê duyệt"],
                             ["Họ và tên", "Trần Văn Bình", "", ""],
                             ["Chức vụ", "Người soạn thảo", "", ""], ["Chữ ký", "", "", ""],
                             ["Ngày", "26/11/2026", "", ""]]):
        for c, value in enumerate(row):
            sign.cell(r, c).text = value
    bold(document, "BẢNG THEO DÕI SỬA ĐỔI")
    changes = document.add_table(rows=2, cols=5)
    for c, value in enumerate(["Lần ban hành", "Ngày hiệu lực", "Vị trí sửa đổi",
                               "Nội dung sửa đổi", "Căn cứ, lý do"]):
        changes.cell(0, c).text = value
    changes.cell(1, 0).text = "1"
    changes.cell(1, 3).text = "Ban hành lần đầu"
    document.add_page_break()
    if intro:
        document.add_paragraph(intro)
    _simple_body(document)
    return save(document)


def numbered_headings() -> bytes:
    """Headings numbered by Word (numbering.xml), not typed: the numbers come back."""
    document = Document()
    numbering = document.part.numbering_part.element
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), "90")
    for level, text in ((0, "%1."), (1, "%1.%2.")):
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), str(level))
        for tag, value in (("w:start", "1"), ("w:numFmt", "decimal"), ("w:lvlText", text)):
            el = OxmlElement(tag)
            el.set(qn("w:val"), value)
            lvl.append(el)
        abstract.append(lvl)
    numbering.insert(0, abstract)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), "90")
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), "90")
    num.append(ref)
    numbering.append(num)

    def numbered(text: str, level: int):
        paragraph = bold(document, text)
        ppr = paragraph._p.get_or_add_pPr()
        numpr = OxmlElement("w:numPr")
        for tag, value in (("w:ilvl", str(level)), ("w:numId", "90")):
            el = OxmlElement(tag)
            el.set(qn("w:val"), value)
            numpr.append(el)
        ppr.append(numpr)

    numbered("MỤC ĐÍCH", 0)
    document.add_paragraph("Nội dung mục đích.")
    numbered("PHẠM VI", 0)
    document.add_paragraph("Nội dung phạm vi.")
    numbered("Chi tiết phạm vi", 1)
    document.add_paragraph("Nội dung chi tiết.")
    return save(document)


def with_tracked_changes() -> bytes:
    """One inserted word ("mới") and one deleted ("cũ"), as Word records them."""
    document = Document()
    paragraph = document.add_paragraph("Văn bản ")
    p = paragraph._p
    ins = OxmlElement("w:ins")
    for k, v in (("w:id", "1"), ("w:author", "A"), ("w:date", "2024-01-01T00:00:00Z")):
        ins.set(qn(k), v)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "mới"
    run.append(t)
    ins.append(run)
    p.append(ins)
    delete = OxmlElement("w:del")
    for k, v in (("w:id", "2"), ("w:author", "A"), ("w:date", "2024-01-01T00:00:00Z")):
        delete.set(qn(k), v)
    run = OxmlElement("w:r")
    t = OxmlElement("w:delText")
    t.text = "cũ"
    run.append(t)
    delete.append(run)
    p.append(delete)
    return save(document)


def replace_parts(data: bytes, parts: dict[str, bytes], drop: tuple[str, ...] = (),
                  extra: dict[str, bytes] | None = None) -> bytes:
    """The same zip with some parts replaced, dropped or added (raw names allowed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        seen = set()
        for info in src.infolist():
            if info.filename in drop:
                continue
            seen.add(info.filename)
            dst.writestr(info.filename, parts.get(info.filename, src.read(info)))
        for name, value in {**{k: v for k, v in parts.items() if k not in seen},
                            **(extra or {})}.items():
            dst.writestr(name, value)
    return out.getvalue()


def plain() -> bytes:
    document = Document()
    document.add_paragraph("Nội dung.")
    return save(document)


def billion_laughs() -> bytes:
    entities = '<!ENTITY a "hahahahaha">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    xml = (f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]>'
           f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&i;</w:t></w:r></w:p>'
           "</w:body></w:document>")
    return replace_parts(plain(), {"word/document.xml": xml.encode()})


def external_entity() -> bytes:
    xml = ('<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM '
           f'"file:///etc/passwd">]><w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&x;'
           "</w:t></w:r></w:p></w:body></w:document>")
    return replace_parts(plain(), {"word/document.xml": xml.encode()})


def nested_tables(depth: int = 12) -> bytes:
    inner = "<w:p><w:r><w:t>x</w:t></w:r></w:p>"
    for _ in range(depth):
        inner = f"<w:tbl><w:tr><w:tc>{inner}<w:p/></w:tc></w:tr></w:tbl>"
    xml = f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>{inner}</w:body></w:document>'
    return replace_parts(plain(), {"word/document.xml": xml.encode()})


def zip_bomb() -> bytes:
    """A 150 MB part of zeros, deflated to about 150 KB (ratio ~1000)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        with dst.open("word/media/zeros.bin", "w") as fh:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(150):
                fh.write(chunk)
    return out.getvalue()


def zip_slip() -> bytes:
    return replace_parts(plain(), {}, extra={"../../evil.sh": b"rm -rf /"})


def macro() -> bytes:
    data = plain()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        types = z.read("[Content_Types].xml").decode()
    types = types.replace(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml")
    return replace_parts(data, {"[Content_Types].xml": types.encode()},
                         extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 100})


def missing_part() -> bytes:
    return replace_parts(plain(), {}, drop=("word/document.xml",))


def ole(streams: list[str]) -> bytes:
    """A minimal OLE2 compound file whose root holds these top-level streams: a Word
    97 file (WordDocument) or an encrypted .docx (EncryptionInfo, EncryptedPackage)."""
    sector = 512
    header = bytearray(512)
    header[0:8] = bytes.fromhex("d0cf11e0a1b11ae1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 44, 1)  # one FAT sector
    struct.pack_into("<I", header, 48, 1)  # directory starts at sector 1
    struct.pack_into("<I", header, 60, 0xFFFFFFFE)
    struct.pack_into("<I", header, 68, 0xFFFFFFFE)
    difat = [0] + [0xFFFFFFFF] * 108
    struct.pack_into("<109I", header, 76, *difat)
    fat = [0xFFFFFFFD, 0xFFFFFFFE] + [0xFFFFFFFF] * (sector // 4 - 2)
    entries = []

    def entry(name: str, kind: int, left=0xFFFFFFFF, right=0xFFFFFFFF, child=0xFFFFFFFF):
        raw = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        raw[0:len(encoded)] = encoded
        struct.pack_into("<HB", raw, 64, len(encoded), kind)
        struct.pack_into("<III", raw, 68, left, right, child)
        return bytes(raw)

    entries.append(entry("Root Entry", 5, child=1 if streams else 0xFFFFFFFF))
    for i, name in enumerate(streams, 1):
        entries.append(entry(name, 2, right=i + 1 if i < len(streams) else 0xFFFFFFFF))
    directory = b"".join(entries).ljust(sector * ((len(entries) * 128 + sector - 1) // sector),
                                        b"\0")
    fat_bytes = struct.pack(f"<{sector // 4}I", *fat)
    return bytes(header) + fat_bytes + directory


def png() -> bytes:
    """A 1×1 PNG."""
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0\xff\x00\x00")) + chunk(b"IEND", b""))


def with_image_and_object() -> bytes:
    """A picture and an embedded workbook (a form kept as an OLE object)."""
    document = Document()
    document.add_heading("1. Lưu đồ", level=1)
    document.add_picture(io.BytesIO(png()))
    document.add_paragraph("Sau hình.")
    return replace_parts(save(document), {}, extra={
        "word/embeddings/Microsoft_Excel_Worksheet1.xlsx": b"PK\x03\x04 not read"})
