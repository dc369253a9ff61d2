"""English is complete or absent: every user-facing string goes through Flask-Babel and
has an English translation (tools/i18n.py lists what is left)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.conftest import login, post_form

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "tools" / "i18n.py")
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)


def listing(rows) -> str:
    return "\n".join(f"{path}:{line}: {text}" for path, line, text in rows[:40]) + \
        (f"\n… and {len(rows) - 40} more" if len(rows) > 40 else "")


def test_python_text_goes_through_gettext():
    rows = tool.unwrapped_python()
    assert not rows, "Vietnamese text outside _() / _l() (python tools/i18n.py status):\n" \
        + listing(rows)


def test_no_gettext_at_import_time():
    rows = tool.eager_at_import()
    assert not rows, "_() at module or class level stays Vietnamese; use _l():\n" + listing(rows)


def test_template_text_goes_through_gettext():
    rows = tool.unwrapped_templates()
    assert not rows, "Vietnamese text outside _() / {% trans %}:\n" + listing(rows)


@pytest.fixture(scope="module")
def catalogs():
    return tool.extract(), tool.english()


def test_every_string_has_english(catalogs):
    source, target = catalogs
    lacking = tool.missing(source, target)
    assert not lacking, "Without English (python tools/i18n.py add PART PATH):\n" + "\n".join(
        f"{m.locations[0][0]}:{m.locations[0][1]}: {m.id!r}" for m in lacking[:40])


def test_the_parts_agree():
    """A msgid translated differently in two parts would take whichever part sorts
    first; a word that needs two translations gets a context (pgettext) instead."""
    from babel.messages.pofile import read_po

    seen: dict[tuple, dict[str, str]] = {}
    for path in sorted(tool.CATALOG_DIR.glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="en"):
                if message.id and message.string:
                    seen.setdefault((str(message.id), message.context), {})[path.stem] = \
                        str(message.string)
    disagree = {key: parts for key, parts in seen.items() if len(set(parts.values())) > 1}
    assert not disagree, "\n".join(f"{key[0]!r}: {parts}" for key, parts in disagree.items())


def test_placeholders_survive_translation(catalogs):
    assert not tool.placeholder_mismatches(*catalogs)


def test_the_checks_find_what_they_should(tmp_path):
    """The scanners are not blind: text planted outside gettext is found."""
    code = tmp_path / "x.py"
    code.write_text('def f():\n    return "Đã lưu"\n\nLABEL = _("Đã lưu")\n'
                    'OK = _l("Đã lưu")\nDATA = "Có"  # i18n: vi-only\n')
    assert [row[1] for row in tool.unwrapped_python([code])] == [2]
    assert [row[1] for row in tool.eager_at_import([code])] == [4]
    page = tmp_path / "x.html"
    page.write_text('<p>{{ _("Lưu") }}</p>\n<p title="Xóa">Xóa</p>\n'
                    '{% trans n=1 %}Có {{ n }} mục{% endtrans %}\n'
                    '{{ field(placeholder="Nhập") }}\n')
    assert [row[1] for row in tool.unwrapped_templates([page])] == [2, 4]


def test_language_choice_is_kept_for_the_person(app, province, make_user):
    from isodoc.auth.models import Role, User
    from isodoc.extensions import db

    username = make_user((province["dept"], Role.READER))
    client = app.test_client()
    login(client, username)
    post_form(client, "/language/en", {"next": "/"}, page="/")
    with app.app_context():
        saved = db.session.execute(db.select(User.language).filter_by(username=username))
        assert saved.scalar() == "en"
    other = app.test_client()  # another browser: no session choice, the saved one counts
    login(other, username)
    assert '<html lang="en">' in other.get("/").get_data(as_text=True)
    post_form(other, "/language/vi", {"next": "/"}, page="/")
    assert '<html lang="vi">' in other.get("/").get_data(as_text=True)


def test_catalogs_are_not_read_from_disk_at_every_lookup(tmp_path, monkeypatch):
    """A lookup used to glob and stat every part of the English catalog, and the source
    language got a new catalog object each time (so nothing kept per catalog, such as
    search's kind labels, was ever found again). A part changed on disk is still read."""
    import shutil

    from isodoc import i18n

    assert i18n.translations("vi") is i18n.translations("vi")
    shutil.copytree(i18n.CATALOG_DIR, tmp_path / "translations")
    monkeypatch.setattr(i18n, "CATALOG_DIR", tmp_path / "translations")
    monkeypatch.setattr(i18n, "_compiled", {})
    english = i18n.translations("en")
    looked = []
    parts = i18n.parts
    monkeypatch.setattr(i18n, "parts", lambda language: looked.append(language)
                        or parts(language))
    assert all(i18n.translations("en") is english for _ in range(50))
    assert looked == []
    assert english.ugettext("Tìm kiếm") == "Search"
    part = tmp_path / "translations" / "en" / "base.po"
    entry = 'msgid "Tìm kiếm"\nmsgstr "Search"\n'
    assert entry in part.read_text()
    part.write_text(part.read_text().replace(entry, 'msgid "Tìm kiếm"\nmsgstr "Find"\n'))
    monkeypatch.setattr(i18n, "RECHECK", 0.0)
    assert i18n.translations("en").ugettext("Tìm kiếm") == "Find"


def test_kind_labels_are_kept_per_language(app):
    from isodoc import search

    with app.test_request_context():
        vietnamese = search.kind_labels()
        assert search.kind_labels() is vietnamese
        assert vietnamese["internal"] == "Quy trình nội bộ"
    with app.test_request_context("/?lang=en"):
        english = search.kind_labels()
        assert search.kind_labels() is english
        assert english["internal"] != vietnamese["internal"]
