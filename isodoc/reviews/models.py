"""Management review meetings (ISO 9001:2015 9.3): inputs (9.3.2), attendance, and the
decisions and actions (9.3.3) that are followed up like corrective actions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.extensions import db
from isodoc.i18n import _, _l
from isodoc.timeutil import utcnow


class InputTopic(StrEnum):
    """The inputs of 9.3.2, in the order the minutes list them."""

    PREVIOUS_ACTIONS = "previous_actions"   # a) status of actions from previous reviews
    CHANGES = "changes"                     # b) changes in issues relevant to the QMS
    SATISFACTION = "satisfaction"           # c1) citizen satisfaction and feedback
    OBJECTIVES = "objectives"               # c2) extent quality objectives were met
    PERFORMANCE = "performance"             # c3) process performance, conformity of services
    FINDINGS = "findings"                   # c4) nonconformities and corrective actions
    AUDITS = "audits"                       # c6) audit results
    PROVIDERS = "providers"                 # c7) performance of external providers
    RESOURCES = "resources"                 # d) adequacy of resources
    RISKS = "risks"                         # e) actions addressing risks and opportunities
    IMPROVEMENT = "improvement"             # f) opportunities for improvement

    @property
    def label(self) -> str:
        return str(TOPIC_LABELS[self])  # a str: the API answers it as JSON

    @property
    def live(self) -> bool:
        """Prefilled from the agency's data when the meeting is recorded."""
        return self not in (InputTopic.PROVIDERS, InputTopic.RESOURCES)


TOPIC_LABELS = {
    InputTopic.PREVIOUS_ACTIONS: _l("Tình trạng các hành động từ lần xem xét trước"),
    InputTopic.CHANGES: _l("Những thay đổi liên quan đến hệ thống quản lý chất lượng"),
    InputTopic.SATISFACTION: _l("Sự hài lòng của người dân, tổ chức và phản hồi"),
    InputTopic.OBJECTIVES: _l("Mức độ đạt được các mục tiêu chất lượng"),
    InputTopic.PERFORMANCE: _l("Kết quả thực hiện các quá trình, giải quyết TTHC"),
    InputTopic.FINDINGS: _l("Sự không phù hợp và hành động khắc phục"),
    InputTopic.AUDITS: _l("Kết quả đánh giá nội bộ"),
    InputTopic.PROVIDERS: _l("Kết quả thực hiện của nhà cung cấp bên ngoài"),
    InputTopic.RESOURCES: _l("Sự đầy đủ của nguồn lực"),
    InputTopic.RISKS: _l("Hiệu lực của các hành động giải quyết rủi ro và cơ hội"),
    InputTopic.IMPROVEMENT: _l("Cơ hội cải tiến"),
}


class OutputKind(StrEnum):
    """The outputs of 9.3.3."""

    IMPROVEMENT = "improvement"
    CHANGE = "change"
    RESOURCES = "resources"

    @property
    def label(self) -> str:
        return str(OUTPUT_LABELS[self])


OUTPUT_LABELS = {OutputKind.IMPROVEMENT: _l("Cơ hội cải tiến"),
                 OutputKind.CHANGE: _l("Thay đổi hệ thống QLCL"),
                 OutputKind.RESOURCES: _l("Nhu cầu nguồn lực")}


class ActionState(StrEnum):
    OPEN = "open"           # decided, waiting for its owner
    DONE = "done"           # the owner reported what was done
    CLOSED = "closed"       # verified effective

    @property
    def label(self) -> str:
        return {"open": _("Đang thực hiện"), "done": _("Đã thực hiện, chờ xác nhận"),
                "closed": _("Đã xác nhận hoàn thành")}[self.value]


class ManagementReview(db.Model):
    __tablename__ = "management_review"
    __table_args__ = (UniqueConstraint("agency_id", "year", "seq",
                                       name="uq_management_review_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    year: Mapped[int]
    seq: Mapped[int]
    held_on: Mapped[date] = mapped_column(index=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    place: Mapped[str] = mapped_column(String(300), default="")
    chair_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    secretary_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    guests: Mapped[str] = mapped_column(Text, default="")      # invited, not members
    conclusion: Mapped[str] = mapped_column(Text, default="")  # the meeting's conclusions
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()
    chair: Mapped[User] = relationship(foreign_keys=[chair_id])
    secretary: Mapped[User | None] = relationship(foreign_keys=[secretary_id])
    attendees: Mapped[list[ReviewAttendee]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewAttendee.id")
    inputs: Mapped[list[ReviewInput]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewInput.position")
    actions: Mapped[list[ReviewAction]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewAction.seq")

    @property
    def code(self) -> str:
        # the number as filed, in every language
        return f"XXLĐ {self.seq:02d}/{self.year}"  # i18n: vi-only

    def input_text(self, topic: InputTopic | str) -> str:
        return next((i.content for i in self.inputs if i.topic == topic), "")


class ReviewAttendee(db.Model):
    __tablename__ = "management_review_attendee"
    __table_args__ = (UniqueConstraint("review_id", "user_id", name="uq_review_attendee"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("management_review.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    review: Mapped[ManagementReview] = relationship(back_populates="attendees")
    user: Mapped[User] = relationship()


class ReviewInput(db.Model):
    __tablename__ = "management_review_input"
    __table_args__ = (UniqueConstraint("review_id", "topic", name="uq_review_input"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("management_review.id"), index=True)
    topic: Mapped[str] = mapped_column(String(32))
    position: Mapped[int]
    content: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[ManagementReview] = relationship(back_populates="inputs")

    @property
    def topic_enum(self) -> InputTopic:
        return InputTopic(self.topic)


class ReviewAction(db.Model):
    """A decision of the meeting with its action: owner, due date; reported done by its
    owner, then confirmed (or sent back) by the secretary or the leader."""

    __tablename__ = "management_review_action"
    __table_args__ = (UniqueConstraint("review_id", "seq", name="uq_review_action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("management_review.id"), index=True)
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    due_date: Mapped[date]
    state: Mapped[str] = mapped_column(String(16), default=ActionState.OPEN, index=True)
    result: Mapped[str] = mapped_column(Text, default="")
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    done_on: Mapped[date | None]
    verification: Mapped[str] = mapped_column(Text, default="")
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_on: Mapped[date | None]
    cycles: Mapped[int] = mapped_column(default=1)  # +1 each time it was sent back

    review: Mapped[ManagementReview] = relationship(back_populates="actions")
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    reported_by: Mapped[User | None] = relationship(foreign_keys=[reported_by_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])

    @property
    def code(self) -> str:
        return f"{self.review.code} — {self.seq}"

    @property
    def kind_enum(self) -> OutputKind:
        return OutputKind(self.kind)

    @property
    def state_enum(self) -> ActionState:
        return ActionState(self.state)

    def overdue(self, today: date) -> bool:
        return self.state == ActionState.OPEN and self.due_date < today
