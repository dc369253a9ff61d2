"""The print view ("Bản in") printed by the browser to PDF follows the layout of the .docx
exports: A4, margins 20/15/20/30 mm, the national motto on page 1, page numbers centred
at the top from page 2, and "ĐÃ HẾT HIỆU LỰC" at the top of every page of a superseded
revision."""

from __future__ import annotations

import io

from tests.browser.test_sign_in_journey import sign_in

MM = 72 / 25.4


def placed(page) -> list[tuple[str, float, float]]:
    found: list[tuple[str, float, float]] = []
    def visit(text, cm, tm, font, size):
        if text.strip():  # the text matrix's origin through the current matrix
            found.append((text.strip(), tm[4] * cm[0] + tm[5] * cm[2] + cm[4],
                          tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    return found


def test_print_view_prints_on_a4_in_the_official_layout(page):
    from pypdf import PdfReader

    sign_in(page, "himlam.congchuc")  # issued text is open to the province
    response = page.goto("/agencies/so-tu-phap/documents/qt-01/revisions/1?print=1")
    assert response.status == 200
    page.emulate_media(media="print")
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    assert len(pdf.pages) >= 2
    for number, sheet in enumerate(pdf.pages, start=1):
        assert round(float(sheet.mediabox.width)) == 595
        assert round(float(sheet.mediabox.height)) == 842
        found = placed(sheet)
        top = [t for t, _, y in found if y > 842 - 20 * MM]  # in the top margin
        assert "ĐÃ HẾT HIỆU LỰC" in " ".join(top), f"page {number}: {top}"
        numbers = [x for t, x, y in found if t == str(number) and y > 842 - 20 * MM]
        if number == 1:
            assert not numbers, found[:12]
        else:
            centre = (30 * MM + 595 - 15 * MM) / 2
            assert numbers and abs(numbers[0] - centre) < 8, (numbers, centre)
        body = [(x, y) for t, x, y in found if 20 * MM < y < 842 - 20 * MM]
        assert body and min(x for x, _ in body) >= 30 * MM - 1
    first = " ".join(t for t, _, _ in placed(pdf.pages[0]))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first and "BẢNG THEO DÕI SỬA ĐỔI" in first
