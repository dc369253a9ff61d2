"""The internal audit report as a Word document (báo cáo đánh giá nội bộ)."""

from __future__ import annotations

import io

from docx import Document as Docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from sqlalchemy import select

from isodoc.audits import services
from isodoc.audits.models import Audit, CheckResult
from isodoc.extensions import db
from isodoc.textnorm import clean
from isodoc.timeutil import format_date

RESULTS = [CheckResult.CONFORM, CheckResult.NONCONFORM, CheckResult.RECOMMENDATION]


def _x(value: str | None) -> str:
    """Text as Word (XML) can hold it: no control characters, which lxml refuses, and no
    bidi or zero-width ones. Titles are cleaned at the form; rows written before were not."""
    return clean(value, multiline=True)


def _table(doc, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = _x(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = _x(text)


def build(audit: Audit) -> bytes:
    from isodoc.findings.models import Finding

    doc = Docx()
    doc.styles["Normal"].font.name = "Times New Roman"
    doc.styles["Normal"].font.size = Pt(13)
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head.add_run(_x(audit.agency.name.upper())).bold = True
    title = doc.add_heading("BÁO CÁO ĐÁNH GIÁ NỘI BỘ", level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(_x(f"{audit.code} — {audit.title}")).alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_heading("1. Thông tin chung", level=2)
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
        p = doc.add_paragraph()
        p.add_run(f"{label}: ").bold = True
        p.add_run(_x(value))

    doc.add_heading("2. Kết quả theo điều khoản", level=2)
    rows = []
    for r in services.results_by_clause(audit):
        rows.append([r.clause, r.title] + [str(r.counts.get(x, 0)) for x in RESULTS]
                    + [str(r.counts.get("none", 0))])
    _table(doc, ["Điều khoản", "Tên", "Phù hợp", "Không phù hợp", "Khuyến nghị",
                 "Chưa đánh giá"], rows)

    doc.add_heading("3. Phát hiện", level=2)
    findings = db.session.scalars(select(Finding).where(Finding.audit_id == audit.id)
                                  .order_by(Finding.seq)).all()
    if findings:
        _table(doc, ["Số", "Loại", "Điều khoản", "Nội dung", "Trạng thái"], [
            [f.code, f.type_enum.label, ", ".join(f.clause_list), f.observed,
             f.state_enum.label] for f in findings])
    else:
        doc.add_paragraph("Không có phát hiện.")

    doc.add_heading("4. Danh mục kiểm tra", level=2)
    _table(doc, ["TT", "Điều khoản", "Câu hỏi", "Bằng chứng", "Kết quả"], [
        [str(i.position), i.clause or "", i.question, i.evidence,
         i.result_enum.label if i.result_enum else "Chưa đánh giá"] for i in audit.items])

    doc.add_heading("5. Kết luận", level=2)
    doc.add_paragraph(_x(audit.conclusion) or "Cuộc đánh giá chưa kết thúc.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
