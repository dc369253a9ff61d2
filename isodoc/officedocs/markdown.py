"""Our Markdown as real Word: markdown-it-py's tokens (the same bounded parser as the web
page) become Heading styles, lists with Word numbering (numbering.xml, so Word renumbers
them and a re-import reads the numbers), bordered tables with repeated header rows, and
bold, italic and struck-through runs.

Bounded before work: the body is cut as the web rendering cuts it (RENDER_MAX_CHARS,
RENDER_MAX_LINES); at most MAX_TOKENS block tokens, MAX_TABLE_CELLS table cells per
document, MAX_TABLE_COLUMNS columns per table and MAX_LISTS numbered lists are written;
what lies beyond is said in a note, never silently dropped."""

# i18n: vietnamese-only (writes into filed Word documents)

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

from isodoc.documents import content
from isodoc.officedocs import layout

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
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
    """Writes one Markdown body into a document, as WordprocessingML text parsed once
    (see layout.append_xml: python-docx's object API is quadratic in a long body)."""

    def __init__(self, doc: DocxDocument):
        self.doc = doc
        self.numbering = Numbering(doc)
        self.lists: list[_List] = []
        self.fresh_item = False
        self.quote = 0
        self.cells_left = MAX_TABLE_CELLS
        self.shift = 0
        self.out: list[str] = []
        self.list_style = layout.style_id(doc, "List Paragraph")

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
        layout.append_xml(self.doc, self.out)

    # -- blocks ----------------------------------------------------------------------

    def _block(self, tokens: list[Token], i: int) -> int:
        t = tokens[i]
        kind = t.type
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if kind == "heading_open":
            level = max(1, min(6, int(t.tag[1:]) - self.shift))
            self.out.append(layout.paragraph_xml(
                self._runs(following), style=layout.style_id(self.doc, f"Heading {level}")))
            return i + 3
        if kind == "paragraph_open":
            self.out.append(self._paragraph(self._runs(following)))
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
            self.out.append(layout.paragraph_xml(
                layout.run_xml(t.content.rstrip("\n"), size=Pt(12)), align="left",
                left=Mm(10), first_line=0))
        elif kind == "hr":
            self.out.append(layout.paragraph_xml("", first_line=0, border_below=True))
        elif kind == "inline":  # not expected outside a paragraph; kept as text
            self.out.append(self._paragraph(self._runs(t)))
        return i + 1

    def _paragraph(self, runs: str) -> str:
        """A body paragraph where it stands: numbered (the first of a list item), under
        its list item, indented in a quote, or plain (justified, first-line indent)."""
        if self.lists:
            current = self.lists[-1]
            left = LIST_INDENT * (current.level + 1)
            if self.fresh_item:
                self.fresh_item = False
                return layout.paragraph_xml(runs, style=self.list_style, left=left,
                                            first_line=-LIST_HANGING, after=Pt(3),
                                            num=(current.num_id, current.level))
            return layout.paragraph_xml(runs, style=self.list_style, left=left,
                                        first_line=0, after=Pt(3))
        if self.quote:
            return layout.paragraph_xml(runs, left=Mm(10) * self.quote, first_line=0)
        return layout.paragraph_xml(runs)

    def _note(self, text: str) -> None:
        self.out.append(layout.paragraph_xml(layout.run_xml(text, italic=True)))

    # -- inline ----------------------------------------------------------------------

    def _runs(self, token: Token | None, *, bold: bool = False) -> str:
        """The runs of an inline token: bold, italic, struck through; links keep their
        address in brackets (the page is printed), images their description."""
        if token is None or token.type != "inline":
            return ""
        out: list[str] = []
        strong, em, strike = (1 if bold else 0), 0, 0
        href = None
        for child in token.children or []:
            kind = child.type
            if kind in ("text", "code_inline"):
                if child.content:
                    out.append(layout.run_xml(child.content, bold=strong > 0, italic=em > 0,
                                              strike=strike > 0))
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
                out.append(layout.run_xml(" "))
            elif kind == "hardbreak":
                out.append(layout.run_xml("\n"))
            elif kind == "link_open":
                href = str(child.attrs.get("href", ""))
            elif kind == "link_close":
                if href and href.startswith(("http://", "https://", "mailto:")):
                    out.append(layout.run_xml(f" ({href})"))
                href = None
            elif kind == "image":
                out.append(layout.run_xml(f"[Hình: {child.content}]"))
        return "".join(out)

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

        def align(style: str, is_header: bool) -> str | None:
            if "center" in style or is_header:
                return "center"
            return "right" if "right" in style else None

        self.out.append(layout.table_xml(self.doc, widths, [
            (is_header, [(self._runs(token, bold=is_header), align(style, is_header))
                         for token, style in cells[:columns]])
            for is_header, cells in rows]))
        self.out.append(layout.paragraph_xml("", after=Pt(0)))
        for note in notes:
            self._note(note)


def write_body(doc: DocxDocument, body: str) -> None:
    """Convert `body` (our Markdown) into `doc`, after what is already there."""
    BodyWriter(doc).write(body)
