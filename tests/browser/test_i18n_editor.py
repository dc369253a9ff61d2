"""The visual editor (static/editor.js) in English: its toolbar and its toggle take
their words from the page, so an English page gets an English editor, under the same
Content-Security-Policy."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_sign_in_journey import sign_in

NEW = "/agencies/so-tu-phap/documents/new"


def test_the_editor_speaks_the_language_of_the_page(page):
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text)
            if "Content Security Policy" in m.text else None)
    sign_in(page, "stp.soanthao")
    page.goto(NEW + "?lang=en")  # this page only: the account keeps its language
    expect(page.get_by_role("button", name="Insert table")).to_be_visible()
    expect(page.get_by_role("button", name="Ordered list", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Chèn bảng")).to_have_count(0)
    page.get_by_role("button", name="Show Markdown source").click()
    page.get_by_role("button", name="Visual editing").click()  # the choice is remembered
    expect(page.get_by_role("button", name="Show Markdown source")).to_be_visible()
    page.goto(NEW)
    expect(page.get_by_role("button", name="Chèn bảng")).to_be_visible()
    assert refused == []
