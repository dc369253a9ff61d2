"""The one Word layout of every document isodoc writes (procedures, the document
register, audit reports): the administrative style of Nghị định 30/2020/NĐ-CP, Phụ lục I.

A4; margins top and bottom 20 mm, left 30 mm, right 15 mm; Times New Roman 13 pt in every
style and every script slot (ASCII, East Asian, complex script: Word picks the slot by
character, LibreOffice by script, and a theme font left in one slot shows up as Calibri or
Cambria); black headings (Word's default theme colours them blue); body text justified
with a 1 cm first-line indent; page numbers centred at the top from page 2 (a different
first-page header); the national motto block on page 1."""

# i18n: vietnamese-only (the official layout of filed documents: motto, agency, signature)

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

    from isodoc.agencies.models import Agency

FONT = "Times New Roman"
SIZE = Pt(13)
TABLE_SIZE = Pt(12)
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(20), Mm(20), Mm(30), Mm(15)
FIRST_LINE_INDENT = Mm(10)
MARK_COLOUR = RGBColor(0xC0, 0x00, 0x00)
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLE_TEXT = "Table Text"
# characters XML 1.0 cannot hold (lxml refuses them) and invisible ones (textnorm's set)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e"
                      "\u2060\u2066-\u2069\u061c\ufeff\ufffe\uffff\ud800-\udfff]")
_THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
HEADINGS = {  # level: (size, bold, italic)
    1: (Pt(13), True, False), 2: (Pt(13), True, False), 3: (Pt(13), True, True),
    4: (Pt(13), False, True), 5: (Pt(13), False, True), 6: (Pt(13), False, True),
}


def x(text: object) -> str:
    """Text as a Word run can hold it (a title or a cell written before the text
    boundaries were cleaned may carry a control character, which lxml refuses)."""
    return _NOT_XML.sub("", str(text or ""))


def new_document(*, landscape: bool = False) -> DocxDocument:
    """An empty document in the official layout (A4, margins, styles, page numbers)."""
    doc = new_docx()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (PAGE_HEIGHT, PAGE_WIDTH) if landscape \
        else (PAGE_WIDTH, PAGE_HEIGHT)
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    _styles(doc)
    return doc


def text_width(doc: DocxDocument) -> int:
    section = doc.sections[-1]
    return section.page_width - section.left_margin - section.right_margin


def _fonts(rpr) -> None:
    """Times New Roman in every script slot of a run-properties element, no theme font."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in _THEME_FONT_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)


def _styles(doc: DocxDocument) -> None:
    styles_el = doc.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr)
    for tag, value in (("w:sz", "26"), ("w:szCs", "26")):
        el = rpr.find(qn(tag))
        if el is None:
            el = OxmlElement(tag)
            rpr.append(el)
        el.set(qn("w:val"), value)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")
    # every style that names a font (theme fonts included) gets ours; no theme colours
    for fonts in styles_el.iter(qn("w:rFonts")):
        _fonts(fonts.getparent())
    for colour in list(styles_el.iter(qn("w:color"))):
        colour.getparent().remove(colour)

    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, SIZE
    _fonts(normal.element.get_or_add_rPr())
    fmt = normal.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = FIRST_LINE_INDENT
    fmt.space_before, fmt.space_after = Pt(0), Pt(6)
    fmt.line_spacing = 1.15
    fmt.widow_control = True

    for level, (size, bold, italic) in HEADINGS.items():
        style = doc.styles[f"Heading {level}"]
        style.font.name, style.font.size = FONT, size
        style.font.bold, style.font.italic = bold, italic
        style.font.color.rgb = RGBColor(0, 0, 0)
        _fonts(style.element.get_or_add_rPr())
        f = style.paragraph_format
        f.alignment = WD_ALIGN_PARAGRAPH.LEFT
        f.first_line_indent = Mm(0)
        f.space_before, f.space_after = Pt(12 if level == 1 else 6), Pt(6)
        f.keep_with_next = True

    for name in ("Header", "Footer", "List Paragraph"):
        style = doc.styles[name]
        style.font.name, style.font.size = FONT, SIZE
        style.paragraph_format.first_line_indent = Mm(0)

    table_text = doc.styles.add_style(TABLE_TEXT, 1)  # WD_STYLE_TYPE.PARAGRAPH
    table_text.base_style = normal
    table_text.font.size = TABLE_SIZE
    f = table_text.paragraph_format
    f.alignment = WD_ALIGN_PARAGRAPH.LEFT
    f.first_line_indent = Mm(0)
    f.space_before, f.space_after = Pt(2), Pt(2)
    f.line_spacing = 1.0


def style_id(doc: DocxDocument, name: str) -> str:
    """A style's id, looked up once per document (python-docx scans every style at each
    lookup by name: 5 ms a paragraph)."""
    # on the document part: `cell.part.document` is a new Document object at each call
    memo = doc.part.__dict__.setdefault("_isodoc_style_ids", {})
    if name not in memo:
        memo[name] = doc.styles[name].style_id
    return memo[name]


def styled(paragraph_: Paragraph, doc: DocxDocument, name: str) -> Paragraph:
    paragraph_._p.get_or_add_pPr().style = style_id(doc, name)
    return paragraph_


def paragraph(container, text: str = "", *, bold: bool = False, italic: bool = False,
              size: Pt | None = None, align: WD_ALIGN_PARAGRAPH | None = None,
              indent: bool = True, style: str | None = None,
              space_after: Pt | None = None) -> Paragraph:
    """One paragraph of one run. `container` is the document, a cell or a header."""
    p = container.add_paragraph()
    if style is not None:
        styled(p, _doc_of(container), style)
    if text:
        run = p.add_run(x(text))
        run.bold, run.italic = bold or None, italic or None
        if size is not None:
            run.font.size = size
    if align is not None:
        p.alignment = align
    if not indent:
        p.paragraph_format.first_line_indent = Mm(0)
    if space_after is not None:
        p.paragraph_format.space_after = space_after
    return p


def _doc_of(container) -> DocxDocument:
    part = container.part
    return part.document if hasattr(part, "document") else container


def centred(container, text: str, **kw) -> Paragraph:
    return paragraph(container, text, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                     space_after=kw.pop("space_after", Pt(0)), **kw)


def _rule(cell: _Cell, width: int, length: int) -> None:
    """The short solid line under an agency name and under the motto (Phụ lục I): an
    empty paragraph whose bottom border is `length` long, centred in a cell `width` wide."""
    p = cell.add_paragraph()
    side = max(0, (width - length) // 2)
    f = p.paragraph_format
    f.left_indent, f.right_indent, f.first_line_indent = side, side, Mm(0)
    f.space_before, f.space_after, f.line_spacing = Pt(0), Pt(0), Pt(2)
    p_pr = p._p.get_or_add_pPr()
    p_pr.append(parse_xml(f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" '
                          'w:space="1" w:color="000000"/></w:pBdr>'))


def _no_borders(table: Table) -> None:
    tbl_pr = table._tbl.tblPr
    tbl_pr.append(parse_xml(
        f'<w:tblBorders {nsdecls("w")}>' + "".join(
            f'<w:{side} w:val="nil"/>' for side in
            ("top", "left", "bottom", "right", "insideH", "insideV")) + "</w:tblBorders>"))


def _expand(name: str) -> str:
    """Agency names are kept as people write them ("UBND tỉnh Điện Biên"): the issuing
    agency is spelt out in full; its parent may keep the usual abbreviation (Phụ lục I)."""
    return re.sub(r"^UBND\b", "Ủy ban nhân dân", name.strip())


def header_block(doc: DocxDocument, agency: Agency | None, *, place_date: str = "") -> None:
    """Page 1's header: the agency under its parent (left), the national motto (right),
    each with its short rule; `place_date` (e.g. "Điện Biên, ngày 05 tháng 3 năm 2026")
    goes under the motto in italics."""
    width = text_width(doc)
    left = width * 43 // 100
    right = width - left
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _no_borders(table)
    for column, w in zip(table.columns, (left, right), strict=True):
        column.width = w
        for cell in column.cells:
            cell.width = w
    agency_cell, motto_cell = table.rows[0].cells
    agency_cell.paragraphs[0]._p.getparent().remove(agency_cell.paragraphs[0]._p)
    motto_cell.paragraphs[0]._p.getparent().remove(motto_cell.paragraphs[0]._p)
    if agency is not None:
        if agency.parent is not None:
            centred(agency_cell, agency.parent.name.upper(), size=Pt(12))
        centred(agency_cell, _expand(agency.name).upper(), bold=True, size=Pt(12))
        name_len = len(_expand(agency.name))
        _rule(agency_cell, left, min(left, max(Mm(15), Mm(min(name_len, 40) * 1.1))))
    centred(motto_cell, MOTTO[0], bold=True, size=Pt(12))
    centred(motto_cell, MOTTO[1], bold=True, size=Pt(13))
    _rule(motto_cell, right, Mm(60))
    if place_date:
        centred(motto_cell, place_date, italic=True, size=Pt(13))
    paragraph(doc, "", space_after=Pt(6))


def title_block(doc: DocxDocument, lines: Sequence[str]) -> None:
    """The document's name, centred and bold (the kind on its own line, 14 pt, then the
    title, 13 pt)."""
    for i, line in enumerate(lines):
        centred(doc, line, bold=True, size=Pt(14) if i == 0 else Pt(13),
                space_after=Pt(6) if i == len(lines) - 1 else Pt(0))


def _field(paragraph_: Paragraph, instruction: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES): begin, instruction, separate, cached text, end."""
    run = paragraph_.add_run()
    run._r.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="begin"/>'))
    run = paragraph_.add_run()
    instr = parse_xml(f'<w:instrText {nsdecls("w")} xml:space="preserve"> {instruction} '
                      "</w:instrText>")
    run._r.append(instr)
    run = paragraph_.add_run()
    run._r.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="separate"/>'))
    paragraph_.add_run(shown)
    run = paragraph_.add_run()
    run._r.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="end"/>'))


def _mark(container, mark: str) -> None:
    p = centred(container, mark, bold=True, size=Pt(14))
    p.runs[0].font.color.rgb = MARK_COLOUR
    p.paragraph_format.space_after = Pt(4)


def page_headers(doc: DocxDocument, mark: str | None = None) -> None:
    """Page numbers centred at the top from page 2 (page 1 has none: a different
    first-page header); `mark` ("DỰ THẢO", "ĐÃ HẾT HIỆU LỰC") at the top of every page."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    first = section.first_page_header
    first.is_linked_to_previous = False
    first.paragraphs[0].text = ""
    if mark:
        first.paragraphs[0]._p.getparent().remove(first.paragraphs[0]._p)
        _mark(first, mark)
    header = section.header
    header.is_linked_to_previous = False
    number = header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number.paragraph_format.first_line_indent = Mm(0)
    _field(number, "PAGE", "2")
    if mark:
        _mark(header, mark)


def shares(doc: DocxDocument, percents: Sequence[int]) -> list[int]:
    """Column widths as percentages of the text width."""
    total = text_width(doc)
    return [total * p // 100 for p in percents]


def column_widths(total: int, header: Sequence[str], rows: Sequence[Sequence[str]]
                  ) -> list[int]:
    """Widths in proportion to what the columns hold: the longest word sets a floor, the
    average text length the share (measured on the first 200 rows)."""
    weights = []
    for i, title in enumerate(header):
        texts = [str(r[i]) for r in rows[:200] if i < len(r)] + [str(title)]
        longest = max((len(w) for t in texts for w in t.split()), default=2)
        average = sum(len(t) for t in texts) / len(texts)
        weights.append(min(40.0, max(4.0, longest * 0.9, average * 0.5)))
    total_weight = sum(weights)
    return [int(total * w / total_weight) for w in weights]


# -- XML written in one piece ---------------------------------------------------------
# python-docx's object API costs 1 to 3 ms a paragraph or a cell (every child it adds is
# placed by scanning its siblings): a body or a register is written as WordprocessingML
# text and parsed once, in linear time.

def run_xml(text: str, *, bold: bool = False, italic: bool = False, strike: bool = False,
            size: Pt | None = None, colour: str | None = None) -> str:
    """One run; line breaks in `text` become <w:br/>."""
    props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "") + \
        ("<w:strike/>" if strike else "") + (f'<w:color w:val="{colour}"/>' if colour else "") \
        + (f'<w:sz w:val="{int(size.pt * 2)}"/><w:szCs w:val="{int(size.pt * 2)}"/>'
           if size else "")
    parts = x(text).split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(part)}</w:t>' for part in parts)
    return f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}{body}</w:r>"


def paragraph_xml(runs: str, *, style: str | None = None, align: str | None = None,
                  num: tuple[int, int] | None = None, left: int | None = None,
                  first_line: int | None = None, after: Pt | None = None,
                  border_below: bool = False) -> str:
    """One paragraph. `style` is a style id; `align` left/center/right/both; `num` is
    (numId, level); `left` and `first_line` are in EMU (a negative first line hangs)."""
    props = []
    if style:
        props.append(f'<w:pStyle w:val="{style}"/>')
    if num:
        props.append(f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/>'
                     "</w:numPr>")
    if border_below:
        props.append('<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" '
                     'w:color="000000"/></w:pBdr>')
    if after is not None:
        props.append(f'<w:spacing w:after="{int(after.pt * 20)}"/>')
    if left is not None or first_line is not None:
        ind = f' w:left="{(left or 0) // 635}"' if left is not None else ""
        if first_line is not None:
            ind += (f' w:hanging="{-first_line // 635}"' if first_line < 0
                    else f' w:firstLine="{first_line // 635}"')
        props.append(f"<w:ind{ind}/>")
    if align:
        props.append(f'<w:jc w:val="{align}"/>')
    ppr = "<w:pPr>" + "".join(props) + "</w:pPr>" if props else ""
    return f"<w:p>{ppr}{runs}</w:p>"


def table_xml(doc: DocxDocument, widths: Sequence[int],
              rows: Sequence[tuple[bool, Sequence[tuple[str, str | None]]]]) -> str:
    """A bordered table (Table Grid), fixed column widths, centred; each row is
    (is_header, [(runs XML, alignment)]): header rows repeat on every page; no row
    breaks across pages; cell text in the table text style."""
    twips = [int(w) // 635 for w in widths]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)
    text_style = style_id(doc, TABLE_TEXT)
    out = [f'<w:tbl><w:tblPr><w:tblStyle w:val="{style_id(doc, "Table Grid")}"/>'
           f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/>'
           '<w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0" w:firstRow="1" '
           'w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
           f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>"]
    for is_header, cells in rows:
        out.append(f"<w:tr><w:trPr><w:cantSplit/>{'<w:tblHeader/>' if is_header else ''}"
                   "</w:trPr>")
        for n, width in enumerate(twips):
            runs, align = cells[n] if n < len(cells) else ("", None)
            out.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
                       + paragraph_xml(runs, style=text_style, align=align) + "</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def append_xml(doc: DocxDocument, fragments: Sequence[str]) -> None:
    """Put WordprocessingML fragments (paragraphs, tables) at the end of the body.

    They are kept as text behind a marker paragraph and spliced into document.xml by
    `save`, which parses the whole part once: moving a parsed subtree into the document
    costs lxml time quadratic in its size (a 2,000-row table: 40 s)."""
    if not fragments:
        return
    pending = doc.part.__dict__.setdefault("_isodoc_fragments", {})
    if "key" not in pending:
        pending["key"] = secrets.token_hex(8)
    marker = f"isodoc-{pending['key']}-{len(pending) - 1}"
    pending[marker] = "".join(fragments)
    element = parse_xml(f'<w:p {nsdecls("w")}><w:r><w:t>{marker}</w:t></w:r></w:p>')
    body = doc.element.body
    end = body.find(qn("w:sectPr"))
    if end is not None:
        end.addprevious(element)
    else:
        body.append(element)


def _splice(doc: DocxDocument) -> None:
    """Replace the markers of `append_xml` by their fragments, and the part's XML by the
    result, parsed once."""
    pending = doc.part.__dict__.pop("_isodoc_fragments", None)
    if not pending:
        return
    from lxml import etree

    text = etree.tostring(doc.part._element, encoding="unicode")
    key = re.escape(pending.pop("key"))
    text = re.sub(rf"<w:p\b[^>]*><w:r><w:t>(isodoc-{key}-\d+)</w:t></w:r></w:p>",
                  lambda m: pending.get(m.group(1), ""), text)
    doc.part._element = parse_xml(text.encode())


def table(doc: DocxDocument, header: Sequence[str], rows: Sequence[Sequence[object]], *,
          widths: Sequence[int] | None = None, centre_columns: Sequence[int] = ()) -> None:
    """A bordered table whose header row repeats on every page and whose rows do not
    break across pages; text in the table style (12 pt, left, no indent)."""
    texts = [[x(c) for c in row] for row in rows]
    widths = list(widths) if widths else column_widths(text_width(doc), header, texts)

    def cells(row: Sequence[str], bold: bool, centre) -> list[tuple[str, str | None]]:
        return [(run_xml(text, bold=bold) if text else "", "center" if n in centre else None)
                for n, text in enumerate(row)]

    append_xml(doc, [table_xml(doc, widths, [(True, cells(header, True, range(len(header))))]
                               + [(False, cells(row, False, centre_columns))
                                  for row in texts])])


def repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))


def keep_row(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def cell_text(cell: _Cell, text: str, *, bold: bool = False, centre: bool = False) -> None:
    """The cell's text in the table style, one paragraph per line."""
    lines = x(text).split("\n") or [""]
    doc = cell.part.document
    first = styled(cell.paragraphs[0], doc, TABLE_TEXT)
    for i, line in enumerate(lines):
        p = first if i == 0 else styled(cell.add_paragraph(), doc, TABLE_TEXT)
        if line:
            p.add_run(line).bold = bold or None
        if centre:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def page_break(doc: DocxDocument) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


# -- custom document properties (docProps/custom.xml) --------------------------------

CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one Office uses for user properties


def set_custom_properties(doc: DocxDocument, values: dict[str, str]) -> None:
    """Write `values` as the file's custom properties (Word: File › Properties › Custom),
    e.g. isodoc-code, isodoc-revision, isodoc-base read back by the upload of an edited
    file. python-docx has no API for them; the part is written as Office writes it."""
    from xml.sax.saxutils import quoteattr

    props = "".join(
        f'<property fmtid="{_FMTID}" pid="{pid}" name={quoteattr(x(name))}>'
        f"<vt:lpwstr>{escape(x(value))}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(values.items(), start=2))
    blob = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Properties xmlns="{_CUSTOM_NS}" xmlns:vt="{_VT_NS}">{props}</Properties>'
            ).encode()
    package = doc.part.package
    existing = _custom_part(doc)
    if existing is not None:
        existing._blob = blob
        return
    part = Part(PackURI("/docProps/custom.xml"), CUSTOM_CT, blob, package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)


def _custom_part(doc: DocxDocument) -> Part | None:
    for rel in doc.part.package.rels.values():
        if rel.reltype == RT.CUSTOM_PROPERTIES and not rel.is_external:
            return rel.target_part
    return None


def custom_properties(doc: DocxDocument) -> dict[str, str]:
    """The custom properties of an opened document (name → text); {} when it has none.
    The part is parsed without entities or network access."""
    from lxml import etree

    part = _custom_part(doc)
    if part is None:
        return {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(part.blob, parser)  # noqa: S320 (entities off)
    except etree.XMLSyntaxError:
        return {}
    out = {}
    for prop in root.findall(f"{{{_CUSTOM_NS}}}property"):
        value = next(iter(prop), None)
        out[prop.get("name", "")] = (value.text or "") if value is not None else ""
    return out


def save(doc: DocxDocument) -> bytes:
    """The file's bytes. `doc` is not to be changed afterwards (its body was re-parsed)."""
    _splice(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def signature_block(doc: DocxDocument, recipients: Sequence[str], title: str, name: str
                    ) -> None:
    """The foot of an administrative document (Phụ lục I): "Nơi nhận" and its list on the
    left (11 and 12 pt), the signer's title in capitals, room to sign and the name on the
    right, in a table without borders."""
    width = text_width(doc)
    left = width * 45 // 100
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    _no_borders(table)
    for column, w in zip(table.columns, (left, width - left), strict=True):
        column.width = w
        for cell in column.cells:
            cell.width = w
    receive, sign = table.rows[0].cells
    for cell in (receive, sign):
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    p = paragraph(receive, "Nơi nhận:", bold=True, italic=True, size=Pt(12), indent=False,
                  space_after=Pt(0))
    p.alignment = WD_ALIGN_PARAGRAPH.LEFT
    for line in recipients:
        p = paragraph(receive, f"- {line}", size=Pt(11), indent=False, space_after=Pt(0))
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT
    centred(sign, title.upper(), bold=True, size=Pt(13))
    for _ in range(4):
        centred(sign, "")
    centred(sign, name, bold=True, size=Pt(13))
