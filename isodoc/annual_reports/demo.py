"""Demo annual reports of the current reporting year, through the commands: the Sở Tư
pháp's submitted on time, UBND phường Him Lam's submitted late, UBND phường Nam Thanh's
waiting for its leader; every other agency has not reported."""
# i18n: vietnamese-only (demo data, as an agency would type it)

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from isodoc.agencies.services import get_by_code
from isodoc.annual_reports import services
from isodoc.annual_reports.models import AnnualReport
from isodoc.auth.services import get_user
from isodoc.extensions import db
from isodoc.timeutil import LOCAL_TZ, today_local

TEXTS = {
    "so-tu-phap": dict(
        assessment="Hệ thống quản lý chất lượng được duy trì, cập nhật kịp thời theo các văn "
                   "bản mới về hộ tịch, chứng thực; các quy trình giải quyết TTHC được rà "
                   "soát sau mỗi lần công bố danh mục TTHC của tỉnh.",
        training="Tổ chức 01 lớp tập huấn về TCVN ISO 9001:2015 cho 25 công chức.",
        difficulties="Một số quy trình chưa kịp sửa đổi khi thủ tục hành chính thay đổi.",
        proposals="Đề nghị Sở KH&CN tổ chức tập huấn chuyên gia đánh giá nội bộ.",
        next_year="Hoàn thành sửa đổi các quy trình cần cập nhật trong quý I."),
    "dbp-him-lam": dict(
        assessment="Phường đã xây dựng và áp dụng HTQLCL cho các thủ tục hành chính cấp xã.",
        difficulties="Thiếu cán bộ chuyên trách ISO; thư ký kiêm nhiệm.",
        proposals="Đề nghị hỗ trợ kinh phí duy trì hệ thống."),
    "dbp-nam-thanh": dict(
        assessment="Phường tiếp nhận tài liệu của phường Noong Bua sau sáp nhập và đang "
                   "áp dụng quy trình mẫu đăng ký khai sinh của tỉnh."),
}


def report_year() -> int:
    return services.current_year()


def seed() -> None:
    """Once: skipped when any report exists."""
    if db.session.scalar(select(func.count()).select_from(AnnualReport)):
        return
    year = report_year()
    today = today_local()
    due = services.deadline(year)
    overseer = get_user("sokhcn")
    if today <= due and overseer is not None:  # the demo shows a late report: the Sở set
        due = max(due.replace(month=7, day=1), today - timedelta(days=1))  # an early one
        services.set_deadline(year, due, overseer)
    for code, prefix, until in (("so-tu-phap", "stp", "submit"),
                                ("dbp-him-lam", "himlam", "submit"),
                                ("dbp-nam-thanh", "namthanh", "send")):
        agency, secretary = get_by_code(code), get_user(f"{prefix}.thuky")
        leader = get_user(f"{prefix}.lanhdao")
        if agency is None or secretary is None or leader is None:
            continue
        report = services.start_report(agency, year, secretary)
        services.save_report(report, secretary, TEXTS[code])
        services.send(report, secretary)
        if until == "send":
            continue
        services.approve(report, leader, "Đồng ý gửi Sở KH&CN")
        services.submit(report, secretary)
        if code == "so-tu-phap":
            # demo: the Sở Tư pháp's report reached the Sở five days before the deadline
            sent = datetime.combine(due - timedelta(days=5), time(9, 30), LOCAL_TZ)
            report.submitted_at = sent.astimezone(UTC).replace(tzinfo=None)
            report.events[-1].at = report.submitted_at
            report.events[-1].comment = ""
    db.session.flush()
