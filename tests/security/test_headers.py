"""Security headers on every kind of response (defect 7 of issue 8), and templates
that keep no inline script, event handler or style, so the strict CSP can hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from isodoc.auth import services as auth_services
from isodoc.auth.models import User
from tests.conftest import login
from tests.doc_helpers import BASE, create_from_template, issue_qt05

ROOT = Path(__file__).resolve().parent.parent.parent
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def assert_common(response) -> None:
    h = response.headers
    assert h["Content-Security-Policy"] == CSP
    assert h["X-Frame-Options"] == "DENY"
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "same-origin"
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in h["Permissions-Policy"]
    assert "Strict-Transport-Security" not in h  # plain-HTTP installs: no HSTS


def assert_private(response) -> None:
    assert_common(response)
    assert "no-store" in response.headers.get("Cache-Control", ""), response.request.path


def api_token(in_db, username: str) -> dict:
    with in_db() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        return {"Authorization": f"Bearer {auth_services.create_token(user, user, 'api')}"}


def test_anonymous_pages_and_static_files(client, province):
    login_page = client.get("/login")
    assert login_page.status_code == 200
    assert_private(login_page)  # it carries a CSRF token tied to the session
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert_common(missing)
    style = client.get("/static/style.css")
    assert style.status_code == 200
    assert_common(style)
    assert "no-store" not in style.headers.get("Cache-Control", "")  # cacheable


def test_every_page_type_of_a_signed_in_user(staff, desk, in_db):
    issue_qt05(desk, in_db)
    secretary = desk("secretary")
    pages = ["/", "/account", "/agencies/", "/agencies/so-tu-phap", f"{BASE}/", f"{BASE}/qt-05",
             f"{BASE}/qt-05?print=1", f"{BASE}/qt-05/history", f"{BASE}/new",
             f"{BASE}/export.csv", "/search/?q=quy+trinh", "/search/suggest?q=quy",
             "/agencies/so-tu-phap/findings", "/agencies/so-tu-phap/audits",
             "/reports/findings", "/clauses/", f"{BASE}/qt-05/diff?a=1&b=1"]
    for url in pages:
        response = secretary.get(url)
        assert response.status_code == 200, url
        assert_private(response)
    for url in ("/agencies/so-tu-phap/documents/no-such-doc", "/admin/people"):
        response = secretary.get(url)
        assert response.status_code in (403, 404), url
        assert_private(response)
    static = secretary.get("/static/editor.js")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_admin_pages(app, province, make_user):
    admin = app.test_client()
    login(admin, make_user(("ubnd-tinh", "admin")))
    for url in ("/admin/people", "/admin/audit", "/agencies/so-tu-phap"):
        response = admin.get(url)
        assert response.status_code == 200, url
        assert_private(response)


def test_api_responses_are_never_stored(client, staff, in_db):
    headers = api_token(in_db, "stp.thuky")
    for url in ("/api/v1/me", "/api/v1/findings", "/api/v1/openapi.json"):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        assert_private(response)
    refused = client.get("/api/v1/me")
    assert refused.status_code == 401
    assert_private(refused)


def test_hsts_only_with_secure_cookies(make_app, province):
    # SESSION_COOKIE_SECURE is what ISODOC_SECURE_COOKIES=1 sets
    secure = make_app(SESSION_COOKIE_SECURE=True).test_client()
    response = secure.get("/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


INLINE = {
    # a JSON data block (type="application/json", filled with |tojson) is never executed
    "inline <script>": re.compile(r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>",
                                  re.I),
    "event handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "<style> block": re.compile(r"<style\b", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


@pytest.mark.parametrize("kind", list(INLINE))
def test_templates_hold_no_inline_script_or_style(kind):
    templates = sorted((ROOT / "templates").rglob("*.html"))
    assert len(templates) > 30
    found = [f"{t.relative_to(ROOT)}:{n}" for t in templates
             for n, line in enumerate(t.read_text(encoding="utf-8").splitlines(), 1)
             if INLINE[kind].search(line)]
    assert not found, f"{kind} in {found} (the CSP refuses it: move it to static/)"


def test_the_detector_finds_what_it_looks_for():
    for kind, sample in {"inline <script>": "<script>alert(1)</script>",
                         "event handler": '<button onclick="go()">',
                         "style attribute": '<p style="color:red">',
                         "<style> block": "<style>p{}</style>",
                         "javascript: URL": '<a href="javascript:void(0)">'}.items():
        assert INLINE[kind].search(sample), kind
    assert not INLINE["inline <script>"].search('<script type="application/json" id="s">')
    assert not INLINE["inline <script>"].search('<script src="/static/x.js" defer></script>')


def test_editor_page_loads_its_script_from_static(staff, desk):
    assert create_from_template(desk("author")).status_code == 302
    page = desk("author").get(f"{BASE}/qt-05/drafts/1/edit")
    text = page.get_data(as_text=True)
    assert "/static/editor.js" in text and 'data-preview="' in text
    assert_private(page)


def test_login_with_a_wrong_password_still_sends_the_headers(client, staff):
    response = login(client, "stp.thuky", "sai-mat-khau-123")
    assert response.status_code == 401
    assert_private(response)
