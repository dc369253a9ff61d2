"""The annual reports as Word documents in the administrative layout
(isodoc/officedocs/layout.py): one agency's report, and the province's consolidated
report that the Sở KH&CN sends to the UBND tỉnh and the Bộ KH&CN.

Officially filed: written in Vietnamese whatever the interface's language, and built
under `force_locale("vi")` so the shared labels and number formats it uses stay
Vietnamese too."""
# i18n: vietnamese-only (the annual report is an officially filed document)

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import ParamSpec, TypeVar

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from flask_babel import force_locale

from isodoc.agencies.models import Agency, AgencyKind
from isodoc.annual_reports.models import AnnualReport
from isodoc.annual_reports.services import Standing, Summary, overseer_agency
from isodoc.audits.models import AuditState
from isodoc.findings.models import FindingType
from isodoc.officedocs import layout
from isodoc.textnorm import clean
from isodoc.timeutil import format_date, format_percent, today_local

EXCERPT_MAX = 1500  # characters quoted from each agency's difficulties and proposals
P = ParamSpec("P")
T = TypeVar("T")


def in_vietnamese(build: Callable[P, T]) -> Callable[P, T]:
    """Build the document with the interface's shared labels and formats in Vietnamese."""
    @functools.wraps(build)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with force_locale("vi"):
            return build(*args, **kwargs)
    return wrapper


def _x(value: object) -> str:
    return clean(str(value or ""), multiline=True)


def _heading(doc, text: str) -> None:
    layout.styled(doc.add_paragraph(), doc, "Heading 1").add_run(text)


def _text(doc, text: str, empty: str = "Không có.") -> None:
    lines = [line for line in _x(text).split("\n") if line.strip()] or [empty]
    for line in lines:
        layout.paragraph(doc, line)


def place_date(day: date, place: str = "Điện Biên") -> str:
    return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def _fact(doc, label: str, value: str) -> None:
    p = layout.paragraph(doc, "", indent=False)
    p.add_run(f"{label}: ").bold = True
    p.add_run(_x(value))


def figure_sections(doc, f: dict) -> None:
    d, t, a, k = (f.get("documents", {}), f.get("tthc", {}), f.get("audits", {}),
                  f.get("findings", {}))
    _heading(doc, "1. Tài liệu của hệ thống quản lý chất lượng")
    _fact(doc, "Ban hành mới", str(d.get("issued_new", 0)))
    _fact(doc, "Sửa đổi, ban hành lại", str(d.get("revised", 0)))
    _fact(doc, "Thu hồi", str(d.get("withdrawn", 0)))
    _fact(doc, "Đang hiệu lực", str(d.get("in_force", 0)))
    if d.get("list"):
        layout.table(doc, ["Mã", "Tên tài liệu", "Lần ban hành", "Hiệu lực từ"], [
            [i["code"], i["title"], str(i["number"]),
             format_date(date.fromisoformat(i["effective_date"])) if i.get("effective_date")
             else ""] for i in d["list"]], widths=layout.shares(doc, [15, 55, 12, 18]))
    _heading(doc, "2. Quy trình giải quyết thủ tục hành chính")
    if t.get("must"):
        _fact(doc, "Thủ tục hành chính phải có quy trình", str(t.get("must", 0)))
        _fact(doc, "Đã có quy trình",
              f"{t.get('covered', 0)} ({format_percent(t.get('percent', 0))})")
        _fact(doc, "Cần sửa đổi do TTHC thay đổi", str(t.get("stale", 0)))
        _fact(doc, "Chưa có quy trình", str(t.get("missing", 0)))
    else:
        layout.paragraph(doc, "Đơn vị không có thủ tục hành chính phải xây dựng quy trình.")
    _heading(doc, "3. Đánh giá nội bộ")
    _fact(doc, "Cuộc đánh giá đã thực hiện", str(a.get("held", 0)))
    _fact(doc, "Đã lập kế hoạch, chưa hoàn thành", str(a.get("planned", 0)))
    if a.get("list"):
        layout.table(doc, ["Cuộc đánh giá", "Thời gian", "Trạng thái"], [
            [i["title"], f"{format_date(date.fromisoformat(i['start']))} – "
                         f"{format_date(date.fromisoformat(i['end']))}",
             AuditState(i["state"]).label] for i in a["list"]],
            widths=layout.shares(doc, [50, 28, 22]))
    _heading(doc, "4. Phát hiện và hành động khắc phục")
    by_type = k.get("by_type", {})
    _fact(doc, "Phát hiện trong năm", str(k.get("raised", 0)) + " (" + "; ".join(
        f"{t.label.lower()}: {by_type.get(t.value, 0)}" for t in FindingType) + ")")
    _fact(doc, "Đã đóng trong năm", str(k.get("closed", 0)))
    _fact(doc, "Còn mở", str(k.get("open", 0)))
    _fact(doc, "Quá hạn", str(k.get("overdue", 0)))


@in_vietnamese
def agency_report(report: AnnualReport) -> bytes:
    doc = layout.new_document()
    layout.page_headers(doc, None if report.state == "submitted" else "DỰ THẢO")
    layout.header_block(doc, report.agency, place_date=place_date(
        report.submitted_on or today_local()))
    layout.title_block(doc, ["BÁO CÁO", "Tình hình áp dụng, duy trì và cải tiến hệ thống "
                                        f"quản lý chất lượng theo TCVN ISO 9001:2015 năm "
                                        f"{report.year}"])
    layout.centred(doc, "Kính gửi: Sở Khoa học và Công nghệ", space_after=Pt(6))
    f = report.figure_data
    if f.get("as_of"):
        layout.paragraph(doc, "Số liệu tính đến ngày "
                         f"{format_date(date.fromisoformat(f['as_of']))}.", italic=True)
    figure_sections(doc, f)
    _heading(doc, "5. Công bố hệ thống quản lý chất lượng phù hợp TCVN ISO 9001:2015")
    _text(doc, report.declarations)
    _heading(doc, "6. Đào tạo, tập huấn")
    _text(doc, report.training)
    _heading(doc, "7. Đánh giá chung")
    _text(doc, report.assessment)
    _heading(doc, "8. Khó khăn, vướng mắc")
    _text(doc, report.difficulties)
    _heading(doc, "9. Kiến nghị, đề xuất")
    _text(doc, report.proposals)
    _heading(doc, "10. Phương hướng năm tiếp theo")
    _text(doc, report.next_year)
    if report.approved_by is not None:
        layout.paragraph(doc, "", space_after=Pt(6))
        p = layout.paragraph(doc, "", indent=False)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.add_run(f"Lãnh đạo phê duyệt: {_x(report.approved_by.full_name)}").bold = True
    core = doc.core_properties
    core.title = _x(f"Báo cáo HTQLCL năm {report.year}")[:255]
    core.author = core.last_modified_by = _x(report.agency.name)[:255]
    core.comments = "Xuất từ ISO điện tử"
    layout.set_custom_properties(doc, {"isodoc-agency": report.agency.code,
                                       "isodoc-report-year": str(report.year)})
    return layout.save(doc)


def _sum(rows: list[Standing], path: tuple[str, str]) -> int:
    total = 0
    for r in rows:
        if r.submitted:
            value = r.report.figure_data.get(path[0], {}).get(path[1], 0)
            total += value if isinstance(value, int) else 0
    return total


@in_vietnamese
def consolidated(year: int, root: Agency | None, rows: list[Standing], s: Summary,
                 redeclare: list) -> bytes:
    """The province's report: who submitted (on time, late), who did not, the totals and
    each agency's figures from its submitted report, its difficulties and proposals."""
    doc = layout.new_document(landscape=True)
    layout.page_headers(doc)
    issuer = overseer_agency()
    layout.header_block(doc, issuer, place_date=place_date(today_local()))
    if issuer is None:
        layout.paragraph(doc, "SỞ KHOA HỌC VÀ CÔNG NGHỆ", bold=True, indent=False)
    layout.title_block(doc, ["BÁO CÁO", "Tình hình xây dựng, áp dụng, duy trì và cải tiến hệ "
                                        "thống quản lý chất lượng theo TCVN ISO 9001:2015 "
                                        f"tại các cơ quan hành chính nhà nước năm {year}"
                                        + (f" — {_x(root.name)}" if root else "")])
    layout.centred(doc, "Kính gửi: Ủy ban nhân dân tỉnh; Bộ Khoa học và Công nghệ",
                   space_after=Pt(6))
    _heading(doc, "1. Tình hình nộp báo cáo")
    due = rows[0].due_on if rows else None
    _fact(doc, "Hạn nộp", format_date(due) if due else "")
    _fact(doc, "Số đơn vị phải báo cáo", str(s.total))
    _fact(doc, "Đã nộp", f"{s.submitted} (đúng hạn {s.on_time}, muộn {s.late})")
    _fact(doc, "Chưa nộp", f"{s.missing}" + (f" (quá hạn {s.overdue})" if s.overdue else ""))
    _heading(doc, "2. Kết quả tổng hợp từ báo cáo đã nộp")
    _fact(doc, "Tài liệu ban hành mới", str(_sum(rows, ("documents", "issued_new"))))
    _fact(doc, "Tài liệu sửa đổi", str(_sum(rows, ("documents", "revised"))))
    _fact(doc, "Tài liệu đang hiệu lực", str(_sum(rows, ("documents", "in_force"))))
    must, covered = _sum(rows, ("tthc", "must")), _sum(rows, ("tthc", "covered"))
    _fact(doc, "Thủ tục hành chính đã có quy trình",
          f"{covered}/{must}" + (f" ({format_percent(100 * covered / must)})" if must else ""))
    _fact(doc, "Cuộc đánh giá nội bộ đã thực hiện", str(_sum(rows, ("audits", "held"))))
    _fact(doc, "Phát hiện trong năm / đã đóng / còn mở",
          f"{_sum(rows, ('findings', 'raised'))} / {_sum(rows, ('findings', 'closed'))} / "
          f"{_sum(rows, ('findings', 'open'))}")
    _heading(doc, "3. Chi tiết theo đơn vị")
    table_rows = []
    for n, r in enumerate(rows, start=1):
        f = r.report.figure_data if r.submitted else {}
        d, t = f.get("documents", {}), f.get("tthc", {})
        a, k = f.get("audits", {}), f.get("findings", {})
        when = format_date(r.report.submitted_on) if r.submitted else ""
        table_rows.append([
            str(n), r.agency.name, AgencyKind(r.agency.kind).label,
            r.label + (f" ({when})" if when else ""),
            f"{d.get('issued_new', '')}/{d.get('revised', '')}" if f else "",
            str(d.get("in_force", "")) if f else "",
            f"{t.get('covered', 0)}/{t.get('must', 0)}" if f and t.get("must") else "",
            str(a.get("held", "")) if f else "",
            f"{k.get('raised', '')}/{k.get('closed', '')}/{k.get('open', '')}" if f else ""])
    layout.table(doc, ["TT", "Đơn vị", "Loại", "Báo cáo", "Ban hành mới/sửa đổi",
                       "Đang hiệu lực", "TTHC có quy trình", "Đánh giá nội bộ",
                       "Phát hiện (mới/đóng/mở)"], table_rows,
                 widths=layout.shares(doc, [5, 24, 13, 16, 10, 8, 9, 7, 8]),
                 centre_columns=[0, 4, 5, 6, 7, 8])
    if redeclare:
        _heading(doc, "4. Đơn vị sau sáp nhập phải công bố lại")
        layout.table(doc, ["Đơn vị", "Đã sáp nhập", "Ngày sáp nhập", "Công bố gần nhất"], [
            [r.agency.name, ", ".join(p.name for p in r.merged), format_date(r.merged_on),
             format_date(r.declared_on) or "chưa có"] for r in redeclare],
            widths=layout.shares(doc, [28, 40, 14, 18]))
    _heading(doc, "5. Khó khăn, vướng mắc và kiến nghị của các đơn vị")
    quoted = 0
    for r in rows:
        if not r.submitted or not (r.report.difficulties or r.report.proposals):
            continue
        quoted += 1
        layout.paragraph(doc, r.agency.name, bold=True, indent=False)
        for label, text in (("Khó khăn", r.report.difficulties),
                            ("Kiến nghị", r.report.proposals)):
            if text:
                text = _x(text)
                cut = text[:EXCERPT_MAX] + ("…" if len(text) > EXCERPT_MAX else "")
                _fact(doc, label, cut.replace("\n", " "))
    if not quoted:
        layout.paragraph(doc, "Không có.")
    core = doc.core_properties
    core.title = f"Báo cáo tổng hợp HTQLCL năm {year}"
    core.author = core.last_modified_by = "Sở Khoa học và Công nghệ"
    core.comments = "Xuất từ ISO điện tử"
    return layout.save(doc)
