"""Our Markdown as real Word: markdown-it-py's tokens (the same bounded parser as the web
page) become Heading styles, lists with Word numbering (numbering.xml, so Word renumbers
them and a re-import reads the numbers), bordered tables with repeated header rows, and
bold, italic and struck-through runs.

Bounded before work: the body is cut as the web rendering cuts it (RENDER_MAX_CHARS,
RENDER_MAX_LINES); at most MAX_TOKENS block tokens, MAX_TABLE_CELLS table cells per
document, MAX_TABLE_COLUMNS columns per table and MAX_LISTS numbered lists are written;
what lies beyond is said in a note, never silently dropped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

from isodoc.documents import content
from isodoc.officedocs import layout
from isodoc.officedocs.layout import x

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.text.paragraph import Paragraph
    from markdown_it.token import Token

MAX_TOKENS = 60_000
MAX_TABLE_CELLS = 8_000
MAX_TABLE_COLUMNS = 20
MAX_LISTS = 1_000
LIST_INDENT = Mm(10)   # per level
LIST_HANGING = Mm(6)
BULLETS = ("-", "+", "–")
ORDERED_FORMATS = (("decimal", "%{n}."), ("lowerLetter", "%{n})"), ("lowerRoman", "%{n}."))
TRUNCATED = ("Nội dung quá dài để xuất đầy đủ ra Word: chỉ xuất phần đầu; "
             "xem toàn văn trên hệ thống ISO điện tử.")
TABLE_TRUNCATED = ("Bảng quá lớn để xuất đầy đủ ra Word: chỉ xuất {rows} dòng đầu; "
                   "xem toàn văn trên hệ thống ISO điện tử.")
COLUMNS_TRUNCATED = "Bảng có quá nhiều cột: chỉ xuất {cols} cột đầu."


def bounded(body: str) -> tuple[str, bool]:
    """The part of a body that is converted (as `content.render` bounds it)."""
    lines = body[:content.RENDER_MAX_CHARS].split("\n", content.RENDER_MAX_LINES)
    if len(body) > content.RENDER_MAX_CHARS or len(lines) > content.RENDER_MAX_LINES:
        return "\n".join(lines[:content.RENDER_MAX_LINES]), True
    return body, False


@dataclass
class _List:
    num_id: int
    level: int


class Numbering:
    """The document's numbering definitions: one bullet list definition shared by every
    bulleted list, one definition per numbered list (so each starts at its own number in
    Word and in LibreOffice alike)."""

    def __init__(self, doc: DocxDocument):
        self.root = doc.part.numbering_part.element
        self.next_abstract = 1 + max((int(a.get(qn("w:abstractNumId")))
                                      for a in self.root.findall(qn("w:abstractNum"))),
                                     default=0)
        self.next_num = 1 + max((int(n.get(qn("w:numId")))
                                 for n in self.root.findall(qn("w:num"))), default=0)
        self.bullet: int | None = None
        self.lists = 0
        self.last_ordered: int | None = None

    def _levels(self, ordered: bool, start: int) -> str:
        out = []
        for level in range(9):
            left = int(LIST_INDENT * (level + 1))
            if ordered:
                fmt, text = ORDERED_FORMATS[level % len(ORDERED_FORMATS)]
                text = text.format(n=level + 1)
            else:
                fmt, text = "bullet", BULLETS[level % len(BULLETS)]
            out.append(
                f'<w:lvl w:ilvl="{level}"><w:start w:val="{start if level == 0 else 1}"/>'
                f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
                f'<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{left // 635}" '
                f'w:hanging="{int(LIST_HANGING) // 635}"/></w:pPr>'
                f'<w:rPr><w:rFonts w:ascii="{layout.FONT}" w:hAnsi="{layout.FONT}" '
                f'w:eastAsia="{layout.FONT}" w:cs="{layout.FONT}"/></w:rPr></w:lvl>')
        return "".join(out)

    def _define(self, ordered: bool, start: int) -> int:
        abstract, num = self.next_abstract, self.next_num
        self.next_abstract, self.next_num = abstract + 1, num + 1
        definition = parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract}">'
            f'<w:nsid w:val="{0x1500_0000 + abstract:08X}"/>'
            f'<w:multiLevelType w:val="hybridMultilevel"/>'
            f"{self._levels(ordered, start)}</w:abstractNum>")
        first_num = self.root.find(qn("w:num"))
        if first_num is not None:  # every abstractNum comes before the first num
            first_num.addprevious(definition)
        else:
            self.root.append(definition)
        self.root.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num}">'
                                   f'<w:abstractNumId w:val="{abstract}"/></w:num>'))
        return num

    def bullets(self) -> int:
        if self.bullet is None:
            self.bullet = self._define(False, 1)
        return self.bullet

    def ordered(self, start: int) -> int:
        if self.lists >= MAX_LISTS and self.last_ordered is not None:
            return self.last_ordered  # bounded: later lists continue the last one
        self.lists += 1
        self.last_ordered = self._define(True, max(0, min(start, 10**6)))
        return self.last_ordered


class BodyWriter:
    """Writes one Markdown body into a document."""

    def __init__(self, doc: DocxDocument):
        self.doc = doc
        self.numbering = Numbering(doc)
        self.lists: list[_List] = []
        self.fresh_item = False
        self.quote = 0
        self.cells_left = MAX_TABLE_CELLS
        self.shift = 0

    def write(self, body: str) -> None:
        body, cut = bounded(body)
        tokens = content._md.parse(body)
        if len(tokens) > MAX_TOKENS:
            tokens, cut = tokens[:MAX_TOKENS], True
        levels = [int(t.tag[1:]) for t in tokens if t.type == "heading_open"]
        self.shift = (min(levels) - 1) if levels else 0
        i = 0
        while i < len(tokens):
            i = self._block(tokens, i)
        if cut:
            self._note(TRUNCATED)

    # -- blocks ----------------------------------------------------------------------

    def _block(self, tokens: list[Token], i: int) -> int:
        t = tokens[i]
        kind = t.type
        if kind == "heading_open":
            level = max(1, min(6, int(t.tag[1:]) - self.shift))
            p = layout.styled(self.doc.add_paragraph(), self.doc, f"Heading {level}")
            self._inline(p, tokens[i + 1] if i + 1 < len(tokens) else None)
            return i + 3
        if kind == "paragraph_open":
            p = self._paragraph()
            self._inline(p, tokens[i + 1] if i + 1 < len(tokens) else None)
            return i + 3
        if kind in ("bullet_list_open", "ordered_list_open"):
            ordered = kind == "ordered_list_open"
            start = int(t.attrs.get("start", 1)) if ordered else 1
            num = self.numbering.ordered(start) if ordered else self.numbering.bullets()
            self.lists.append(_List(num, min(len(self.lists), 8)))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            if self.lists:
                self.lists.pop()
        elif kind == "list_item_open":
            self.fresh_item = True
        elif kind == "blockquote_open":
            self.quote += 1
        elif kind == "blockquote_close":
            self.quote = max(0, self.quote - 1)
        elif kind == "table_open":
            end = next((j for j in range(i + 1, len(tokens))
                        if tokens[j].type == "table_close"), len(tokens))
            self._table(tokens[i + 1:end])
            return end + 1
        elif kind in ("fence", "code_block", "html_block"):
            self._code(t.content)
        elif kind == "hr":
            p = self.doc.add_paragraph()
            p.paragraph_format.first_line_indent = Mm(0)
            p._p.get_or_add_pPr().append(parse_xml(
                f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="1" '
                'w:color="000000"/></w:pBdr>'))
        elif kind == "inline":  # not expected outside a paragraph; kept as text
            self._inline(self._paragraph(), t)
        return i + 1

    def _paragraph(self) -> Paragraph:
        """A body paragraph where it stands: numbered (the first of a list item), under
        its list item, indented in a quote, or plain (justified, first-line indent)."""
        if self.lists:
            current = self.lists[-1]
            p = layout.styled(self.doc.add_paragraph(), self.doc, "List Paragraph")
            f = p.paragraph_format
            f.left_indent = LIST_INDENT * (current.level + 1)
            f.space_after = Pt(3)
            if self.fresh_item:
                self.fresh_item = False
                f.first_line_indent = -LIST_HANGING
                num_pr = p._p.get_or_add_pPr().get_or_add_numPr()
                num_pr.get_or_add_ilvl().val = current.level
                num_pr.get_or_add_numId().val = current.num_id
            else:
                f.first_line_indent = Mm(0)
            return p
        p = self.doc.add_paragraph()
        if self.quote:
            p.paragraph_format.left_indent = Mm(10) * self.quote
            p.paragraph_format.first_line_indent = Mm(0)
        return p

    def _code(self, text: str) -> None:
        p = self.doc.add_paragraph()
        f = p.paragraph_format
        f.first_line_indent, f.left_indent = Mm(0), Mm(10)
        f.alignment = WD_ALIGN_PARAGRAPH.LEFT
        lines = x(text.rstrip("\n")).split("\n")
        for n, line in enumerate(lines):
            run = p.add_run(line)
            run.font.size = Pt(12)
            if n < len(lines) - 1:
                run.add_break()

    def _note(self, text: str) -> None:
        p = self.doc.add_paragraph()
        p.add_run(text).italic = True

    # -- inline ----------------------------------------------------------------------

    def _inline(self, p: Paragraph, token: Token | None, *, bold: bool = False) -> None:
        if token is None or token.type != "inline":
            return
        strong, em, strike = (1 if bold else 0), 0, 0
        href = None
        for child in token.children or []:
            kind = child.type
            if kind in ("text", "code_inline"):
                if child.content:
                    run = p.add_run(x(child.content))
                    run.bold, run.italic = (strong > 0) or None, (em > 0) or None
                    if strike:
                        run.font.strike = True
            elif kind == "strong_open":
                strong += 1
            elif kind == "strong_close":
                strong = max(0, strong - 1)
            elif kind == "em_open":
                em += 1
            elif kind == "em_close":
                em = max(0, em - 1)
            elif kind == "s_open":
                strike += 1
            elif kind == "s_close":
                strike = max(0, strike - 1)
            elif kind == "softbreak":
                p.add_run(" ")
            elif kind == "hardbreak":
                p.add_run().add_break()
            elif kind == "link_open":
                href = str(child.attrs.get("href", ""))
            elif kind == "link_close":
                if href and href.startswith(("http://", "https://", "mailto:")):
                    p.add_run(x(f" ({href})"))
                href = None
            elif kind == "image":
                p.add_run(x(f"[Hình: {child.content}]"))

    # -- tables ----------------------------------------------------------------------

    def _table(self, tokens: list[Token]) -> None:
        rows: list[tuple[bool, list[tuple[Token | None, str]]]] = []
        header, current = False, None
        for t in tokens:
            if t.type == "thead_open":
                header = True
            elif t.type == "thead_close":
                header = False
            elif t.type == "tr_open":
                current = []
            elif t.type == "tr_close" and current is not None:
                rows.append((header, current))
                current = None
            elif t.type in ("th_open", "td_open") and current is not None:
                current.append((None, str(t.attrs.get("style", ""))))
            elif t.type == "inline" and current:
                current[-1] = (t, current[-1][1])
        if not rows:
            return
        columns = max(len(cells) for _, cells in rows)
        notes = []
        if columns > MAX_TABLE_COLUMNS:
            columns = MAX_TABLE_COLUMNS
            notes.append(COLUMNS_TRUNCATED.format(cols=columns))
        fits = max(1, self.cells_left // columns)
        if len(rows) > fits:
            rows = rows[:fits]
            notes.append(TABLE_TRUNCATED.format(rows=fits))
        self.cells_left = max(0, self.cells_left - len(rows) * columns)
        plain = [[(c.content if c is not None else "") for c, _ in cells[:columns]]
                 + [""] * (columns - len(cells)) for _, cells in rows]
        widths = layout.column_widths(layout.text_width(self.doc), plain[0], plain[1:])
        table = self.doc.add_table(rows=0, cols=columns)
        table.style = "Table Grid"
        table.autofit = False
        for column, w in zip(table.columns, widths, strict=True):
            column.width = w
        for is_header, cells in rows:
            row = table.add_row()
            layout.keep_row(row)
            if is_header:
                layout.repeat_header(row)
            for n, cell in enumerate(row.cells):
                cell.width = widths[n]
                token, style = cells[n] if n < len(cells) else (None, "")
                p = layout.styled(cell.paragraphs[0], self.doc, layout.TABLE_TEXT)
                if "center" in style or is_header:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                elif "right" in style:
                    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                self._inline(p, token, bold=is_header)
        self.doc.add_paragraph().paragraph_format.space_after = Pt(0)
        for note in notes:
            self._note(note)


def write_body(doc: DocxDocument, body: str) -> None:
    """Convert `body` (our Markdown) into `doc`, after what is already there."""
    BodyWriter(doc).write(body)
