"""The province's catalog of administrative procedures (thủ tục hành chính, TTHC) as the
national database (Cơ sở dữ liệu quốc gia về TTHC) publishes it, its imports, and which
agency executes each province-level TTHC."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.documents.models import Document, Revision
from isodoc.extensions import db
from isodoc.i18n import _, _l
from isodoc.timeutil import utcnow

CODE_RE = re.compile(r"^\d\.\d{6}$")  # 1.004227, 2.002766


class Level(StrEnum):
    PROVINCE = "tinh"
    DISTRICT = "huyen"
    COMMUNE = "xa"

    @property
    def label(self) -> str:
        return {"tinh": _("Cấp tỉnh"), "huyen": _("Cấp huyện"), "xa": _("Cấp xã")}[self.value]


# what a re-import compares, with the label a person reads
COMPARED = {
    "name": _l("Tên thủ tục"), "field": _l("Lĩnh vực"), "levels": _l("Cấp thực hiện"),
    "executing_body": _l("Cơ quan thực hiện"), "time_limit": _l("Thời hạn giải quyết"),
    "fee": _l("Phí, lệ phí"), "legal_basis": _l("Căn cứ pháp lý"),
    "decision_no": _l("Quyết định công bố"), "decision_date": _l("Ngày quyết định công bố"),
}


class Tthc(db.Model):
    """One TTHC of the catalog. Never deleted: a TTHC missing from a newer list is
    abolished (bãi bỏ) on the day that list was applied."""

    __tablename__ = "tthc"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(255), default="", index=True)  # lĩnh vực
    at_province: Mapped[bool] = mapped_column(Boolean, default=False)
    at_district: Mapped[bool] = mapped_column(Boolean, default=False)
    at_commune: Mapped[bool] = mapped_column(Boolean, default=False)
    executing_body: Mapped[str] = mapped_column(Text, default="")
    time_limit: Mapped[str] = mapped_column(Text, default="")
    fee: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    decision_no: Mapped[str] = mapped_column(String(120), default="")
    decision_date: Mapped[date | None]
    # folded name, code and field: what the accent-insensitive picker matches
    search_key: Mapped[str] = mapped_column(Text, default="")
    abolished_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # when an import last changed what the TTHC says, and what changed (old → new):
    # a procedure whose revision in force took effect before that is stale
    changed_at: Mapped[datetime | None] = mapped_column(index=True)
    change_note: Mapped[str] = mapped_column(Text, default="")

    bodies: Mapped[list[TthcBody]] = relationship(back_populates="tthc",
                                                  cascade="all, delete-orphan")

    @property
    def levels(self) -> list[Level]:
        return [lv for lv, on in ((Level.PROVINCE, self.at_province),
                                  (Level.DISTRICT, self.at_district),
                                  (Level.COMMUNE, self.at_commune)) if on]

    @property
    def levels_label(self) -> str:
        return ", ".join(lv.label for lv in self.levels)

    @property
    def active(self) -> bool:
        return self.abolished_on is None


class TthcBodyMap(db.Model):
    """An executing body's name as catalogs write it (folded key) → the registry's agency.
    Matched automatically when the names agree; the admin maps the others once, and the
    mapping is remembered for every later import."""

    __tablename__ = "tthc_body_map"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    set_at: Mapped[datetime | None]

    agency: Mapped[Agency | None] = relationship()
    set_by: Mapped[User | None] = relationship()


class TthcBody(db.Model):
    """A province-level TTHC's executing body (one row per name in its cell)."""

    __tablename__ = "tthc_body"

    id: Mapped[int] = mapped_column(primary_key=True)
    tthc_id: Mapped[int] = mapped_column(ForeignKey("tthc.id"), index=True)
    map_id: Mapped[int] = mapped_column(ForeignKey("tthc_body_map.id"), index=True)

    tthc: Mapped[Tthc] = relationship(back_populates="bodies")
    body: Mapped[TthcBodyMap] = relationship()


class TthcImport(db.Model):
    """An uploaded list: staged with its preview (what it adds, changes and abolishes),
    then applied (the decision recorded) or left unapplied."""

    __tablename__ = "tthc_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    encoding: Mapped[str] = mapped_column(String(16), default="")
    rows: Mapped[int] = mapped_column(default=0)
    # the catalog's state the preview was computed against: applying refuses a preview
    # that another import has made stale
    base_version: Mapped[int] = mapped_column(default=0)
    preview: Mapped[str] = mapped_column(Text, default="")  # JSON: the diff shown
    payload: Mapped[str] = mapped_column(Text, default="")  # JSON: the parsed rows
    state: Mapped[str] = mapped_column(String(16), default="staged")  # staged/applied
    staged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    staged_at: Mapped[datetime] = mapped_column(default=utcnow)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    applied_at: Mapped[datetime | None]
    decision: Mapped[str] = mapped_column(Text, default="")  # căn cứ: the decision applied
    added: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    abolished: Mapped[int] = mapped_column(default=0)

    staged_by: Mapped[User | None] = relationship(foreign_keys=[staged_by_id])
    applied_by: Mapped[User | None] = relationship(foreign_keys=[applied_by_id])


class ModelProcedure(db.Model):
    """The province's model procedure (quy trình mẫu) for a TTHC: an issued procedure of
    one agency that every agency which must cover the TTHC may adopt."""

    __tablename__ = "tthc_model"

    id: Mapped[int] = mapped_column(primary_key=True)
    tthc_id: Mapped[int] = mapped_column(ForeignKey("tthc.id"), unique=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)

    tthc: Mapped[Tthc] = relationship()
    document: Mapped[Document] = relationship()
    published_by: Mapped[User | None] = relationship()
    adoptions: Mapped[list[Adoption]] = relationship(back_populates="model",
                                                     order_by="Adoption.id")


class Adoption(db.Model):
    """An agency took a model revision into its own draft: on adopting (a new document)
    and on following a later model revision (a new revision of that document)."""

    __tablename__ = "tthc_adoption"

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("tthc_model.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"))  # the adopter's draft
    model_number: Mapped[int]  # the model's lần ban hành adopted
    adopted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    adopted_at: Mapped[datetime] = mapped_column(default=utcnow)

    model: Mapped[ModelProcedure] = relationship(back_populates="adoptions")
    agency: Mapped[Agency] = relationship()
    document: Mapped[Document] = relationship()
    revision: Mapped[Revision] = relationship()
    adopted_by: Mapped[User | None] = relationship()
