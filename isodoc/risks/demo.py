"""Demo risks and opportunities of the Sở Tư pháp, registered through the commands."""
# i18n: vietnamese-only (demo data, as an agency would type it)

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from isodoc.agencies.services import get_by_code
from isodoc.audits.demo import document
from isodoc.documents.demo import people
from isodoc.extensions import db
from isodoc.risks import services
from isodoc.risks.models import Risk
from isodoc.timeutil import today_local


def seed() -> None:
    """Once: skipped when any risk exists."""
    if db.session.scalar(select(func.count()).select_from(Risk)):
        return
    agency = get_by_code("so-tu-phap")
    if agency is None:
        return
    stp, today = people("stp"), today_local()
    late = services.register(agency, stp["thuky"], services.RiskInput(
        "risk", "Chứng thực bản sao từ bản chính",
        "Hồ sơ chứng thực trả kết quả trễ hạn vào cao điểm tuyển sinh",
        "Thiếu công chức tiếp nhận vào tháng 6–8", 4, 4, today + timedelta(days=90)))
    services.add_action(late, stp["thuky"], "Bố trí thêm 01 công chức tiếp nhận tháng 6–8",
                        stp["lanhdao"], today + timedelta(days=30))
    old_forms = services.register(agency, stp["thuky"], services.RiskInput(
        "risk", "Kiểm soát tài liệu", "Bộ phận một cửa dùng biểu mẫu lỗi thời",
        "Bản in cũ không được thu hồi khi ban hành lần mới", 3, 3,
        today - timedelta(days=5), document(agency, "QT-01")))
    services.add_action(old_forms, stp["thuky"], "Rà soát tủ hồ sơ một cửa mỗi quý",
                        stp["thuky"], today + timedelta(days=10))
    services.register(agency, stp["thuky"], services.RiskInput(
        "opportunity", "Tiếp nhận hồ sơ TTHC",
        "Tăng tiếp nhận trực tuyến qua Cổng dịch vụ công tỉnh",
        "Người dân quen dùng dịch vụ công trực tuyến", 4, 3, today + timedelta(days=180)))
    db.session.flush()
