"""Changes as a document: a revision rendered, with insertions and deletions marked
inside its rendered headings, paragraphs, list items and table cells, and a summary of
the sections (## headings) that changed.

Both bodies are parsed by the one Markdown pipeline (content._md, with its bounds) and
cut into blocks: a heading, a paragraph, one item of a top-level list, one row of a
table, or any other top-level element whole. Blocks are matched by their rendering
(difflib, like the word diff); a changed block is paired with a removed block of the
same kind, and when both render to the same tags (the same cells, the same inline
markup) the text between the tags is diffed word by word, so a changed cell is marked
inside its <td>. Otherwise the old block is shown struck and the new one inserted.

Bounded like content.word_diff, with its budgets: bodies are cut as for rendering, the
block matcher is handed at most DIFF_MAX_LINES blocks per side (what differs beyond is
shown as removed and inserted, with a note), and all word diffs of one comparison share
DIFF_MAX_TOKENS tokens (beyond, a changed text is shown whole, with a note). The result
goes through nh3 like every rendering, with <ins> allowed.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass, field

import nh3
from flask_babel import LazyString
from markdown_it.token import Token
from markupsafe import Markup

from isodoc.documents import content
from isodoc.i18n import _, _l

ALLOWED_TAGS = content.ALLOWED_TAGS | {"ins"}
ATTRIBUTES = {"a": {"href", "title"}, "td": {"align"}, "th": {"align"},
              "ol": {"start"}, "ins": {"class"}, "del": {"class"}}
# lazy: worded in the language of the request that shows them
BLOCKS_TOO_MANY = _l("Phần thay đổi quá lớn để so sánh từng đoạn: phần khác nhau được hiển "
                     "thị như bỏ toàn bộ bản cũ và thêm toàn bộ bản mới.")
WORDS_TOO_MANY = _l("Phần thay đổi quá lớn để so sánh từng từ ở mọi chỗ: một số đoạn được "
                    "hiển thị như bỏ cả đoạn cũ và thêm cả đoạn mới.")
TOO_LONG = LazyString(lambda: _(
    "Nội dung quá dài: chỉ so sánh phần đầu (%(chars)s ký tự, %(lines)s dòng).",
    chars=content.format_count(content.RENDER_MAX_CHARS),
    lines=content.format_count(content.RENDER_MAX_LINES)))
BEFORE_FIRST_SECTION = _l("Phần đầu (trước mục đầu tiên)")
_TAG = re.compile(r"(<[^>]*>)")  # markdown-it escapes "<" and ">" in text and attributes


@dataclass
class Block:
    kind: str        # "h2", "p", "li", "tr", "table", "blockquote", …
    html: str        # markdown-it's rendering of the block alone (not yet sanitised)
    section: str     # the title of the ## heading it is under
    container: str = ""  # the opening tag of the list it is an item of, or "table"
    head: bool = False   # a table row of the header


@dataclass
class Section:
    title: str
    changed: int = 0
    inserted: int = 0
    deleted: int = 0


@dataclass
class Redline:
    html: Markup
    sections: list[Section] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changed: int = 0  # changed blocks, all kinds together


def _close(tokens: list[Token], start: int) -> int:
    """Index of the token closing tokens[start] (itself if it opens nothing)."""
    opening = tokens[start]
    if opening.nesting != 1:
        return start
    for i in range(start + 1, len(tokens)):
        if tokens[i].level == opening.level and tokens[i].nesting == -1:
            return i
    return len(tokens) - 1


def _render(tokens: list[Token]) -> str:
    return content._md.renderer.render(tokens, content._md.options, {})


def blocks(body: str) -> list[Block]:
    """The body cut into blocks, in one pass over markdown-it's tokens."""
    tokens = content._md.parse(body)
    out: list[Block] = []
    section, i = str(BEFORE_FIRST_SECTION), 0
    while i < len(tokens):
        token, end = tokens[i], _close(tokens, i)
        if token.type in ("bullet_list_open", "ordered_list_open"):
            opening = _render([token]).strip()
            j = i + 1
            while j < end:
                item_end = _close(tokens, j)
                out.append(Block("li", _render(tokens[j:item_end + 1]), section, opening))
                j = item_end + 1
        elif token.type == "table_open":
            head = False
            for j in range(i + 1, end):
                kind = tokens[j].type
                if kind in ("thead_open", "thead_close"):
                    head = kind == "thead_open"
                elif kind == "tr_open":
                    row_end = _close(tokens, j)
                    out.append(Block("tr", _render(tokens[j:row_end + 1]), section, "table",
                                     head))
        else:
            if token.type == "heading_open" and token.tag in ("h1", "h2") and i + 1 < end:
                section = tokens[i + 1].content.strip() or section
            out.append(Block(token.tag or token.type, _render(tokens[i:end + 1]), section))
        i = end + 1
    return out


class _Words:
    """Word diffs of text between tags, sharing one DIFF_MAX_TOKENS budget."""

    def __init__(self) -> None:
        self.budget = content.DIFF_MAX_TOKENS
        self.exhausted = False

    def text(self, old: str, new: str) -> str:
        if old == new:
            return new
        a, b = content.TOKEN.findall(old), content.TOKEN.findall(new)
        if max(len(a), len(b)) > self.budget:
            self.exhausted = True
            return _mark(old, "del") + _mark(new, "ins")
        self.budget -= max(len(a), len(b))
        # a space alone between two changes joins them: "<del>Văn thư</del><ins>Bộ phận
        # một cửa</ins>" reads better than alternating syllables
        merged: list[list] = []
        for op, old_part, new_part in content._opcodes(a, b):
            if merged and op != "equal" and merged[-1][0] != "equal":
                merged[-1][1] += old_part
                merged[-1][2] += new_part
            elif (merged and op == "equal" and merged[-1][0] != "equal"
                  and all(not t.strip() for t in new_part)):
                merged.append(["equal", old_part, new_part])
            elif (op != "equal" and len(merged) >= 2 and merged[-1][0] == "equal"
                  and all(not t.strip() for t in merged[-1][2]) and merged[-2][0] != "equal"):
                space = merged.pop()
                merged[-1][1] += space[1] + old_part
                merged[-1][2] += space[2] + new_part
            else:
                merged.append([op, list(old_part), list(new_part)])
        out = []
        for op, old_part, new_part in merged:
            if op == "equal":
                out.append("".join(new_part))
            else:
                out.append(_mark("".join(old_part), "del") + _mark("".join(new_part), "ins"))
        return "".join(out)


def _mark(text: str, tag: str) -> str:
    """Text wrapped in <ins>/<del>, leaving surrounding whitespace outside."""
    stripped = text.strip()
    if not stripped:
        return text
    lead = text[:len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    return f"{lead}<{tag}>{stripped}</{tag}>{trail}"


def _whole(html: str, tag: str) -> str:
    parts = _TAG.split(html)
    return "".join(_mark(p, tag) if k % 2 == 0 else p for k, p in enumerate(parts))


def _paired(old: Block, new: Block, words: _Words) -> str | None:
    """The new block with its changed words marked, if both have the same tags."""
    a, b = _TAG.split(old.html), _TAG.split(new.html)
    if a[1::2] != b[1::2]:
        return None
    return "".join(words.text(x, y) if k % 2 == 0 else y
                   for k, (x, y) in enumerate(zip(a, b, strict=True)))


def _bounded(body: str) -> tuple[str, bool]:
    lines = body[:content.RENDER_MAX_CHARS].split("\n", content.RENDER_MAX_LINES)
    if len(body) > content.RENDER_MAX_CHARS or len(lines) > content.RENDER_MAX_LINES:
        return "\n".join(lines[:content.RENDER_MAX_LINES]), True
    return body, False


def redline(old_body: str, new_body: str) -> Redline:
    old_body, cut_old = _bounded(old_body)
    new_body, cut_new = _bounded(new_body)
    a, b = blocks(old_body), blocks(new_body)
    head = 0
    while head < len(a) and head < len(b) and a[head].html == b[head].html:
        head += 1
    tail = 0
    while tail < len(a) - head and tail < len(b) - head and \
            a[-1 - tail].html == b[-1 - tail].html:
        tail += 1
    mid_a, mid_b = a[head:len(a) - tail], b[head:len(b) - tail]
    notes = [TOO_LONG] if cut_old or cut_new else []
    if len(mid_a) <= content.DIFF_MAX_LINES and len(mid_b) <= content.DIFF_MAX_LINES:
        keys_a, keys_b = [x.html for x in mid_a], [x.html for x in mid_b]
        ops = [(op, mid_a[i1:i2], mid_b[j1:j2])
               for op, i1, i2, j1, j2 in difflib.SequenceMatcher(
                   None, keys_a, keys_b, autojunk=True).get_opcodes()]
    else:
        ops = [("delete", mid_a, []), ("insert", [], mid_b)]
        notes.append(BLOCKS_TOO_MANY)

    words = _Words()
    sections: OrderedDict[str, Section] = OrderedDict()

    def count(block: Block, what: str) -> None:
        found = sections.setdefault(block.section, Section(block.section))
        setattr(found, what, getattr(found, what) + 1)

    shown: list[tuple[Block, str]] = [(x, x.html) for x in b[:head]]
    changed = 0
    for op, olds, news in ops:
        if op == "equal":
            shown.extend((x, x.html) for x in news)
            continue
        olds, news = deque(olds), deque(news)
        kinds = Counter(x.kind for x in olds)  # of the old blocks not yet shown
        while olds or news:
            if olds and news and olds[0].kind == news[0].kind:
                old, new = olds.popleft(), news.popleft()
                kinds[old.kind] -= 1
                marked = _paired(old, new, words)
                changed += 1
                if marked is not None:
                    shown.append((new, marked))
                    count(new, "changed")
                    continue
                shown.append((old, _whole(old.html, "del")))
                shown.append((new, _whole(new.html, "ins")))
                count(new, "changed")
            elif olds and (not news or kinds[news[0].kind] > 0):
                # the next new block pairs with a later old one: this one was removed
                old = olds.popleft()
                kinds[old.kind] -= 1
                shown.append((old, _whole(old.html, "del")))
                count(old, "deleted")
                changed += 1
            else:
                new = news.popleft()
                shown.append((new, _whole(new.html, "ins")))
                count(new, "inserted")
                changed += 1
    shown.extend((x, x.html) for x in b[len(b) - tail:] if tail)
    if words.exhausted:
        notes.append(WORDS_TOO_MANY)
    html = content._pieces(_assemble(shown))
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return Redline(Markup(clean), list(sections.values()), notes, changed)  # noqa: S704


def _assemble(shown: list[tuple[Block, str]]) -> str:
    """Blocks back into documents: consecutive items of a list into one list,
    consecutive rows into one table (a header row after body rows starts a new one)."""
    out: list[str] = []
    container, in_body = "", False
    for block, html in shown:
        if container and (block.container != container or
                          (container == "table" and block.head and in_body)):
            out.append(_closing(container, in_body))
            container, in_body = "", False
        if block.container and not container:
            container = block.container
            out.append("<table>\n<thead>\n" if container == "table" else container + "\n")
        if container == "table" and not block.head and not in_body:
            out.append("</thead>\n<tbody>\n")
            in_body = True
        out.append(html)
    if container:
        out.append(_closing(container, in_body))
    return "".join(out)


def _closing(container: str, in_body: bool) -> str:
    if container == "table":
        return "</tbody>\n</table>\n" if in_body else "</thead>\n</table>\n"
    return "</ol>\n" if container.startswith("<ol") else "</ul>\n"
