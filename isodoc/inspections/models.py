"""The Sở KH&CN's oversight of agencies: inspections (kiểm tra tại trụ sở or qua hồ sơ)
with their team, scope and conclusions; consultants (tổ chức tư vấn, chuyên gia), which
agency each advises in which year, the Sở's supervision visits, and findings traced to
a consultant's work."""

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


class InspectionMode(StrEnum):
    ON_SITE = "on_site"
    DOSSIER = "dossier"

    @property
    def label(self) -> str:
        return {"on_site": _("Kiểm tra tại trụ sở"),
                "dossier": _("Kiểm tra qua hồ sơ")}[self.value]


class Inspection(db.Model):
    __tablename__ = "inspection"
    __table_args__ = (UniqueConstraint("year", "seq", name="uq_inspection_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    seq: Mapped[int]
    mode: Mapped[str] = mapped_column(String(16))
    inspected_on: Mapped[date]
    team: Mapped[str] = mapped_column(Text)        # đoàn kiểm tra: names and positions
    scope: Mapped[str] = mapped_column(Text)       # nội dung, phạm vi kiểm tra
    lead_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    conclusion: Mapped[str] = mapped_column(Text, default="")
    concluded_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()
    lead: Mapped[User] = relationship()

    @property
    def code(self) -> str:
        return f"KT-{self.year}-{self.seq:02d}"

    @property
    def mode_enum(self) -> InspectionMode:
        return InspectionMode(self.mode)


class ConsultantKind(StrEnum):
    ORGANISATION = "organisation"
    EXPERT = "expert"

    @property
    def label(self) -> str:
        return {"organisation": _("Tổ chức tư vấn"),
                "expert": _("Chuyên gia tư vấn")}[self.value]


class Consultant(db.Model):
    __tablename__ = "consultant"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    contact: Mapped[str] = mapped_column(String(255), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    engagements: Mapped[list[Engagement]] = relationship(
        back_populates="consultant", order_by="Engagement.year.desc()")

    @property
    def kind_enum(self) -> ConsultantKind:
        return ConsultantKind(self.kind)


class Engagement(db.Model):
    """A consultant advises an agency in a year (hợp đồng tư vấn xây dựng, chuyển đổi)."""

    __tablename__ = "consultant_engagement"
    __table_args__ = (UniqueConstraint("consultant_id", "agency_id", "year",
                                       name="uq_engagement_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultant_id: Mapped[int] = mapped_column(ForeignKey("consultant.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    year: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")

    consultant: Mapped[Consultant] = relationship(back_populates="engagements")
    agency: Mapped[Agency] = relationship()
    visits: Mapped[list[SupervisionVisit]] = relationship(
        back_populates="engagement", order_by="SupervisionVisit.visited_on")

    @property
    def label(self) -> str:
        return f"{self.consultant.name} — {self.agency.name} ({self.year})"


class SupervisionVisit(db.Model):
    """The Sở's supervision of a consultant's work at an agency, and its conclusion."""

    __tablename__ = "supervision_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("consultant_engagement.id"),
                                               index=True)
    visited_on: Mapped[date]
    conclusion: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    engagement: Mapped[Engagement] = relationship(back_populates="visits")
    recorded_by: Mapped[User | None] = relationship()


class FindingTrace(db.Model):
    """A finding traced to a consultant's work (the documents it drafted for the agency)."""

    __tablename__ = "finding_consultant"

    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("consultant_engagement.id"),
                                               index=True)

    finding = relationship("Finding")
    engagement: Mapped[Engagement] = relationship()
