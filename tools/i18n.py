"""The English catalog's housekeeping, and the checks tests/test_i18n.py runs.

    python tools/i18n.py status [PATH ...]      # unwrapped text and missing translations
    python tools/i18n.py add PART PATH [...]    # append the strings of PATHs that lack a
                                                # translation to isodoc/translations/en/PART.po
                                                # (empty msgstr, for the translator)
    python tools/i18n.py check                  # exit 1 if anything is left (CI runs the test)

Source text is Vietnamese; a string counts as user-facing text when it holds a letter
with a Vietnamese diacritic. Python text goes through `_()` (inside functions) or
`_l()` (module and class level, evaluated per request); templates use `_()` or
`{% trans %}`. Text that must stay Vietnamese (officially filed documents, demo data,
the operator's console, parsers of Vietnamese input) is marked: a whole module with a
line `# i18n: vietnamese-only (why)`, a single line with the comment `# i18n: vi-only`.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG_DIR = ROOT / "isodoc" / "translations" / "en"
VIETNAMESE = re.compile(
    "[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ"
    "ÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴÈÉẸẺẼÊỀẾỆỂỄÌÍỊỈĨÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠÙÚỤỦŨƯỪỨỰỬỮỲÝỴỶỸĐ]")
GETTEXT = {"_", "gettext", "ngettext", "pgettext", "_l", "lazy_gettext", "lazy_ngettext",
           "npgettext"}
EAGER = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical"}
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
METHOD_MAP = [("isodoc/**.py", "python"), ("templates/**.html", "jinja2"),
              ("templates/**.txt", "jinja2")]
FILE_MARK = "# i18n: vietnamese-only"
LINE_MARK = "# i18n: vi-only"


def extract() -> Catalog:
    """Every message in the source, as `pybabel extract` would find it."""
    catalog = Catalog(locale=None)
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"},
               "templates/**.txt": {"extensions": "jinja2.ext.i18n"}}
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), METHOD_MAP, options, KEYWORDS, strip_comment_tags=True):
        if filename.startswith(("isodoc/", "templates/")):
            catalog.add(message, None, [(filename, lineno)], auto_comments=comments,
                        context=context)
    return catalog


def english() -> Catalog:
    sys.path.insert(0, str(ROOT))
    from isodoc.i18n import merged_catalog

    return merged_catalog("en")


def missing(source: Catalog, target: Catalog) -> list:
    """Source messages with no English (absent, empty or fuzzy)."""
    out = []
    for message in source:
        if not message.id:
            continue
        found = target.get(message.id, message.context)
        strings = found.string if found is not None else None
        empty = not all(strings) if isinstance(strings, tuple | list) else not strings
        if found is None or empty or found.fuzzy:
            out.append(message)
    return out


def placeholder_mismatches(source: Catalog, target: Catalog) -> list[str]:
    """Translations whose %(name)s placeholders differ from the source's."""
    pattern = re.compile(r"%\((\w+)\)[sdif]")
    out = []
    for message in source:
        found = target.get(message.id, message.context) if message.id else None
        if found is None or not found.string:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = found.string if isinstance(found.string, tuple | list) else (found.string,)
        wanted = set().union(*(pattern.findall(i) for i in ids))
        for string in strings:
            if set(pattern.findall(string)) != wanted:
                out.append(f"{ids[0]!r} → {string!r}")
    return out


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _python_files() -> Iterator[Path]:
    yield from sorted((ROOT / "isodoc").rglob("*.py"))


def _call_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name):
            return func.id
        if isinstance(func, ast.Attribute):
            return func.attr
    return None


def _is_log_call(node: ast.Call) -> bool:
    func = node.func
    return isinstance(func, ast.Attribute) and func.attr in LOG_METHODS and \
        "log" in ast.unparse(func.value).lower()


def unwrapped_python(paths: Iterable[Path] | None = None) -> list[tuple[str, int, str]]:
    """Vietnamese text in Python that is neither a gettext argument nor marked."""
    found = []
    for path in paths or _python_files():
        source = path.read_text(encoding="utf-8")
        if FILE_MARK in source:
            continue
        lines = source.splitlines()
        tree = ast.parse(source)
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and VIETNAMESE.search(node.value)):
                continue
            parent = parents.get(node)
            if isinstance(parent, ast.Expr):
                continue  # a docstring or a bare string: not shown to anyone
            if isinstance(parent, ast.Call) and node in parent.args and (
                    _call_name(parent) in GETTEXT or _is_log_call(parent)):
                continue
            span = lines[node.lineno - 1:(node.end_lineno or node.lineno)]
            if any(LINE_MARK in line for line in span):
                continue
            found.append((_rel(path), node.lineno, node.value[:60]))
    return found


def eager_at_import(paths: Iterable[Path] | None = None) -> list[tuple[str, int, str]]:
    """`_()` evaluated at import (module or class level): it would stay Vietnamese."""
    found = []
    for path in paths or _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = _rel(path)

        def visit(node: ast.AST, in_function: bool, where: str = where) -> None:
            for child in ast.iter_child_nodes(node):
                inner = in_function or isinstance(
                    child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
                if not inner and _call_name(child) in EAGER and \
                        isinstance(child.func, ast.Name):
                    found.append((where, child.lineno, ast.unparse(child)[:60]))
                visit(child, inner, where)

        visit(tree, False)
    return found


def _template_files() -> Iterator[Path]:
    for pattern in ("*.html", "*.txt"):
        yield from sorted((ROOT / "templates").rglob(pattern))


def unwrapped_templates(paths: Iterable[Path] | None = None) -> list[tuple[str, int, str]]:
    """Vietnamese text in templates outside `_()` and `{% trans %}`."""
    from jinja2 import Environment

    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)  # lexed, never rendered
    found = []
    for path in paths or _template_files():
        in_trans = False
        calls: list[str | None] = []
        previous: tuple[str, str] = ("", "")
        expect_tag = False
        for lineno, kind, value in env.lex(path.read_text(encoding="utf-8")):
            if kind in ("block_begin",):
                expect_tag = True
            elif expect_tag and kind == "name":
                expect_tag = False
                if value == "trans":
                    in_trans = True
                elif value in ("endtrans", "pluralize"):
                    in_trans = value == "pluralize"
            elif kind not in ("whitespace",):
                expect_tag = False
            if kind == "operator" and value == "(":
                calls.append(previous[1] if previous[0] == "name" else None)
            elif kind == "operator" and value == ")" and calls:
                calls.pop()
            elif kind in ("data", "string") and (match := VIETNAMESE.search(value)):
                lineno += value[:match.start()].count("\n")
                allowed = in_trans if kind == "data" else bool(calls and calls[-1] in GETTEXT)
                if not allowed:
                    found.append((_rel(path), lineno,
                                  " ".join(value.split())[:60]))
            if kind not in ("whitespace",):
                previous = (kind, value)
    return found


def _under(location: str, prefixes: list[str]) -> bool:
    return not prefixes or any(location.startswith(p.rstrip("/")) for p in prefixes)


def status(prefixes: list[str]) -> int:
    problems = 0
    for title, rows in (("Unwrapped Python text", unwrapped_python()),
                        ("_() at import time (use _l)", eager_at_import()),
                        ("Unwrapped template text", unwrapped_templates())):
        rows = [r for r in rows if _under(r[0], prefixes)]
        if rows:
            print(f"## {title}: {len(rows)}")
            for path, line, text in rows:
                print(f"{path}:{line}: {text}")
            problems += len(rows)
    source, target = extract(), english()
    lacking = [m for m in missing(source, target)
               if any(_under(loc[0], prefixes) for loc in m.locations)]
    if lacking:
        print(f"## Without English: {len(lacking)}")
        for message in lacking:
            print(f"{message.locations[0][0]}:{message.locations[0][1]}: {message.id!r}")
    mismatched = placeholder_mismatches(source, target)
    if mismatched:
        print(f"## Placeholders differ: {len(mismatched)}")
        print("\n".join(mismatched))
    return problems + len(lacking) + len(mismatched)


def add(part: str, prefixes: list[str]) -> None:
    source, target = extract(), english()
    path = CATALOG_DIR / f"{part}.po"
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale="en")
    else:
        catalog = Catalog(locale="en", project="isodoc")
    added = 0
    for message in missing(source, target):
        if any(_under(loc[0], prefixes) for loc in message.locations) and \
                catalog.get(message.id, message.context) is None:
            catalog.add(message.id, "" if not isinstance(message.id, tuple | list) else ("", ""),
                        locations=message.locations, flags=message.flags,
                        context=message.context)
            added += 1
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False, sort_output=False)
    print(f"{added} strings added to {path.relative_to(ROOT)}")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("status", "add", "check"):
        print(__doc__)
        return 2
    if argv[0] == "add":
        add(argv[1], argv[2:])
        return 0
    return 1 if status(argv[1:]) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
