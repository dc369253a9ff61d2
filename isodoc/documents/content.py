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
# libyaml where PyYAML was built with it: the same safe constructors and representers, in C
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table") \
    .enable("strikethrough")


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


def word_diff(old: str, new: str) -> tuple[Markup, Markup, int]:
    """Side-by-side diff by whitespace-separated tokens: a Vietnamese word is several
    syllables, so a changed syllable is marked, not the whole line. Returns the two
    sides as HTML and the number of changed tokens."""
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    left, right, changed = [], [], 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old_part, new_part = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(old_part)
            right.append(new_part)
            continue
        changed += max(i2 - i1, j2 - j1)
        if old_part:
            left.append(f"<del>{old_part}</del>")
        if new_part:
            right.append(f"<ins>{new_part}</ins>")
    return Markup("".join(left)), Markup("".join(right)), changed  # noqa: S704 (escaped)
