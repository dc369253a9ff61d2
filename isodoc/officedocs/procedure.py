"""A revision of a document (in force, pending, superseded or draft) as the .docx a
secretary prints and signs: page 1 with the agency and the national motto, the kind and
title, mã hiệu, lần ban hành, ngày hiệu lực, the sign-off table (soạn thảo, xem xét, phê
duyệt) from the workflow record and the change table from the history; then the body.

The file records where it came from in its custom properties, which the "edit in Word"
upload reads back:
- `isodoc-code`: the document code (QT-01);
- `isodoc-revision`: the issued revision number ("3"), or "d<seq>" for draft seq (the
  same notation as the diff page's `a`/`b`);
- `isodoc-base`: the git commit the text was read from (an issued revision's commit on
  main, a draft's head: the `base_sha` of the next save);
- `isodoc-agency`: the agency code."""

# i18n: vietnamese-only (the procedure .docx is a filed document; built under force_locale("vi"))

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Mm, Pt
from flask_babel import force_locale

from isodoc.auth.models import Role, User
from isodoc.documents import services
from isodoc.documents.models import Decision, DocumentKind, Revision, RevisionState
from isodoc.officedocs import layout
from isodoc.officedocs.markdown import write_body
from isodoc.timeutil import LOCAL_TZ, format_date

DRAFT_MARK = "DỰ THẢO"
OBSOLETE_MARK = "ĐÃ HẾT HIỆU LỰC"
NEVER_IN_FORCE_MARK = "KHÔNG CÓ HIỆU LỰC"
KIND_HEADINGS = {
    DocumentKind.TTHC: "QUY TRÌNH", DocumentKind.INTERNAL: "QUY TRÌNH",
    DocumentKind.POLICY: "CHÍNH SÁCH, MỤC TIÊU CHẤT LƯỢNG", DocumentKind.MANUAL: "SỔ TAY",
    DocumentKind.GUIDE: "HƯỚNG DẪN", DocumentKind.FORM: "BIỂU MẪU",
    DocumentKind.EXTERNAL: "TÀI LIỆU",
}
# a person's position when no chức vụ is recorded: what their role in the agency says
POSITIONS = ((Role.APPROVER, "Lãnh đạo"), (Role.SECRETARY, "Thư ký ISO"),
             (Role.AUDITOR, "Đánh giá viên nội bộ"), (Role.AUTHOR, "Chuyên viên"),
             (Role.READER, "Công chức"))
CHANGE_HEADER = ["Lần ban hành", "Ngày hiệu lực", "Vị trí sửa đổi", "Nội dung sửa đổi",
                 "Căn cứ, lý do"]
SIGN_HEADER = ["", "Soạn thảo", "Xem xét", "Phê duyệt"]


def mark_for(revision: Revision, status: str) -> str | None:
    """What every page of this revision says about it, if it must not be used as is."""
    if revision.state != RevisionState.ISSUED:
        return DRAFT_MARK
    if status in ("superseded", "withdrawn"):
        return OBSOLETE_MARK
    if status == "superseded_before_effect":
        return NEVER_IN_FORCE_MARK
    return None


def local_date(moment: datetime | None) -> str:
    """A stored (naive UTC) time as the date in Vietnam."""
    if moment is None:
        return ""
    return format_date(moment.replace(tzinfo=UTC).astimezone(LOCAL_TZ).date())


def position(user: User | None, revision: Revision) -> str:
    if user is None:
        return ""
    if user.job_title:
        return user.job_title
    roles = user.roles_on(revision.document.agency)
    return next((label for role, label in POSITIONS if role in roles), "")


@dataclass
class SignOff:
    names: list[str]
    positions: list[str]
    dates: list[str]


def sign_offs(revision: Revision) -> tuple[SignOff, SignOff, SignOff]:
    """Soạn thảo, xem xét, phê duyệt from the workflow record: the author (dated when they
    submitted it), the reviewers (those who agreed, once issued; every one assigned while
    a draft, with their answer), the approver."""
    submitted = [e.at for e in revision.events if e.action == "submit"]
    author = SignOff([revision.author.full_name], [position(revision.author, revision)],
                     [local_date(submitted[-1] if submitted else revision.updated_at)])
    reviews = [r for r in revision.reviews
               if revision.state != RevisionState.ISSUED or r.decision == Decision.AGREED]
    reviewers = SignOff(
        [r.reviewer.full_name + ("" if r.decision == Decision.AGREED or
                                 revision.state == RevisionState.ISSUED
                                 else f" ({r.decision_enum.label.lower()})")
         for r in reviews],
        [position(r.reviewer, revision) for r in reviews],
        [local_date(r.decided_at) for r in reviews])
    approver = revision.approved_by
    approval = SignOff([approver.full_name], [position(approver, revision)],
                       [local_date(revision.approved_at)]) if approver else SignOff([], [], [])
    return author, reviewers, approval


def change_rows(revision: Revision) -> list[list[str]]:
    """The bảng theo dõi sửa đổi up to this revision (a draft: every issued one, then
    the draft's own change)."""
    document = revision.document
    issued = services.issued(document)
    if revision.state == RevisionState.ISSUED:
        issued = [r for r in issued if (r.number or 0) <= (revision.number or 0)]
    rows = [[str(r.number), format_date(r.effective_date),
             r.change_location or ("—" if (r.number or 0) > 1 else "Ban hành lần đầu"),
             r.change_summary or ("Ban hành lần đầu" if r.number == 1 else ""), r.reason]
            for r in issued]
    if revision.state != RevisionState.ISSUED:
        rows.append([f"{next_number(revision)} (dự thảo)", "",
                     revision.change_location or ("" if issued else "Ban hành lần đầu"),
                     revision.change_summary, revision.reason])
    return rows


def next_number(revision: Revision) -> int:
    return max((r.number or 0 for r in services.issued(revision.document)), default=0) + 1


def properties(revision: Revision) -> dict[str, str]:
    document = revision.document
    issued = revision.state == RevisionState.ISSUED
    return {"isodoc-code": document.code,
            "isodoc-revision": str(revision.number) if issued else f"d{revision.seq}",
            "isodoc-base": (revision.commit_sha if issued else revision.head_sha) or "",
            "isodoc-agency": document.agency.code}


def filename(revision: Revision) -> str:
    slug = revision.document.slug
    if revision.state == RevisionState.ISSUED:
        return f"{slug}-lan-{revision.number}.docx"
    return f"{slug}-du-thao-{revision.seq}.docx"


def title_lines(revision: Revision) -> list[str]:
    """"QUY TRÌNH" then the title, without saying "quy trình" twice when the title
    starts with it."""
    kind = KIND_HEADINGS.get(revision.kind_enum, "TÀI LIỆU")
    title = layout.x(revision.title).upper()
    if title.startswith(kind + " ") and len(title) > len(kind) + 1:
        title = title[len(kind) + 1:].lstrip()
    return [kind, title]


def build(revision: Revision, on: date | None = None) -> bytes:
    """The revision's .docx. Reads its text from git (through the revision cache) and its
    workflow from SQL; the Markdown conversion is bounded (officedocs.markdown). In
    Vietnamese whatever the interface's language: labels and statuses come from shared
    helpers that follow the request's language."""
    with force_locale("vi"):
        return _build(revision, on)


def _build(revision: Revision, on: date | None) -> bytes:
    document = revision.document
    meta, body = services.read_parts(revision)
    status = services.revision_status(revision, on)
    doc = layout.new_document()
    layout.page_headers(doc, mark_for(revision, status))
    layout.header_block(doc, document.agency)
    layout.title_block(doc, title_lines(revision))
    issued = revision.state == RevisionState.ISSUED
    facts = [("Mã hiệu", document.code),
             ("Lần ban hành", str(revision.number) if issued
              else f"{next_number(revision)} (dự thảo {revision.seq})"),
             ("Ngày hiệu lực", format_date(revision.effective_date) if issued
              else "chưa ban hành")]
    if issued and status != "in_force":
        facts.append(("Tình trạng", str(services.STATUS_LABELS.get(status, status))))
    for label, value in facts:
        p = layout.centred(doc, "")
        p.add_run(f"{label}: ")
        p.add_run(layout.x(value)).bold = True
    layout.paragraph(doc, "", space_after=Pt(6))
    _sign_table(doc, revision)
    layout.paragraph(doc, "", space_after=Pt(6))
    layout.centred(doc, "BẢNG THEO DÕI SỬA ĐỔI", bold=True, space_after=Pt(6))
    width = layout.text_width(doc)
    widths = [width * w // 100 for w in (12, 15, 22, 28, 23)]
    layout.table(doc, CHANGE_HEADER, change_rows(revision), widths=widths,
                 centre_columns=(0, 1))
    layout.page_break(doc)
    write_body(doc, body)
    core = doc.core_properties
    core.title = layout.x(revision.title)[:255]
    core.subject = document.code
    core.author = core.last_modified_by = layout.x(document.agency.name)[:255]
    core.comments = "Xuất từ ISO điện tử"
    core.keywords = ""
    layout.set_custom_properties(doc, properties(revision))
    return layout.save(doc)


def _sign_table(doc, revision: Revision) -> None:
    people = sign_offs(revision)
    width = layout.text_width(doc)
    widths = [width * 16 // 100] + [width * 28 // 100] * 3
    table = doc.add_table(rows=5, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, w in zip(table.columns, widths, strict=True):
        column.width = w
    rows = [SIGN_HEADER,
            ["Họ và tên", *("\n".join(p.names) for p in people)],
            ["Chức vụ", *("\n".join(p.positions) for p in people)],
            ["Chữ ký", "", "", ""],
            ["Ngày", *("\n".join(p.dates) for p in people)]]
    for r, (row, texts) in enumerate(zip(table.rows, rows, strict=True)):
        layout.keep_row(row)
        if r == 3:
            row.height = Mm(20)  # room to sign
        for c, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
            cell.width = widths[c]
            layout.cell_text(cell, text, bold=r == 0 or c == 0, centre=c > 0 or r == 0)
