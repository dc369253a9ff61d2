"""The core pages in English: the chrome, my work, agencies, people, the activity log,
search, clauses, the account (with its language choice), error pages, refusals of forms,
services and the registry import, and the API's messages. Vietnamese stays the default."""

from __future__ import annotations

import io

import pytest

from tests.conftest import in_english, login, post_form

VIETNAMESE_CHROME = ("Việc của tôi", "Đăng xuất", "Điều khoản ISO", "Bỏ qua, đến nội dung chính",
                     "Nội dung tài liệu")



@pytest.fixture
def admin(app, province, make_user):
    client = app.test_client()
    login(client, make_user((province["root"], "admin"), username="tinh.quantri"))
    in_english(client)
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def test_main_pages_speak_english(admin, province):
    pages = {
        "/": ("My work", "My roles", "Documents awaiting my review", "Sign out"),
        "/agencies/": ("Agency registry", "All agency types", "Include dissolved agencies",
                       "Download the agency registry (.csv)", "Filter"),
        "/agencies/so-tu-phap": ("Document register", "Edit agency details", "Agency name",
                                 "Provincial department", "Add a sub-agency",
                                 "Dissolve or merge", "Members", "Parent agency"),
        "/admin/people": ("Add a person", "Create account", "Import people from CSV (UTF-8)",
                          "Active", "Civil servant"),
        "/admin/people/tinh.quantri": ("Reset password", "Lock account", "Grant role",
                                       "Save position", "Administrator"),
        "/admin/audit": ("Activity log", "Carried out by", "What was done", "Page 1"),
        "/clauses/": ("Clauses of ISO 9001:2015", "Context of the organization",
                      "ISO 9001:2008 → 2015 correspondence"),
        "/clauses/4": ("Context of the organization", "Documents addressing it", "Sub-clauses",
                       "Understanding the organization and its context"),
        "/clauses/2008": ("Correspondence ISO 9001:2008 → ISO 9001:2015",
                          "New requirements in ISO 9001:2015:"),
        "/search/?q=quokka": ("No documents found for “quokka”.", "Whole province",
                              "Search terms"),
        "/account": ("My account", "Change password", "API access tokens",
                     "Interface language", "Repeat the new password"),
    }
    for url, expected in pages.items():
        response = admin.get(url)
        assert response.status_code == 200, url
        page = text(response)
        assert '<html lang="en">' in page, url
        for phrase in expected:
            assert phrase in page, (url, phrase)
        for phrase in VIETNAMESE_CHROME:
            assert phrase not in page, (url, phrase)
    # the scripts' words come from the page, in its language (the CSP allows no inline script)
    assert 'data-text-document-body="Document content"' in text(admin.get("/"))


def test_vietnamese_stays_the_default(client, province, make_user):
    login(client, make_user((province["dept"], "reader")))
    page = text(client.get("/account"))
    assert '<html lang="vi">' in page and "Tài khoản của tôi" in page
    assert "Ngôn ngữ giao diện" in page and "My account" not in page
    assert 'data-text-document-body="Nội dung tài liệu"' in page


def test_the_account_page_shows_and_changes_the_choice(app, province, make_user, in_db):
    from sqlalchemy import select

    from isodoc.auth.models import User

    client = app.test_client()
    username = make_user((province["dept"], "reader"))
    login(client, username)
    page = text(client.get("/account"))
    # the language in use is the pressed (disabled) button; the other one can be chosen
    assert '<button type="submit" lang="vi" class="primary" aria-pressed="true" disabled>' \
        in page
    assert '<button type="submit" lang="en" aria-pressed="false">English</button>' in page
    response = post_form(client, "/language/en", {"next": "/account#language"})
    assert response.status_code == 302 and response.location.endswith("/account#language")
    page = text(client.get("/account"))
    assert '<button type="submit" lang="en" class="primary" aria-pressed="true" disabled>' \
        in page and "Interface language" in page
    with in_db() as s:
        assert s.scalar(select(User.language).filter_by(username=username)) == "en"


def test_refusals_are_in_english(admin, province):
    # a refused form: WTForms' own message, and the field's label
    response = post_form(admin, "/admin/people/tinh.quantri/memberships",
                         {"agency": "so-tu-phap", "role": "pope"},
                         page="/admin/people/tinh.quantri", follow_redirects=True)
    assert "Role: Not a valid choice." in text(response)
    # our required() message, lazily translated with its field's name
    response = post_form(admin, "/agencies/so-tu-phap/children",
                         {"code": "", "name": "", "kind": "district_office"},
                         page="/agencies/so-tu-phap", follow_redirects=True)
    assert "Please enter the agency code." in text(response)
    # a service's refusal with a placeholder
    response = post_form(admin, "/agencies/so-tu-phap/children",
                         {"code": "Sai Mã", "name": "Phòng X", "kind": "sub_department"},
                         page="/agencies/so-tu-phap", follow_redirects=True)
    assert "Invalid agency code “sai mã”" in text(response)
    response = post_form(admin, "/account/password",
                         {"current": "x", "new": "abc-def-ghi-jkl", "confirm": "other"},
                         follow_redirects=True)
    assert "The repeated password does not match; the password was not changed." \
        in text(response)


def test_registry_import_errors_are_in_english(admin, province):
    csv = ("code,name,kind,parent_code\n"
           "xa-a,UBND xã A,hamlet,ubnd-dbp\n"
           "xa-b,UBND xã B,commune,khong-co\n")
    response = post_form(admin, "/agencies/import",
                         {"file": (io.BytesIO(csv.encode()), "dm.csv")}, page="/agencies/",
                         content_type="multipart/form-data")
    page = text(response)
    assert response.status_code == 422
    assert "Not imported: 2 errors, nothing was changed." in page
    assert "Line 2: invalid agency type “hamlet” (use: province," in page
    assert "Line 3: parent agency “khong-co” is neither in the registry nor in the file" in page
    # the file's format stays the same in both languages: its codes are accepted as they are
    ok = post_form(admin, "/agencies/import", {"file": (io.BytesIO(
        b"code,name,kind,parent_code\nxa-c,UBND x\xc3\xa3 C,commune,ubnd-dbp\n"), "dm.csv")},
        page="/agencies/", content_type="multipart/form-data", follow_redirects=True)
    assert "Registry imported: new agencies 1, updated 0, unchanged 0." in text(ok)


def test_error_pages_and_sign_in_in_english(app, client, province, make_user):
    assert "The page or item you asked for was not found." in \
        text(client.get("/khong-co?lang=en"))
    # the sign-in page, refused, then the flash of a page that needs signing in
    username = make_user((province["dept"], "reader"))
    post_form(client, "/language/en", {"next": "/login"}, page="/login")
    refused = login(client, username, password="sai-mat-khau")
    assert refused.status_code == 401 and "Wrong username or password." in text(refused)
    assert "Please sign in to continue." in text(client.get("/account", follow_redirects=True))
    # a form without its CSRF token
    login(client, username)
    missing = client.post("/account/tokens", data={"name": "x"})
    assert missing.status_code == 400 and "Your session has expired" in text(missing)
    # signing out keeps the sign-in page in the person's language
    post_form(client, "/logout", page="/")
    page = text(client.get("/login"))
    assert "You have signed out." in page and '<html lang="en">' in page


def test_api_messages_follow_the_language(app, province, make_user):
    client = app.test_client()
    answer = client.get("/api/v1/me?lang=en")
    assert answer.status_code == 401 and answer.get_json()["message"] == \
        "You need to sign in (or send a valid access token) to continue."
    assert client.get("/api/v1/me").get_json()["message"].startswith("Bạn cần đăng nhập")
    # codes stay codes, whatever the language
    username = make_user((province["dept"], "reader"))
    login(client, username)
    post_form(client, "/account/tokens", {"name": "cổng"})
    token = text(client.get("/account")).split('id="new-token">')[1].split("<")[0]
    bad = app.test_client().get("/api/v1/search?q=x&page=0&lang=en",
                                headers={"Authorization": f"Bearer {token}"})
    assert bad.status_code == 422
    assert "The page number must be a whole number from 1 to" in str(bad.get_json())


def test_labels_built_at_import_follow_each_request(admin, client, province, make_user):
    """Select choices are built once, at import: their labels are read per request."""
    page = text(admin.get("/agencies/so-tu-phap"))
    assert ">Sub-department</option>" in page and ">Chi cục, ban thuộc sở<" not in page
    login(client, make_user((province["root"], "admin")))
    page = text(client.get("/agencies/so-tu-phap"))
    assert ">Chi cục, ban thuộc sở</option>" in page and "Sub-department" not in page
