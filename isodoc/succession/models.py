"""A successor's adoption of a predecessor's document as its own draft."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.documents.models import Document, Revision
from isodoc.extensions import db
from isodoc.timeutil import utcnow


class InheritedAdoption(db.Model):
    """The successor took the revision in force (`source_number`) of a document of an
    agency merged into it as the first draft of its own document."""

    __tablename__ = "inherited_adoption"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    source_document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    source_number: Mapped[int]
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"))
    adopted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    adopted_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()
    source_document: Mapped[Document] = relationship(foreign_keys=[source_document_id])
    document: Mapped[Document] = relationship(foreign_keys=[document_id])
    revision: Mapped[Revision] = relationship()
    adopted_by: Mapped[User | None] = relationship()
