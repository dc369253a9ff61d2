"""Demo internal audits and findings, made through the real services: a completed audit
of the Sở Tư pháp with its findings at different steps, a late-dossier finding past its
due date, and a planned audit of UBND phường Him Lam."""
# i18n: vietnamese-only (demo data, as an agency would type it)

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from isodoc.agencies.services import get_by_code
from isodoc.audits import services as audits
from isodoc.audits.models import Audit, CheckResult, ConflictDecision
from isodoc.documents.demo import people
from isodoc.documents.models import Document
from isodoc.extensions import db
from isodoc.findings import services as findings
from isodoc.findings.models import FindingSource, FindingType
from isodoc.timeutil import today_local


def document(agency, code: str) -> Document:
    return db.session.scalar(select(Document).where(Document.agency_id == agency.id,
                                                    Document.code == code))


def seed() -> None:
    """Once: skipped when any audit exists."""
    if db.session.scalar(select(func.count()).select_from(Audit)):
        return
    today = today_local()
    stp, agency = people("stp"), get_by_code("so-tu-phap")
    audits.set_objectives(agency, stp["danhgia"], today.year, "Đánh giá toàn bộ HTQLCL theo "
                          "TCVN ISO 9001:2015; trọng tâm: kiểm soát tài liệu và giải quyết TTHC.")
    audit = audits.plan_audit(agency, stp["danhgia"], audits.AuditPlan(
        "Đánh giá nội bộ đợt 1", today, today + timedelta(days=1), stp["danhgia"], [],
        "7.5.3 8.5.1 9.2", [document(agency, "QT-01")], "Văn phòng Sở; bộ phận một cửa",
        "Phỏng vấn, xem hồ sơ; chuẩn mực: TCVN ISO 9001:2015 và quy trình của Sở."))
    for conflict in audit.conflicts:  # one auditor in the Sở: the lead records why
        audits.decide_conflict(conflict, stp["danhgia"], ConflictDecision.ALLOWED,
                               "Sở chỉ có một đánh giá viên; ghi nhận và thận trọng khi "
                               "kết luận")
    audits.start(audit, stp["danhgia"])
    evidence = {
        "7.5.3": (CheckResult.NONCONFORM, "Tủ hồ sơ bộ phận một cửa còn mẫu BM.QT01.02 bản "
                                          "cũ, chưa bị thu hồi"),
        "8.5.1": (CheckResult.CONFORM, "Kiểm tra 15 hồ sơ chứng thực: đúng bước, đúng hạn"),
        "9.2": (CheckResult.RECOMMENDATION, "Chương trình đánh giá chưa nêu tiêu chí chọn "
                                            "đánh giá viên"),
    }
    for item in audit.items:
        result, text = evidence.get(item.clause, (CheckResult.CONFORM, "Phù hợp"))
        if item.document_id:
            result, text = CheckResult.CONFORM, "Áp dụng đúng QT-01 lần 2"
        audits.fill_item(item, stp["danhgia"], result, text)
    nc_item = next(i for i in audit.items if i.clause == "7.5.3" and not i.document_id)
    nc = findings.raise_finding(agency, stp["danhgia"], findings.FindingInput(
        FindingType.MINOR, "7.5.3", "Tài liệu lỗi thời phải được nhận biết và thu hồi "
        "(7.5.3.2)", nc_item.evidence, [document(agency, "QT-01")], audit=audit,
        checklist_item=nc_item))
    ofi_item = next(i for i in audit.items if i.clause == "9.2")
    findings.raise_finding(agency, stp["danhgia"], findings.FindingInput(
        FindingType.OFI, "9.2.2", "Đánh giá viên khách quan, vô tư (9.2.2 c)",
        ofi_item.evidence, audit=audit, checklist_item=ofi_item))
    audits.complete(audit, stp["danhgia"], "HTQLCL của Sở cơ bản phù hợp; 01 điểm không "
                    "phù hợp nhẹ (7.5.3), 01 cơ hội cải tiến (9.2).")
    findings.propose(nc, stp["thuky"], correction="Thu hồi các mẫu cũ tại bộ phận một cửa",
                     root_cause="QT-01 chưa quy định thu hồi bản in khi ban hành lần mới",
                     whys="Vì sao còn mẫu cũ? Bản in cũ không bị thu hồi\nVì sao không thu "
                          "hồi? QT-01 không có bước này",
                     action_plan="Sửa QT-01: thêm bước thu hồi bản in tài liệu lỗi thời",
                     owner=stp["thuky"], due_date=today + timedelta(days=30))
    findings.accept(nc, stp["danhgia"], today + timedelta(days=30), "Đồng ý kế hoạch")
    late = findings.raise_finding(agency, stp["thuky"], findings.FindingInput(
        FindingType.MINOR, "8.5.1 8.7.1", "Trả kết quả đúng thời hạn quy định",
        "Hồ sơ chứng thực trả chậm 02 ngày, chưa có phiếu xin lỗi",
        source=FindingSource.LATE_DOSSIER, source_note="Hồ sơ 000.00.20.H17-261001-0007"))
    late.response_due = today - timedelta(days=2)  # a demo of the overdue flag

    himlam, commune = people("himlam"), get_by_code("dbp-him-lam")
    audits.plan_audit(commune, himlam["danhgia"], audits.AuditPlan(
        "Đánh giá nội bộ năm", today + timedelta(days=14), today + timedelta(days=14),
        himlam["danhgia"], [], "7.5.3 8.5.1", [document(commune, "QT-TP-01")],
        "Bộ phận một cửa phường", "Đánh giá TTHC đăng ký khai sinh"))
    db.session.flush()
