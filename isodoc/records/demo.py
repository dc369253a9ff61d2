"""Demo: where the Sở Tư pháp keeps two of the records its procedures name."""
# i18n: vietnamese-only (demo data, as an agency would type it)

from __future__ import annotations

from sqlalchemy import func, select

from isodoc.agencies.services import get_by_code
from isodoc.audits.demo import document
from isodoc.extensions import db
from isodoc.policy import SYSTEM
from isodoc.records import services
from isodoc.records.models import RecordPlace


def seed() -> None:
    """Once: skipped when any place is noted."""
    if db.session.scalar(select(func.count()).select_from(RecordPlace)):
        return
    agency = get_by_code("so-tu-phap")
    if agency is None:
        return
    for code, item, place in (
            ("QT-02", "Danh mục hồ sơ", "Tủ hồ sơ ISO, Văn phòng Sở"),
            ("QT-03", "Chương trình, kế hoạch, báo cáo đánh giá", "Tủ hồ sơ ISO, Văn phòng Sở")):
        doc = document(agency, code)
        if doc is not None and any(e.what == item for e in services.entries_of(doc)):
            services.set_place(agency, SYSTEM, doc, item, place)
    db.session.flush()
