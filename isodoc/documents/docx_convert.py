"""Word (.docx) to isodoc Markdown, run as a child process: `python -I docx_convert.py
MODE MEMORY_MB CPU_SECONDS`, the file on stdin, one JSON object on stdout.

This file imports nothing from isodoc (the child starts in a fifth of a second) and
limits itself before reading anything: address space (RLIMIT_AS) and CPU time
(RLIMIT_CPU), so a file that would take a worker down only ends this process. The
parent (`docx_safety`) has already checked the zip's directory (sizes, ratios, names,
macros, required parts); here every XML part is parsed first by defusedxml with DTDs
forbidden (no entity expansion, no external entity) and document.xml's table nesting
is bounded, and only then are parts handed to lxml and mammoth.

MODE says what to do with tracked changes (w:ins / w:del): `accept`, `reject`, or
`ask` (a file that has any is refused with their count, so the person chooses).

It answers facts and keys, never sentences for the person: the parent words its refusals
and notes in the person's language. What Vietnamese remains here reads Vietnamese files
(control block, headings) or goes into the document's own text.
"""
# i18n: vietnamese-only (parses Vietnamese Word files; its text is the document's own)

from __future__ import annotations

import base64
import io
import json
import re
import resource
import sys
import unicodedata
import zipfile
import zlib

MAX_TABLE_DEPTH = 5
# what becomes the document's attachments: pictures and embedded objects (forms kept as
# .xlsx/.docx inside the procedure), each bounded; what exceeds is listed as not imported
MAX_ATTACHMENTS = 50
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS_TOTAL = 20 * 1024 * 1024
IMAGE_SUFFIXES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif",
                  "image/bmp": "bmp", "image/tiff": "tif", "image/x-emf": "emf",
                  "image/x-wmf": "wmf", "image/emf": "emf", "image/wmf": "wmf"}
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WN = f"{{{W}}}"
CUSTOM_PROPS = "docProps/custom.xml"
HEADING_RE = re.compile(r"^(?:(\d{1,2}(?:\.\d{1,2}){0,3})\.?|([IVX]{1,5})\.)\s+\S")
CODE_TOKEN = r"[A-Z0-9][A-Z0-9./_-]*"
CODE_RE = re.compile(rf"Mã\s*(?:hiệu|số|tài liệu)?\s*[:：]\s*({CODE_TOKEN}(?:[ ]{CODE_TOKEN}"
                     r"(?=\s|$))*)")
EDITION_RE = re.compile(r"Lần\s+ban\s+hành\s*[:：]?\s*(\d{1,3})", re.I)
DATE_RE = re.compile(r"Ngày\s+(?:có\s+)?(?:ban\s+hành|hiệu\s+lực)\s*[:：]?\s*"
                     r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})", re.I)
CONTROL_WORDS = re.compile(r"Mã\s*(hiệu|số)\s*:|Lần\s+ban\s+hành|Ngày\s+(ban\s+hành|hiệu\s+lực)|"
                           r"Soạn\s+thảo|Phê\s+duyệt", re.I)
CHANGES_CAPTION = re.compile(r"(?i)theo\s+dõi\s+(sửa\s+đổi|thay\s+đổi)")
TTHC_RE = re.compile(r"\b(\d\.\d{6})\b")
KIND_LINES = ("QUY TRÌNH", "HƯỚNG DẪN", "SỔ TAY", "QUY ĐỊNH", "BIỂU MẪU",
              "CHÍNH SÁCH, MỤC TIÊU CHẤT LƯỢNG")
KIND_WORDS = (("hướng dẫn", "guide"), ("sổ tay", "manual"), ("chính sách", "policy"),
              ("mục tiêu chất lượng", "policy"), ("biểu mẫu", "form"))
ROLES = {"drafted_by": "soạn thảo", "reviewed_by": "xem xét", "approved_by": "phê duyệt"}
STYLE_MAP = "\n".join([
    *(f"p[style-name='{name} {n}'] => h{n + 1}:fresh"
      for n in range(1, 5) for name in ("Heading", "heading", "Tiêu đề")),
    "p[style-name='Title'] => h1:fresh",
    "p[style-name='List Number'] => ol > li:fresh",
    "p[style-name='List Bullet'] => ul > li:fresh",
    "r[style-name='Strong'] => strong",
    "r[style-name='Emphasis'] => em",
])


class Refused(Exception):
    """A reason the file cannot be read, as a key the parent turns into its message."""

    def __init__(self, key: str, **details):
        super().__init__(key)
        self.key, self.details = key, details


def limit(memory_mb: int, cpu_seconds: int) -> None:
    if memory_mb > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
    if cpu_seconds > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))


# -- safe XML -------------------------------------------------------------------

def check_xml(archive: zipfile.ZipFile) -> None:
    """Every XML part through defusedxml with DTDs forbidden: a DOCTYPE, an entity
    (internal or external) or malformed XML is refused before any other parser runs."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring, iterparse

    for info in archive.infolist():
        name = info.filename
        if not name.lower().endswith((".xml", ".rels")):
            continue
        data = archive.read(info)  # CRC checked: a damaged entry raises here
        try:
            if name == "word/document.xml":
                depth = deepest = 0
                for event, element in iterparse(io.BytesIO(data), events=("start", "end"),
                                                forbid_dtd=True):
                    if element.tag == WN + "tbl":
                        depth += 1 if event == "start" else -1
                        deepest = max(deepest, depth)
                        if deepest > MAX_TABLE_DEPTH:
                            raise Refused("nested_tables", depth=MAX_TABLE_DEPTH)
            else:
                fromstring(data, forbid_dtd=True)
        except DefusedXmlException:
            raise Refused("xml_entities", part=name) from None
        except Refused:
            raise
        except Exception:  # noqa: BLE001 — any parser error is a damaged part
            raise Refused("bad_xml", part=name) from None


def lxml_parser():
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_blank_text=False)


# -- tracked changes and numbering (what mammoth does not read) -------------------

def tracked_changes(root) -> int:
    return sum(1 for _ in root.iter(WN + "ins", WN + "del", WN + "moveFrom", WN + "moveTo"))


def _unwrap(element) -> None:
    parent = element.getparent()
    index = parent.index(element)
    for child in reversed(list(element)):
        parent.insert(index, child)
    parent.remove(element)


def resolve_changes(root, mode: str) -> None:
    """Accept: inserted text stays, deleted text goes; reject: the reverse. A row
    inserted or deleted as a whole follows the same rule; markers on paragraph marks
    and formatting changes are dropped (they carry no text)."""
    keep, drop = (("ins", "moveTo"), ("del", "moveFrom")) if mode == "accept" else \
        (("del", "moveFrom"), ("ins", "moveTo"))
    for name in ("rPrChange", "pPrChange", "tblPrChange", "trPrChange", "tcPrChange",
                 "sectPrChange", "numberingChange"):
        for element in list(root.iter(WN + name)):
            element.getparent().remove(element)
    for element in list(root.iter(*(WN + n for n in keep + drop))):
        parent = element.getparent()
        if parent is None:
            continue
        local = element.tag[len(WN):]
        if parent.tag in (WN + "rPr", WN + "pPr"):
            parent.remove(element)  # a paragraph mark's revision
        elif parent.tag == WN + "trPr":
            row = parent.getparent()
            if local in drop and row.getparent() is not None:
                row.getparent().remove(row)
            else:
                parent.remove(element)
        elif local in drop:
            parent.remove(element)
        else:
            if local in ("del", "moveFrom"):
                for text in element.iter(WN + "delText"):
                    text.tag = WN + "t"
                for text in element.iter(WN + "delInstrText"):
                    text.tag = WN + "instrText"
            _unwrap(element)


def _style_numbering(styles) -> dict[str, tuple[str, str]]:
    found = {}
    if styles is None:
        return found
    for style in styles.iter(WN + "style"):
        num = style.find(f"{WN}pPr/{WN}numPr")
        if num is not None and (num_id := num.find(WN + "numId")) is not None:
            level = num.find(WN + "ilvl")
            found[style.get(WN + "styleId")] = (num_id.get(WN + "val"),
                                                level.get(WN + "val") if level is not None
                                                else "0")
    return found


def _numbering_levels(numbering) -> dict[str, dict]:
    """numId → its abstract list, level → {format, text, start}, and the levels it
    restarts, from numbering.xml."""
    if numbering is None:
        return {}
    abstract = {}
    for a in numbering.iter(WN + "abstractNum"):
        levels = {}
        for lvl in a.iter(WN + "lvl"):
            fmt, text, start = lvl.find(WN + "numFmt"), lvl.find(WN + "lvlText"), \
                lvl.find(WN + "start")
            levels[int(lvl.get(WN + "ilvl", "0"))] = {
                "format": fmt.get(WN + "val") if fmt is not None else "decimal",
                "text": text.get(WN + "val") if text is not None else "",
                "start": int(start.get(WN + "val")) if start is not None else 1}
        abstract[a.get(WN + "abstractNumId")] = levels
    nums = {}
    for num in numbering.iter(WN + "num"):
        ref = num.find(WN + "abstractNumId")
        if ref is not None:
            levels = {d: dict(v) for d, v in abstract.get(ref.get(WN + "val"), {}).items()}
            overrides = {}
            for override in num.iter(WN + "lvlOverride"):
                start = override.find(WN + "startOverride")
                if start is not None and (start.get(WN + "val") or "").isdigit():
                    overrides[int(override.get(WN + "ilvl", "0"))] = int(start.get(WN + "val"))
            # Word counts per abstract list: instances of one continue each other,
            # unless an instance restarts a level (startOverride)
            nums[num.get(WN + "numId")] = {"abstract": ref.get(WN + "val"), "levels": levels,
                                           "restart": overrides}
    return nums


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def _format(n: int, fmt: str) -> str:
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26)
        return letter if fmt == "upperLetter" else letter.lower()
    return str(n)


def _text_of(paragraph) -> str:
    return "".join(t.text or "" for t in paragraph.iter(WN + "t"))


def _all_bold(paragraph, bold_styles: set[str]) -> bool:
    runs = [r for r in paragraph.iter(WN + "r") if "".join(
        t.text or "" for t in r.iter(WN + "t")).strip()]
    if not runs:
        return False
    style = paragraph.find(f"{WN}pPr/{WN}pStyle")
    if style is not None and style.get(WN + "val") in bold_styles:
        return True
    for run in runs:
        bold = run.find(f"{WN}rPr/{WN}b")
        if bold is None or bold.get(WN + "val") in ("0", "false"):
            return False
    return True


def number_headings(root, styles, numbering) -> list[int | None]:
    """Word numbering that mammoth would drop or turn into a list, made literal where a
    paragraph is a heading: a heading style, or a short paragraph all in bold (real
    files number "5. NỘI DUNG QUY TRÌNH" so). The label is computed from numbering.xml
    (counters per list and level, lvlText such as "%1.%2."), the numbering removed, so
    the text reads as the printed page. Other numbered paragraphs stay lists: their
    numbers are returned in document order (None for bullets), so that a list that
    Word continues after a paragraph keeps its numbers."""
    from copy import deepcopy

    from lxml import etree

    by_style, nums = _style_numbering(styles), _numbering_levels(numbering)
    heading_styles, bold_styles = set(), set()
    if styles is not None:
        for style in styles.iter(WN + "style"):
            name = style.find(WN + "name")
            if name is not None and re.match(r"(?i)(heading|tiêu đề) \d", name.get(WN + "val")
                                             or ""):
                heading_styles.add(style.get(WN + "styleId"))
            if style.find(f"{WN}rPr/{WN}b") is not None:
                bold_styles.add(style.get(WN + "styleId"))
    counters: dict[str, dict[int, int]] = {}
    started: set[str] = set()
    items: list[int | None] = []
    for paragraph in root.iter(WN + "p"):
        ppr = paragraph.find(WN + "pPr")
        style = ppr.find(WN + "pStyle") if ppr is not None else None
        style_id = style.get(WN + "val") if style is not None else None
        num = ppr.find(WN + "numPr") if ppr is not None else None
        num_id = level = None
        if num is not None and num.find(WN + "numId") is not None:
            num_id = num.find(WN + "numId").get(WN + "val")
            ilvl = num.find(WN + "ilvl")
            level = ilvl.get(WN + "val") if ilvl is not None else None
        if num_id is None and style_id in by_style:
            num_id, level = by_style[style_id]
        if num_id is None or num_id == "0" or num_id not in nums:
            continue
        info = nums[num_id]
        depth = int(level) if (level or "").isdigit() else 0
        lvl = info["levels"].get(depth)
        if lvl is None:
            items.append(None)
            continue
        count = counters.setdefault(info["abstract"], {})
        if num_id not in started:
            started.add(num_id)
            for d, start in info["restart"].items():
                count[d] = start - 1
        count[depth] = count.get(depth, lvl["start"] - 1) + 1
        for deeper in [d for d in count if d > depth]:
            del count[deeper]
        text = _text_of(paragraph).strip()
        is_heading = lvl["format"] not in ("bullet", "none") and (
            style_id in heading_styles or (_all_bold(paragraph, bold_styles) and len(text) <= 150))
        if not is_heading:
            items.append(count[depth] if lvl["format"] not in ("bullet", "none") else None)
            continue

        def value(match, levels=info["levels"], count=count):
            d = int(match.group(1)) - 1
            shown = levels.get(d, {"format": "decimal", "start": 1})
            return _format(count.get(d, shown["start"]), shown["format"])

        label = re.sub(r"%(\d)", value, lvl["text"]).strip()
        if num is not None:
            ppr.remove(num)
        else:  # numbered by its style: an explicit numId 0 turns it off
            off = etree.SubElement(ppr, WN + "numPr")
            etree.SubElement(off, WN + "numId").set(WN + "val", "0")
        runs = paragraph.findall(f".//{WN}r")
        if label and runs:
            run = etree.Element(WN + "r")
            rpr = runs[0].find(WN + "rPr")
            if rpr is not None:
                run.append(deepcopy(rpr))
            t = etree.SubElement(run, WN + "t")
            t.text = label + " "
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            runs[0].addprevious(run)
    return items


def custom_properties(archive: zipfile.ZipFile) -> dict[str, str]:
    if CUSTOM_PROPS not in archive.namelist():
        return {}
    from lxml import etree

    root = etree.fromstring(archive.read(CUSTOM_PROPS), lxml_parser())
    found = {}
    for prop in root:
        name = prop.get("name")
        if name and len(prop):
            found[name] = (prop[0].text or "").strip()[:200]
    return found


# -- HTML (mammoth's) to Markdown --------------------------------------------------

def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _escape(text: str) -> str:
    """Markdown's inline markers in text stay text: backslash, backtick, asterisk, and
    an underscore at a word's edge (inside a word, as in BM_01, it is no marker)."""
    text = re.sub(r"([\\`*])", r"\\\1", text)
    return re.sub(r"(?<!\w)_|_(?!\w)", r"\\_", text)


def _escape_start(line: str) -> str:
    """What would start a block in Markdown is escaped at a paragraph's start."""
    if re.match(r"^(#{1,6}\s|>|[-+]\s|\d{1,9}[.)]\s|={3,}|-{3,}|\|)", line):
        match = re.match(r"^(\d{1,9})([.)])", line)
        if match:
            return f"{match.group(1)}\\{match.group(2)}{line[match.end():]}"
        return "\\" + line
    return line


class Markdown:
    def __init__(self):
        self.images: list[str] = []

    def inline(self, element) -> str:
        out = [_escape(element.text or "")]
        for child in element:
            out.append(self.inline_element(child))
            out.append(_escape(child.tail or ""))
        return "".join(out)

    def inline_element(self, element) -> str:
        tag = element.tag
        if tag in ("strong", "b", "em", "i", "s", "del"):
            inner = self.inline(element)
            if not inner.strip():
                return inner
            mark = {"strong": "**", "b": "**", "em": "*", "i": "*", "s": "~~", "del": "~~"}[tag]
            lead = inner[:len(inner) - len(inner.lstrip())]
            trail = inner[len(inner.rstrip()):]
            return f"{lead}{mark}{inner.strip()}{mark}{trail}"
        if tag == "br":
            return " "
        if tag == "a":
            inner = self.inline(element)
            href = element.get("href") or ""
            if href.startswith(("http://", "https://", "mailto:")):
                href = href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
                return f"[{inner}]({href})"
            return inner
        if tag == "img":
            alt = " ".join((element.get("alt") or "").split())[:200]
            self.images.append(alt)
            name = element.get("src") or ""
            label = f"Hình {len(self.images)}" + (f": {alt}" if alt else "")
            if name:
                return f"*[{_escape(label)} — tệp đính kèm {_escape(name)}]*"
            return f"*[{_escape(label)} — chưa nhập]*"
        if tag in ("ul", "ol", "table", "p"):  # inside a table cell
            return " " + self.flat(element) + " "
        return self.inline(element)

    def flat(self, element) -> str:
        """Block content folded into one line (a table cell)."""
        parts = []
        if element.tag == "table":
            for row in element.iter("tr"):
                parts.append("; ".join(self.cell(c) for c in row if c.tag in ("td", "th")))
            return " / ".join(p for p in parts if p)
        if element.tag in ("ul", "ol"):
            for i, li in enumerate(element.findall("li"), 1):
                mark = f"{i}." if element.tag == "ol" else "-"
                parts.append(f"{mark} {self.cell(li)}")
            return " ".join(parts)
        return self.cell(element)

    def cell(self, element) -> str:
        pieces = []
        if element.text and element.text.strip():
            pieces.append(_escape(element.text.strip()))
        for child in element:
            if child.tag in ("p", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6"):
                text = self.flat(child) if child.tag in ("ul", "ol", "table") else \
                    self.inline(child)
            else:
                text = self.inline_element(child)
            if text.strip():
                pieces.append(text.strip())
            if child.tail and child.tail.strip():
                pieces.append(_escape(child.tail.strip()))
        return " ".join(pieces).replace("|", "\\|").replace("\n", " ")

    def blocks(self, root) -> list[str]:
        out = []
        for element in root:
            block = self.block(element)
            if block is not None and block.strip():
                out.append(block.rstrip())
        return out

    def block(self, element) -> str | None:
        tag = element.tag
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = _plain(element)
            level = max(2, int(tag[1]))
            return "#" * level + " " + _escape(text)
        if tag == "p":
            text = self.inline(element).strip()
            heading = heading_level(element)
            if heading:
                return "#" * heading + " " + _escape(_plain(element))
            return _escape_start(text) if text else None
        if tag in ("ul", "ol"):
            return self.listing(element, 0)
        if tag == "table":
            return self.table(element)
        return self.inline(element).strip() or None

    def listing(self, element, indent: int) -> str:
        lines = []
        number = 0
        for li in element.findall("li"):
            number = int(li.get("data-n") or number + 1)
            mark = f"{number}. " if element.tag == "ol" else "- "
            pad = " " * indent
            head, nested = [_escape(li.text or "")], []
            for child in li:
                if child.tag in ("ul", "ol"):
                    nested.append(self.listing(child, indent + len(mark)))
                elif child.tag == "table":
                    nested.append("\n".join(" " * (indent + len(mark)) + line
                                            for line in self.table(child).split("\n")))
                elif child.tag == "p":
                    head.append(" " + self.inline(child) + " ")
                else:
                    head.append(self.inline_element(child))
                head.append(_escape(child.tail or ""))
            text = " ".join("".join(head).split())
            lines.append(pad + mark + text)
            lines.extend(nested)
        return "\n".join(lines)

    def table(self, element) -> str:
        """A pipe table: a cell merged across columns keeps its text in the first and
        leaves the others empty; one merged down rows repeats its text on each row, so
        every row reads on its own."""
        grid: list[list[str]] = []
        pending: dict[int, tuple[str, int]] = {}  # column → (text, rows still covered)
        for tr in element.iter("tr"):
            if _outer_table(tr) is not element:
                continue
            row, col = [], 0
            cells = [c for c in tr if c.tag in ("td", "th")]
            for cell in cells:
                while col in pending:
                    text, left = pending[col]
                    row.append(text)
                    pending[col] = (text, left - 1)
                    if left - 1 <= 0:
                        del pending[col]
                    col += 1
                text = self.cell(cell)
                span = _int(cell.get("colspan"), 1, 50)
                down = _int(cell.get("rowspan"), 1, 1000)
                for k in range(span):
                    row.append(text if k == 0 else "")
                    if down > 1:
                        pending[col] = (text if k == 0 else "", down - 1)
                    col += 1
            while col in pending:
                text, left = pending[col]
                row.append(text)
                pending[col] = (text, left - 1)
                if left - 1 <= 0:
                    del pending[col]
                col += 1
            grid.append(row)
        if not grid:
            return ""
        grid[0] = [_unbold(c) for c in grid[0]]
        width = max(len(r) for r in grid)
        rows = [r + [""] * (width - len(r)) for r in grid]
        def line(cells: list[str]) -> str:
            return "|" + "|".join(f" {c} " for c in cells) + "|"

        return "\n".join([line(rows[0]), "|" + "---|" * width, *map(line, rows[1:])])


def _unbold(cell: str) -> str:
    """A header cell in bold is a header cell: the pipe table's header row is bold."""
    if cell.startswith("**") and cell.endswith("**") and len(cell) > 4 \
            and "**" not in cell[2:-2]:
        return cell[2:-2]
    return cell


def _int(value, default: int, most: int) -> int:
    try:
        return max(1, min(int(value), most))
    except (TypeError, ValueError):
        return default


def _outer_table(tr):
    parent = tr.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _plain(element) -> str:
    return " ".join("".join(element.itertext()).split())


def heading_level(paragraph) -> int:
    """A Normal paragraph all in bold that starts with a section number reads as a
    heading in real files: "5. NỘI DUNG QUY TRÌNH" is ##, "5.1." ###, "5.1.2." ####;
    "I." roman numbers are ##."""
    if len(paragraph) != 1 or paragraph[0].tag not in ("strong", "b"):
        return 0
    if (paragraph.text or "").strip() or (paragraph[0].tail or "").strip():
        return 0
    text = _plain(paragraph)
    match = HEADING_RE.match(text)
    if not match or len(text) > 150:
        return 0
    if match.group(2):
        return 2
    return min(4, 1 + match.group(1).count(".") + 1)


# -- the control block ----------------------------------------------------------------

def _cells(row) -> list[str]:
    return [_plain(c) for c in row if c.tag in ("td", "th")]


def _signoff(table) -> dict:
    """The sign-off table: a column per role (soạn thảo, xem xét, phê duyệt), a row of
    names ("Họ tên") and one of positions ("Chức vụ"); else the column's last line."""
    rows = [_cells(r) for r in table.iter("tr")]
    found: dict = {}
    for r, header in enumerate(rows):
        columns = {key: i for i, cell in enumerate(header) for key, word in ROLES.items()
                   if word in cell.lower()}
        if len(columns) < 2:
            continue
        below = rows[r + 1:]
        name_row = next((row for row in below if row and re.match(r"(?i)họ\s*(và\s*)?tên",
                                                                 row[0])), None)
        title_row = next((row for row in below if row and re.match(r"(?i)chức\s*vụ", row[0])),
                         None)
        for key, i in columns.items():
            name = ""
            if name_row and i < len(name_row):
                name = name_row[i]
            else:
                lines = [row[i] for row in below if i < len(row) and row[i]]
                name = lines[-1] if lines else ""
            name = re.sub(r"(?i)^(họ\s*(và\s*)?tên|chữ\s*ký)\s*:?\s*", "", name).strip()
            if name:
                found[key] = name[:120]
            if title_row and i < len(title_row) and title_row[i].strip():
                found[key.replace("_by", "_title")] = title_row[i].strip()[:120]
        break
    return found


def control_block(root) -> tuple[dict, list]:
    """What the first page says about the document, and the elements it spans (all
    before the first heading) when it has a control block: those are not body text."""
    head = []
    for element in root:
        if element.tag in ("h1", "h2", "h3", "h4", "h5") or \
                (element.tag == "p" and heading_level(element)):
            break
        head.append(element)
    text = "\n".join("\n".join(" ".join(line.split()) for line in el.itertext() if line.strip())
                     for el in head)
    found: dict = {}
    if m := CODE_RE.search(text):
        found["code"] = m.group(1).strip()
    if m := EDITION_RE.search(text):
        found["revision"] = int(m.group(1))
    if m := DATE_RE.search(text):
        d, mo, y = (int(g) for g in m.groups())
        if 1 <= d <= 31 and 1 <= mo <= 12:
            found["date"] = f"{y:04d}-{mo:02d}-{d:02d}"
    if m := TTHC_RE.search(text):
        found["tthc_code"] = m.group(1)
    for table in (el for el in head if el.tag == "table"):
        found.update(_signoff(table))
    lines = [" ".join(el.itertext()).strip() for el in head if el.tag in ("p", "h1")]
    lines = [" ".join(line.split()) for line in lines if line.strip()]
    for i, line in enumerate(lines):
        upper = line.upper()
        if upper in KIND_LINES and i + 1 < len(lines):
            following = lines[i + 1]
            found["title"] = _title_case(following if following.upper().startswith(upper)
                                         else line + " " + following)
            break
        if re.match(r"^(QUY TRÌNH|HƯỚNG DẪN|SỔ TAY)\s+\S", line):
            found["title"] = _title_case(line)
            break
    if not any(k in found for k in ("code", "revision", "drafted_by", "approved_by")):
        return found, []
    # the block ends with its last piece (a table or line naming the code, edition or
    # sign-off, or the change table after its caption): what follows is body text
    cut, caption = -1, False
    for i, element in enumerate(head):
        words = " ".join(" ".join(element.itertext()).split())
        if CONTROL_WORDS.search(words) or (caption and element.tag == "table"):
            cut = i
        caption = bool(CHANGES_CAPTION.search(words)) and element.tag != "table"
        if caption:
            cut = i
    return found, head[:cut + 1]


def _title_case(text: str) -> str:
    text = " ".join(text.split())
    if text.upper() == text:
        text = text[:1] + text[1:].lower()
    return text[:300]


def guess_kind(title: str, found: dict) -> str:
    if found.get("tthc_code"):
        return "tthc"
    low = title.lower()
    for word, kind in KIND_WORDS:
        if low.startswith(word):
            return kind
    return "internal"


# -- the conversion ----------------------------------------------------------------

def safe_name(name: str) -> str:
    """An embedded part's name as an attachment's: ASCII letters, digits, dot, dash."""
    stem, dot, suffix = name.rpartition(".")
    stem = re.sub(r"[^A-Za-z0-9-]+", "-", stem if dot else name).strip("-")[:60] or "tep"
    suffix = re.sub(r"[^A-Za-z0-9]+", "", suffix)[:8] if dot else ""
    return f"{stem}.{suffix}".lower() if suffix else stem.lower()


class Attachments:
    """Pictures and embedded objects read from the file, within the bounds; the bytes
    go to the parent base64-encoded in the JSON answer."""

    def __init__(self):
        self.files: list[dict] = []
        self.skipped: list[str] = []
        self.images = 0
        self.total = 0

    def add(self, name: str, content_type: str | None, data: bytes, *, image: bool = False
            ) -> str | None:
        if image:
            self.images += 1
        if (len(self.files) >= MAX_ATTACHMENTS or len(data) > MAX_ATTACHMENT_BYTES
                or self.total + len(data) > MAX_ATTACHMENTS_TOTAL or not data):
            self.skip(name)
            return None
        taken = {f["name"] for f in self.files}
        stem, _, suffix = name.rpartition(".")
        n = 2
        while name in taken:
            name, n = f"{stem}-{n}.{suffix}", n + 1
        self.total += len(data)
        self.files.append({"name": name, "type": (content_type or "")[:100],
                           "data": base64.b64encode(data).decode("ascii")})
        return name

    def skip(self, name: str) -> None:
        self.skipped.append(name[:100])


def convert(data: bytes, mode: str) -> dict:
    import mammoth
    from lxml import etree, html

    archive = zipfile.ZipFile(io.BytesIO(data))
    check_xml(archive)
    parser = lxml_parser()
    document = etree.fromstring(archive.read("word/document.xml"), parser)
    names = set(archive.namelist())

    def part(name):
        return etree.fromstring(archive.read(name), parser) if name in names else None

    changes = tracked_changes(document)
    if changes and mode not in ("accept", "reject"):
        raise Refused("tracked_changes", count=changes)
    if changes:
        resolve_changes(document, mode)
    numbers = number_headings(document, part("word/styles.xml"), part("word/numbering.xml"))
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as out:
        for info in archive.infolist():
            if info.filename == "word/document.xml":
                out.writestr(info.filename, etree.tostring(document, xml_declaration=True,
                                                           encoding="UTF-8", standalone=True))
            else:
                out.writestr(info, archive.read(info))
    kept = Attachments()

    def image(element):
        suffix = IMAGE_SUFFIXES.get((element.content_type or "").lower(), "bin")
        with element.open() as stream:
            data = stream.read(MAX_ATTACHMENT_BYTES + 1)
        name = kept.add(f"hinh-{kept.images + 1}.{suffix}", element.content_type, data,
                        image=True)
        return {"src": name or "", "alt": element.alt_text or ""}

    result = mammoth.convert_to_html(io.BytesIO(rebuilt.getvalue()), style_map=STYLE_MAP,
                                     convert_image=mammoth.images.img_element(image))
    root = html.fragment_fromstring("<div>" + _norm(result.value) + "</div>")
    items = list(root.iter("li"))
    if len(items) == len(numbers):  # one list item per numbered paragraph, in order
        for item, number in zip(items, numbers, strict=True):
            if number is not None:
                item.set("data-n", str(number))
    props = custom_properties(archive)
    found, head = control_block(root)
    for element in head:
        root.remove(element)
    writer = Markdown()
    body = "\n\n".join(writer.blocks(root)).strip()
    for name in sorted(n for n in names if n.startswith("word/embeddings/")):
        info = archive.getinfo(name)
        if info.file_size > MAX_ATTACHMENT_BYTES:
            kept.skip(name.rsplit("/", 1)[-1])
            continue
        kept.add(safe_name(name.rsplit("/", 1)[-1]), "", archive.read(name))
    title = found.get("title", "")
    return {"ok": True, "markdown": body, "found": found, "properties": props,
            "kind": guess_kind(title, found), "attachments": kept.files,
            "skipped": kept.skipped[:50],
            "control_block": bool(head), "tracked_changes": changes,
            "warnings": sorted({m.message for m in result.messages
                                if m.type == "warning"})[:20]}


def main() -> None:
    mode, memory_mb, cpu = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    limit(memory_mb, cpu)
    sys.setrecursionlimit(2000)
    data = sys.stdin.buffer.read()
    try:
        answer = convert(data, mode)
    except Refused as exc:
        answer = {"ok": False, "error": exc.key, **exc.details}
    except ModuleNotFoundError:
        raise  # the server's installation, not the file: the parent logs it
    except (MemoryError, ImportError):  # a library that cannot be mapped under the limit
        answer = {"ok": False, "error": "memory"}
    except RecursionError:
        answer = {"ok": False, "error": "too_deep"}
    except (zipfile.BadZipFile, zlib.error, KeyError, EOFError, OSError, ValueError):
        answer = {"ok": False, "error": "damaged"}
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
