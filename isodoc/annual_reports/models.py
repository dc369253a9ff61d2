"""Annual QMS reports of the agencies and the Sở KH&CN's deadline per year."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.timeutil import LOCAL_TZ, utcnow

DEFAULT_DEADLINE = (11, 15)  # 15 November, as Kế hoạch 1129/KH-UBND asks
# what the steps themselves write in a report's history (services.py), stored in
# Vietnamese and worded in the reader's language when shown (ReportEvent.note)
STARTED, REFRESHED = "lập báo cáo", "cập nhật số liệu"  # i18n: vi-only
LATE_NOTE = re.compile(r"^nộp muộn \(hạn (\d\d/\d\d/\d{4})\)$")  # i18n: vi-only


class ReportState(StrEnum):
    DRAFT = "draft"                # the secretary prepares it
    PENDING = "pending_approval"   # sent to the leader
    APPROVED = "approved"          # the leader signed it off; not yet sent to the Sở
    SUBMITTED = "submitted"        # sent to the Sở KH&CN

    @property
    def label(self) -> str:
        return {"draft": _("Đang soạn"), "pending_approval": _("Chờ lãnh đạo phê duyệt"),
                "approved": _("Đã phê duyệt, chưa gửi"),
                "submitted": _("Đã gửi Sở KH&CN")}[self.value]


class ReportDeadline(db.Model):
    """The deadline the Sở sets for one year's reports (15/11 when none is set)."""

    __tablename__ = "report_deadline"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    due_on: Mapped[date]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    set_by: Mapped[User | None] = relationship()


class AnnualReport(db.Model):
    __tablename__ = "annual_report"
    __table_args__ = (UniqueConstraint("agency_id", "year", name="uq_annual_report_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(24), default=ReportState.DRAFT, index=True)
    # the figures computed from the agency's records (JSON), refreshed while a draft and
    # frozen once sent to the leader: what the leader approved is what the Sở receives
    figures: Mapped[str] = mapped_column(Text, default="{}")
    figures_at: Mapped[datetime] = mapped_column(default=utcnow)
    # what the secretary writes
    assessment: Mapped[str] = mapped_column(Text, default="")      # đánh giá chung
    declarations: Mapped[str] = mapped_column(Text, default="")    # công bố (input)
    training: Mapped[str] = mapped_column(Text, default="")        # đào tạo (input)
    difficulties: Mapped[str] = mapped_column(Text, default="")    # khó khăn, vướng mắc
    proposals: Mapped[str] = mapped_column(Text, default="")       # kiến nghị, đề xuất
    next_year: Mapped[str] = mapped_column(Text, default="")       # phương hướng năm sau
    leader_comment: Mapped[str] = mapped_column(Text, default="")  # when returned
    prepared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None]
    due_on: Mapped[date | None]      # the deadline in force when it was submitted
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()
    prepared_by: Mapped[User | None] = relationship(foreign_keys=[prepared_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    events: Mapped[list[ReportEvent]] = relationship(
        back_populates="report", order_by="ReportEvent.id", cascade="all, delete-orphan")

    @property
    def state_enum(self) -> ReportState:
        return ReportState(self.state)

    @property
    def figure_data(self) -> dict:
        try:
            data = json.loads(self.figures or "{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    @property
    def submitted_on(self) -> date | None:
        """The local date it reached the Sở."""
        if self.submitted_at is None:
            return None
        from datetime import UTC

        return self.submitted_at.replace(tzinfo=UTC).astimezone(LOCAL_TZ).date()


class ReportEvent(db.Model):
    """Every step of a report: who, when, from which state to which, with a comment."""

    __tablename__ = "annual_report_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("annual_report.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    step: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[AnnualReport] = relationship(back_populates="events")

    @property
    def sentence(self) -> str:
        """"Phê duyệt (Chờ lãnh đạo phê duyệt → Đã phê duyệt)": the step and the states
        in words, as the history shows them."""
        from isodoc.annual_reports.workflow import Step

        step = Step(self.step).label if self.step in set(Step) else self.step
        if self.from_state == self.to_state:
            return step
        return _("%(step)s (%(before)s → %(after)s)", step=step,
                 before=ReportState(self.from_state).label,
                 after=ReportState(self.to_state).label)

    @property
    def note(self) -> str:
        """The event's comment as shown: the steps' own words in the reader's language,
        a person's comment as written."""
        if self.comment == STARTED:
            return _("lập báo cáo")
        if self.comment == REFRESHED:
            return _("cập nhật số liệu")
        if (late := LATE_NOTE.match(self.comment or "")) is not None:
            return _("nộp muộn (hạn %(due)s)", due=late.group(1))
        return self.comment

    actor: Mapped[User | None] = relationship()
