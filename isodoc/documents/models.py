"""Documents and their revisions (ISO 9001:2015 clause 7.5). Content lives in git;
these rows hold metadata, workflow state and who did what."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum

from flask_babel import pgettext
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.timeutil import utcnow

# Codes as agencies write them: "QT-05", "QT 02/CX-HCTP", "HD.01", "BM-01-QT05".
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9 ./_-]{0,46}[A-Z0-9]$|^[A-Z0-9]$")
TITLE_MAX = 300


class DocumentKind(StrEnum):
    TTHC = "tthc"
    INTERNAL = "internal"
    POLICY = "policy"
    MANUAL = "manual"
    GUIDE = "guide"
    FORM = "form"
    EXTERNAL = "external"

    @property
    def label(self) -> str:
        return {
            "tthc": pgettext("document kind", "Quy trình giải quyết TTHC"),
            "internal": pgettext("document kind", "Quy trình nội bộ"),
            "policy": pgettext("document kind", "Chính sách, mục tiêu chất lượng"),
            "manual": pgettext("document kind", "Sổ tay"),
            "guide": pgettext("document kind", "Hướng dẫn"),
            "form": pgettext("document kind", "Biểu mẫu"),
            "external": pgettext("document kind", "Văn bản bên ngoài"),
        }[self.value]


class RevisionState(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    ISSUED = "issued"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "draft": _("Dự thảo"),
            "in_review": _("Đang xem xét"),
            "reviewed": _("Chờ phê duyệt"),
            "approved": _("Đã phê duyệt, chờ ban hành"),
            "issued": _("Đã ban hành"),
            "cancelled": _("Đã huỷ"),
        }[self.value]


class Decision(StrEnum):
    PENDING = "pending"
    AGREED = "agreed"
    CHANGES_REQUESTED = "changes_requested"

    @property
    def label(self) -> str:
        # a decision made ("Agreed"), where the review form offers one ("Agree")
        return {"pending": pgettext("decision", "Chưa có ý kiến"),
                "agreed": pgettext("decision", "Đồng ý"),
                "changes_requested": pgettext("decision", "Đề nghị sửa")}[self.value]


class Document(db.Model):
    """A controlled document. Its kind, TTHC code, field, clauses and review interval are
    those of its revision in force (see `services.current_metadata`); the columns here
    are a cache written only when a revision is issued, or while it has never been."""

    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("agency_id", "code", name="uq_document_agency_code"),
                      UniqueConstraint("agency_id", "slug", name="uq_document_agency_slug"))

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    code: Mapped[str] = mapped_column(String(48))
    slug: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    kind: Mapped[str] = mapped_column(String(16))
    tthc_code: Mapped[str | None] = mapped_column(String(32))
    field: Mapped[str | None] = mapped_column(String(120))  # lĩnh vực
    iso_clauses: Mapped[str] = mapped_column(String(200), default="")
    review_months: Mapped[int] = mapped_column(default=12)
    last_reviewed_on: Mapped[date | None]
    withdrawn_on: Mapped[date | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    # main's newest commit for this document: the compare-and-swap base of the next issue
    head_commit: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="document", order_by="Revision.seq", cascade="all, delete-orphan")
    withdrawal_requests: Mapped[list[WithdrawalRequest]] = relationship(
        back_populates="document", order_by="WithdrawalRequest.id")

    @property
    def kind_enum(self) -> DocumentKind:
        return DocumentKind(self.kind)

    @property
    def clause_list(self) -> list[str]:
        return [c for c in self.iso_clauses.split() if c]


class Revision(db.Model):
    """One revision of a document: a draft (ref refs/drafts/<slug>/<seq>) until issued,
    then a commit on main with number = lần ban hành."""

    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("document_id", "seq", name="uq_revision_document_seq"),
                      UniqueConstraint("document_id", "number", name="uq_revision_document_number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    seq: Mapped[int]  # draft number n
    number: Mapped[int | None]  # lần ban hành, set when issued
    state: Mapped[str] = mapped_column(String(16), default=RevisionState.DRAFT, index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    head_sha: Mapped[str | None] = mapped_column(String(40))  # draft ref head
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    change_location: Mapped[str] = mapped_column(Text, default="")  # vị trí sửa đổi
    change_summary: Mapped[str] = mapped_column(Text, default="")   # nội dung sửa đổi
    reason: Mapped[str] = mapped_column(Text, default="")           # căn cứ, lý do
    last_comment: Mapped[str] = mapped_column(Text, default="")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None]
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    issued_at: Mapped[datetime | None]
    effective_date: Mapped[date | None] = mapped_column(index=True)
    # issued to take effect later, then replaced by a revision effective no later: never
    # in force (set when that later revision is issued; its commit names this one)
    superseded_before_effect: Mapped[bool] = mapped_column(default=False)
    # what belongs to the revision (DESIGN invariant 8): a draft never changes the
    # values of the revision in force
    kind: Mapped[str] = mapped_column(String(16), default=DocumentKind.INTERNAL)
    tthc_code: Mapped[str | None] = mapped_column(String(32), index=True)
    field: Mapped[str | None] = mapped_column(String(120))  # lĩnh vực
    iso_clauses: Mapped[str] = mapped_column(String(200), default="")
    review_months: Mapped[int] = mapped_column(default=12)
    commit_sha: Mapped[str | None] = mapped_column(String(40))  # on main
    blob_sha: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[Document] = relationship(back_populates="revisions")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    reviews: Mapped[list[ReviewAssignment]] = relationship(
        back_populates="revision", order_by="ReviewAssignment.id", cascade="all, delete-orphan")
    events: Mapped[list[RevisionEvent]] = relationship(
        back_populates="revision", order_by="RevisionEvent.id", cascade="all, delete-orphan")

    @property
    def state_enum(self) -> RevisionState:
        return RevisionState(self.state)

    @property
    def kind_enum(self) -> DocumentKind:
        return DocumentKind(self.kind)

    @property
    def clause_list(self) -> list[str]:
        return [c for c in self.iso_clauses.split() if c]


class ReviewAssignment(db.Model):
    __tablename__ = "review_assignment"
    __table_args__ = (UniqueConstraint("revision_id", "reviewer_id",
                                       name="uq_review_assignment_revision_reviewer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    decision: Mapped[str] = mapped_column(String(24), default=Decision.PENDING)
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]

    revision: Mapped[Revision] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship()

    @property
    def decision_enum(self) -> Decision:
        return Decision(self.decision)


class RevisionEvent(db.Model):
    """Every transition and save: who, when, from which state to which, with a comment."""

    __tablename__ = "revision_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    sha: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    revision: Mapped[Revision] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class Acknowledgement(db.Model):
    """A member confirmed having read a revision in force ("đã đọc")."""

    __tablename__ = "acknowledgement"
    __table_args__ = (UniqueConstraint("revision_id", "user_id",
                                       name="uq_acknowledgement_revision_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    revision: Mapped[Revision] = relationship()
    user: Mapped[User] = relationship()


class WithdrawalRequest(db.Model):
    """Withdrawal takes two people: the secretary proposes, an approver confirms."""

    __tablename__ = "withdrawal_request"
    __table_args__ = (Index("uq_withdrawal_request_pending", "document_id", unique=True,
                            sqlite_where=text("state = 'pending'"),
                            postgresql_where=text("state = 'pending'")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    # pending/confirmed/refused; "duplicate": made pending twice before the unique index
    state: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    commit_sha: Mapped[str | None] = mapped_column(String(40))

    document: Mapped[Document] = relationship(back_populates="withdrawal_requests")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class DocxImport(db.Model):
    """A Word file imported as a document or uploaded onto a draft, by its SHA-256:
    importing the same file again into the same agency changes nothing."""

    __tablename__ = "docx_import"
    __table_args__ = (UniqueConstraint("agency_id", "sha256", name="uq_docx_import_agency_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id"))
    filename: Mapped[str] = mapped_column(String(255))
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[Document] = relationship()
    revision: Mapped[Revision | None] = relationship()
