"""QT-05 from draft to issue in a real browser, as the demo accounts."""

from __future__ import annotations

from playwright.sync_api import expect

from isodoc.timeutil import today_local
from tests.browser.test_sign_in_journey import sign_in

REGISTER = "/agencies/so-tu-phap/documents/"


def as_person(browser, server, username: str):
    context = browser.new_context(base_url=server, locale="vi-VN")
    page = context.new_page()
    sign_in(page, username)
    return context, page


def open_draft(page) -> None:
    page.goto("/agencies/so-tu-phap/documents/qt-05/drafts/1")


def test_qt05_is_drafted_reviewed_approved_and_issued(browser, server, demo_province):
    contexts = []
    try:
        ctx, author = as_person(browser, server, "stp.soanthao")
        contexts.append(ctx)
        author.goto(REGISTER)
        author.get_by_role("link", name="QT-05 — Quy trình xem xét của lãnh đạo").click()
        expect(author.locator("#preview h2").first).to_have_text("1. Mục đích")  # live preview
        author.get_by_role("button", name="Tạo dự thảo").click()
        expect(author.get_by_text("Đã tạo dự thảo QT-05.")).to_be_visible()
        author.get_by_role("group", name="Người xem xét").get_by_label("Đỗ Minh Tâm").check()
        author.get_by_role("button", name="Trình xem xét").click()
        expect(author.get_by_text("Đã trình xem xét.")).to_be_visible()

        ctx, reviewer = as_person(browser, server, "stp.danhgia")
        contexts.append(ctx)
        reviewer.get_by_role("link", name="QT-05 — Quy trình xem xét của lãnh đạo").click()
        reviewer.get_by_label("Ý kiến xem xét").select_option(label="Đề nghị sửa")
        reviewer.get_by_label("Nội dung góp ý").fill("Bổ sung đầu vào: hồ sơ TTHC trễ hạn")
        reviewer.get_by_role("button", name="Gửi ý kiến xem xét").click()

        author.goto("/")
        author.get_by_role("link", name="QT-05 — Quy trình xem xét của lãnh đạo").click()
        expect(author.locator(".flash-info")).to_contain_text("Bổ sung đầu vào: hồ sơ TTHC trễ hạn")
        author.get_by_role("link", name="Sửa dự thảo").click()
        author.get_by_role("button", name="Xem mã nguồn Markdown").click()  # plain source
        body = author.get_by_label("Nội dung (Markdown)")
        body.fill(body.input_value().replace("kết quả giải quyết thủ tục hành chính",
                                             "kết quả giải quyết thủ tục hành chính, "
                                             "hồ sơ trễ hạn"))
        author.get_by_role("button", name="Lưu dự thảo").click()
        expect(author.get_by_text("Đã lưu dự thảo.")).to_be_visible()
        author.get_by_role("group", name="Người xem xét").get_by_label("Đỗ Minh Tâm").check()
        author.get_by_role("button", name="Trình xem xét").click()

        open_draft(reviewer)
        reviewer.get_by_label("Ý kiến xem xét").select_option(label="Đồng ý")
        reviewer.get_by_role("button", name="Gửi ý kiến xem xét").click()
        expect(reviewer.get_by_text("Chờ phê duyệt").first).to_be_visible()

        ctx, approver = as_person(browser, server, "stp.lanhdao")
        contexts.append(ctx)
        approver.get_by_role("link", name="QT-05 — Quy trình xem xét của lãnh đạo").click()
        approver.get_by_role("button", name="Phê duyệt").click()
        expect(approver.get_by_text("Đã phê duyệt.")).to_be_visible()

        ctx, secretary = as_person(browser, server, "stp.thuky")
        contexts.append(ctx)
        secretary.get_by_role("link", name="QT-05 — Quy trình xem xét của lãnh đạo").click()
        today = today_local().strftime("%d/%m/%Y")
        expect(secretary.get_by_label("Ngày hiệu lực (dd/mm/yyyy)")).to_have_value(today)
        secretary.get_by_role("button", name="Ban hành").click()
        expect(secretary.get_by_text(f"Đã ban hành QT-05 lần 1, hiệu lực từ {today}.")) \
            .to_be_visible()

        ctx, reader = as_person(browser, server, "stp.congchuc")
        contexts.append(ctx)
        reader.goto(REGISTER)
        reader.get_by_role("link", name="QT-05").click()
        expect(reader.get_by_text(f"Lần ban hành 1 · Hiệu lực từ {today}")).to_be_visible()
        expect(reader.get_by_text("hồ sơ trễ hạn")).to_be_visible()
        reader.get_by_role("button", name="Xác nhận đã đọc").click()
        expect(reader.get_by_text("Đã xác nhận đã đọc.")).to_be_visible()
    finally:
        for context in contexts:
            context.close()
