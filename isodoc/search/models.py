"""The search outbox: written in the same transaction as the change it reflects, so a
worker that dies after the SQL commit leaves the work for the next writer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from isodoc.extensions import db
from isodoc.timeutil import utcnow


class SearchOutbox(db.Model):
    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(index=True)  # no FK: the row may outlive it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
