"""Journeys a person makes in a real browser."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD


def sign_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def test_reader_signs_in_sees_work_and_tree_then_signs_out(page):
    sign_in(page, "himlam.congchuc")
    expect(page.get_by_role("heading", name="Việc của tôi")).to_be_visible()
    expect(page.get_by_text("Công chức — UBND phường Him Lam")).to_be_visible()
    page.get_by_role("link", name="Đơn vị").click()
    expect(page.get_by_role("heading", name="Danh mục đơn vị")).to_be_visible()
    district = page.locator("li", has=page.locator(
        ":scope > a", has_text="UBND thành phố Điện Biên Phủ"))
    district.locator(":scope > details > summary").click()  # open the district
    expect(page.get_by_role("link", name="UBND phường Him Lam")).to_be_visible()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()


def test_wrong_password_shows_the_vietnamese_error(page):
    sign_in(page, "himlam.congchuc", "mat-khau-sai-roi")
    expect(page.get_by_role("alert")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()


def test_search_the_registry_without_diacritics_on_a_phone(browser, server, demo_province):
    context = browser.new_context(base_url=server, viewport={"width": 375, "height": 740},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, "sokhcn")
    page.get_by_text("☰").click()
    page.get_by_role("link", name="Đơn vị", exact=True).click()
    page.get_by_role("searchbox", name="Tìm đơn vị").fill("thi tran muong ang")
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_role("link", name="UBND thị trấn Mường Ảng")).to_be_visible()
    expect(page.get_by_role("link", name="UBND phường Him Lam")).to_have_count(0)
    context.close()


def test_commune_reader_searches_from_the_header(page):
    sign_in(page, "himlam.congchuc")
    # an <input type=search list=…> is a combobox to assistive technology
    box = page.get_by_role("combobox", name="Tìm quy trình")
    box.fill("dang ky khai sinh")
    box.press("Enter")
    first = page.locator("li.hit").first
    expect(first).to_contain_text("QT-TP-01")
    expect(first).to_contain_text("UBND phường Him Lam")
    expect(first.locator("mark").first).to_be_visible()
    first.get_by_role("link").click()
    expect(page.get_by_text("Lần ban hành 2 · Hiệu lực từ")).to_be_visible()
