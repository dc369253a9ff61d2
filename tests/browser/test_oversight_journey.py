"""The Sở KH&CN overseer's journey in a real browser: the province's declarations, an
inspection of a commune, a finding raised there (and Word downloads of a declaration)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_sign_in_journey import sign_in


def test_overseer_sees_declarations_and_raises_a_finding_in_an_inspection(page):
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text)
            if "Content Security Policy" in m.text else None)
    sign_in(page, "sokhcn")
    page.get_by_role("link", name="Công bố, kiểm tra").click()
    expect(page.get_by_role("heading", name="Công bố HTQLCL của các đơn vị")).to_be_visible()
    expect(page.get_by_role("link", name="125/QĐ-STP")).to_be_visible()
    page.get_by_role("link", name="125/QĐ-STP").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải quyết định công bố (.docx)").click()
    assert download.value.suggested_filename.endswith(".docx")

    page.goto("/inspections/")
    page.get_by_role("link", name="KT-").first.click()
    expect(page.get_by_text("UBND phường Him Lam").first).to_be_visible()
    page.get_by_role("link", name="Ghi nhận phát hiện").click()
    page.get_by_label("Loại phát hiện").select_option("observation")
    page.get_by_label("Điều khoản ISO 9001:2015").fill("8.5.1")
    page.get_by_label("Yêu cầu (căn cứ)").fill("Trả kết quả đúng hạn (8.5.1)")
    page.get_by_label("Điều đã thấy (bằng chứng khách quan)").fill(
        "Sổ theo dõi hồ sơ chưa ghi ngày trả kết quả")
    page.get_by_role("button", name="Ghi nhận phát hiện").click()
    expect(page.get_by_text("Đã ghi nhận phát hiện")).to_be_visible()
    expect(page.get_by_role("link", name="KT-")).to_be_visible()  # its source
    assert refused == []
