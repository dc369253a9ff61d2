"""A demo management review of the Sở Tư pháp, recorded through the commands: inputs
prefilled from the demo audits, findings, objectives and risks; decisions with owners and
due dates, one of them reported done."""
# i18n: vietnamese-only (demo data, as an agency would type it)

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from isodoc.agencies.services import get_by_code
from isodoc.documents.demo import people
from isodoc.extensions import db
from isodoc.reviews import services
from isodoc.reviews.models import InputTopic, ManagementReview, OutputKind
from isodoc.timeutil import today_local


def seed() -> None:
    """Once: skipped when any management review exists. After audits, objectives, risks."""
    if db.session.scalar(select(func.count()).select_from(ManagementReview)):
        return
    agency = get_by_code("so-tu-phap")
    if agency is None:
        return
    stp, today = people("stp"), today_local()
    review = services.record_meeting(agency, stp["thuky"], services.MeetingInput(
        held_on=today, period_start=date(today.year, 1, 1), period_end=today,
        chair=stp["lanhdao"], place="Phòng họp Sở Tư pháp",
        attendees=[stp["thuky"], stp["danhgia"], stp["soanthao"]],
        guests="Đại diện Sở Khoa học và Công nghệ"))
    texts = {i.topic: i.content for i in review.inputs}
    texts[InputTopic.SATISFACTION] += ("\nNgoài khảo sát: bộ phận một cửa ghi nhận 02 phản "
                                       "ánh về thời gian chờ chứng thực vào tháng 7.")
    texts[InputTopic.RESOURCES] = "Bộ phận một cửa thiếu 01 công chức vào cao điểm tháng 6–8."
    texts[InputTopic.PROVIDERS] = "Không sử dụng nhà cung cấp bên ngoài cho các quá trình."
    services.save_inputs(review, stp["thuky"], texts,
                         "Hệ thống quản lý chất lượng phù hợp, được duy trì; cần khắc phục "
                         "dứt điểm việc thu hồi biểu mẫu lỗi thời và tăng cường nhân lực một "
                         "cửa vào cao điểm.")
    services.add_action(review, stp["thuky"], OutputKind.IMPROVEMENT,
                        "Rà soát, thu hồi toàn bộ biểu mẫu lỗi thời tại bộ phận một cửa",
                        stp["thuky"], today + timedelta(days=30))
    staffing = services.add_action(review, stp["thuky"], OutputKind.RESOURCES,
                                   "Bố trí thêm 01 công chức tiếp nhận hồ sơ tháng 6–8",
                                   stp["lanhdao"], today + timedelta(days=60))
    services.add_action(review, stp["thuky"], OutputKind.CHANGE,
                        "Sửa đổi QT-01: bổ sung bước kiểm tra tủ hồ sơ một cửa mỗi quý",
                        stp["soanthao"], today + timedelta(days=45))
    services.report_action(staffing, stp["lanhdao"], "Đã có quyết định điều động công "
                           "chức Phòng Hành chính tư pháp hỗ trợ bộ phận một cửa.")
    db.session.flush()
