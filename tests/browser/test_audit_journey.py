"""A commune's internal auditor runs the planned demo audit from a phone."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD


def test_auditor_runs_the_audit_on_a_phone(browser, server, demo_province):
    context = browser.new_context(base_url=server, locale="vi-VN", is_mobile=True,
                                  viewport={"width": 390, "height": 844},
                                  timezone_id="Asia/Ho_Chi_Minh")
    try:
        page = context.new_page()
        page.goto("/")
        page.get_by_label("Tên đăng nhập").fill("himlam.danhgia")
        page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        # the planned audit waits under "Việc của tôi"
        page.get_by_role("link", name="ĐGNB 01/").first.click()
        expect(page.get_by_text("Chờ trưởng đoàn quyết định")).to_be_visible()

        page.get_by_role("button", name="Bắt đầu đánh giá").click()
        expect(page.get_by_role("alert")).to_contain_text("chưa được trưởng đoàn quyết định")
        page.get_by_label("Quyết định").select_option(label="Trưởng đoàn cho phép")
        page.get_by_label("Lý do").first.fill("Phường chỉ có một đánh giá viên")
        page.get_by_role("button", name="Ghi quyết định").click()
        expect(page.get_by_text("Trưởng đoàn cho phép")).to_be_visible()

        page.get_by_role("button", name="Bắt đầu đánh giá").click()
        expect(page.get_by_text("Đang đánh giá").first).to_be_visible()
        page.get_by_label("Kết quả câu 1").select_option(label="Không phù hợp")
        page.get_by_label("Bằng chứng câu 1").fill("Sổ theo dõi văn bản đến thiếu 2 tháng")
        page.get_by_role("button", name="Lưu câu 1").click()
        expect(page.get_by_text("Đã lưu câu hỏi 1.")).to_be_visible()

        page.get_by_role("link", name="Lập phát hiện từ câu 1").click()
        expect(page.get_by_label("Điều khoản ISO 9001:2015")).to_have_value("7.5.3")
        page.get_by_label("Yêu cầu (căn cứ)").fill("Hồ sơ phải được lưu đầy đủ (7.5.3)")
        # no type is preselected: the auditor chooses it
        page.get_by_label("Loại phát hiện").select_option(label="Không phù hợp nhẹ")
        page.get_by_role("button", name="Ghi nhận").click()
        expect(page.get_by_role("heading", name="PH-")).to_contain_text("Không phù hợp nhẹ")
        expect(page.get_by_text("Sổ theo dõi văn bản đến thiếu 2 tháng").first).to_be_visible()
    finally:
        context.close()
