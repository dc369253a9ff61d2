"""A document file: YAML front matter + Markdown body, NFC UTF-8; rendering and diffs."""

from __future__ import annotations

import difflib
import hashlib
import re
from functools import lru_cache
from html import escape

import nh3
import yaml
from markdown_it import MarkdownIt
from markupsafe import Markup

from isodoc.textnorm import nfc

FRONT = re.compile(r"\A---\n(.*?)\n---\n\n?", re.S)
ALLOWED_TAGS = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del",
                "code", "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody",
                "tr", "th", "td", "sup", "sub"}
_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table") \
    .enable("strikethrough")


def compose(meta: dict, body: str) -> bytes:
    """The file as stored: front matter in a fixed key order, then the body."""
    header = yaml.safe_dump({k: v for k, v in meta.items() if v not in (None, "", [])},
                            allow_unicode=True, sort_keys=False, width=1000)
    text = f"---\n{header}---\n\n{nfc(body).replace(chr(13), '')}\n"
    return nfc(text).encode("utf-8")


def split(data: bytes) -> tuple[dict, str]:
    text = data.decode("utf-8")
    match = FRONT.match(text)
    if not match:
        return {}, text
    meta = yaml.safe_load(match.group(1)) or {}
    return (meta if isinstance(meta, dict) else {}), text[match.end():]


def render(body: str) -> Markup:
    """Markdown to sanitised HTML (cached by content)."""
    return Markup(_render(hashlib.sha256(body.encode()).hexdigest(), body))  # noqa: S704 (nh3-cleaned)


@lru_cache(maxsize=512)
def _render(_digest: str, body: str) -> str:
    html = _md.render(body)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"},
                                                          "td": {"align"}, "th": {"align"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


TOKEN = re.compile(r"\s+|[^\s]+")
# difflib's matcher is quadratic to cubic in its input (measured: 1,000 tokens with a
# shared separator 6 s without autojunk, 5,000 tokens of a 101-word vocabulary 6 s
# with it, 2,000 of them 0.35 s): it is never handed more than these per side.
DIFF_MAX_TOKENS = 2_000
DIFF_MAX_LINES = 2_000
TOO_LARGE_FOR_WORDS = "Phần thay đổi quá lớn để so sánh từng từ: so sánh theo dòng."
TOO_LARGE_FOR_LINES = ("Phần thay đổi quá lớn để so sánh từng từ hay từng dòng: "
                       "hiển thị toàn bộ phần khác nhau.")


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
            pieces, note = _opcodes(lines_a, lines_b), TOO_LARGE_FOR_WORDS
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
    if note:
        left.insert(0, f'<p class="diff-note">{escape(note)}</p>')
        right.insert(0, f'<p class="diff-note">{escape(note)}</p>')
    return Markup("".join(left)), Markup("".join(right)), changed  # noqa: S704 (escaped)


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, list[str], list[str]]]:
    # autojunk (difflib applies it from 200 items): a token in more than 1% of the
    # positions cannot start a match, which keeps the matcher near-linear
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=True)
    return [(op, a[i1:i2], b[j1:j2]) for op, i1, i2, j1, j2 in matcher.get_opcodes()]
