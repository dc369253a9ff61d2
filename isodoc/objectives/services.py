"""Quality objectives: set an objective, enter (or correct) a month's value, raise a
finding from a missed target. Commands (see isodoc/commands.py): each asks the policy
itself, flushes, never commits, and writes an audit-log row."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from isodoc import audit as audit_log
from isodoc import policy
from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.findings import services as findings
from isodoc.findings.models import Finding, FindingSource, FindingType
from isodoc.i18n import _, ngettext
from isodoc.objectives.models import (
    Comparison,
    Frequency,
    Measurement,
    QualityObjective,
    format_number,
)
from isodoc.policy import Action
from isodoc.textnorm import clean, typed
from isodoc.timeutil import today_local, utcnow

VALUE_MAX = 1_000_000_000  # a count of dossiers or a percentage: far below this
OBJECTIVES_PER_YEAR = 50   # an agency states a handful; the page shows them all
YEAR_MIN, YEAR_MAX = 2000, 2100
NUMBER_RE = re.compile(r"[+-]?[0-9]{1,10}(?:[.,][0-9]{1,4})?")
PERIOD_RE = re.compile(r"([0-9]{4})-([0-9]{2})")


def parse_value(raw: object, what: str | None = None) -> float:
    """A number as people type it (97,5 or 97.5) or as JSON sends it; bounded, finite.
    `what` names it in a refusal (default: "giá trị")."""
    what = str(what) if what is not None else _("giá trị")
    if isinstance(raw, bool) or raw is None:
        raise InvalidInput(_("Vui lòng nhập %(what)s là một số (vd. 97,5).", what=what))
    if isinstance(raw, int | float):
        # a JSON integer may have any number of digits: compare before converting
        value = float(raw) if isinstance(raw, float) or abs(raw) <= VALUE_MAX else math.inf
    elif isinstance(raw, str):
        # only the digits typed: a control or invisible character inside a number is
        # refused, never stripped into a different number ("9\x007" is not 97)
        text = raw.strip(" ")
        if not text:
            raise InvalidInput(_("Vui lòng nhập %(what)s.", what=what))
        if not NUMBER_RE.fullmatch(text):
            text = clean(text)
            shown = text if len(text) <= 20 else text[:20] + "…"
            raise InvalidInput(_("«%(text)s» không phải là số hợp lệ: nhập %(what)s dạng 97,5 "
                                 "(tối đa 4 chữ số thập phân).", text=shown, what=what))
        value = float(text.replace(",", "."))
    else:
        raise InvalidInput(_("Vui lòng nhập %(what)s là một số (vd. 97,5).", what=what))
    if not math.isfinite(value) or abs(value) > VALUE_MAX:
        raise InvalidInput(_("%(what)s phải trong khoảng ±%(max)s.",
                             what=what[:1].upper() + what[1:], max=format_number(VALUE_MAX)))
    return value


def parse_period(raw: object, year: int) -> int:
    """'2026-03' (API) → month 3 of the objective's year."""
    found = PERIOD_RE.fullmatch(raw) if isinstance(raw, str) else None
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise InvalidInput(_("Kỳ đo phải có dạng năm-tháng, vd. 2026-03."))
    if int(found.group(1)) != year:
        raise InvalidInput(_("Mục tiêu này là của năm %(year)s: kỳ đo phải thuộc năm %(year)s.",
                             year=year))
    return int(found.group(2))


@dataclass
class ObjectiveInput:
    year: int
    title: str
    measure: str
    comparison: str
    target: object
    unit: str
    owner: User | None
    frequency: str
    data_source: str


@dataclass
class Checked:
    title: str
    measure: str
    target: float
    unit: str
    source: str


def _checked(agency: Agency, data: ObjectiveInput) -> Checked:
    """The fields of an objective as the form or a caller gave them, cleaned and checked."""
    title = typed(data.title, _("mục tiêu"), 300)
    measure = typed(data.measure, _("chỉ số đo"), 300)
    if data.comparison not in set(Comparison):
        raise InvalidInput(_("Chọn cách so sánh với chỉ tiêu (≥ hoặc ≤)."))
    if data.frequency not in set(Frequency):
        raise InvalidInput(_("Chọn tần suất đo (hằng tháng, hằng quý, hằng năm)."))
    target = parse_value(data.target, _("chỉ tiêu"))
    unit = typed(data.unit, _("đơn vị tính (vd. %, ngày, hồ sơ)"), 20)
    source = clean(data.data_source, multiline=True)
    if len(source) > 2000:
        raise InvalidInput(_("Nguồn dữ liệu quá dài (tối đa 2000 ký tự)."))
    if data.owner is None or not findings.agency_member(agency, data.owner):
        raise InvalidInput(_("Người phụ trách phải là thành viên của đơn vị."))
    return Checked(title, measure, target, unit, source)


def create_objective(agency: Agency, actor: User, data: ObjectiveInput) -> QualityObjective:
    policy.require(actor, Action.OBJECTIVE_MANAGE, agency)
    if not isinstance(data.year, int) or not YEAR_MIN <= data.year <= YEAR_MAX:
        raise InvalidInput(_("Năm phải trong khoảng %(min)s–%(max)s.", min=YEAR_MIN,
                             max=YEAR_MAX))
    checked = _checked(agency, data)
    title, measure, target, unit, source = (checked.title, checked.measure, checked.target,
                                            checked.unit, checked.source)
    count = db.session.scalar(select(func.count()).select_from(QualityObjective).where(
        QualityObjective.agency_id == agency.id, QualityObjective.year == data.year)) or 0
    if count >= OBJECTIVES_PER_YEAR:
        raise InvalidInput(_("Mỗi năm tối đa %(n)s mục tiêu chất lượng.", n=OBJECTIVES_PER_YEAR))
    seq = (db.session.scalar(select(func.max(QualityObjective.seq)).where(
        QualityObjective.agency_id == agency.id, QualityObjective.year == data.year)) or 0) + 1
    objective = QualityObjective(
        agency=agency, year=data.year, seq=seq, title=title, measure=measure,
        comparison=data.comparison, target=target, unit=unit, owner=data.owner,
        frequency=data.frequency, data_source=source,
        created_by=actor if isinstance(actor, User) else None)
    db.session.add(objective)
    db.session.flush()
    with force_locale("vi"):  # the activity log keeps Vietnamese (97,5)
        target_text = objective.target_text
    audit_log.record("objective.create", "objective", objective.id, agency_id=agency.id,
                     summary=f"{objective.code}: {title} ({target_text})",
                     actor=actor if isinstance(actor, User) else None)
    return objective


def update_objective(objective: QualityObjective, actor: User,
                     data: ObjectiveInput) -> QualityObjective:
    """Restate an objective (its year and number stay): the audit log keeps what each
    changed field was. A frequency that leaves an entered month out is refused."""
    agency = objective.agency
    policy.require(actor, Action.OBJECTIVE_MANAGE, agency)
    checked = _checked(agency, data)
    months = Frequency(data.frequency).months
    stray = sorted(m.month for m in objective.measurements if m.month not in months)
    if stray:
        raise InvalidInput(_("Đã có kết quả tháng %(months)s: không đổi được sang đo "
                             "%(frequency)s.", months=", ".join(f"{m:02d}" for m in stray),
                             frequency=Frequency(data.frequency).label.lower()))
    before = _stated(objective)
    objective.title, objective.measure = checked.title, checked.measure
    objective.comparison, objective.target, objective.unit = (data.comparison, checked.target,
                                                              checked.unit)
    objective.owner, objective.frequency = data.owner, data.frequency
    objective.data_source = checked.source
    after = _stated(objective, data.owner)
    changes = [f"{k}: «{before[k]}» → «{after[k]}»" for k in before if before[k] != after[k]]
    if changes:
        audit_log.record("objective.edit", "objective", objective.id, agency_id=agency.id,
                         actor=actor if isinstance(actor, User) else None,
                         summary=f"{objective.code}: " + "; ".join(changes))
    db.session.flush()
    return objective


def _stated(objective: QualityObjective, owner: User | None = None) -> dict[str, str]:
    """An objective's fields as the activity log quotes them, in Vietnamese."""
    with force_locale("vi"):
        return {"mục tiêu": objective.title, "chỉ số": objective.measure,  # i18n: vi-only
                "chỉ tiêu": objective.target_text,  # i18n: vi-only
                "người phụ trách": (owner or objective.owner).full_name,  # i18n: vi-only
                "tần suất": objective.frequency_enum.label,  # i18n: vi-only
                "nguồn dữ liệu": objective.data_source}  # i18n: vi-only


def record_value(objective: QualityObjective, actor: User, month: int, value: object,
                 note: str = "") -> Measurement:
    """Enter the value of one month; a second entry for the month is a correction,
    recorded in the audit log with the value it replaces."""
    policy.require(actor, Action.OBJECTIVE_MEASURE, objective)
    if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
        raise InvalidInput(_("Tháng phải từ 1 đến 12."))
    frequency = objective.frequency_enum
    if month not in frequency.months:
        raise InvalidInput(_("Mục tiêu đo %(frequency)s: chỉ nhập cho tháng %(months)s.",
                             frequency=frequency.label.lower(),
                             months=", ".join(str(m) for m in frequency.months)))
    today = today_local()
    period = f"{month:02d}/{objective.year}"
    if (objective.year, month) > (today.year, today.month):
        raise InvalidInput(_("Chưa đến kỳ %(period)s: chỉ nhập kết quả của tháng đã qua hoặc "
                             "tháng này.", period=period))
    number = parse_value(value)
    note = typed(note, _("ghi chú"), 500, required=False)
    existing = next((m for m in objective.measurements if m.month == month), None)
    who = actor if isinstance(actor, User) else None
    if existing is not None:
        if existing.value == number and existing.note == note:
            return existing  # the same value sent again (a retried push) changes nothing
        before = existing.value
        existing.value, existing.note, existing.entered_by = number, note, who
        existing.corrections += 1
        existing.entered_at = utcnow()
        with force_locale("vi"):  # the activity log keeps Vietnamese (97,5)
            summary = (f"{objective.code} kỳ {period}: sửa {format_number(before)}"  # i18n: vi-only
                       f" → {format_number(number)} {objective.unit}"
                       + (f" — {note}" if note else ""))
        audit_log.record("objective.correct", "objective", objective.id,
                         agency_id=objective.agency_id, actor=who, summary=summary)
        db.session.flush()
        return existing
    measurement = Measurement(month=month, value=number, note=note, entered_by=who)
    objective.measurements.append(measurement)
    with force_locale("vi"):  # the activity log keeps Vietnamese (97,5)
        summary = (f"{objective.code} kỳ {period}: {format_number(number)} "  # i18n: vi-only
                   f"{objective.unit} (chỉ tiêu {objective.target_text})")  # i18n: vi-only
    audit_log.record("objective.measure", "objective", objective.id,
                     agency_id=objective.agency_id, actor=who, summary=summary)
    db.session.flush()
    return measurement


FINDING_CLAUSES = "6.2 9.1.3"


def raise_finding(measurement: Measurement, actor: User, kind: FindingType) -> Finding:
    """One step from a missed target to a finding (source: quality objective). The
    finding's text is the agency's record (audit reports print it): Vietnamese."""
    objective = measurement.objective
    if measurement.met:
        raise InvalidInput(_("Kỳ %(period)s đạt chỉ tiêu: không có gì để ghi nhận phát hiện.",
                             period=measurement.period_label))
    if measurement.finding_id is not None:
        raise InvalidInput(_("Kỳ %(period)s đã có phát hiện %(code)s.",
                             period=measurement.period_label, code=measurement.finding.code))
    with force_locale("vi"):
        value = f"{format_number(measurement.value)} {objective.unit}".strip()
        target = objective.target_text
    finding = findings.raise_finding(objective.agency, actor, findings.FindingInput(
        type=kind, clauses=FINDING_CLAUSES,
        requirement=f"Mục tiêu chất lượng {objective.code} năm {objective.year}: "  # i18n: vi-only
                    f"{objective.title} — chỉ tiêu {objective.measure} {target}.",
        observed=f"Kỳ {measurement.period_label}: đạt {value}, không đạt chỉ tiêu "  # i18n: vi-only
                 f"{target}."
                 + (f" Ghi chú: {measurement.note}" if measurement.note else ""),  # i18n: vi-only
        source=FindingSource.OBJECTIVE,
        source_note=f"{objective.code} kỳ {measurement.period_label}"))  # i18n: vi-only
    measurement.finding = finding
    db.session.flush()
    return finding


def agency_objectives(agency: Agency, year: int) -> list[QualityObjective]:
    """The year's objectives with their values: two statements whatever their number."""
    return list(db.session.scalars(
        select(QualityObjective).where(QualityObjective.agency_id == agency.id,
                                       QualityObjective.year == year)
        .options(selectinload(QualityObjective.measurements),
                 selectinload(QualityObjective.owner))
        .order_by(QualityObjective.seq).limit(OBJECTIVES_PER_YEAR)))


def years_of(agency: Agency) -> list[int]:
    return list(db.session.scalars(select(QualityObjective.year).where(
        QualityObjective.agency_id == agency.id).distinct().order_by(
        QualityObjective.year.desc()).limit(50)))


# --- values imported from the one-stop-shop system's CSV export ------------------------

IMPORT_BYTES = 256 * 1024   # a year's monthly report is a few kilobytes
IMPORT_ROWS = 500
MONTH_RE = re.compile(r"(?:th[áa]ng|t)?\s*([0-9]{1,2})\s*[/.-]\s*([0-9]{4})",  # i18n: vi-only
                      re.IGNORECASE)
ISO_MONTH_RE = re.compile(r"([0-9]{4})\s*[/.-]\s*([0-9]{1,2})")


def parse_month_cell(text: str) -> tuple[int, int] | None:
    """(year, month) from how reports write a month: 03/2026, 3-2026, Tháng 3/2026,
    T3/2026, 2026-03."""
    text = text.strip()
    if found := MONTH_RE.fullmatch(text):
        month, year = int(found.group(1)), int(found.group(2))
    elif found := ISO_MONTH_RE.fullmatch(text):
        year, month = int(found.group(1)), int(found.group(2))
    else:
        return None
    return (year, month) if 1 <= month <= 12 else None


def column_key(name: str) -> str:
    return clean(name).casefold()


@dataclass
class ImportResult:
    added: int
    corrected: int
    unchanged: int


def import_values(objective: QualityObjective, actor: User, data: bytes, period_column: str,
                  value_column: str) -> ImportResult:
    """A month's value per row of the one-stop-shop system's CSV export: the file is
    checked whole first (a bad row refuses it, with its line), then each row entered as
    the form would (a different value for an entered month is a correction). The two
    column names are remembered on the objective for the next file."""
    from isodoc.csvio import read_rows

    policy.require(actor, Action.OBJECTIVE_MEASURE, objective)
    if len(data) > IMPORT_BYTES:
        raise InvalidInput(_("Tệp CSV quá lớn (tối đa %(kb)s KB).", kb=IMPORT_BYTES // 1024))
    period_name = typed(period_column, _("tên cột kỳ báo cáo (tháng)"), 100)
    value_name = typed(value_column, _("tên cột kết quả"), 100)
    if column_key(period_name) == column_key(value_name):
        raise InvalidInput(_("Cột kỳ báo cáo và cột kết quả phải là hai cột khác nhau."))
    rows = read_rows(data, [])
    header = list(rows[0][1]) if rows else []
    keys = {column_key(h): h for h in header}
    missing = [n for n in (period_name, value_name) if column_key(n) not in keys]
    if missing:
        raise InvalidInput(_("Tệp không có cột %(missing)s. Các cột của tệp: %(columns)s.",
                             missing=", ".join(f"«{m}»" for m in missing),
                             columns=", ".join(f"«{h}»" for h in header[:30])))
    if len(rows) > IMPORT_ROWS:
        raise InvalidInput(_("Tệp có quá nhiều dòng (tối đa %(n)s).", n=IMPORT_ROWS))
    period_key, value_key = keys[column_key(period_name)], keys[column_key(value_name)]
    wanted: dict[int, tuple[float, int]] = {}
    problems: list[str] = []
    today = today_local()
    for line, row in rows:
        cell = row.get(period_key, "")
        found = parse_month_cell(cell)
        if found is None:
            problems.append(_("Dòng %(line)s: «%(text)s» không phải là tháng (vd. 03/%(year)s).",
                              line=line, text=cell[:20], year=objective.year))
            continue
        year, month = found
        shown, period = f"{month:02d}", f"{month:02d}/{year}"
        if year != objective.year:
            continue  # another year's row: the export may span years
        if month not in objective.frequency_enum.months:
            problems.append(_("Dòng %(line)s: mục tiêu đo %(frequency)s, không nhập cho tháng "
                              "%(month)s.", line=line,
                              frequency=objective.frequency_enum.label.lower(),
                              month=shown))
            continue
        if (year, month) > (today.year, today.month):
            # checked here, not only when entering, so that every bad row is named at once
            problems.append(_("Dòng %(line)s: %(message)s", line=line, message=_(
                "Chưa đến kỳ %(period)s: chỉ nhập kết quả của tháng đã qua hoặc tháng này.",
                period=period)))
            continue
        if month in wanted:
            problems.append(_("Dòng %(line)s: tháng %(period)s đã có ở dòng %(first)s.",
                              line=line, period=period, first=wanted[month][1]))
            continue
        try:
            wanted[month] = (parse_value(row.get(value_key, ""), _("kết quả")), line)
        except InvalidInput as exc:
            problems.append(_("Dòng %(line)s: %(message)s", line=line, message=exc.message))
    if problems:
        raise InvalidInput(ngettext("Tệp không được nhập (%(num)d lỗi), chưa có gì thay đổi.",
                                    "Tệp không được nhập (%(num)d lỗi), chưa có gì thay đổi.",
                                    len(problems)), problems[:50])
    if not wanted:
        raise InvalidInput(_("Tệp không có dòng nào của năm %(year)s.", year=objective.year))
    before = {m.month: (m.value, m.note) for m in objective.measurements}
    result = ImportResult(0, 0, 0)
    for month, (value, line) in sorted(wanted.items()):
        previous = before.get(month)
        note = previous[1] if previous else ""
        try:
            record_value(objective, actor, month, value, note)
        except InvalidInput as exc:
            raise InvalidInput(_("Tệp không được nhập, chưa có gì thay đổi. Dòng %(line)s: "
                                 "%(message)s", line=line, message=exc.message)) from None
        if previous is None:
            result.added += 1
        elif previous[0] == value:
            result.unchanged += 1
        else:
            result.corrected += 1
    objective.import_period_column, objective.import_value_column = period_name, value_name
    audit_log.record("objective.import", "objective", objective.id,
                     agency_id=objective.agency_id,
                     actor=actor if isinstance(actor, User) else None,
                     summary=f"{objective.code}: nhập từ tệp CSV — "  # i18n: vi-only
                             f"{result.added} kỳ mới, {result.corrected} kỳ sửa, "
                             f"{result.unchanged} kỳ không đổi "
                             f"(cột «{period_name}», «{value_name}»)")
    db.session.flush()
    return result
