"""The minutes of a management review (biên bản họp xem xét của lãnh đạo, BM.01-QT-05) as
a Word document in the administrative layout shared by every document isodoc writes. It is
filed as the agency's record: Vietnamese whatever the interface's language, the labels it
borrows (roles, topics, states) rendered under force_locale("vi")."""
# i18n: vietnamese-only (the minutes are an officially filed document)

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from flask_babel import force_locale

from isodoc.officedocs import layout
from isodoc.reviews.models import ManagementReview
from isodoc.textnorm import clean
from isodoc.timeutil import format_date


def _x(value: str | None) -> str:
    return clean(value, multiline=True)


def _heading(doc, text: str) -> None:
    layout.styled(doc.add_paragraph(), doc, "Heading 1").add_run(text)


def _fact(doc, label: str, value: str) -> None:
    p = layout.paragraph(doc, "", indent=False)
    p.add_run(f"{label}: ").bold = True
    p.add_run(_x(value))


def _lines(doc, text: str) -> None:
    for line in (_x(text) or "—").split("\n"):
        layout.paragraph(doc, line)


def build(review: ManagementReview) -> bytes:
    with force_locale("vi"):
        return _build(review)


def _build(review: ManagementReview) -> bytes:
    agency = review.agency
    doc = layout.new_document()
    layout.page_headers(doc)
    held = review.held_on
    place = agency.parent.name.replace("UBND tỉnh ", "") if agency.parent and \
        agency.parent.name.startswith("UBND tỉnh ") else ""
    place_date = (f"{place}, ngày" if place else "Ngày") + \
        f" {held.day:02d} tháng {held.month:02d} năm {held.year}"
    layout.header_block(doc, agency, place_date=place_date)
    layout.title_block(doc, ["BIÊN BẢN", "HỌP XEM XÉT CỦA LÃNH ĐẠO"])
    layout.centred(doc, _x(f"{review.code} — kỳ xem xét {format_date(review.period_start)} "
                           f"– {format_date(review.period_end)}"), italic=True,
                   space_after=Pt(6))

    _heading(doc, "1. Thời gian, địa điểm, thành phần")
    _fact(doc, "Thời gian", format_date(review.held_on))
    _fact(doc, "Địa điểm", review.place or "—")
    _fact(doc, "Chủ trì", review.chair.full_name)
    _fact(doc, "Thư ký", review.secretary.full_name if review.secretary else "—")
    layout.table(doc, ["TT", "Họ và tên", "Vai trò tại đơn vị"], [
        [str(n), a.user.full_name, ", ".join(sorted(r.label for r in
                                                   _roles(a.user, agency)))]
        for n, a in enumerate(review.attendees, 1)], widths=layout.shares(doc, [8, 46, 46]),
        centre_columns=(0,))
    if review.guests:
        _fact(doc, "Khách mời", review.guests)

    _heading(doc, "2. Nội dung xem xét (đầu vào theo điều khoản 9.3.2)")
    for n, item in enumerate(review.inputs, 1):
        layout.styled(doc.add_paragraph(), doc, "Heading 2").add_run(
            f"2.{n}. {item.topic_enum.label}")
        _lines(doc, item.content)

    _heading(doc, "3. Kết luận")
    _lines(doc, review.conclusion)

    _heading(doc, "4. Quyết định và hành động (đầu ra theo điều khoản 9.3.3)")
    if review.actions:
        layout.table(doc, ["TT", "Loại", "Quyết định, hành động", "Người thực hiện", "Hạn",
                           "Tình trạng"], [
            [str(a.seq), a.kind_enum.label, _x(a.decision), a.owner.full_name,
             format_date(a.due_date), a.state_enum.label] for a in review.actions],
            widths=layout.shares(doc, [6, 14, 38, 16, 12, 14]), centre_columns=(0, 4))
    else:
        layout.paragraph(doc, "Không có quyết định nào.")

    layout.paragraph(doc, "Cuộc họp kết thúc cùng ngày. Biên bản được lập và thông qua tại "
                          "cuộc họp.", italic=True)
    signatures = doc.add_table(rows=1, cols=2)
    for cell, (role, person) in zip(signatures.rows[0].cells, (
            ("THƯ KÝ", review.secretary.full_name if review.secretary else ""),
            ("CHỦ TRÌ", review.chair.full_name)), strict=True):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell.paragraphs[0].add_run(role).bold = True
        for _ in range(3):
            cell.add_paragraph()
        layout.centred(cell, _x(person), bold=True)
    core = doc.core_properties
    core.title = _x(f"Biên bản họp xem xét của lãnh đạo {review.code}")[:255]
    core.author = core.last_modified_by = _x(agency.name)[:255]
    core.comments = "Xuất từ ISO điện tử"
    return layout.save(doc)


def _roles(user, agency):
    return [m.role_enum for m in user.memberships if m.agency_id == agency.id]
