"""The internal audit report as a Word document (báo cáo đánh giá nội bộ), in the
official layout shared by every document isodoc writes (isodoc/officedocs/layout.py).
It is filed with the audit record (ISO 9001:2015 9.2.2 f): always in Vietnamese."""
# i18n: vietnamese-only (the audit report is an officially filed document)

from __future__ import annotations

from docx.shared import Pt
from flask_babel import force_locale
from sqlalchemy import select

from isodoc.audits import services
from isodoc.audits.models import Audit, CheckResult
from isodoc.extensions import db
from isodoc.officedocs import layout
from isodoc.textnorm import clean
from isodoc.timeutil import format_date

RESULTS = [CheckResult.CONFORM, CheckResult.NONCONFORM, CheckResult.RECOMMENDATION]


def _x(value: str | None) -> str:
    """Text as Word (XML) can hold it: no control characters, which lxml refuses, and no
    bidi or zero-width ones. Titles are cleaned at the form; rows written before were not."""
    return clean(value, multiline=True)


def _table(doc, header: list[str], rows: list[list[str]], percents: list[int]) -> None:
    layout.table(doc, header, [[_x(c) for c in row] for row in rows],
                 widths=layout.shares(doc, percents))


def _heading(doc, text: str) -> None:
    layout.styled(doc.add_paragraph(), doc, "Heading 1").add_run(text)


def build(audit: Audit) -> bytes:
    """The report in Vietnamese, whatever the language of the person downloading it: the
    labels and clause titles it reads follow the locale forced here."""
    with force_locale("vi"):
        return _build(audit)


def _build(audit: Audit) -> bytes:
    from isodoc.findings.models import Finding

    doc = layout.new_document()
    layout.page_headers(doc)
    layout.header_block(doc, audit.agency)
    layout.title_block(doc, ["BÁO CÁO", "KẾT QUẢ ĐÁNH GIÁ NỘI BỘ"])
    layout.centred(doc, _x(f"{audit.code} — {audit.title}"), italic=True, space_after=Pt(6))

    _heading(doc, "1. Thông tin chung")
    team = ", ".join(u.full_name for u in audit.team if u.id != audit.lead_id) or "—"
    for label, value in [
        ("Thời gian", f"{format_date(audit.planned_start)} – {format_date(audit.planned_end)}"),
        ("Trưởng đoàn", audit.lead.full_name), ("Thành viên", team),
        ("Chuẩn mực", "TCVN ISO 9001:2015 và các quy trình của đơn vị"),
        ("Phạm vi (điều khoản)", ", ".join(audit.clause_list) or "—"),
        ("Quy trình được đánh giá", ", ".join(d.code for d in audit.documents) or "—"),
        ("Quá trình, bộ phận", audit.processes or "—"),
        ("Trạng thái", audit.state_enum.label),
    ]:
        p = layout.paragraph(doc, "", indent=False)
        p.add_run(f"{label}: ").bold = True
        p.add_run(_x(value))

    _heading(doc, "2. Kết quả theo điều khoản")
    rows = []
    for r in services.results_by_clause(audit):
        rows.append([r.clause, r.title] + [str(r.counts.get(x, 0)) for x in RESULTS]
                    + [str(r.counts.get("none", 0))])
    _table(doc, ["Điều khoản", "Tên", "Phù hợp", "Không phù hợp", "Khuyến nghị",
                 "Chưa đánh giá"], rows, [13, 35, 13, 13, 13, 13])

    _heading(doc, "3. Phát hiện")
    findings = db.session.scalars(select(Finding).where(Finding.audit_id == audit.id)
                                  .order_by(Finding.seq)).all()
    if findings:
        _table(doc, ["Số", "Loại", "Điều khoản", "Nội dung", "Trạng thái"], [
            [f.code, f.type_enum.label, ", ".join(f.clause_list), f.observed,
             f.state_enum.label] for f in findings], [17, 16, 11, 40, 16])
    else:
        doc.add_paragraph("Không có phát hiện.")

    _heading(doc, "4. Danh mục kiểm tra")
    _table(doc, ["TT", "Điều khoản", "Câu hỏi", "Bằng chứng", "Kết quả"], [
        [str(i.position), i.clause or "", i.question, i.evidence,
         i.result_enum.label if i.result_enum else "Chưa đánh giá"] for i in audit.items],
           [6, 12, 38, 28, 16])

    _heading(doc, "5. Kết luận")
    doc.add_paragraph(_x(audit.conclusion) or "Cuộc đánh giá chưa kết thúc.")
    core = doc.core_properties
    core.title = _x(f"Báo cáo đánh giá nội bộ {audit.code}")[:255]
    core.author = core.last_modified_by = _x(audit.agency.name)[:255]
    core.comments = "Xuất từ ISO điện tử"
    return layout.save(doc)
