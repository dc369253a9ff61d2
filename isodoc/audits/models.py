"""Internal audits (ISO 9001:2015 clause 9.2): the annual programme, audits with their
scope and team, conflicts of interest, and the checklist filled during the audit."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.documents.models import Document
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.timeutil import utcnow


class AuditState(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"planned": _("Đã lập kế hoạch"), "in_progress": _("Đang đánh giá"),
                "completed": _("Đã hoàn thành"), "cancelled": _("Đã huỷ")}[self.value]


class CheckResult(StrEnum):
    CONFORM = "conform"
    NONCONFORM = "nonconform"
    RECOMMENDATION = "recommendation"

    @property
    def label(self) -> str:
        return {"conform": _("Phù hợp"), "nonconform": _("Không phù hợp"),
                "recommendation": _("Khuyến nghị")}[self.value]


class ConflictDecision(StrEnum):
    PENDING = "pending"
    ALLOWED = "allowed"      # the lead accepts it, with a reason on record
    EXCLUDED = "excluded"    # the member does not audit that part

    @property
    def label(self) -> str:
        return {"pending": _("Chờ trưởng đoàn quyết định"),
                "allowed": _("Trưởng đoàn cho phép"),
                "excluded": _("Không đánh giá phần này")}[self.value]


class AuditProgramme(db.Model):
    """Chương trình đánh giá nội bộ năm: one per agency and year; its audits are the
    programme's lines (which processes and clauses, when)."""

    __tablename__ = "audit_programme"
    __table_args__ = (UniqueConstraint("agency_id", "year", name="uq_audit_programme_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    year: Mapped[int]
    objectives: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()
    audits: Mapped[list[Audit]] = relationship(back_populates="programme",
                                               order_by="Audit.planned_start")


class Audit(db.Model):
    __tablename__ = "audit"
    __table_args__ = (UniqueConstraint("programme_id", "seq", name="uq_audit_programme_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("audit_programme.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    seq: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    scope_clauses: Mapped[str] = mapped_column(String(1000), default="")
    processes: Mapped[str] = mapped_column(Text, default="")  # processes/units in scope
    plan: Mapped[str] = mapped_column(Text, default="")        # objective, criteria, method
    planned_start: Mapped[date]
    planned_end: Mapped[date]
    state: Mapped[str] = mapped_column(String(16), default=AuditState.PLANNED, index=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    conclusion: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[AuditProgramme] = relationship(back_populates="audits")
    agency: Mapped[Agency] = relationship()
    lead: Mapped[User] = relationship(foreign_keys=[lead_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    documents: Mapped[list[Document]] = relationship(secondary="audit_document",
                                                     order_by="Document.code")
    members: Mapped[list[AuditMember]] = relationship(
        back_populates="audit", cascade="all, delete-orphan", order_by="AuditMember.id")
    conflicts: Mapped[list[AuditConflict]] = relationship(
        back_populates="audit", cascade="all, delete-orphan", order_by="AuditConflict.id")
    items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="audit", cascade="all, delete-orphan", order_by="ChecklistItem.position")

    @property
    def code(self) -> str:
        return f"ĐGNB {self.seq:02d}/{self.programme.year}"  # i18n: vi-only (the record's number)

    @property
    def state_enum(self) -> AuditState:
        return AuditState(self.state)

    @property
    def clause_list(self) -> list[str]:
        return [c for c in self.scope_clauses.split() if c]

    @property
    def team(self) -> list[User]:
        return [m.user for m in self.members]


class AuditDocument(db.Model):
    __tablename__ = "audit_document"

    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), primary_key=True)


class AuditMember(db.Model):
    __tablename__ = "audit_member"
    __table_args__ = (UniqueConstraint("audit_id", "user_id", name="uq_audit_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # why the lead put a member without a valid internal-auditor certificate on the team
    certificate_note: Mapped[str] = mapped_column(Text, default="")

    audit: Mapped[Audit] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class AuditConflict(db.Model):
    """An auditor responsible for work in scope (found from the document record, or
    declared): the lead decides, and the decision is kept."""

    __tablename__ = "audit_conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    clause: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(16), default=ConflictDecision.PENDING)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]

    audit: Mapped[Audit] = relationship(back_populates="conflicts")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    document: Mapped[Document | None] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def decision_enum(self) -> ConflictDecision:
        return ConflictDecision(self.decision)


class ChecklistItem(db.Model):
    """One line of the checklist: a clause or a document of the scope, the question,
    what the auditor saw, and the result."""

    __tablename__ = "checklist_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    position: Mapped[int]
    clause: Mapped[str | None] = mapped_column(String(16))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    question: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str | None] = mapped_column(String(16))
    auditor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime | None]

    audit: Mapped[Audit] = relationship(back_populates="items")
    document: Mapped[Document | None] = relationship()
    auditor: Mapped[User | None] = relationship()

    @property
    def result_enum(self) -> CheckResult | None:
        return CheckResult(self.result) if self.result else None
