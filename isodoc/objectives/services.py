"""Quality objectives: set an objective, enter (or correct) a month's value, raise a
finding from a missed target. Commands (see isodoc/commands.py): each asks the policy
itself, flushes, never commits, and writes an audit-log row."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

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


def parse_value(raw: object, what: str = "giá trị") -> float:
    """A number as people type it (97,5 or 97.5) or as JSON sends it; bounded, finite."""
    if isinstance(raw, bool) or raw is None:
        raise InvalidInput(f"Vui lòng nhập {what} là một số (vd. 97,5).")
    if isinstance(raw, int | float):
        # a JSON integer may have any number of digits: compare before converting
        value = float(raw) if isinstance(raw, float) or abs(raw) <= VALUE_MAX else math.inf
    elif isinstance(raw, str):
        # only the digits typed: a control or invisible character inside a number is
        # refused, never stripped into a different number ("9\x007" is not 97)
        text = raw.strip(" ")
        if not text:
            raise InvalidInput(f"Vui lòng nhập {what}.")
        if not NUMBER_RE.fullmatch(text):
            text = clean(text)
            shown = text if len(text) <= 20 else text[:20] + "…"
            raise InvalidInput(f"«{shown}» không phải là số hợp lệ: nhập {what} dạng 97,5 "
                               "(tối đa 4 chữ số thập phân).")
        value = float(text.replace(",", "."))
    else:
        raise InvalidInput(f"Vui lòng nhập {what} là một số (vd. 97,5).")
    if not math.isfinite(value) or abs(value) > VALUE_MAX:
        raise InvalidInput(f"{what[:1].upper()}{what[1:]} phải trong khoảng "
                           f"±{format_number(VALUE_MAX)}.")
    return value


def parse_period(raw: object, year: int) -> int:
    """'2026-03' (API) → month 3 of the objective's year."""
    found = PERIOD_RE.fullmatch(raw) if isinstance(raw, str) else None
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise InvalidInput("Kỳ đo phải có dạng năm-tháng, vd. 2026-03.")
    if int(found.group(1)) != year:
        raise InvalidInput(f"Mục tiêu này là của năm {year}: kỳ đo phải thuộc năm {year}.")
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
    title = typed(data.title, "mục tiêu", 300)
    measure = typed(data.measure, "chỉ số đo", 300)
    if data.comparison not in set(Comparison):
        raise InvalidInput("Chọn cách so sánh với chỉ tiêu (≥ hoặc ≤).")
    if data.frequency not in set(Frequency):
        raise InvalidInput("Chọn tần suất đo (hằng tháng, hằng quý, hằng năm).")
    target = parse_value(data.target, "chỉ tiêu")
    unit = typed(data.unit, "đơn vị tính (vd. %, ngày, hồ sơ)", 20)
    source = clean(data.data_source, multiline=True)
    if len(source) > 2000:
        raise InvalidInput("Nguồn dữ liệu quá dài (tối đa 2000 ký tự).")
    if data.owner is None or not findings.agency_member(agency, data.owner):
        raise InvalidInput("Người phụ trách phải là thành viên của đơn vị.")
    return Checked(title, measure, target, unit, source)


def create_objective(agency: Agency, actor: User, data: ObjectiveInput) -> QualityObjective:
    policy.require(actor, Action.OBJECTIVE_MANAGE, agency)
    if not isinstance(data.year, int) or not YEAR_MIN <= data.year <= YEAR_MAX:
        raise InvalidInput(f"Năm phải trong khoảng {YEAR_MIN}–{YEAR_MAX}.")
    checked = _checked(agency, data)
    title, measure, target, unit, source = (checked.title, checked.measure, checked.target,
                                            checked.unit, checked.source)
    count = db.session.scalar(select(func.count()).select_from(QualityObjective).where(
        QualityObjective.agency_id == agency.id, QualityObjective.year == data.year)) or 0
    if count >= OBJECTIVES_PER_YEAR:
        raise InvalidInput(f"Mỗi năm tối đa {OBJECTIVES_PER_YEAR} mục tiêu chất lượng.")
    seq = (db.session.scalar(select(func.max(QualityObjective.seq)).where(
        QualityObjective.agency_id == agency.id, QualityObjective.year == data.year)) or 0) + 1
    objective = QualityObjective(
        agency=agency, year=data.year, seq=seq, title=title, measure=measure,
        comparison=data.comparison, target=target, unit=unit, owner=data.owner,
        frequency=data.frequency, data_source=source,
        created_by=actor if isinstance(actor, User) else None)
    db.session.add(objective)
    db.session.flush()
    audit_log.record("objective.create", "objective", objective.id, agency_id=agency.id,
                     summary=f"{objective.code}: {title} ({objective.target_text})",
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
        raise InvalidInput(f"Đã có kết quả tháng {', '.join(f'{m:02d}' for m in stray)}: "
                           f"không đổi được sang đo {Frequency(data.frequency).label.lower()}.")
    before = {"mục tiêu": objective.title, "chỉ số": objective.measure,
              "chỉ tiêu": objective.target_text, "người phụ trách": objective.owner.full_name,
              "tần suất": objective.frequency_enum.label, "nguồn dữ liệu": objective.data_source}
    objective.title, objective.measure = checked.title, checked.measure
    objective.comparison, objective.target, objective.unit = (data.comparison, checked.target,
                                                              checked.unit)
    objective.owner, objective.frequency = data.owner, data.frequency
    objective.data_source = checked.source
    after = {"mục tiêu": objective.title, "chỉ số": objective.measure,
             "chỉ tiêu": objective.target_text, "người phụ trách": data.owner.full_name,
             "tần suất": objective.frequency_enum.label, "nguồn dữ liệu": objective.data_source}
    changes = [f"{k}: «{before[k]}» → «{after[k]}»" for k in before if before[k] != after[k]]
    if changes:
        audit_log.record("objective.edit", "objective", objective.id, agency_id=agency.id,
                         actor=actor if isinstance(actor, User) else None,
                         summary=f"{objective.code}: " + "; ".join(changes))
    db.session.flush()
    return objective


def record_value(objective: QualityObjective, actor: User, month: int, value: object,
                 note: str = "") -> Measurement:
    """Enter the value of one month; a second entry for the month is a correction,
    recorded in the audit log with the value it replaces."""
    policy.require(actor, Action.OBJECTIVE_MEASURE, objective)
    if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
        raise InvalidInput("Tháng phải từ 1 đến 12.")
    frequency = objective.frequency_enum
    if month not in frequency.months:
        raise InvalidInput(f"Mục tiêu đo {frequency.label.lower()}: chỉ nhập cho tháng "
                           f"{', '.join(str(m) for m in frequency.months)}.")
    today = today_local()
    if (objective.year, month) > (today.year, today.month):
        raise InvalidInput(f"Chưa đến kỳ {month:02d}/{objective.year}: chỉ nhập kết quả của "
                           "tháng đã qua hoặc tháng này.")
    number = parse_value(value)
    note = typed(note, "ghi chú", 500, required=False)
    existing = next((m for m in objective.measurements if m.month == month), None)
    who = actor if isinstance(actor, User) else None
    period = f"{month:02d}/{objective.year}"
    if existing is not None:
        if existing.value == number and existing.note == note:
            return existing  # the same value sent again (a retried push) changes nothing
        before = existing.value
        existing.value, existing.note, existing.entered_by = number, note, who
        existing.corrections += 1
        existing.entered_at = utcnow()
        audit_log.record("objective.correct", "objective", objective.id,
                         agency_id=objective.agency_id, actor=who,
                         summary=f"{objective.code} kỳ {period}: sửa {format_number(before)}"
                                 f" → {format_number(number)} {objective.unit}"
                                 + (f" — {note}" if note else ""))
        db.session.flush()
        return existing
    measurement = Measurement(month=month, value=number, note=note, entered_by=who)
    objective.measurements.append(measurement)
    audit_log.record("objective.measure", "objective", objective.id,
                     agency_id=objective.agency_id, actor=who,
                     summary=f"{objective.code} kỳ {period}: {format_number(number)} "
                             f"{objective.unit} (chỉ tiêu {objective.target_text})")
    db.session.flush()
    return measurement


FINDING_CLAUSES = "6.2 9.1.3"


def raise_finding(measurement: Measurement, actor: User, kind: FindingType) -> Finding:
    """One step from a missed target to a finding (source: quality objective)."""
    objective = measurement.objective
    if measurement.met:
        raise InvalidInput(f"Kỳ {measurement.period_label} đạt chỉ tiêu: không có gì để ghi "
                           "nhận phát hiện.")
    if measurement.finding_id is not None:
        raise InvalidInput(f"Kỳ {measurement.period_label} đã có phát hiện "
                           f"{measurement.finding.code}.")
    value = f"{format_number(measurement.value)} {objective.unit}".strip()
    finding = findings.raise_finding(objective.agency, actor, findings.FindingInput(
        type=kind, clauses=FINDING_CLAUSES,
        requirement=f"Mục tiêu chất lượng {objective.code} năm {objective.year}: "
                    f"{objective.title} — chỉ tiêu {objective.measure} {objective.target_text}.",
        observed=f"Kỳ {measurement.period_label}: đạt {value}, không đạt chỉ tiêu "
                 f"{objective.target_text}."
                 + (f" Ghi chú: {measurement.note}" if measurement.note else ""),
        source=FindingSource.OBJECTIVE,
        source_note=f"{objective.code} kỳ {measurement.period_label}"))
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
MONTH_RE = re.compile(r"(?:th[áa]ng|t)?\s*([0-9]{1,2})\s*[/.-]\s*([0-9]{4})", re.IGNORECASE)
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
        raise InvalidInput(f"Tệp CSV quá lớn (tối đa {IMPORT_BYTES // 1024} KB).")
    period_name = typed(period_column, "tên cột kỳ báo cáo (tháng)", 100)
    value_name = typed(value_column, "tên cột kết quả", 100)
    if column_key(period_name) == column_key(value_name):
        raise InvalidInput("Cột kỳ báo cáo và cột kết quả phải là hai cột khác nhau.")
    rows = read_rows(data, [])
    header = list(rows[0][1]) if rows else []
    keys = {column_key(h): h for h in header}
    missing = [n for n in (period_name, value_name) if column_key(n) not in keys]
    if missing:
        raise InvalidInput(f"Tệp không có cột {', '.join(f'«{m}»' for m in missing)}. Các cột "
                           f"của tệp: {', '.join(f'«{h}»' for h in header[:30])}.")
    if len(rows) > IMPORT_ROWS:
        raise InvalidInput(f"Tệp có quá nhiều dòng (tối đa {IMPORT_ROWS}).")
    period_key, value_key = keys[column_key(period_name)], keys[column_key(value_name)]
    wanted: dict[int, tuple[float, int]] = {}
    problems: list[str] = []
    for line, row in rows:
        cell = row.get(period_key, "")
        found = parse_month_cell(cell)
        if found is None:
            problems.append(f"Dòng {line}: «{cell[:20]}» không phải là tháng "
                            f"(vd. 03/{objective.year}).")
            continue
        year, month = found
        if year != objective.year:
            continue  # another year's row: the export may span years
        if month not in objective.frequency_enum.months:
            problems.append(f"Dòng {line}: mục tiêu đo {objective.frequency_enum.label.lower()}, "
                            f"không nhập cho tháng {month:02d}.")
            continue
        if month in wanted:
            problems.append(f"Dòng {line}: tháng {month:02d}/{year} đã có ở dòng "
                            f"{wanted[month][1]}.")
            continue
        try:
            wanted[month] = (parse_value(row.get(value_key, ""), "kết quả"), line)
        except InvalidInput as exc:
            problems.append(f"Dòng {line}: {exc.message}")
    if problems:
        raise InvalidInput(f"Tệp không được nhập ({len(problems)} lỗi), chưa có gì thay đổi.",
                           problems[:50])
    if not wanted:
        raise InvalidInput(f"Tệp không có dòng nào của năm {objective.year}.")
    before = {m.month: (m.value, m.note) for m in objective.measurements}
    result = ImportResult(0, 0, 0)
    for month, (value, line) in sorted(wanted.items()):
        previous = before.get(month)
        note = previous[1] if previous else ""
        try:
            record_value(objective, actor, month, value, note)
        except InvalidInput as exc:
            raise InvalidInput(f"Tệp không được nhập, chưa có gì thay đổi. Dòng {line}: "
                               f"{exc.message}") from None
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
                     summary=f"{objective.code}: nhập từ tệp CSV — {result.added} kỳ mới, "
                             f"{result.corrected} kỳ sửa, {result.unchanged} kỳ không đổi "
                             f"(cột «{period_name}», «{value_name}»)")
    db.session.flush()
    return result
