"""The plan's appendices from live data, as .docx (the administrative layout of
isodoc/officedocs/layout.py) and .xlsx (openpyxl):

- Phụ lục 01, the schedule: each year's targets with the agencies the registry counts;
- Phụ lục 02, the communes the plan schedules in a year, by district, "x/y" where x is
  scheduled that year and y is the district's communes in the registry;
- Phụ lục 03, the cost estimate: quantities counted from the registry (or entered for
  fixed lines) × the unit rates entered per Thông tư 116/2015/TT-BTC category, with
  totals per line, per group, per section, per year and overall.

Every total is computed here from the lines below it; nothing printed is copied (the
printed Phụ lục 03 of Kế hoạch 1129/KH-UBND does not add up: 140 × 15 is 2.100, not
2.280).

The appendices are filed with the plan: they stay Vietnamese whatever the interface's
language, and are built under force_locale("vi") so the shared labels (agency kinds,
stages) they use stay Vietnamese too."""
# i18n: vietnamese-only (the plan's appendices, officially filed documents)

from __future__ import annotations

import functools
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from docx.shared import Pt
from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from isodoc.agencies.models import Agency, AgencyKind, QmsStatus
from isodoc.csvio import neutralise
from isodoc.extensions import db
from isodoc.officedocs import layout
from isodoc.programme.models import COST_CATEGORIES, CostBasis, Measure, Plan, PlanUnit
from isodoc.programme.stage import Stage
from isodoc.timeutil import format_date


def in_vietnamese(build):
    """`build` under the Vietnamese locale, whatever the person's interface language."""

    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        with force_locale("vi"):
            return build(*args, **kwargs)

    return wrapper


ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
         "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX"]


def number(value: Decimal | int | float) -> str:
    """Vietnamese figures: 16.843,4 (thousands with '.', decimals with ',')."""
    value = Decimal(str(value)).quantize(Decimal("0.001")).normalize()
    sign = "-" if value < 0 else ""
    whole, _, frac = f"{abs(value):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + ("," + frac if frac else "")


@dataclass
class Registry:
    """The registry as the appendices count it (two queries): the agencies that existed
    during the plan (a commune merged after it still counts in the plan's years)."""

    agencies: list[tuple[int, str, str, int | None, str]]  # id, name, kind, parent, status
    scheduled: dict[int, int]  # agency id -> the year the plan schedules it

    @classmethod
    def load(cls, plan: Plan) -> Registry:
        rows = db.session.execute(
            select(Agency.id, Agency.name, Agency.kind, Agency.parent_id, Agency.qms_status)
            .where(Agency.dissolved_on.is_(None)
                   | (Agency.dissolved_on > date(plan.last_year, 12, 31)))
            .order_by(Agency.name)).all()
        units = dict(db.session.execute(select(PlanUnit.agency_id, PlanUnit.year)
                                        .where(PlanUnit.plan_id == plan.id)).all())
        return cls([tuple(r) for r in rows], units)

    def count(self, kinds: Sequence[str], year: int, basis: str) -> int:
        n = 0
        for agency_id, _, kind, _, status in self.agencies:
            if kind not in kinds:
                continue
            scheduled = self.scheduled.get(agency_id)
            starts = basis == CostBasis.SCHEDULED and scheduled == year
            keeps = basis == CostBasis.MAINTAIN and (
                status == QmsStatus.ISO2008 or scheduled is not None and scheduled < year)
            n += starts or keeps
        return n


# -- Phụ lục 03 ---------------------------------------------------------------------

@dataclass
class CostRow:
    line_id: int
    label: str
    category: str
    rate: Decimal
    quantities: dict[int, int]

    @property
    def quantity(self) -> int:
        return sum(self.quantities.values())

    def amount(self, year: int | None = None) -> Decimal:
        if year is None:
            return sum((self.amount(y) for y in self.quantities), Decimal(0))
        return self.rate * self.quantities.get(year, 0)


@dataclass
class CostGroup:
    title: str
    rows: list[CostRow] = field(default_factory=list)

    def amount(self, year: int | None = None) -> Decimal:
        return sum((r.amount(year) for r in self.rows), Decimal(0))


@dataclass
class CostSection:
    key: str
    title: str
    groups: list[CostGroup] = field(default_factory=list)

    def amount(self, year: int | None = None) -> Decimal:
        return sum((g.amount(year) for g in self.groups), Decimal(0))


@dataclass
class CostEstimate:
    years: list[int]
    sections: list[CostSection]

    def amount(self, year: int | None = None) -> Decimal:
        return sum((s.amount(year) for s in self.sections), Decimal(0))


def cost_estimate(plan: Plan, registry: Registry | None = None) -> CostEstimate:
    registry = registry or Registry.load(plan)
    sections: dict[str, CostSection] = {}
    for line in plan.cost_lines:
        section = sections.setdefault(line.section, CostSection(line.section,
                                                                line.section_title))
        if not section.groups or section.groups[-1].title != line.group_title:
            section.groups.append(CostGroup(line.group_title))
        quantities = {y: line.fixed_for(y) if line.basis == CostBasis.FIXED else
                      registry.count(line.kind_list, y, line.basis) for y in plan.years}
        section.groups[-1].rows.append(CostRow(line.id, line.label, line.category,
                                               Decimal(line.unit_rate), quantities))
    return CostEstimate(plan.years, list(sections.values()))


@in_vietnamese
def cost_table(estimate: CostEstimate) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Header and rows ("section" / "group" / "line" / "total", cells) shared by the
    page, the Word and the Excel export."""
    header = ["TT", "Nội dung", "Số lượng", "Đơn giá", "Thành tiền",
              *(f"Năm {y}" for y in estimate.years)]
    rows: list[tuple[str, list[str]]] = []

    def money(v: Decimal) -> str:
        return number(v) if v else "-"

    for section in estimate.sections:
        rows.append(("section", [section.key, section.title, "", "",
                                 money(section.amount()),
                                 *(money(section.amount(y)) for y in estimate.years)]))
        number_in_section = 0
        for group in section.groups:
            if group.title:
                number_in_section += 1
                prefix = str(number_in_section)
                rows.append(("group", [prefix, group.title, "", "", money(group.amount()),
                                       *(money(group.amount(y)) for y in estimate.years)]))
            for r_index, row in enumerate(group.rows, start=1):
                if group.title:
                    code = f"{prefix}.{r_index}"
                else:  # lines straight under the section: 1, 2, 3…
                    number_in_section += 1
                    code = str(number_in_section)
                rows.append(("line", [code, row.label, number(row.quantity),
                                      number(row.rate), money(row.amount()),
                                      *(money(row.amount(y)) for y in estimate.years)]))
    rows.append(("total", ["", "Tổng cộng", "", "", money(estimate.amount()),
                           *(money(estimate.amount(y)) for y in estimate.years)]))
    return header, rows


# -- Phụ lục 02 ---------------------------------------------------------------------

@dataclass
class DistrictList:
    name: str
    communes: list[str]
    total: int  # communes of the district in the registry


def communes_of_year(plan: Plan, year: int, registry: Registry | None = None
                     ) -> list[DistrictList]:
    registry = registry or Registry.load(plan)
    kinds = {a[0]: a[2] for a in registry.agencies}
    out: dict[int, DistrictList] = {}
    for agency_id, name, kind, _, _ in registry.agencies:
        if kind == AgencyKind.DISTRICT:
            out[agency_id] = DistrictList(name, [], 0)
    for agency_id, name, kind, parent, _ in registry.agencies:
        if kind != AgencyKind.COMMUNE or kinds.get(parent) != AgencyKind.DISTRICT:
            continue
        out[parent].total += 1
        if registry.scheduled.get(agency_id) == year:
            out[parent].communes.append(name)
    # the plan's order: cities and towns first (more scheduled), then by name
    return [d for d in sorted(out.values(), key=lambda d: d.name) if d.communes]


# -- Phụ lục 01 ---------------------------------------------------------------------

def schedule_rows(plan: Plan, registry: Registry | None = None) -> list[list[str]]:
    """One row per year and target: the time, the agencies, the target and what the
    registry counts for it (agencies of the kind, in the district, scheduled that year)."""
    registry = registry or Registry.load(plan)
    names = {a[0]: a[1] for a in registry.agencies}
    by_year: dict[int, list] = defaultdict(list)
    for target in plan.targets:
        by_year[target.year].append(target)
    rows = []
    for year in plan.years:
        for target in by_year.get(year, []):
            kind = AgencyKind(target.kind)
            scope = names.get(target.district_id, "") if target.district_id else "Toàn tỉnh"
            pool = [a for a in registry.agencies if a[2] == target.kind and (
                target.district_id is None or a[3] == target.district_id)]
            scheduled = sum(registry.scheduled.get(a[0]) == year for a in pool)
            goal = (f"{'Trên ' if target.value < 100 else ''}{target.value}%"
                    if target.measure == Measure.PERCENT else f"{target.value:02d} đơn vị")
            rows.append([f"Năm {year}", f"{kind.label} ({scope})",
                         f"{goal}: {Stage(target.stage).label.lower()}",
                         f"{scheduled}/{len(pool)}", target.note])
    return rows


SCHEDULE_HEADER = ["Thời gian thực hiện", "Đơn vị thực hiện", "Chỉ tiêu",
                   "Đơn vị theo kế hoạch năm / trong danh mục", "Ghi chú"]


# -- exports ------------------------------------------------------------------------

def caption(plan: Plan) -> str:
    signed = f" ngày {format_date(plan.signed_on)}" if plan.signed_on else ""
    return f"(Kèm theo Kế hoạch số {plan.number}{signed})"


TITLES = {
    "01": "CHƯƠNG TRÌNH, TIẾN ĐỘ THỰC HIỆN",
    "02": "DANH SÁCH UBND CẤP XÃ THỰC HIỆN XÂY DỰNG, ÁP DỤNG HTQLCL THEO TCVN ISO "
          "9001:2015 NĂM {year}",
    "03": "KHÁI TOÁN KINH PHÍ THỰC HIỆN KẾ HOẠCH GIAI ĐOẠN {first} - {last}",
}


@in_vietnamese
def table_content(plan: Plan, which: str, year: int
                  ) -> tuple[str, list[str], list[tuple[str, list[str]]], list[str]]:
    """(title, header, rows with their kind, notes) of an appendix."""
    registry = Registry.load(plan)
    if which == "01":
        return (TITLES["01"], ["TT", *SCHEDULE_HEADER],
                [("line", [str(i), *row]) for i, row in
                 enumerate(schedule_rows(plan, registry), start=1)], [])
    if which == "02":
        rows: list[tuple[str, list[str]]] = []
        districts = communes_of_year(plan, year, registry)
        for n, district in enumerate(districts):
            rows.append(("section", [ROMAN[n] if n < len(ROMAN) else str(n + 1),
                                     f"{district.name} ({len(district.communes)}/"
                                     f"{district.total})"]))
            rows += [("line", [str(i), name]) for i, name in
                     enumerate(district.communes, start=1)]
        scheduled = sum(len(d.communes) for d in districts)
        total = sum(len(a) for a in [[r for r in registry.agencies
                                      if r[2] == AgencyKind.COMMUNE]])
        rows.append(("total", ["", f"Tổng cộng: {scheduled}/{total} UBND cấp xã"]))
        return TITLES["02"].format(year=year), ["TT", "Tên UBND cấp xã"], rows, []
    estimate = cost_estimate(plan, registry)
    header, rows = cost_table(estimate)
    notes = ["Đơn vị tính: triệu đồng. Số lượng đếm từ danh mục đơn vị (hoặc nhập theo "
             "năm); đơn giá theo Thông tư số 116/2015/TT-BTC; mọi tổng được tính, không "
             "chép."]
    return (TITLES["03"].format(first=plan.first_year, last=plan.last_year), header, rows,
            notes)


@in_vietnamese
def build_docx(plan: Plan, which: str, year: int, province: Agency | None, on: date) -> bytes:
    title, header, rows, notes = table_content(plan, which, year)
    doc = layout.new_document(landscape=which != "02")
    layout.page_headers(doc)
    layout.header_block(doc, province, place_date=f"Ngày {on.day:02d} tháng {on.month:02d} "
                                                  f"năm {on.year}")
    layout.centred(doc, f"Phụ lục {which}", bold=True)
    layout.title_block(doc, [title, caption(plan)])
    for note in notes:
        layout.paragraph(doc, note, italic=True, indent=False, space_after=Pt(6))
    bold = {"section", "group", "total"}
    numeric_from = 2 if which == "03" else len(header)
    widths = layout.shares(doc, {"01": [5, 12, 25, 28, 15, 15], "02": [10, 90]}.get(
        which, [5, 33, 8, 8, 10] + [36 // max(1, len(header) - 5)] * (len(header) - 5)))
    table_rows = [(True, [(layout.run_xml(h, bold=True), "center") for h in header])]
    for kind, cells in rows:
        table_rows.append((False, [
            (layout.run_xml(text, bold=kind in bold) if text else "",
             "right" if n >= numeric_from else ("center" if n == 0 else None))
            for n, text in enumerate(cells)]))
    layout.append_xml(doc, [layout.table_xml(doc, widths, table_rows)])
    core = doc.core_properties
    core.title = f"Phụ lục {which}: {title}"[:255]
    core.subject = layout.x(f"Kế hoạch {plan.number}")[:255]
    core.comments = "Xuất từ ISO điện tử; số liệu tính từ dữ liệu hiện hành"
    return layout.save(doc)


@in_vietnamese
def build_xlsx(plan: Plan, which: str, year: int, province: Agency | None, on: date) -> bytes:
    """One sheet; figures as numbers (so a spreadsheet can check the sums), text
    neutralised (never a formula)."""
    title, header, rows, notes = table_content(plan, which, year)
    book = Workbook()
    sheet = book.active
    sheet.title = f"Phụ lục {which}"
    width = len(header)
    lines = [(province.name.upper() if province else "", True), (f"Phụ lục {which}", True),
             (title, True), (caption(plan), False), *((n, False) for n in notes)]
    for line, (text, bold) in enumerate(lines, start=1):
        cell = sheet.cell(row=line, column=1, value=neutralise(layout.x(text)))
        cell.font = Font(name=layout.FONT, size=13, bold=bold)
        cell.alignment = Alignment(horizontal="center")
        sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
    first = len(lines) + 2
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for column, text in enumerate(header, start=1):
        cell = sheet.cell(row=first, column=column, value=neutralise(text))
        cell.font = Font(name=layout.FONT, size=12, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    numeric_from = 2 if which == "03" else width
    for n, (kind, cells) in enumerate(rows, start=1):
        for column, text in enumerate(cells, start=1):
            value: object = neutralise(layout.x(text))
            if column - 1 >= numeric_from:
                value = to_number(text)
            cell = sheet.cell(row=first + n, column=column, value=value)
            cell.font = Font(name=layout.FONT, size=12, bold=kind != "line")
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = border
            if isinstance(value, float | int):
                cell.number_format = "#,##0.###"
    widths = {"01": [5, 16, 35, 40, 18, 30], "02": [8, 60]}.get(
        which, [7, 60, 10, 10, 12] + [12] * (width - 5))
    for column in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = widths[column - 1] \
            if column - 1 < len(widths) else 12
    sheet.freeze_panes = sheet.cell(row=first + 1, column=1)
    sheet.print_title_rows = f"{first}:{first}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "portrait" if which == "02" else "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    book.properties.title = f"Phụ lục {which}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_number(text: str) -> float | int | None:
    """A figure written by `number` back to a number ('-' is nothing)."""
    if text in ("", "-"):
        return None
    value = Decimal(text.replace(".", "").replace(",", "."))
    return int(value) if value == value.to_integral_value() else float(value)


CATEGORY_LABELS = COST_CATEGORIES
