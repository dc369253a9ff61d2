"""Risks and opportunities of an agency's processes (ISO 9001:2015 6.1), kept apart."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.documents.models import Document
from isodoc.extensions import db
from isodoc.findings.models import Finding
from isodoc.i18n import _l
from isodoc.timeutil import utcnow


class RiskKind(StrEnum):
    RISK = "risk"
    OPPORTUNITY = "opportunity"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


class RiskStatus(StrEnum):
    OPEN = "open"
    TREATED = "treated"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


# lazy: the forms' choices are built once, their labels follow each request's language
KIND_LABELS = {RiskKind.RISK: _l("Rủi ro"), RiskKind.OPPORTUNITY: _l("Cơ hội")}
STATUS_LABELS = {RiskStatus.OPEN: _l("Đang theo dõi"), RiskStatus.TREATED: _l("Đã xử lý"),
                 RiskStatus.CLOSED: _l("Đóng")}


class RiskScale(db.Model):
    """An agency's scales: likelihood 1..L, impact 1..I, and where the levels start."""

    __tablename__ = "risk_scale"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    likelihood_max: Mapped[int] = mapped_column(default=5)
    impact_max: Mapped[int] = mapped_column(default=5)
    medium_from: Mapped[int] = mapped_column(default=5)
    high_from: Mapped[int] = mapped_column(default=12)

    def level(self, score: int) -> str:
        return "high" if score >= self.high_from else "medium" if score >= self.medium_from \
            else "low"


LEVEL_LABELS = {"high": _l("Cao"), "medium": _l("Trung bình"), "low": _l("Thấp")}
MAX_LINKED_FINDINGS = 50

# a risk and the findings it relates to (raised from it, or linked afterwards)
risk_finding = Table(
    "risk_finding", db.metadata,
    Column("risk_id", ForeignKey("risk.id", ondelete="CASCADE"), primary_key=True),
    Column("finding_id", ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True,
           index=True))


class Risk(db.Model):
    __tablename__ = "risk"
    __table_args__ = (UniqueConstraint("agency_id", "kind", "seq", name="uq_risk_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int]
    process: Mapped[str] = mapped_column(String(300))     # the process or procedure
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    description: Mapped[str] = mapped_column(Text)
    cause: Mapped[str] = mapped_column(Text, default="")
    likelihood: Mapped[int]
    impact: Mapped[int]
    level: Mapped[str] = mapped_column(String(8))          # from the scale when assessed
    review_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default=RiskStatus.OPEN)
    reviewed_on: Mapped[date | None]  # the last reassessment
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()
    document: Mapped[Document | None] = relationship()
    actions: Mapped[list[RiskAction]] = relationship(
        back_populates="risk", cascade="all, delete-orphan", order_by="RiskAction.id")
    findings: Mapped[list[Finding]] = relationship(secondary=risk_finding,
                                                   order_by=Finding.id)

    @property
    def code(self) -> str:
        return f"{'RR' if self.kind == RiskKind.RISK else 'CH'}-{self.seq:03d}"

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS[self.level])

    @property
    def kind_enum(self) -> RiskKind:
        return RiskKind(self.kind)

    @property
    def status_enum(self) -> RiskStatus:
        return RiskStatus(self.status)


class RiskAction(db.Model):
    __tablename__ = "risk_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risk.id"), index=True)
    action: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    due_date: Mapped[date]
    done_on: Mapped[date | None]

    risk: Mapped[Risk] = relationship(back_populates="actions")
    owner: Mapped[User] = relationship()
