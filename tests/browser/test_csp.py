"""Under the strict Content-Security-Policy (isodoc/security_headers.py) every page a
person uses still works, and the browser reports no refused script or style."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_sign_in_journey import sign_in

REGISTER = "/agencies/so-tu-phap/documents/"


def test_pages_work_and_nothing_is_refused_by_the_policy(page):
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text)
            if "Content Security Policy" in m.text else None)
    first = page.goto("/login")
    assert "script-src 'self'" in first.headers["content-security-policy"]
    sign_in(page, "stp.soanthao")
    expect(page.get_by_role("heading", name="Việc của tôi")).to_be_visible()

    # the editor's live preview (static/editor.js posts to /preview)
    page.goto(REGISTER)
    page.get_by_role("link", name="QT-05 — Quy trình xem xét của lãnh đạo").click()
    expect(page.locator("#preview h2").first).to_have_text("1. Mục đích")

    # search suggestions as you type (static/suggest.js fills the datalist)
    page.goto("/")
    with page.expect_response(lambda r: "/search/suggest?" in r.url) as suggested:
        page.get_by_role("combobox", name="Tìm quy trình").fill("quy trinh dang")
    assert suggested.value.status == 200 and "suggestions" in suggested.value.json()

    for url in (f"{REGISTER}qt-01", f"{REGISTER}qt-01?print=1", "/reports/findings",
                "/agencies/so-tu-phap/findings", "/agencies/so-tu-phap/audits", "/clauses/"):
        response = page.goto(url)
        assert response.status == 200, url
    assert refused == []
