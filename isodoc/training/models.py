"""Training records (ISO 9001:2015 7.2): courses an agency ran or sent people to, who
attended, and internal-auditor certificates with their dates."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.timeutil import utcnow


class CourseKind(StrEnum):
    """The plan's three courses (Kế hoạch 1129/KH-UBND), and any other."""

    AWARENESS = "awareness"
    DOCUMENTATION = "documentation"
    INTERNAL_AUDITOR = "internal_auditor"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"awareness": _("Nhận thức về TCVN ISO 9001:2015"),
                "documentation": _("Hướng dẫn xây dựng hệ thống tài liệu"),
                "internal_auditor": _("Chuyên gia đánh giá nội bộ"),
                "other": _("Khác")}[self.value]


class Course(db.Model):
    __tablename__ = "training_course"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str] = mapped_column(String(300), default="")
    held_from: Mapped[date]
    held_to: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()
    attendances: Mapped[list[Attendance]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="Attendance.id")

    @property
    def kind_enum(self) -> CourseKind:
        return CourseKind(self.kind)


class Attendance(db.Model):
    __tablename__ = "training_attendance"
    __table_args__ = (UniqueConstraint("course_id", "user_id", name="uq_training_attendance"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_course.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)

    course: Mapped[Course] = relationship(back_populates="attendances")
    user: Mapped[User] = relationship()


class AuditorCertificate(db.Model):
    """A person's internal-auditor certificate (chứng chỉ chuyên gia đánh giá nội bộ):
    valid from `issued_on` through `valid_until` (no end when empty)."""

    __tablename__ = "auditor_certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    number: Mapped[str] = mapped_column(String(64))
    issuer: Mapped[str] = mapped_column(String(300))
    issued_on: Mapped[date]
    valid_until: Mapped[date | None]
    course_id: Mapped[int | None] = mapped_column(ForeignKey("training_course.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course | None] = relationship()

    def valid_on(self, day: date) -> bool:
        return self.issued_on <= day and (self.valid_until is None or day <= self.valid_until)
