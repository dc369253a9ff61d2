"""Commands on the plan (each asks the policy itself, flushes, never commits): create a
plan, add or remove a target, set the unit rates of the cost lines, import targets and
scheduled agencies from a CSV file."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from isodoc import audit
from isodoc.agencies.models import Agency, AgencyKind
from isodoc.agencies.services import get_by_code
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.policy import Action, require
from isodoc.programme.models import CostLine, Measure, Plan, PlanTarget, PlanUnit
from isodoc.programme.stage import TARGET_STAGES
from isodoc.textnorm import nfc

YEAR_MIN, YEAR_MAX = 2000, 2100
MAX_PLAN_YEARS = 10
RATE_MAX = Decimal("1000000")          # triệu đồng per unit
MAX_IMPORT_BYTES = 512 * 1024
MAX_IMPORT_ROWS = 5_000
NUMBER_MAX, TITLE_MAX, NOTE_MAX = 64, 500, 500


@dataclass
class PlanInput:
    number: str
    title: str
    signed_on: date | None
    first_year: int
    last_year: int


def create_plan(actor, data: PlanInput) -> Plan:
    require(actor, Action.PROGRAMME_MANAGE)
    number, title = nfc(data.number), nfc(data.title)
    if not number or len(number) > NUMBER_MAX:
        raise InvalidInput(_("Số kế hoạch không được để trống (tối đa %(n)s ký tự).",
                             n=NUMBER_MAX))
    if not title or len(title) > TITLE_MAX:
        raise InvalidInput(_("Tên kế hoạch không được để trống (tối đa %(n)s ký tự).",
                             n=TITLE_MAX))
    if not (YEAR_MIN <= data.first_year <= data.last_year <= YEAR_MAX) or \
            data.last_year - data.first_year >= MAX_PLAN_YEARS:
        raise InvalidInput(_("Giai đoạn kế hoạch phải từ năm đầu đến năm cuối, trong "
                             "%(first)s–%(last)s, tối đa %(n)s năm.", first=YEAR_MIN,
                             last=YEAR_MAX, n=MAX_PLAN_YEARS))
    overlapping = db.session.scalar(select(Plan).where(Plan.first_year <= data.last_year,
                                                       Plan.last_year >= data.first_year))
    if overlapping is not None:
        raise InvalidInput(_("Giai đoạn trùng với Kế hoạch %(number)s (%(first)s–%(last)s).",
                             number=overlapping.number, first=overlapping.first_year,
                             last=overlapping.last_year))
    plan = Plan(number=number, title=title, signed_on=data.signed_on,
                first_year=data.first_year, last_year=data.last_year,
                created_by_id=getattr(actor, "id", None))
    db.session.add(plan)
    db.session.flush()
    audit.record("programme.create", "plan", plan.id,
                 summary=f"{number} ({data.first_year}–{data.last_year})", actor=_actor(actor))
    return plan


@dataclass
class TargetInput:
    year: int
    kind: str
    stage: str
    measure: str
    value: int
    district: str = ""   # agency code of a UBND cấp huyện, or "" for the whole province
    note: str = ""


def check_target(plan: Plan, data: TargetInput) -> tuple[AgencyKind, Agency | None]:
    if not plan.first_year <= data.year <= plan.last_year:
        raise InvalidInput(_("Năm phải trong giai đoạn của kế hoạch (%(first)s–%(last)s).",
                             first=plan.first_year, last=plan.last_year))
    try:
        kind = AgencyKind(data.kind)
    except ValueError:
        raise InvalidInput(_("Loại đơn vị không hợp lệ.")) from None
    if kind is AgencyKind.PROVINCE:
        raise InvalidInput(_("Chỉ tiêu đặt cho các loại đơn vị, không cho UBND tỉnh."))
    if data.stage not in {s.value for s in TARGET_STAGES}:
        raise InvalidInput(_("Giai đoạn không hợp lệ: đang áp dụng, đã đánh giá nội bộ, "
                             "hoặc đã công bố."))
    if data.measure not in set(Measure):
        raise InvalidInput(_("Cách tính không hợp lệ: tỷ lệ (%) hoặc số đơn vị."))
    upper = 100 if data.measure == Measure.PERCENT else 100_000
    if not 0 <= data.value <= upper:
        raise InvalidInput(_("Giá trị chỉ tiêu phải từ 0 đến %(upper)s.", upper=upper))
    if len(nfc(data.note)) > NOTE_MAX:
        raise InvalidInput(_("Ghi chú quá dài (tối đa %(n)s ký tự).", n=NOTE_MAX))
    district = None
    if data.district:
        district = get_by_code(data.district)
        if district is None or district.kind != AgencyKind.DISTRICT:
            raise InvalidInput(_("«%(code)s» không phải mã một UBND cấp huyện.",
                                     code=data.district[:64]))
    return kind, district


def add_target(plan: Plan, actor, data: TargetInput) -> PlanTarget:
    require(actor, Action.PROGRAMME_MANAGE)
    kind, district = check_target(plan, data)
    target = PlanTarget(plan=plan, year=data.year, kind=kind.value,
                        district_id=district.id if district else None, stage=data.stage,
                        measure=data.measure, value=data.value, note=nfc(data.note))
    db.session.add(target)
    db.session.flush()
    audit.record("programme.target_add", "plan", plan.id, summary=target_summary(target),
                 actor=_actor(actor))
    return target


def remove_target(target: PlanTarget, actor) -> None:
    require(actor, Action.PROGRAMME_MANAGE)
    summary = target_summary(target)
    plan_id = target.plan_id
    db.session.delete(target)
    db.session.flush()
    audit.record("programme.target_remove", "plan", plan_id, summary=summary,
                 actor=_actor(actor))


def target_summary(target: PlanTarget) -> str:
    unit = "%" if target.measure == Measure.PERCENT else " đơn vị"  # i18n: vi-only
    where = f" ({target.district.code})" if target.district_id and target.district else ""
    return f"{target.year} {target.kind}{where}: {target.value}{unit} {target.stage}"


def parse_rate(text: str) -> Decimal:
    """A unit rate in triệu đồng as people type it: 26,4 or 26.4 (no thousands mark)."""
    raw = nfc(text).replace(" ", "")
    if raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput(_("Đơn giá «%(text)s» không phải là số (ví dụ 26,4).",
                             text=text[:20])) from None
    if not value.is_finite() or not 0 <= value <= RATE_MAX or \
            value != value.quantize(Decimal("0.001")):
        limit = f"{RATE_MAX:,}"
        raise InvalidInput(_("Đơn giá phải từ 0 đến %(max)s triệu đồng, tối đa 3 chữ số "
                             "thập phân.", max=limit))
    return value


def set_rates(plan: Plan, actor, rates: dict[int, str]) -> int:
    """Set the unit rates of the plan's cost lines; all or nothing. Returns how many
    changed."""
    require(actor, Action.PROGRAMME_MANAGE)
    lines = {line.id: line for line in plan.cost_lines}
    parsed = {}
    for line_id, text in rates.items():
        if line_id not in lines:
            raise InvalidInput(_("Dòng kinh phí không thuộc kế hoạch này."))
        parsed[line_id] = parse_rate(text)
    changed = 0
    for line_id, rate in parsed.items():
        if lines[line_id].unit_rate != rate:
            lines[line_id].unit_rate = rate
            changed += 1
    db.session.flush()
    if changed:
        audit.record("programme.rates", "plan", plan.id,
                     summary=f"{changed} đơn giá", actor=_actor(actor))  # i18n: vi-only
    return changed


IMPORT_HEADER = ["loai", "nam", "ma_don_vi", "loai_don_vi", "giai_doan", "cach_tinh",
                 "gia_tri", "ghi_chu"]


def import_csv(plan: Plan, actor, data: bytes) -> tuple[int, int]:
    """Targets and scheduled agencies from one CSV (UTF-8, header `IMPORT_HEADER`):

        loai=chi_tieu: nam, ma_don_vi (a district, or empty), loai_don_vi, giai_doan,
                       cach_tinh (percent|count), gia_tri, ghi_chu
        loai=don_vi:   nam, ma_don_vi (the agency the plan schedules that year)

    Replaces the plan's targets and scheduled agencies; all or nothing, every problem
    listed with its line. Returns (targets, agencies)."""
    require(actor, Action.PROGRAMME_MANAGE)
    if len(data) > MAX_IMPORT_BYTES:
        raise InvalidInput(_("Tệp quá lớn (tối đa %(kb)s KB).", kb=MAX_IMPORT_BYTES // 1024))
    try:
        text = nfc(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidInput(_("Tệp phải là CSV mã hóa UTF-8.")) from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    if header[:len(IMPORT_HEADER)] != IMPORT_HEADER:
        raise InvalidInput(_("Dòng tiêu đề phải là: %(header)s",
                             header=",".join(IMPORT_HEADER)))
    problems: list[str] = []
    targets: list[tuple[TargetInput, AgencyKind, Agency | None]] = []
    units: dict[int, tuple[Agency, int]] = {}
    for line, row in enumerate(reader, start=2):
        if line > MAX_IMPORT_ROWS + 1:
            raise InvalidInput(_("Tệp có quá %(n)s dòng.", n=MAX_IMPORT_ROWS))
        if not any(c.strip() for c in row):
            continue
        row = [c.strip() for c in row] + [""] * (len(IMPORT_HEADER) - len(row))
        what, year, code, kind, stage, measure, value, note = row[:8]
        try:
            if not year.isdigit():
                raise InvalidInput(_("năm phải là số"))
            if what == "chi_tieu":
                if not value.isdigit():
                    raise InvalidInput(_("giá trị chỉ tiêu phải là số nguyên"))
                data_ = TargetInput(int(year), kind, stage, measure, int(value), code, note)
                targets.append((data_, *check_target(plan, data_)))
            elif what == "don_vi":
                agency = get_by_code(code)
                if agency is None:
                    raise InvalidInput(_("không có đơn vị mã «%(code)s»", code=code[:64]))
                if not plan.first_year <= int(year) <= plan.last_year:
                    raise InvalidInput(_("năm ngoài giai đoạn kế hoạch"))
                if agency.id in units:
                    raise InvalidInput(_("đơn vị «%(code)s» đã có ở dòng trước", code=code))
                units[agency.id] = (agency, int(year))
            else:
                raise InvalidInput(_("cột «loai» phải là chi_tieu hoặc don_vi"))
        except InvalidInput as exc:
            problems.append(_("Dòng %(line)s: %(problem)s", line=line, problem=exc.message))
    if problems:
        raise InvalidInput(_("Không nhập được kế hoạch: sửa các dòng sau rồi nhập lại."),
                           problems=problems)
    for target in list(plan.targets):
        db.session.delete(target)
    for unit in list(plan.units):
        db.session.delete(unit)
    db.session.flush()
    for data_, kind, district in targets:
        db.session.add(PlanTarget(plan=plan, year=data_.year, kind=kind.value,
                                  district_id=district.id if district else None,
                                  stage=data_.stage, measure=data_.measure,
                                  value=data_.value, note=nfc(data_.note)))
    for agency, year in units.values():
        db.session.add(PlanUnit(plan=plan, agency_id=agency.id, year=year))
    db.session.flush()
    audit.record("programme.import", "plan", plan.id,
                 summary=f"{len(targets)} chỉ tiêu, {len(units)} đơn vị",  # i18n: vi-only
                 actor=_actor(actor))
    return len(targets), len(units)


def export_csv(plan: Plan) -> str:
    """The plan's targets and scheduled agencies in the import format."""
    from isodoc.csvio import neutralise

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(IMPORT_HEADER)
    for t in plan.targets:
        writer.writerow(["chi_tieu", t.year, t.district.code if t.district else "", t.kind,
                         t.stage, t.measure, t.value, neutralise(t.note)])
    codes = dict(db.session.execute(select(Agency.id, Agency.code)).all())
    for unit in sorted(plan.units, key=lambda u: (u.year, codes.get(u.agency_id, ""))):
        writer.writerow(["don_vi", unit.year, codes.get(unit.agency_id, ""), "", "", "", "",
                         ""])
    return out.getvalue()


def cost_line(plan: Plan, line_id: int) -> CostLine | None:
    return next((c for c in plan.cost_lines if c.id == line_id), None)


def _actor(actor):
    return actor if getattr(actor, "id", None) is not None else None
