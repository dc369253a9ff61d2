"""Issue 14's journey: a reviewer learns of a draft from an e-mail, opens it from the
link on a phone, reads the changes rendered as a document, and agrees."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect
from sqlalchemy import select

from isodoc.agencies.services import get_by_code
from isodoc.auth.models import User
from isodoc.auth.services import get_user
from isodoc.documents import services
from isodoc.documents.models import Document, Revision
from isodoc.extensions import db
from isodoc.mail.models import MailOutbox
from tests.browser.test_sign_in_journey import DEMO_PASSWORD

PHONE = {"width": 390, "height": 844}
OLD_ROW = "| B7 | Xem xét định kỳ tính phù hợp của tài liệu | Thư ký ISO | 06 tháng/lần |"
NEW_ROW = "| B7 | Xem xét định kỳ tính phù hợp của tài liệu | Thư ký ISO | 04 tháng/lần |"


def submit_a_revision_of_qt01(app) -> str:
    """The author changes one cell of QT-01's table and submits it to stp.danhgia, who
    has an e-mail address; the path the mail links to."""
    with app.app_context():
        reviewer = get_user("stp.danhgia")
        reviewer.email = "stp.danhgia@dienbien.example"
        author = get_user("stp.soanthao")
        document = db.session.scalar(select(Document).where(
            Document.agency_id == get_by_code("so-tu-phap").id, Document.code == "QT-01"))
        revision = services.start_revision(document, author)
        body = services.read_parts(revision)[1]
        assert OLD_ROW in body
        services.save_draft(
            revision, author, revision.head_sha, services.DocumentFields(
                title=revision.title, kind=revision.kind_enum, field=revision.field or "",
                iso_clauses=revision.iso_clauses, review_months=revision.review_months),
            body.replace(OLD_ROW, NEW_ROW), change_location="Mục 5.2, bước B7",
            change_summary="Xem xét tài liệu 04 tháng/lần", reason="Chỉ đạo của lãnh đạo Sở")
        services.submit(revision, author, [reviewer])
        db.session.commit()
        mail = db.session.scalars(select(MailOutbox).where(
            MailOutbox.to_addr == "stp.danhgia@dienbien.example")).one()
        assert "QT-01" in mail.subject and "Đỗ Minh Tâm" in mail.body_text
        link = re.search(r"https?://\S+/drafts/\d+", mail.body_text).group(0)
        return urlsplit(link).path


def test_a_reviewer_agrees_from_a_mail_on_a_phone(browser, server, demo_province, app):
    path = submit_a_revision_of_qt01(app)
    context = browser.new_context(base_url=server, locale="vi-VN", viewport=PHONE,
                                  is_mobile=True, has_touch=True,
                                  timezone_id="Asia/Ho_Chi_Minh")
    try:
        phone = context.new_page()
        phone.goto(path)  # not signed in: the sign-in page, then back to the link
        phone.get_by_label("Tên đăng nhập").fill("stp.danhgia")
        phone.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
        phone.get_by_role("button", name="Đăng nhập").click()
        expect(phone).to_have_url(re.compile(re.escape(path) + "$"))

        phone.get_by_role("link", name=re.compile("Xem thay đổi so với lần")).click()
        # the changed cell is marked inside the rendered table, not in Markdown source
        cell = phone.locator("table td", has=phone.locator("del")).first
        expect(cell.locator("del")).to_contain_text("06")
        expect(cell.locator("ins")).to_contain_text("04")
        assert "| B7 |" not in phone.locator("main").inner_text()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1

        phone.go_back()
        phone.get_by_label("Ý kiến xem xét").select_option("agreed")
        phone.get_by_role("button", name="Gửi ý kiến xem xét").click()
        expect(phone.get_by_text("Đã ghi ý kiến xem xét.")).to_be_visible()
    finally:
        context.close()
    with app.app_context():
        revision = db.session.scalars(select(Revision).join(Document).where(
            Document.code == "QT-01", Revision.state != "issued")).one()
        assert revision.state == "reviewed"
        assert db.session.scalar(select(User.username).where(
            User.id == revision.reviews[0].reviewer_id)) == "stp.danhgia"
