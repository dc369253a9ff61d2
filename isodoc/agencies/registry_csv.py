"""Import and export of the agency registry as CSV (UTF-8, Vietnamese names).

An import is all or nothing: every row is checked first, problems are reported by
line, and only a clean file changes the database. The file's format (column names,
codes) is data and the same in every language; the refusals are in the interface's.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from isodoc import audit, policy
from isodoc.agencies.models import Agency, AgencyKind, QmsStatus
from isodoc.agencies.services import (
    check_code,
    check_name,
    check_placement,
    check_plan_year,
    check_status,
    kind_order,
)
from isodoc.auth.models import User
from isodoc.csvio import read_rows, write_rows
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.policy import Action, SystemActor
from isodoc.timeutil import format_date, parse_date

COLUMNS = ["code", "name", "kind", "parent_code", "qms_status", "declared_on", "plan_year",
           "dissolved_on", "successor_code"]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def export_csv() -> bytes:
    agencies = db.session.scalars(select(Agency)).all()
    depth = {a.id: len(a.lineage()) for a in agencies}
    agencies.sort(key=lambda a: (depth[a.id], kind_order(a), a.code))
    rows = [[a.code, a.name, a.kind, a.parent.code if a.parent else "", a.qms_status,
             format_date(a.declared_on), str(a.plan_year or ""), format_date(a.dissolved_on),
             a.successor.code if a.successor else ""] for a in agencies]
    return write_rows(COLUMNS, rows)


def import_csv(data: bytes, actor: User | SystemActor) -> ImportResult:
    """All or nothing: any problem raises InvalidInput listing every line, and the
    command's adapter rolls back what was applied."""
    policy.require(actor, Action.REGISTRY_IMPORT)
    rows = read_rows(data, ["code", "name", "kind", "parent_code"])
    existing = {a.code: a for a in db.session.scalars(select(Agency))}
    problems: list[tuple[int, str]] = []
    parsed: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        try:
            code = check_code(row["code"])
            if code in seen:
                raise InvalidInput(_("mã «%(code)s» lặp lại (đã có ở dòng %(line)s)",
                                     code=code, line=seen[code]))
            seen[code] = line
            parsed.append((line, parse_row(row, code)))
        except InvalidInput as exc:
            problems.append((line, exc.message))
    result = ImportResult()
    problems += apply(parsed, existing, result)  # placement problems of the rows that parsed
    if problems:
        raise InvalidInput(
            _("Không nhập được: %(n)s lỗi, chưa có thay đổi nào.", n=len(problems)),
            [_("Dòng %(line)s: %(message)s", line=line, message=message) if line else message
             for line, message in sorted(problems)])
    # the activity log is a record, written once in the province's language
    audit.record("registry.import", "registry", "csv",
                 summary=f"{result.created} mới, {result.updated} cập nhật, "  # i18n: vi-only
                         f"{result.unchanged} không đổi")  # i18n: vi-only
    return result


def parse_row(row: dict[str, str], code: str) -> dict:
    try:
        kind = AgencyKind(row["kind"])
    except ValueError:
        raise InvalidInput(_("loại đơn vị «%(value)s» không hợp lệ (dùng: %(allowed)s)",
                             value=row["kind"][:40],
                             allowed=", ".join(k.value for k in AgencyKind))) from None
    try:
        status = QmsStatus(row.get("qms_status") or QmsStatus.NOT_STARTED)
    except ValueError:
        raise InvalidInput(_("trạng thái «%(value)s» không hợp lệ (dùng: %(allowed)s)",
                             value=row["qms_status"][:40],
                             allowed=", ".join(s.value for s in QmsStatus))) from None
    declared = parse_date(row["declared_on"]) if row.get("declared_on") else None
    dissolved = parse_date(row["dissolved_on"]) if row.get("dissolved_on") else None
    year_text = row.get("plan_year") or ""
    if year_text and not year_text.isdigit():
        raise InvalidInput(_("năm kế hoạch «%(value)s» không phải số", value=year_text[:10]))
    year = int(year_text) if year_text else None
    check_status(status, declared)
    check_plan_year(year)
    return dict(code=code, name=check_name(row["name"]), kind=kind, status=status,
                declared=declared, year=year, dissolved=dissolved,
                parent_code=row.get("parent_code", ""),
                successor_code=row.get("successor_code", ""))


def apply(parsed: list[tuple[int, dict]], existing: dict[str, Agency],
          result: ImportResult) -> list[tuple[int, str]]:
    """Create or update agencies, then link parents and successors; returns problems."""
    with db.session.no_autoflush:
        problems = link(parsed, existing, result)
    if not problems:
        db.session.flush()
    return problems


def link(parsed: list[tuple[int, dict]], existing: dict[str, Agency],
         result: ImportResult) -> list[tuple[int, str]]:
    problems = []
    by_code = dict(existing)
    for _line, r in parsed:
        agency = by_code.get(r["code"])
        if agency is None:
            agency = Agency(code=r["code"], name=r["name"], kind=r["kind"].value)
            db.session.add(agency)
            by_code[r["code"]] = agency
            result.created += 1
        elif (agency.name, agency.kind, agency.qms_status, agency.declared_on, agency.plan_year,
              agency.dissolved_on) == (r["name"], r["kind"].value, r["status"].value,
                                       r["declared"], r["year"], r["dissolved"]) and \
                (agency.parent.code if agency.parent else "") == r["parent_code"] and \
                (agency.successor.code if agency.successor else "") == r["successor_code"]:
            result.unchanged += 1
            continue
        else:
            result.updated += 1
        agency.name, agency.kind = r["name"], r["kind"].value
        agency.qms_status, agency.declared_on = r["status"].value, r["declared"]
        agency.plan_year, agency.dissolved_on = r["year"], r["dissolved"]
    for line, r in parsed:
        agency = by_code[r["code"]]
        try:
            parent = lookup(by_code, r["parent_code"], _("đơn vị cấp trên"))
            successor = lookup(by_code, r["successor_code"], _("đơn vị tiếp nhận"))
            if successor is not None and r["dissolved"] is None:
                raise InvalidInput(_("có đơn vị tiếp nhận nhưng thiếu ngày giải thể"))
            agency.parent, agency.successor = parent, successor
            check_placement(r["kind"], parent, agency, single_root=False)
        except InvalidInput as exc:
            problems.append((line, exc.message))
    roots = [a for a in by_code.values() if a.parent is None]
    if len(roots) > 1 and not problems:
        problems.append((0, _("Tệp tạo ra nhiều hơn một gốc (UBND tỉnh).")))
    return problems


def lookup(by_code: dict[str, Agency], code: str, what: str) -> Agency | None:
    if not code:
        return None
    if code not in by_code:
        raise InvalidInput(_("%(what)s «%(code)s» không có trong danh mục hay trong tệp",
                             what=what, code=code[:64]))
    return by_code[code]
