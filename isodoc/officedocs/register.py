"""The agency's document register (danh mục tài liệu nội bộ, BM.01-QT-01) as .docx in the
official layout and as .xlsx, from the same rows as the register page and its CSV."""

# i18n: vietnamese-only (the register is a filed document, BM.01-QT-01)

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from isodoc.agencies.models import Agency
from isodoc.csvio import neutralise
from isodoc.officedocs import layout
from isodoc.timeutil import format_date

TITLE = "DANH MỤC TÀI LIỆU NỘI BỘ"
# bounded work: the Word register (about 1 s for 2,000 rows) stops there, with a note;
# the spreadsheet and the CSV carry every row
MAX_DOCX_ROWS = 2_000
MAX_XLSX_ROWS = 100_000
TOO_MANY = ("Danh mục có {total} tài liệu: bản Word chỉ ghi {shown} dòng đầu; "
            "tải bản Excel hoặc CSV để có đủ danh mục.")


def _place_date(on: date) -> str:
    return f"Ngày {on.day:02d} tháng {on.month:02d} năm {on.year}"


def build_docx(agency: Agency, header: Sequence[str], rows: Sequence[Sequence[str]],
               on: date) -> bytes:
    """A4 landscape (ten columns), the national header, the title, the table whose
    header row repeats on every page."""
    doc = layout.new_document(landscape=True)
    layout.page_headers(doc)
    layout.header_block(doc, agency, place_date=_place_date(on))
    layout.title_block(doc, [TITLE, f"(Cập nhật đến ngày {format_date(on)})"])
    shown = rows[:MAX_DOCX_ROWS]
    numbered = [[str(i), *row] for i, row in enumerate(shown, start=1)]
    share = [4, 8, 20, 10, 6, 10, 10, 7, 9, 6, 10]  # per cent of the width, by column
    width = layout.text_width(doc)
    widths = [width * p // 100 for p in share] if len(share) == len(header) + 1 else None
    layout.table(doc, ["TT", *header], numbered, widths=widths, centre_columns=(0, 4, 5, 10))
    if len(rows) > len(shown):
        layout.paragraph(doc, TOO_MANY.format(total=len(rows), shown=len(shown)), italic=True)
    layout.paragraph(doc, f"Tổng số: {len(rows)} tài liệu.", space_after=Pt(6))
    core = doc.core_properties
    core.title, core.subject = TITLE.capitalize(), layout.x(agency.name)[:255]
    core.author = core.last_modified_by = layout.x(agency.name)[:255]
    core.comments = "Xuất từ ISO điện tử"
    return layout.save(doc)


def build_xlsx(agency: Agency, header: Sequence[str], rows: Sequence[Sequence[str]],
               on: date) -> bytes:
    """One sheet: title rows, then the table (frozen header, filter, widths), printed A4
    landscape fitted to the page width. Every text cell is neutralised (never a formula),
    as the CSV export does."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh mục"
    width = len(header) + 1
    cells = [(1, agency.name.upper(), True), (2, TITLE, True),
             (3, f"Cập nhật đến ngày {format_date(on)}", False)]
    for line, text, bold in cells:
        sheet.cell(row=line, column=1, value=neutralise(layout.x(text)))
        sheet.cell(row=line, column=1).font = Font(name=layout.FONT, size=13, bold=bold)
        sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
        sheet.cell(row=line, column=1).alignment = Alignment(horizontal="center")
    first = 5
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for column, title in enumerate(["TT", *header], start=1):
        cell = sheet.cell(row=first, column=column, value=neutralise(title))
        cell.font = Font(name=layout.FONT, size=12, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    for n, row in enumerate(rows[:MAX_XLSX_ROWS], start=1):
        values = [n, *(neutralise(layout.x(v)) for v in row)]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=first + n, column=column, value=value)
            cell.font = Font(name=layout.FONT, size=12)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = border
    widths = [5, 14, 45, 22, 10, 13, 20, 12, 22, 14, 13]
    for column in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = \
            widths[column - 1] if column - 1 < len(widths) else 15
    sheet.freeze_panes = sheet.cell(row=first + 1, column=1)
    sheet.auto_filter.ref = f"A{first}:{get_column_letter(width)}{first + len(rows)}"
    sheet.print_title_rows = f"{first}:{first}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left, sheet.page_margins.right = 30 / 25.4, 15 / 25.4
    sheet.page_margins.top = sheet.page_margins.bottom = 20 / 25.4
    book.properties.title = TITLE.capitalize()
    book.properties.creator = layout.x(agency.name)[:255]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
