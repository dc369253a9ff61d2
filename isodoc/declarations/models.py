"""Conformity declarations (công bố HTQLCL phù hợp TCVN ISO 9001:2015): the decision
and the scope frozen on the day it was recorded (documents in force with their lần ban
hành, the TTHC the agency had to cover and whether each was covered)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.extensions import db
from isodoc.timeutil import utcnow

DOCUMENTS_MAX = 2_000   # documents frozen per declaration (an agency has a few hundred at most)

# the editions a declaration may name (the decision's căn cứ)
# (stored and cited in the decision as written: the standards' official names)
STANDARDS = ("TCVN ISO 9001:2015",
             "TCVN ISO 9001:2015 và sửa đổi 1:2024 (ISO 9001:2015/Amd 1:2024)")  # i18n: vi-only


class Declaration(db.Model):
    __tablename__ = "declaration"
    __table_args__ = (UniqueConstraint("agency_id", "decision_no",
                                       name="uq_declaration_decision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    decision_no: Mapped[str] = mapped_column(String(60))       # số quyết định công bố
    decided_on: Mapped[date] = mapped_column(index=True)       # ngày ký quyết định
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signer: Mapped[str] = mapped_column(String(120))           # họ tên người ký (frozen)
    signer_title: Mapped[str] = mapped_column(String(120))     # chức vụ
    standard: Mapped[str] = mapped_column(String(120))         # the standard's edition
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signer_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    documents: Mapped[list[DeclaredDocument]] = relationship(
        back_populates="declaration", cascade="all, delete-orphan",
        order_by="DeclaredDocument.code")
    tthc: Mapped[list[DeclaredTthc]] = relationship(
        back_populates="declaration", cascade="all, delete-orphan",
        order_by="DeclaredTthc.tthc_code")

    @property
    def covered_tthc(self) -> list[DeclaredTthc]:
        return [t for t in self.tthc if t.covered]


class DeclaredDocument(db.Model):
    """A document in force on the declaration's day, at its lần ban hành then."""

    __tablename__ = "declaration_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declaration.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    code: Mapped[str] = mapped_column(String(48))
    title: Mapped[str] = mapped_column(String(300))
    revision_number: Mapped[int]
    effective_date: Mapped[date]

    declaration: Mapped[Declaration] = relationship(back_populates="documents")


class DeclaredTthc(db.Model):
    """A TTHC the agency had to cover on the declaration's day: covered or not then."""

    __tablename__ = "declaration_tthc"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declaration.id"), index=True)
    tthc_code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(Text)
    covered: Mapped[bool] = mapped_column(default=False)
    document_code: Mapped[str | None] = mapped_column(String(48))

    declaration: Mapped[Declaration] = relationship(back_populates="tthc")
