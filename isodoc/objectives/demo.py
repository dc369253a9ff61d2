"""Demo quality objectives of the Sở Tư pháp for the current year, entered through the
commands: monthly values up to this month, the latest of one objective below target and
turned into a finding."""
# i18n: vietnamese-only (demo data, as an agency would type it)

from __future__ import annotations

from sqlalchemy import func, select

from isodoc.agencies.services import get_by_code
from isodoc.documents.demo import people
from isodoc.extensions import db
from isodoc.findings.models import FindingType
from isodoc.objectives import services
from isodoc.objectives.models import QualityObjective
from isodoc.timeutil import today_local

ONLINE = [48.2, 51.0, 53.4, 55.1, 56.8, 58.0, 60.3, 61.7, 63.0, 64.4, 66.1, 67.5]


def seed() -> None:
    """Once: skipped when any objective exists."""
    if db.session.scalar(select(func.count()).select_from(QualityObjective)):
        return
    agency = get_by_code("so-tu-phap")
    if agency is None:
        return
    stp, today = people("stp"), today_local()
    on_time = services.create_objective(agency, stp["thuky"], services.ObjectiveInput(
        today.year, "Giải quyết hồ sơ thủ tục hành chính đúng hạn",
        "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn", "ge", 100, "%", stp["thuky"], "monthly",
        "Báo cáo tháng của Hệ thống thông tin giải quyết TTHC tỉnh (bộ phận một cửa)"))
    online = services.create_objective(agency, stp["thuky"], services.ObjectiveInput(
        today.year, "Tăng tiếp nhận hồ sơ trực tuyến", "Tỷ lệ hồ sơ tiếp nhận trực tuyến",
        "ge", 45, "%", stp["soanthao"], "monthly", "Cổng dịch vụ công tỉnh: thống kê tháng"))
    delay = services.create_objective(agency, stp["lanhdao"], services.ObjectiveInput(
        today.year, "Rút ngắn thời gian chứng thực bản sao",
        "Thời gian trung bình trả kết quả chứng thực", "le", 1, "ngày", stp["lanhdao"],
        "quarterly", "Sổ theo dõi chứng thực của Phòng Hành chính tư pháp"))
    months = range(1, today.month + 1)
    for month in months:
        missed = month == today.month  # the latest month: visible on the list, red
        services.record_value(on_time, stp["thuky"], month,
                              97.8 if missed else 100,
                              "02 hồ sơ chứng thực trả chậm" if missed else "")
        services.record_value(online, stp["soanthao"], month, ONLINE[month - 1])
        if month in delay.frequency_enum.months:
            services.record_value(delay, stp["thuky"], month, 0.8 + month / 100)
    latest = on_time.measurements[-1]
    services.raise_finding(latest, stp["thuky"], FindingType.MINOR)
    db.session.flush()
