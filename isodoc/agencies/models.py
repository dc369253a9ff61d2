"""The agency registry: a tree of state agencies, each the unit of one QMS."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from isodoc.extensions import db
from isodoc.i18n import _l
from isodoc.timeutil import today_local, utcnow

CODE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
NAME_MAX = 255


class AgencyKind(StrEnum):
    PROVINCE = "province"
    DEPARTMENT = "department"
    SUB_DEPARTMENT = "sub_department"
    DISTRICT = "district"
    DISTRICT_OFFICE = "district_office"
    COMMUNE = "commune"
    PUBLIC_UNIT = "public_unit"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.value])

    @property
    def parent_kinds(self) -> tuple[AgencyKind, ...]:
        """Where a kind may hang in the tree. Communes may sit under the province
        since the 2025 reorganisation abolished the district level."""
        k = AgencyKind
        return {
            k.PROVINCE: (),
            k.DEPARTMENT: (k.PROVINCE,),
            k.SUB_DEPARTMENT: (k.DEPARTMENT,),
            k.DISTRICT: (k.PROVINCE,),
            k.DISTRICT_OFFICE: (k.DISTRICT,),
            k.COMMUNE: (k.DISTRICT, k.PROVINCE),
            k.PUBLIC_UNIT: (k.PROVINCE, k.DEPARTMENT, k.SUB_DEPARTMENT, k.DISTRICT, k.COMMUNE),
        }[self]


class QmsStatus(StrEnum):
    NOT_STARTED = "not_started"
    BUILDING = "building"
    ISO2008 = "iso2008"
    CONVERTING = "converting"
    DECLARED_2015 = "declared_2015"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.value])


# lazy: a select's choices built at import read them per request
KIND_LABELS = {
    "province": _l("UBND tỉnh"),
    "department": _l("Sở, ban, ngành"),
    "sub_department": _l("Chi cục, ban thuộc sở"),
    "district": _l("UBND cấp huyện"),
    "district_office": _l("Phòng chuyên môn cấp huyện"),
    "commune": _l("UBND cấp xã"),
    "public_unit": _l("Đơn vị sự nghiệp công lập"),
}
STATUS_LABELS = {
    "not_started": _l("Chưa xây dựng"),
    "building": _l("Đang xây dựng"),
    "iso2008": _l("Áp dụng ISO 9001:2008"),
    "converting": _l("Đang chuyển đổi"),
    "declared_2015": _l("Đã công bố phù hợp TCVN ISO 9001:2015"),
}


class Agency(db.Model):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    kind: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    qms_status: Mapped[str] = mapped_column(String(32), default=QmsStatus.NOT_STARTED)
    declared_on: Mapped[date | None]
    plan_year: Mapped[int | None]
    dissolved_on: Mapped[date | None]
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Agency | None] = relationship(
        remote_side=[id], foreign_keys=[parent_id], back_populates="children")
    children: Mapped[list[Agency]] = relationship(
        foreign_keys=[parent_id], back_populates="parent", order_by="Agency.name")
    successor: Mapped[Agency | None] = relationship(
        remote_side=[id], foreign_keys=[successor_id], back_populates="predecessors")
    predecessors: Mapped[list[Agency]] = relationship(
        foreign_keys=[successor_id], back_populates="successor", order_by="Agency.name")

    @property
    def kind_enum(self) -> AgencyKind:
        return AgencyKind(self.kind)

    @property
    def status_enum(self) -> QmsStatus:
        return QmsStatus(self.qms_status)

    def is_dissolved(self, on: date | None = None) -> bool:
        return self.dissolved_on is not None and self.dissolved_on <= (on or today_local())

    def lineage(self) -> list[Agency]:
        """This agency and its ancestors, nearest first."""
        chain, node = [], self
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain

    def successors(self) -> list[Agency]:
        """The agencies that took over this one, nearest first (a merge can be merged again)."""
        chain, node = [], self.successor
        while node is not None and node not in chain and node is not self:
            chain.append(node)
            node = node.successor
        return chain

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"
