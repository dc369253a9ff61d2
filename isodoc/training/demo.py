"""Demo training records, made through the commands: the plan's three courses for the Sở
Tư pháp and UBND phường Him Lam, and the internal-auditor certificates of their auditors
(so the demo audits' teams are certified)."""
# i18n: vietnamese-only (demo data, as an agency would type it)

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from isodoc.agencies.services import get_by_code
from isodoc.auth.services import get_user
from isodoc.extensions import db
from isodoc.policy import SYSTEM
from isodoc.timeutil import today_local
from isodoc.training import services
from isodoc.training.models import Course, CourseKind

PROVIDER = "Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng tỉnh Điện Biên"


def seed() -> None:
    """Once: skipped when any course exists. Before the demo audits."""
    if db.session.scalar(select(func.count()).select_from(Course)):
        return
    today = today_local()
    for code, prefix in (("so-tu-phap", "stp"), ("dbp-him-lam", "himlam")):
        agency = get_by_code(code)
        if agency is None:
            continue
        staff = [u for u in (get_user(f"{prefix}.{s}") for s in
                             ("congchuc", "soanthao", "thuky", "lanhdao", "danhgia")) if u]
        year = today.year - 1
        services.add_course(agency, SYSTEM, services.CourseInput(
            CourseKind.AWARENESS, "Nhận thức chung về TCVN ISO 9001:2015", PROVIDER,
            date(year, 3, 10), date(year, 3, 11), staff))
        services.add_course(agency, SYSTEM, services.CourseInput(
            CourseKind.DOCUMENTATION, "Hướng dẫn xây dựng và áp dụng hệ thống tài liệu",
            PROVIDER, date(year, 4, 14), date(year, 4, 16),
            [u for u in staff if u.username.split(".")[1] in ("soanthao", "thuky")]))
        auditor = get_user(f"{prefix}.danhgia")
        course = services.add_course(agency, SYSTEM, services.CourseInput(
            CourseKind.INTERNAL_AUDITOR, "Chuyên gia đánh giá nội bộ HTQLCL theo TCVN ISO "
            "9001:2015", PROVIDER, date(year, 5, 20), date(year, 5, 22),
            [u for u in (auditor, get_user(f"{prefix}.thuky")) if u]))
        if auditor is not None:
            services.add_certificate(agency, SYSTEM, services.CertificateInput(
                auditor, f"{year}/ĐGNB-{prefix.upper()}-01", PROVIDER, date(year, 5, 22),
                date(year, 5, 22) + timedelta(days=3 * 365), course))
    db.session.flush()
