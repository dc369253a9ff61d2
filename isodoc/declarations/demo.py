"""Demo oversight records, made through the commands: the Sở Tư pháp's conformity
declaration (after its completed internal audit), a consultant that advised it in 2018
and advises UBND phường Him Lam this year (one supervision visit), and the Sở KH&CN's
inspection of Him Lam with a finding traced to that consultant."""
# i18n: vietnamese-only (demo data, as an agency would type it)

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from isodoc.agencies.services import get_by_code
from isodoc.auth.services import get_user
from isodoc.declarations import services
from isodoc.declarations.models import STANDARDS, Declaration
from isodoc.documents.demo import people
from isodoc.extensions import db
from isodoc.findings import services as findings
from isodoc.findings.models import FindingSource, FindingType
from isodoc.inspections import services as inspections
from isodoc.inspections.models import Inspection, InspectionMode
from isodoc.policy import SYSTEM
from isodoc.timeutil import today_local

CONSULTANT = "Công ty TNHH Tư vấn Quản lý chất lượng Tây Bắc (minh hoạ)"


def seed() -> None:
    """Once: each part is skipped when its records exist."""
    today = today_local()
    agency = get_by_code("so-tu-phap")
    if agency is not None and not db.session.scalar(
            select(func.count()).select_from(Declaration)) and not services.missing(agency):
        stp = people("stp")
        services.record_declaration(agency, stp["thuky"], services.DeclarationInput(
            decision_no="125/QĐ-STP", decided_on=today, signer=stp["lanhdao"],
            signer_title="Giám đốc", standard=STANDARDS[0],
            note="Công bố sau đánh giá nội bộ đợt 1 (minh hoạ)."))
    overseer, commune = get_user("sokhcn"), get_by_code("dbp-him-lam")
    if overseer is None or commune is None or agency is None or db.session.scalar(
            select(func.count()).select_from(Inspection)):
        return
    consultant = inspections.create_consultant(
        SYSTEM, CONSULTANT, "organisation", "Thành phố Điện Biên Phủ",
        "Tư vấn xây dựng, chuyển đổi HTQLCL theo TCVN ISO 9001:2015.")
    inspections.engage(consultant, SYSTEM, agency, 2018,
                       "Chuyển đổi HTQLCL từ ISO 9001:2008 sang TCVN ISO 9001:2015.")
    advised = inspections.engage(consultant, SYSTEM, commune, today.year,
                                 "Xây dựng HTQLCL lần đầu: bộ quy trình TTHC cấp xã.")
    inspections.record_visit(advised, overseer, today - timedelta(days=20),
                             "Tư vấn đúng tiến độ; bộ quy trình TTHC còn thiếu biểu mẫu "
                             "theo dõi hồ sơ.")
    inspection = inspections.record_inspection(overseer, inspections.InspectionInput(
        commune, InspectionMode.DOSSIER, today - timedelta(days=2),
        "Chuyên viên Sở KH&CN (trưởng đoàn); đại diện Sở Nội vụ",
        "Việc xây dựng, áp dụng HTQLCL theo TCVN ISO 9001:2015; kiểm soát tài liệu; quy "
        "trình giải quyết TTHC cấp xã."))
    inspections.raise_finding(inspection, overseer, findings.FindingInput(
        type=FindingType.MINOR, clauses="7.5.3",
        requirement="TCVN ISO 9001:2015, 7.5.3: thông tin dạng văn bản phải được kiểm soát, "
                    "sẵn có và phù hợp để sử dụng tại nơi cần thiết.",
        observed="Bộ phận một cửa còn dùng biểu mẫu theo dõi hồ sơ chưa ban hành trong hệ "
                 "thống (do tư vấn cung cấp).",
        source=FindingSource.INSPECTION), advised)
    db.session.flush()
