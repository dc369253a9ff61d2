"""The plan as data: a plan (Kế hoạch 1129/KH-UBND) with its targets per year and agency
kind (optionally per district), the agencies it schedules each year (Phụ lục 02), and its
cost lines (Phụ lục 03) whose quantities are counted from the registry and whose unit
rates the overseer enters. No total is stored: every total is computed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from isodoc.agencies.models import Agency
from isodoc.extensions import db
from isodoc.i18n import _, _l
from isodoc.timeutil import utcnow


class Measure(StrEnum):
    PERCENT = "percent"   # share of the agencies of the kind (in the district) at the stage
    COUNT = "count"       # number of agencies of the kind at the stage

    @property
    def label(self) -> str:
        return {"percent": _("Tỷ lệ (%)"), "count": _("Số đơn vị")}[self.value]


class CostBasis(StrEnum):
    """Where a cost line's quantity per year comes from."""

    SCHEDULED = "scheduled"   # agencies of the kinds the plan schedules in that year
    MAINTAIN = "maintain"     # agencies of the kinds with a QMS before that year
    FIXED = "fixed"           # quantities entered per year (conferences, inspections)

    @property
    def label(self) -> str:
        return {"scheduled": _("Đơn vị xây dựng/chuyển đổi trong năm (theo kế hoạch)"),
                "maintain": _("Đơn vị đã có HTQLCL trước năm (duy trì, cải tiến)"),
                "fixed": _("Số lượng nhập theo năm")}[self.value]


# Thông tư 116/2015/TT-BTC: the categories of spending a unit rate is entered for
COST_CATEGORIES = {
    "tu_van": _l("Tư vấn xây dựng, chuyển đổi hệ thống"),
    "thuc_hien": _l("Chi cho đơn vị thực hiện, chi phí khác"),
    "duy_tri": _l("Duy trì, cải tiến HTQLCL"),
    "hoi_nghi": _l("Hội nghị, tập huấn"),
    "dao_tao": _l("Đào tạo"),
    "kiem_tra": _l("Đôn đốc, hướng dẫn, kiểm tra"),
    "chung_nhan": _l("Thuê tổ chức đánh giá chứng nhận"),
}


class Plan(db.Model):
    __tablename__ = "programme_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64))          # số kế hoạch, e.g. 1129/KH-UBND
    title: Mapped[str] = mapped_column(String(500))
    signed_on: Mapped[date | None]
    first_year: Mapped[int]
    last_year: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    targets: Mapped[list[PlanTarget]] = relationship(
        back_populates="plan", cascade="all, delete-orphan",
        order_by="(PlanTarget.year, PlanTarget.kind, PlanTarget.id)")
    units: Mapped[list[PlanUnit]] = relationship(back_populates="plan",
                                                 cascade="all, delete-orphan")
    cost_lines: Mapped[list[CostLine]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="CostLine.position")

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))


class PlanTarget(db.Model):
    """"By `year`, `value` (per cent or agencies) of the agencies of `kind` (in
    `district`, when set) are at `stage` or beyond."""

    __tablename__ = "programme_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("programme_plan.id"), index=True)
    year: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    stage: Mapped[str] = mapped_column(String(16))
    measure: Mapped[str] = mapped_column(String(16), default=Measure.PERCENT)
    value: Mapped[int]
    note: Mapped[str] = mapped_column(String(500), default="")

    plan: Mapped[Plan] = relationship(back_populates="targets")
    district: Mapped[Agency | None] = relationship()


class PlanUnit(db.Model):
    """An agency the plan schedules to build (or convert) its QMS in `year`."""

    __tablename__ = "programme_unit"
    __table_args__ = (UniqueConstraint("plan_id", "agency_id", name="uq_programme_unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("programme_plan.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    year: Mapped[int]

    plan: Mapped[Plan] = relationship(back_populates="units")
    agency: Mapped[Agency] = relationship()


class CostLine(db.Model):
    """One line of the cost estimate: quantity per year (counted, or entered when FIXED)
    × the unit rate (triệu đồng)."""

    __tablename__ = "programme_cost_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("programme_plan.id"), index=True)
    position: Mapped[int]
    section: Mapped[str] = mapped_column(String(8))          # I, II, III, IV
    section_title: Mapped[str] = mapped_column(String(500))
    group_title: Mapped[str] = mapped_column(String(500), default="")  # "19 sở ban ngành…"
    label: Mapped[str] = mapped_column(String(500))
    category: Mapped[str] = mapped_column(String(32))
    basis: Mapped[str] = mapped_column(String(16))
    kinds: Mapped[str] = mapped_column(String(200), default="")   # comma-separated kinds
    fixed_quantities: Mapped[str] = mapped_column(Text, default="")  # "2018:2,2019:2"
    unit_rate: Mapped[Decimal] = mapped_column(Numeric(14, 3), default=Decimal(0))

    plan: Mapped[Plan] = relationship(back_populates="cost_lines")

    @property
    def kind_list(self) -> list[str]:
        return [k for k in self.kinds.split(",") if k]

    def fixed_for(self, year: int) -> int:
        for part in self.fixed_quantities.split(","):
            y, _, n = part.partition(":")
            if y.strip() == str(year) and n.strip().isdigit():
                return int(n)
        return 0
