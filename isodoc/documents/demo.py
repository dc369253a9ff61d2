"""Demo documents, issued through the real store and workflow so that their git
history, reviews and approvals are real."""
# i18n: vietnamese-only (demo data, as an agency would type it)

from __future__ import annotations

from sqlalchemy import func, select

from isodoc.agencies.services import get_by_code
from isodoc.auth.services import get_user
from isodoc.documents import library, services
from isodoc.documents.models import Decision, Document, Revision
from isodoc.extensions import db
from isodoc.timeutil import today_local

# (agency code, staff prefix, templates to issue)
ISSUED = [
    ("so-tu-phap", "stp", ["qt-01-kiem-soat-tai-lieu", "qt-02-kiem-soat-ho-so",
                           "qt-03-danh-gia-noi-bo", "qt-04-khac-phuc", "qt-06-rui-ro-co-hoi",
                           "tthc-chung-thuc-ban-sao"]),
    ("dbp-him-lam", "himlam", ["qt-01-kiem-soat-tai-lieu", "qt-04-khac-phuc",
                               "tthc-dang-ky-khai-sinh", "tthc-chung-thuc-ban-sao"]),
]
# Later revisions: (agency, code, [(old text, new text, where, what, why), ...])
REVISIONS = [
    ("so-tu-phap", "QT-01", [
        ("| B7 | Xem xét định kỳ tính phù hợp của tài liệu | Thư ký ISO | 12 tháng/lần |",
         "| B7 | Xem xét định kỳ tính phù hợp của tài liệu | Thư ký ISO | 06 tháng/lần |",
         "Mục 5.2, bước B7", "Rút ngắn chu kỳ xem xét tài liệu còn 06 tháng",
         "Kết luận đánh giá nội bộ năm 2025"),
        ("Xác nhận đã đọc tài liệu mới | Công chức liên quan | 05 ngày làm việc",
         "Xác nhận đã đọc tài liệu mới | Công chức liên quan | 03 ngày làm việc",
         "Mục 5.2, bước B6", "Rút thời hạn xác nhận đã đọc còn 03 ngày",
         "Chỉ đạo của lãnh đạo Sở tại cuộc họp xem xét"),
    ]),
    ("dbp-him-lam", "QT-TP-01", [
        ("Thông tư số 04/2020/TT-BTP hướng dẫn Luật Hộ tịch.",
         "Thông tư số 04/2020/TT-BTP hướng dẫn Luật Hộ tịch.\n"
         "- Nghị định số 63/2024/NĐ-CP về liên thông thủ tục hành chính "
         "đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế.",
         "Mục 3", "Bổ sung căn cứ liên thông TTHC", "Nghị định số 63/2024/NĐ-CP"),
    ]),
]


def people(prefix: str):
    return {role: get_user(f"{prefix}.{role}") for role in
            ("soanthao", "thuky", "lanhdao", "danhgia")}


def fields_of(template: library.Template, title: str | None = None) -> services.DocumentFields:
    return services.DocumentFields(title=title or template.title, kind=template.kind,
                                   tthc_code=template.tthc_code, field=template.field,
                                   iso_clauses=template.iso_clauses)


def through_approval(revision: Revision, staff) -> None:
    services.submit(revision, staff["soanthao"], [staff["danhgia"]])
    services.review(revision, staff["danhgia"], Decision.AGREED, "")
    services.approve(revision, staff["lanhdao"], "Đồng ý ban hành")


def seed() -> int:
    """Issue the demo documents once; returns how many revisions were issued."""
    if db.session.scalar(select(func.count()).select_from(Document)):
        return 0
    issued = 0
    for agency_code, prefix, names in ISSUED:
        agency, staff = get_by_code(agency_code), people(prefix)
        for name in names:
            template = library.get(name)
            revision = services.create_document(agency, staff["soanthao"], template.code,
                                                fields_of(template), template.body)
            through_approval(revision, staff)
            services.issue(revision, staff["thuky"], today_local())
            issued += 1
    for agency_code, code, changes in REVISIONS:
        agency = get_by_code(agency_code)
        staff = people("stp" if agency_code == "so-tu-phap" else "himlam")
        document = db.session.scalar(select(Document).where(Document.agency_id == agency.id,
                                                            Document.code == code))
        for old, new, where, what, why in changes:
            revision = services.start_revision(document, staff["soanthao"])
            meta, body = services.read_parts(revision)
            template = next(t for t in library.templates() if t.code == code)
            services.save_draft(revision, staff["soanthao"], revision.head_sha,
                                fields_of(template, revision.title), body.replace(old, new),
                                change_location=where, change_summary=what, reason=why)
            through_approval(revision, staff)
            services.issue(revision, staff["thuky"], today_local())
            issued += 1
    # Work in progress: one draft waiting for review, one waiting for approval.
    stp, agency = people("stp"), get_by_code("so-tu-phap")
    hd = services.create_document(
        agency, stp["soanthao"], "HD-01",
        services.DocumentFields("Hướng dẫn tiếp nhận hồ sơ qua dịch vụ công trực tuyến",
                                library.DocumentKind.GUIDE, field="Hành chính tư pháp",
                                iso_clauses="8.2 8.5.1"), library.BLANK_STRUCTURE)
    services.submit(hd, stp["soanthao"], [stp["danhgia"]])
    himlam, commune = people("himlam"), get_by_code("dbp-him-lam")
    template = library.get("qt-02-kiem-soat-ho-so")
    records = services.create_document(commune, himlam["soanthao"], template.code,
                                       fields_of(template), template.body)
    services.submit(records, himlam["soanthao"], [himlam["danhgia"]])
    services.review(records, himlam["danhgia"], Decision.AGREED, "Phù hợp")
    return issued
