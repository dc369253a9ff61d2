"""The Sở KH&CN overseer's dashboard in a real browser: signing in lands on it; the
2018 targets of the demo plan against the demo data, with charts drawn as SVG and the
same figures in tables; a figure opens the list it counts; Phụ lục 02 for 2018 lists 62
communes by district; the cost estimate's .xlsx downloads; nothing is refused by the
page's Content-Security-Policy."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.test_sign_in_journey import sign_in


def test_the_overseer_reads_the_programme_and_its_appendices(page):
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text)
            if "Content Security Policy" in m.text else None)
    sign_in(page, "sokhcn")
    expect(page.get_by_role("heading", name="Chương trình áp dụng HTQLCL toàn tỉnh")) \
        .to_be_visible()
    page.get_by_label("Năm", exact=True).select_option("2018")
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_role("heading", name="Chỉ tiêu năm 2018 và kết quả")).to_be_visible()
    # the charts are drawn, hidden from screen readers, and the table carries the figures
    assert page.locator("svg.chart.targets rect.missed, svg.chart.targets rect.met").count() \
        == 11
    assert page.locator("svg.chart").first.get_attribute("aria-hidden") == "true"
    targets = page.locator("table.targets tbody tr")
    expect(targets).to_have_count(11)
    first = targets.first
    expect(first).to_contain_text("UBND cấp xã")
    expect(first).to_contain_text("30%")
    # the commune share's denominator opens the list of the 130 communes
    first.get_by_role("link", name="130").click()
    expect(page.locator("[data-count]")).to_have_text("130")
    page.go_back()
    # the district table: Điện Biên Phủ has 11 communes, 9 scheduled in 2018
    row = page.locator("table.districts tr", has_text="UBND thành phố Điện Biên Phủ")
    expect(row).to_contain_text("11")
    row.get_by_role("link", name="9", exact=True).click()
    expect(page.locator("[data-count]")).to_have_text("9")
    expect(page.get_by_role("link", name="UBND phường Him Lam")).to_be_visible()
    page.go_back()
    # Phụ lục 02 for 2018: 62 communes, x/y per district
    page.get_by_role("link", name="Phụ lục 02 — Danh sách UBND cấp xã năm 2018").click()
    expect(page.get_by_text("UBND thành phố Điện Biên Phủ (9/11)")).to_be_visible()
    expect(page.get_by_text("Tổng cộng: 62/130 UBND cấp xã")).to_be_visible()
    # Phụ lục 03 downloads as .xlsx, with figures as numbers and totals that add up
    page.goto(page.url.replace("/02?year=2018", "/03"))
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải .xlsx").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    total = rows[-1]
    assert total[1] == "Tổng cộng"
    assert abs(sum(v or 0 for v in total[5:8]) - total[4]) < 1e-6
    assert refused == []
