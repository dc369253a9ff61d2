"""A citizen answers the satisfaction survey on a phone (390×844), without an account:
from the QR code's link to the thank-you page, first with JavaScript off (an old phone's
browser), with a mistake corrected on the way; axe-core finds no accessibility problem on
the page, the page is no wider than the phone and nothing outside the app is fetched. The
agency's secretary then sees the answer and turns the complaint into a finding."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from playwright.sync_api import expect

from tests.browser.test_document_journey import as_person

PHONE = {"width": 390, "height": 844}
SURVEY = "/khao-sat/dbp-him-lam"
COMPLAINT = "Phải đi lại ba lần mới nhận được kết quả."


def serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def wider_than_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


def test_a_citizen_answers_on_a_phone_without_an_account(browser, server, demo_province):
    ctx = browser.new_context(base_url=server, locale="vi-VN", viewport=PHONE,
                              is_mobile=True, has_touch=True, java_script_enabled=False,
                              timezone_id="Asia/Ho_Chi_Minh")
    requested: list[str] = []
    ctx.on("request", lambda r: requested.append(r.url))
    try:
        page = ctx.new_page()
        page.goto(SURVEY)
        expect(page.get_by_role("heading", level=1)).to_contain_text("UBND phường Him Lam")
        assert not wider_than_the_phone(page)
        page.get_by_label("Mã hồ sơ").fill("000.30.31.h17-261120-0099")
        page.get_by_label("Thủ tục hành chính đã thực hiện").select_option(index=1)
        for question, score in (("Thủ tục được niêm yết", "4"), ("Thái độ", "2"),
                                ("đúng hẹn", "1")):
            group = page.get_by_role("group", name=question)
            group.get_by_role("radio", name=re.compile(f"^{score} ")).check()
        # the overall score forgotten: refused, what was typed kept, the error named
        page.get_by_role("button", name="Gửi đánh giá").click()
        expect(page.get_by_role("alert")).to_contain_text("Mức độ hài lòng chung")
        expect(page.get_by_label("Mã hồ sơ")).to_have_value("000.30.31.h17-261120-0099")
        page.get_by_role("group", name="Mức độ hài lòng chung").get_by_role(
            "radio", name=re.compile("^2 ")).check()
        page.get_by_label("Loại ý kiến").select_option(label="Phản ánh")
        page.get_by_label("Ý kiến của Ông/Bà").fill(COMPLAINT)
        page.get_by_role("button", name="Gửi đánh giá").click()
        expect(page.get_by_role("status")).to_contain_text("Phiếu đánh giá đã được gửi")
        # the same receipt again (another family member, the same dossier): refused
        page.goto(SURVEY)
        page.get_by_label("Mã hồ sơ").fill("000.30.31.H17-261120-0099")
        for group in page.get_by_role("group").all():
            group.get_by_role("radio", name=re.compile("^5 ")).check()
        page.get_by_role("button", name="Gửi đánh giá").click()
        expect(page.get_by_role("alert")).to_contain_text("đã được đánh giá")
        assert not wider_than_the_phone(page)
        assert {urlparse(u).netloc for u in requested} == {urlparse(server).netloc}
    finally:
        ctx.close()

    # axe-core runs in the page, so with JavaScript on: the form, and the form refused
    ctx = browser.new_context(base_url=server, locale="vi-VN", viewport=PHONE,
                              is_mobile=True, has_touch=True)
    try:
        page = ctx.new_page()
        page.goto(SURVEY)
        assert serious(page) == []
        page.get_by_role("button", name="Gửi đánh giá").click()
        expect(page.get_by_role("alert")).to_contain_text("Vui lòng nhập mã hồ sơ")
        assert serious(page) == []
    finally:
        ctx.close()

    ctx, secretary = as_person(browser, server, "himlam.thuky")
    try:
        secretary.goto("/agencies/dbp-him-lam/surveys")
        row = secretary.locator("tr", has_text=COMPLAINT)
        expect(row).to_contain_text("000.30.31.H17-261120-0099")
        row.get_by_role("button", name="Ghi nhận phát hiện").click()
        expect(secretary.get_by_text("Đã ghi nhận phát hiện")).to_be_visible()
        expect(secretary.get_by_text(COMPLAINT).first).to_be_visible()
    finally:
        ctx.close()
