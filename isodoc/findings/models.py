"""Findings and their corrective actions (ISO 9001:2015 clause 10.2)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from isodoc.agencies.models import Agency
from isodoc.audits.models import Audit, ChecklistItem
from isodoc.auth.models import User
from isodoc.documents.models import Revision
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.timeutil import utcnow


class FindingType(StrEnum):
    MAJOR = "major"
    MINOR = "minor"
    OBSERVATION = "observation"
    OFI = "ofi"

    @property
    def label(self) -> str:
        return {"major": _("Không phù hợp nặng"), "minor": _("Không phù hợp nhẹ"),
                "observation": _("Điểm lưu ý"), "ofi": _("Cơ hội cải tiến")}[self.value]

    @property
    def is_nonconformity(self) -> bool:
        return self in (FindingType.MAJOR, FindingType.MINOR)


class FindingSource(StrEnum):
    AUDIT = "audit"
    COMPLAINT = "complaint"
    LATE_DOSSIER = "late_dossier"
    OTHER = "other"
    OBJECTIVE = "objective"  # a missed quality-objective target (raised from its page)
    RISK = "risk"  # a risk or opportunity of the register (raised from its page)
    INSPECTION = "inspection"  # raised by the Sở KH&CN during its inspection of the agency
    SURVEY = "survey"  # a low score in the citizen satisfaction survey (raised from it)

    @property
    def label(self) -> str:
        return {"audit": _("Đánh giá nội bộ"), "complaint": _("Phản ánh, kiến nghị"),
                "late_dossier": _("Hồ sơ TTHC trễ hạn"), "other": _("Nguồn khác"),
                "objective": _("Mục tiêu chất lượng không đạt"),
                "risk": _("Rủi ro, cơ hội"),
                "inspection": _("Kiểm tra của Sở KH&CN"),
                "survey": _("Khảo sát sự hài lòng của người dân")}[self.value]


class FindingState(StrEnum):
    OPEN = "open"
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    IMPLEMENTED = "implemented"
    VERIFIED = "verified"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"open": _("Mở"), "proposed": _("Đã đề xuất hành động"),
                "accepted": _("Hành động được chấp nhận"), "implemented": _("Đã thực hiện"),
                "verified": _("Đã xác minh hiệu lực"), "closed": _("Đóng")}[self.value]


class Finding(db.Model):
    __tablename__ = "finding"
    __table_args__ = (UniqueConstraint("agency_id", "year", "seq", name="uq_finding_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    seq: Mapped[int]
    type: Mapped[str] = mapped_column(String(16), index=True)
    source: Mapped[str] = mapped_column(String(16))
    source_note: Mapped[str] = mapped_column(String(300), default="")
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audit.id"), index=True)
    checklist_item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_item.id"))
    # the Sở KH&CN's inspection it was raised in (isodoc/inspections)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    requirement: Mapped[str] = mapped_column(Text)   # what was required
    observed: Mapped[str] = mapped_column(Text)      # what was found
    state: Mapped[str] = mapped_column(String(16), default=FindingState.OPEN, index=True)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    response_due: Mapped[date]                       # the action plan is due by then
    # corrective action record
    correction: Mapped[str] = mapped_column(Text, default="")        # immediate correction
    root_cause: Mapped[str] = mapped_column(Text, default="")
    whys: Mapped[str] = mapped_column(Text, default="")              # 5-why, one per line
    action_plan: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    due_date: Mapped[date | None]
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    verify_after: Mapped[date | None]
    implementation: Mapped[str] = mapped_column(Text, default="")
    implemented_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    implemented_on: Mapped[date | None]
    verification: Mapped[str] = mapped_column(Text, default="")
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    verified_on: Mapped[date | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_on: Mapped[date | None]
    cycles: Mapped[int] = mapped_column(default=1)  # +1 each time an action proved ineffective
    # the draft revision a corrective action started (document control)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()
    audit: Mapped[Audit | None] = relationship()
    checklist_item: Mapped[ChecklistItem | None] = relationship()
    inspection = relationship("Inspection")
    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id])
    implemented_by: Mapped[User | None] = relationship(foreign_keys=[implemented_by_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    revision: Mapped[Revision | None] = relationship()
    clauses: Mapped[list[FindingClause]] = relationship(
        cascade="all, delete-orphan", order_by="FindingClause.clause")
    revisions: Mapped[list[Revision]] = relationship(secondary="finding_revision")
    events: Mapped[list[FindingEvent]] = relationship(
        back_populates="finding", cascade="all, delete-orphan", order_by="FindingEvent.id")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="finding", cascade="all, delete-orphan", order_by="Attachment.id")

    @property
    def code(self) -> str:
        return f"PH-{self.year}-{self.seq:03d}"

    @property
    def type_enum(self) -> FindingType:
        return FindingType(self.type)

    @property
    def state_enum(self) -> FindingState:
        return FindingState(self.state)

    @property
    def source_enum(self) -> FindingSource:
        return FindingSource(self.source)

    @property
    def clause_list(self) -> list[str]:
        return [c.clause for c in self.clauses]


class FindingClause(db.Model):
    __tablename__ = "finding_clause"

    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), primary_key=True)
    clause: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)


class FindingRevision(db.Model):
    """The documents concerned, at the revision that was in force when found."""

    __tablename__ = "finding_revision"

    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"), primary_key=True)


class FindingEvent(db.Model):
    __tablename__ = "finding_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    finding: Mapped[Finding] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    @property
    def action_label(self) -> str:
        from isodoc.findings.workflow import Step

        extra = {"raise": _("ghi nhận phát hiện"), "revise_document": _("mở sửa đổi tài liệu")}
        return extra.get(self.action) or (Step(self.action).label if self.action in set(Step)
                                          else self.action)


class Attachment(db.Model):
    """Evidence files: stored once by content hash under the instance folder."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16))  # finding / implementation / verification
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    finding: Mapped[Finding] = relationship(back_populates="attachments")
    uploaded_by: Mapped[User] = relationship()
