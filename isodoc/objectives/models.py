"""Quality objectives of an agency and their measured values (ISO 9001:2015 6.2, 9.1)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.extensions import db
from isodoc.i18n import _l
from isodoc.timeutil import utcnow


class Comparison(StrEnum):
    AT_LEAST = "ge"
    AT_MOST = "le"

    @property
    def symbol(self) -> str:
        return "≥" if self is Comparison.AT_LEAST else "≤"

    @property
    def label(self) -> str:
        return str(COMPARISON_LABELS[self])

    def met(self, value: float, target: float) -> bool:
        return value >= target if self is Comparison.AT_LEAST else value <= target


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"

    @property
    def label(self) -> str:
        return str(FREQUENCY_LABELS[self])

    @property
    def months(self) -> tuple[int, ...]:
        """The months a value is entered for: a quarter's or the year's last month."""
        return {"monthly": tuple(range(1, 13)), "quarterly": (3, 6, 9, 12),
                "yearly": (12,)}[self]


# lazy: the forms' choices are built once, their labels follow each request's language
COMPARISON_LABELS = {Comparison.AT_LEAST: _l("Không thấp hơn (≥)"),
                     Comparison.AT_MOST: _l("Không vượt quá (≤)")}
FREQUENCY_LABELS = {Frequency.MONTHLY: _l("Hằng tháng"), Frequency.QUARTERLY: _l("Hằng quý"),
                    Frequency.YEARLY: _l("Hằng năm")}


class QualityObjective(db.Model):
    __tablename__ = "quality_objective"
    __table_args__ = (UniqueConstraint("agency_id", "year", "seq", name="uq_objective_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    seq: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))        # the objective as stated
    measure: Mapped[str] = mapped_column(String(300))      # what is measured (chỉ số)
    comparison: Mapped[str] = mapped_column(String(2))
    target: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    frequency: Mapped[str] = mapped_column(String(16))
    data_source: Mapped[str] = mapped_column(Text, default="")
    # the columns of the one-stop-shop system's CSV export, remembered from the last import
    import_period_column: Mapped[str] = mapped_column(String(100), default="")
    import_value_column: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    measurements: Mapped[list[Measurement]] = relationship(
        back_populates="objective", cascade="all, delete-orphan", order_by="Measurement.month")

    @property
    def code(self) -> str:
        return f"MT-{self.year}-{self.seq:02d}"

    @property
    def comparison_enum(self) -> Comparison:
        return Comparison(self.comparison)

    @property
    def frequency_enum(self) -> Frequency:
        return Frequency(self.frequency)

    @property
    def target_text(self) -> str:
        return f"{self.comparison_enum.symbol} {format_number(self.target)} {self.unit}".strip()

    def met(self, value: float) -> bool:
        return self.comparison_enum.met(value, self.target)

    @property
    def latest(self) -> Measurement | None:
        return self.measurements[-1] if self.measurements else None


class Measurement(db.Model):
    """One value per objective and month; a re-entry corrects it (the audit log keeps
    what it was)."""

    __tablename__ = "objective_measurement"
    __table_args__ = (UniqueConstraint("objective_id", "month", name="uq_measurement_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("quality_objective.id"), index=True)
    month: Mapped[int]
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(String(500), default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    corrections: Mapped[int] = mapped_column(default=0)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id"))

    objective: Mapped[QualityObjective] = relationship(back_populates="measurements")
    entered_by: Mapped[User | None] = relationship()
    finding = relationship("Finding")

    @property
    def period(self) -> str:
        return f"{self.objective.year:04d}-{self.month:02d}"

    @property
    def period_label(self) -> str:
        return f"{self.month:02d}/{self.objective.year}"

    @property
    def met(self) -> bool:
        return self.objective.met(self.value)


def format_number(value: float, grouped: bool = True) -> str:
    """In the interface's language, no trailing zeros (Vietnamese: "1.234,5"). Ungrouped
    ("1234,5") where a person edits the number: parse_value reads a group separator as
    the decimal one."""
    from babel.numbers import format_decimal

    from isodoc.timeutil import interface_locale

    return format_decimal(value, format="#,##0.####" if grouped else "0.####",
                          locale=interface_locale())
