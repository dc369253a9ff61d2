"""A document file: YAML front matter + Markdown body, NFC UTF-8; rendering and diffs."""

from __future__ import annotations

import difflib
import hashlib
import re
import threading
from collections import OrderedDict
from html import escape

import nh3
import yaml
from flask_babel import LazyString
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup

from isodoc.i18n import _, _l
from isodoc.textnorm import nfc
from isodoc.timeutil import interface_locale

FRONT = re.compile(r"\A---\n(.*?)\n---\n\n?", re.S)
ALLOWED_TAGS = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del",
                "code", "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody",
                "tr", "th", "td", "sup", "sub"}
# libyaml where PyYAML was built with it: the same safe constructors and representers, in C
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
# Rendering is bounded before work: a body is cut at RENDER_MAX_CHARS (the largest body
# a document may have), block nesting at markdown-it's maxNesting (20 in the commonmark
# preset), and the inline parser, whose link and emphasis rules cost 10 to 30 µs per
# markup character and backtrack (400,000 "[" took 10 s), is handed at most
# INLINE_MARKUP_BUDGET markup characters per document and INLINE_MAX_CHARS per block;
# beyond, a block is shown as plain text. Block parsing costs 10 to 60 µs per line
# (250,000 lines: 3.4 s), hence RENDER_MAX_LINES; and nh3 is quadratic in the number of
# "&" in one text node (400,000: 4.9 s), hence plain text in pieces of TEXT_PIECE.
RENDER_MAX_CHARS = 500_000
RENDER_MAX_LINES = 10_000
TEXT_PIECE = 2_000
INLINE_MAX_CHARS = 20_000
INLINE_MARKUP_BUDGET = 20_000
_MARKUP = re.compile(r"[\[\]!`*_<>~&\\]")


def format_count(n: int) -> str:
    """A count in the interface's language ("500.000"; English "500,000")."""
    from babel.numbers import format_decimal

    return format_decimal(n, locale=interface_locale())


# lazy: worded in the language of the request that shows it
TOO_LONG_TO_RENDER = LazyString(lambda: _(
    "Nội dung quá dài để hiển thị đầy đủ: chỉ hiển thị phần đầu (%(chars)s ký tự, "
    "%(lines)s dòng).", chars=format_count(RENDER_MAX_CHARS),
    lines=format_count(RENDER_MAX_LINES)))


def _bounded_inline(state: StateCore) -> None:
    """markdown-it's core "inline" rule, with a budget: what exceeds it stays text."""
    budget = INLINE_MARKUP_BUDGET
    for token in state.tokens:
        if token.type != "inline":
            continue
        if token.children is None:
            token.children = []
        cost = len(_MARKUP.findall(token.content))
        if len(token.content) <= INLINE_MAX_CHARS and cost <= budget:
            budget -= cost
            state.md.inline.parse(token.content, state.md, state.env, token.children)
        else:
            token.children.append(Token("text", "", 0, content=token.content))


_TEXT_RUN = re.compile(rf"(?<=>)[^<]{{{TEXT_PIECE + 1},}}")
_PIECE = re.compile(rf"(?:&#?\w+;|[^<&]){{1,{TEXT_PIECE}}}")


def _pieces(html: str) -> str:
    """Long text runs of markdown-it's output cut by an empty <span> (which nh3 drops)
    every TEXT_PIECE characters, never inside an entity: nh3 then appends to short
    text nodes. Text follows ">" only outside tags: markdown-it escapes ">" elsewhere."""
    return _TEXT_RUN.sub(lambda m: "<span></span>".join(_PIECE.findall(m.group(0))), html)


_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table") \
    .enable("strikethrough")
_md.core.ruler.at("inline", _bounded_inline)


def compose(meta: dict, body: str) -> bytes:
    """The file as stored: front matter in a fixed key order, then the body."""
    header = yaml.dump({k: v for k, v in meta.items() if v not in (None, "", [])},
                       Dumper=SafeDumper, allow_unicode=True, sort_keys=False, width=1000)
    text = f"---\n{header}---\n\n{nfc(body).replace(chr(13), '')}\n"
    return nfc(text).encode("utf-8")


def split(data: bytes) -> tuple[dict, str]:
    text = data.decode("utf-8")
    match = FRONT.match(text)
    if not match:
        return {}, text
    meta = yaml.load(match.group(1), Loader=SafeLoader) or {}  # noqa: S506 (safe loader)
    return (meta if isinstance(meta, dict) else {}), text[match.end():]


def too_long_note(body: str) -> str:
    """The notice around a body too long to render whole, in the reader's language ("" if
    it fits): kept out of any cached HTML, which every reader shares."""
    if len(body) > RENDER_MAX_CHARS or body.count("\n", 0, RENDER_MAX_CHARS) >= RENDER_MAX_LINES:
        return f'<p class="notice">{escape(str(TOO_LONG_TO_RENDER))}</p>'
    return ""


def render(body: str, *, with_note: bool = True) -> Markup:
    """Markdown to sanitised HTML (cached by content), in bounded work (see above)."""
    note = too_long_note(body) if with_note else ""
    lines = body[:RENDER_MAX_CHARS].split("\n", RENDER_MAX_LINES)
    if len(body) > RENDER_MAX_CHARS or len(lines) > RENDER_MAX_LINES:
        body = "\n".join(lines[:RENDER_MAX_LINES])
    digest = hashlib.sha256(body.encode()).hexdigest()
    html = _cache.get(digest)
    if html is None:
        html = _render(body)
        _cache.put(digest, html)
    return Markup(note + html + note)  # noqa: S704 (nh3-cleaned; the note is ours)


class _RenderCache:
    """Rendered HTML by body digest, bounded in characters (not only in entries: 512
    bodies of 500 KB were 256 MB per worker); least recently used out first."""

    def __init__(self, max_chars: int = 20_000_000):
        self.max_chars, self.chars = max_chars, 0
        self.items: OrderedDict[str, str] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
            return None

    def put(self, key: str, html: str) -> None:
        with self.lock:
            if key in self.items or len(html) > self.max_chars // 10:
                return
            self.items[key] = html
            self.chars += len(html)
            while self.chars > self.max_chars:
                self.chars -= len(self.items.popitem(last=False)[1])

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.chars = 0


_cache = _RenderCache()


def _render(body: str) -> str:
    html = _pieces(_md.render(body))
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"},
                                                          "td": {"align"}, "th": {"align"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


TOKEN = re.compile(r"\s+|[^\s]+")
# difflib's matcher is quadratic to cubic in its input (measured: 1,000 tokens with a
# shared separator 6 s without autojunk, 5,000 tokens of a 101-word vocabulary 6 s
# with it, 2,000 of them 0.35 s): it is never handed more than these per side.
DIFF_MAX_TOKENS = 2_000
DIFF_MAX_LINES = 2_000
TOO_LARGE_FOR_WORDS = _l("Phần thay đổi quá lớn để so sánh từng từ ở mọi chỗ: các đoạn khác "
                         "nhau lớn được so sánh theo dòng.")
TOO_LARGE_FOR_LINES = _l("Phần thay đổi quá lớn để so sánh từng từ hay từng dòng: hiển thị "
                         "toàn bộ phần khác nhau.")


def word_diff(old: str, new: str) -> tuple[Markup, Markup, int]:
    """Side-by-side diff by whitespace-separated tokens: a Vietnamese word is several
    syllables, so a changed syllable is marked, not the whole line. Returns the two
    sides as HTML and the number of changed tokens.

    Bounded work whatever the bodies (500 KB each): the common head and tail are set
    aside in linear time; what differs is diffed by tokens up to DIFF_MAX_TOKENS, else
    by lines up to DIFF_MAX_LINES, else shown whole as one change, with a note."""
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    head = 0
    while head < len(a) and head < len(b) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < len(a) - head and tail < len(b) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    mid_a, mid_b = a[head:len(a) - tail], b[head:len(b) - tail]
    note = ""
    if len(mid_a) <= DIFF_MAX_TOKENS and len(mid_b) <= DIFF_MAX_TOKENS:
        pieces = _opcodes(mid_a, mid_b)
    else:
        lines_a = "".join(mid_a).splitlines(keepends=True)
        lines_b = "".join(mid_b).splitlines(keepends=True)
        if len(lines_a) <= DIFF_MAX_LINES and len(lines_b) <= DIFF_MAX_LINES:
            pieces, note = _refined(_opcodes(lines_a, lines_b)), TOO_LARGE_FOR_WORDS
        else:
            pieces = [("replace", lines_a, lines_b)]
            note = TOO_LARGE_FOR_LINES
    left, right = [escape("".join(a[:head]))], [escape("".join(b[:head]))]
    changed = 0
    for op, old_parts, new_parts in pieces:
        old_part, new_part = escape("".join(old_parts)), escape("".join(new_parts))
        if op == "equal":
            left.append(old_part)
            right.append(new_part)
            continue
        changed += (max(len(old_parts), len(new_parts)) if not note else
                    max(len(TOKEN.findall("".join(old_parts))),
                        len(TOKEN.findall("".join(new_parts)))))
        if old_part:
            left.append(f"<del>{old_part}</del>")
        if new_part:
            right.append(f"<ins>{new_part}</ins>")
    left.append(escape("".join(a[len(a) - tail:])))
    right.append(escape("".join(b[len(b) - tail:])))
    if note:  # phrasing content: the sides are shown in <pre>
        left.insert(0, f'<strong class="diff-note">{escape(str(note))}</strong>\n')
        right.insert(0, f'<strong class="diff-note">{escape(str(note))}</strong>\n')
    return Markup("".join(left)), Markup("".join(right)), changed  # noqa: S704 (escaped)


def _refined(pieces: list[tuple[str, list[str], list[str]]]
             ) -> list[tuple[str, list[str], list[str]]]:
    """Changed lines diffed again by words, while the DIFF_MAX_TOKENS budget lasts: the
    sum of the parts handed to difflib stays within the one cap."""
    budget, out = DIFF_MAX_TOKENS, []
    for op, old_parts, new_parts in pieces:
        if op == "replace":
            a, b = TOKEN.findall("".join(old_parts)), TOKEN.findall("".join(new_parts))
            if max(len(a), len(b)) <= budget:
                budget -= max(len(a), len(b))
                out.extend(_opcodes(a, b))
                continue
        out.append((op, old_parts, new_parts))
    return out


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, list[str], list[str]]]:
    # autojunk (difflib applies it from 200 items): a token in more than 1% of the
    # positions cannot start a match, which keeps the matcher near-linear
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=True)
    return [(op, a[i1:i2], b[j1:j2]) for op, i1, i2, j1, j2 in matcher.get_opcodes()]
