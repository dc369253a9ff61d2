"""Where an agency keeps a record its procedure names without saying where (the "Hồ sơ cần
lưu" table of the starter procedures has no "Nơi lưu" column)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from isodoc.extensions import db
from isodoc.timeutil import utcnow


class RecordPlace(db.Model):
    __tablename__ = "record_place"
    __table_args__ = (UniqueConstraint("document_id", "item", name="uq_record_place"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    item: Mapped[str] = mapped_column(String(300))    # the record's name, as the table has it
    place: Mapped[str] = mapped_column(String(300))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
