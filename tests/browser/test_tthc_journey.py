"""A commune secretary closes a coverage gap in a real browser: from the commune's TTHC
coverage list to an issued procedure, through the usual review and approval."""

from __future__ import annotations

from playwright.sync_api import expect

from isodoc.timeutil import today_local
from tests.browser.test_document_journey import as_person

COVERAGE = "/agencies/dbp-him-lam/coverage"


def test_secretary_closes_a_coverage_gap_from_the_list(browser, server, demo_province):
    contexts = []
    try:
        ctx, secretary = as_person(browser, server, "himlam.thuky")
        contexts.append(ctx)
        secretary.goto("/agencies/dbp-him-lam")
        secretary.get_by_role("link", name="Xem danh sách").click()
        counts = secretary.locator("#coverage-counts")
        expect(counts).to_contain_text("đã có")
        before = counts.inner_text()
        secretary.get_by_role("link", name="Chưa có quy trình").click()
        row = secretary.locator("tr", has_text="1.000894")
        expect(row).to_contain_text("Đăng ký kết hôn")
        row.get_by_role("button", name="Soạn quy trình").click()
        expect(secretary.get_by_text("Đã tạo dự thảo QT-TTHC-1.000894")).to_be_visible()
        secretary.get_by_role("group", name="Người xem xét").get_by_label("Vì Thị Ngọc").check()
        secretary.get_by_role("button", name="Trình xem xét").click()
        expect(secretary.get_by_text("Đã trình xem xét.")).to_be_visible()
        draft_url = secretary.url

        ctx, reviewer = as_person(browser, server, "himlam.danhgia")
        contexts.append(ctx)
        reviewer.goto(draft_url)
        reviewer.get_by_label("Ý kiến xem xét").select_option(label="Đồng ý")
        reviewer.get_by_role("button", name="Gửi ý kiến xem xét").click()
        expect(reviewer.get_by_text("Chờ phê duyệt").first).to_be_visible()

        ctx, approver = as_person(browser, server, "himlam.lanhdao")
        contexts.append(ctx)
        approver.goto(draft_url)
        approver.get_by_role("button", name="Phê duyệt").click()
        expect(approver.get_by_text("Đã phê duyệt.")).to_be_visible()

        secretary.goto(draft_url)
        secretary.get_by_role("button", name="Ban hành").click()
        today = today_local().strftime("%d/%m/%Y")
        expect(secretary.get_by_text(f"Đã ban hành QT-TTHC-1.000894 lần 1, hiệu lực từ "
                                     f"{today}.")).to_be_visible()
        secretary.goto(COVERAGE)
        row = secretary.locator("tr", has_text="1.000894")
        expect(row).to_contain_text("Đã có quy trình")
        expect(row.get_by_role("link", name="QT-TTHC-1.000894")).to_be_visible()
        assert secretary.locator("#coverage-counts").inner_text() != before
    finally:
        for ctx in contexts:
            ctx.close()
