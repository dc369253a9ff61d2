"""Demo answers to the satisfaction survey of the Sở Tư pháp and the UBND phường Him Lam,
entered through the citizen's command and spread over this year's months; one complaint
is turned into a finding."""
# i18n: vietnamese-only (demo data, as an agency would type it)

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select

from isodoc.agencies.services import get_by_code
from isodoc.documents.demo import people
from isodoc.extensions import db
from isodoc.findings.models import FindingType
from isodoc.surveys import services
from isodoc.surveys.models import CommentKind, SurveyResponse
from isodoc.timeutil import LOCAL_TZ, today_local

COMMENTS = [
    (CommentKind.SUGGESTION, "Cán bộ hướng dẫn tận tình, dễ hiểu."),
    (CommentKind.SUGGESTION, "Nên bố trí thêm ghế ngồi chờ ở bộ phận một cửa."),
    (CommentKind.COMPLAINT, "Hẹn trả kết quả ngày 10 nhưng đến ngày 14 mới nhận được, "
                            "không được báo trước."),
    (CommentKind.PETITION, "Đề nghị cho nộp bản sao điện tử thay cho bản sao chứng thực."),
]
AGENCIES = {"so-tu-phap": ("000.00.20.H17", 36, "stp"), "dbp-him-lam": ("000.30.31.H17", 24,
                                                                         "himlam")}


def seed() -> None:
    """Once: skipped when any answer exists."""
    if db.session.scalar(select(func.count()).select_from(SurveyResponse)):
        return
    today = today_local()
    for code, (prefix, how_many, staff) in AGENCIES.items():
        agency = get_by_code(code)
        if agency is None:
            continue
        tthcs = services.agency_tthcs(agency)[:6]
        pick = random.Random(code)  # noqa: S311  (the same demo every time, not a secret)
        for n in range(how_many):
            month = 1 + n * today.month // how_many
            day = min(1 + pick.randrange(27), today.day if month == today.month else 28)
            overall = pick.choice([5, 5, 5, 4, 4, 4, 4, 3])
            scores = {"guidance": min(5, overall + pick.choice([0, 0, 1])),
                      "attitude": min(5, overall + pick.choice([0, 1])),
                      "timeliness": max(1, overall - pick.choice([0, 0, 1])),
                      "overall": overall}
            kind, comment = CommentKind.NONE, ""
            if n % 9 == 4:
                kind, comment = COMMENTS[(n // 9) % len(COMMENTS)]
            if kind is CommentKind.COMPLAINT:
                scores.update(timeliness=1, overall=2)
            response = services.submit(agency, services.Answer(
                receipt=f"{prefix}-{today.year % 100:02d}{month:02d}{day:02d}-{n + 1:04d}",
                scores=scores, comment=comment, comment_kind=kind.value,
                tthc=tthcs[n % len(tthcs)] if tthcs and n % 4 else None))
            local = datetime(today.year, month, day, 8 + n % 9, 5 * (n % 12), tzinfo=LOCAL_TZ)
            response.submitted_at = (local - timedelta(hours=7)).replace(tzinfo=None)
        db.session.flush()
        complaint = db.session.scalar(select(SurveyResponse).where(
            SurveyResponse.agency_id == agency.id,
            SurveyResponse.comment_kind == CommentKind.COMPLAINT.value))
        if complaint is not None:
            services.raise_finding(complaint, people(staff)["thuky"], FindingType.MINOR)
    db.session.flush()
