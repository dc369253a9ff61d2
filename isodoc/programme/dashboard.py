"""The Sở KH&CN dashboard: for a chosen year, the agencies by kind and QMS stage against
the plan's targets, per district; documents issued and revised, internal audits held,
findings open and overdue, TTHC coverage, declarations and reports in the period.

Bounded: every figure comes from a fixed number of aggregate queries whatever the number
of agencies (see `QUERIES`); tests count them. The period runs from 1 January of the year
to `as_of` (default: today, or 31 December of a past year when asked)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date

from sqlalchemy import case, func, select

from isodoc.agencies.models import Agency, AgencyKind
from isodoc.audits.models import Audit, AuditState
from isodoc.documents.models import Revision, RevisionState
from isodoc.extensions import db
from isodoc.findings.models import Finding, FindingState
from isodoc.findings.services import overdue_condition
from isodoc.i18n import _
from isodoc.programme.models import Measure, Plan, PlanTarget, PlanUnit
from isodoc.programme.stage import Stage, end_of, records_by_agency
from isodoc.timeutil import LOCAL_TZ, today_local
from isodoc.tthc.coverage import ProvinceCoverage, province_coverage

# the kinds the dashboard shows, in the plan's order
KINDS = [AgencyKind.DEPARTMENT, AgencyKind.SUB_DEPARTMENT, AgencyKind.DISTRICT,
         AgencyKind.DISTRICT_OFFICE, AgencyKind.COMMUNE, AgencyKind.PUBLIC_UNIT]
# The dashboard's queries, whatever the number of agencies: plans, targets, scheduled
# units, agencies, stage records (agencies, documents, audits), activity (3), TTHC
# coverage (5, and 3 more for the successors of mergers together). tests/test_programme.py
# and tests/test_redeclare.py check the count does not grow with agencies or mergers.


def reports_submitted(year: int) -> dict[int, date] | None:
    """Agency id → the day (in Vietnam) its annual report for `year` was submitted, in
    one query."""
    from isodoc.annual_reports.models import AnnualReport, ReportState

    rows = db.session.execute(select(AnnualReport.agency_id, AnnualReport.submitted_at).where(
        AnnualReport.year == year, AnnualReport.state == ReportState.SUBMITTED.value,
        AnnualReport.submitted_at.is_not(None))).all()
    return {agency_id: at.replace(tzinfo=UTC).astimezone(LOCAL_TZ).date()
            for agency_id, at in rows}


REPORTS = {"source": reports_submitted}


@dataclass(frozen=True)
class AgencyRow:
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    district_id: int | None
    stage: Stage
    scheduled: int | None  # the plan's year for this agency, if scheduled


@dataclass
class TargetResult:
    target_id: int
    year: int
    kind: str
    district: AgencyRow | None
    stage: Stage
    measure: str
    value: int
    reached: int       # agencies at the stage or beyond
    total: int         # agencies of the kind (in the district)

    @property
    def percent(self) -> float:
        return round(100 * self.reached / self.total, 1) if self.total else 0.0

    @property
    def actual(self) -> float:
        return self.percent if self.measure == Measure.PERCENT else self.reached

    @property
    def met(self) -> bool:
        return self.actual >= self.value

    @property
    def kind_label(self) -> str:
        return AgencyKind(self.kind).label

    @property
    def scope_label(self) -> str:
        return self.district.name if self.district else _("Toàn tỉnh")


@dataclass
class DistrictRow:
    district: AgencyRow
    communes: int = 0
    scheduled: int = 0        # communes the plan schedules in the year
    reached: int = 0          # communes applying the QMS or beyond
    scheduled_reached: int = 0
    target: TargetResult | None = None

    @property
    def percent(self) -> float:
        return round(100 * self.reached / self.communes, 1) if self.communes else 0.0


@dataclass
class Activity:
    issued: int = 0        # first issues (lần ban hành 1) in the period
    revised: int = 0       # later issues (sửa đổi) in the period
    audits: int = 0        # internal audits completed in the period
    findings: int = 0      # findings raised in the period
    open_findings: int = 0
    overdue_findings: int = 0


@dataclass
class Dashboard:
    year: int
    as_of: date
    plan: Plan | None
    plans: list[Plan]
    agencies: list[AgencyRow]
    by_kind: dict[str, Counter]         # kind -> stage -> count
    targets: list[TargetResult]
    districts: list[DistrictRow]
    activity: Activity
    coverage: ProvinceCoverage
    declared: int
    reports: int | None                 # None: not available
    reportable: int
    stage_totals: Counter = field(default_factory=Counter)

    @property
    def period_start(self) -> date:
        return date(self.year, 1, 1)

    def kinds(self) -> list[str]:
        return [k.value for k in KINDS if sum(self.by_kind.get(k.value, Counter()).values())]


def plans() -> list[Plan]:
    return list(db.session.scalars(select(Plan).order_by(Plan.first_year.desc(), Plan.id)))


def plan_for(year: int, candidates: list[Plan]) -> Plan | None:
    return next((p for p in candidates if p.first_year <= year <= p.last_year), None)


def default_year(candidates: list[Plan], today: date | None = None) -> int:
    """This year, whether or not a plan covers it: the plan requires the QMS to be kept
    and reported every year after its own years, and this year's activity is what the
    overseer follows (a plan's years are a choice away)."""
    return (today or today_local()).year


def district_map(rows: list[tuple[int, str, int | None]]) -> dict[int, int | None]:
    """Each agency id's district (UBND cấp huyện) id, walking parents in memory."""
    parent = {a: p for a, _, p in rows}
    kind = {a: k for a, k, _ in rows}
    out = {}
    for agency_id in parent:
        node, steps = agency_id, 0
        while node is not None and steps < 20 and kind.get(node) != AgencyKind.DISTRICT:
            node, steps = parent.get(node), steps + 1
        out[agency_id] = node if node is not None and kind.get(node) == AgencyKind.DISTRICT \
            else None
    return out


def agency_rows(as_of: date, plan: Plan | None) -> list[AgencyRow]:
    """The agencies existing on `as_of` (not dissolved by then) with their stage."""
    rows = db.session.execute(
        select(Agency.id, Agency.code, Agency.name, Agency.kind, Agency.parent_id)
        .where((Agency.dissolved_on.is_(None)) | (Agency.dissolved_on > as_of))
        .order_by(Agency.name)).all()
    scheduled: dict[int, int] = {}
    if plan is not None:
        scheduled = dict(db.session.execute(select(PlanUnit.agency_id, PlanUnit.year)
                                            .where(PlanUnit.plan_id == plan.id)).all())
    districts = district_map([(r.id, r.kind, r.parent_id) for r in rows])
    records = records_by_agency(as_of)  # every agency, no IN list of ids
    return [AgencyRow(r.id, r.code, r.name, r.kind, r.parent_id, districts.get(r.id),
                      records[r.id].stage if r.id in records else Stage.NOT_STARTED,
                      scheduled.get(r.id)) for r in rows]


def evaluate(target: PlanTarget, agencies: list[AgencyRow]) -> tuple[int, int]:
    pool = [a for a in agencies if a.kind == target.kind and
            (target.district_id is None or a.district_id == target.district_id)]
    return sum(a.stage.at_least(target.stage) for a in pool), len(pool)


def activity(start: date, as_of: date) -> Activity:
    """Three aggregate queries: issues in the period, audits completed in it, findings
    of the year (as the findings report counts them, by their year) raised by `as_of`."""
    begin, limit = end_of(date(start.year - 1, 12, 31)), end_of(as_of)
    first = case((Revision.number == 1, 1))
    later = case((Revision.number > 1, 1))
    issued, revised = db.session.execute(
        select(func.count(first), func.count(later))
        .where(Revision.state == RevisionState.ISSUED, Revision.issued_at >= begin,
               Revision.issued_at < limit)).one()
    audits = db.session.scalar(select(func.count(Audit.id)).where(
        Audit.state == AuditState.COMPLETED, Audit.completed_at >= begin,
        Audit.completed_at < limit)) or 0
    raised, open_, overdue = db.session.execute(select(
        func.count(Finding.id),
        func.count(case((Finding.state != FindingState.CLOSED, 1))),
        func.count(case((overdue_condition(today_local()), 1))))
        .where(Finding.year == start.year, Finding.raised_at < limit)).one()
    return Activity(issued, revised, audits, raised, open_, overdue)


def build(year: int, as_of: date | None = None) -> Dashboard:
    today = today_local()
    as_of = as_of or today
    if as_of < date(year, 1, 1):
        as_of = date(year, 12, 31)
    as_of = min(as_of, today)
    candidates = plans()
    plan = plan_for(year, candidates)
    agencies = agency_rows(as_of, plan)
    by_id = {a.id: a for a in agencies}
    by_kind: dict[str, Counter] = defaultdict(Counter)
    for a in agencies:
        by_kind[a.kind][a.stage.value] += 1
    targets = []
    if plan is not None:
        for t in db.session.scalars(select(PlanTarget).where(PlanTarget.plan_id == plan.id,
                                                             PlanTarget.year == year)
                                    .order_by(PlanTarget.id)):
            reached, total = evaluate(t, agencies)
            targets.append(TargetResult(t.id, t.year, t.kind, by_id.get(t.district_id),
                                        Stage(t.stage), t.measure, t.value, reached, total))
    districts = district_rows(year, agencies, targets)
    submitted = REPORTS["source"](year)
    reportable = [a for a in agencies if a.kind != AgencyKind.PROVINCE]
    return Dashboard(
        year=year, as_of=as_of, plan=plan, plans=candidates, agencies=agencies,
        by_kind=dict(by_kind), targets=targets, districts=districts,
        activity=activity(date(year, 1, 1), as_of), coverage=province_coverage(as_of),
        declared=sum(a.stage is Stage.DECLARED for a in agencies),
        reports=None if submitted is None else sum(a.id in submitted for a in reportable),
        reportable=len(reportable),
        stage_totals=Counter(a.stage.value for a in agencies if a.kind != "province"))


def district_rows(year: int, agencies: list[AgencyRow],
                  targets: list[TargetResult]) -> list[DistrictRow]:
    rows = {a.id: DistrictRow(a) for a in agencies if a.kind == AgencyKind.DISTRICT}
    for a in agencies:
        if a.kind != AgencyKind.COMMUNE or a.district_id not in rows:
            continue
        row = rows[a.district_id]
        row.communes += 1
        applying = a.stage.at_least(Stage.APPLYING)
        row.reached += applying
        if a.scheduled == year:
            row.scheduled += 1
            row.scheduled_reached += applying
    for t in targets:
        if t.kind == AgencyKind.COMMUNE and t.district is not None and t.district.id in rows:
            rows[t.district.id].target = t
    province_wide = next((t for t in targets if t.kind == AgencyKind.COMMUNE and
                          t.district is None), None)
    for row in rows.values():
        if row.target is None and province_wide is not None:
            row.target = province_wide
    return sorted(rows.values(), key=lambda r: r.district.name)


def filter_agencies(agencies: list[AgencyRow], *, kind: str = "", stage: str = "",
                    at_least: str = "", district: int | None = None,
                    scheduled: int | None = None) -> list[AgencyRow]:
    """The list behind a figure (the same rows the figure counted)."""
    out = []
    for a in agencies:
        if kind and a.kind != kind:
            continue
        if stage and a.stage.value != stage:
            continue
        if at_least and not a.stage.at_least(at_least):
            continue
        if district is not None and a.district_id != district:
            continue
        if scheduled is not None and a.scheduled != scheduled:
            continue
        out.append(a)
    return out


def as_mapping(board: Dashboard) -> Mapping:
    """The API's view: targets vs actual by kind and district."""
    return {
        "year": board.year, "as_of": board.as_of,
        "plan": None if board.plan is None else {
            "number": board.plan.number, "title": board.plan.title,
            "first_year": board.plan.first_year, "last_year": board.plan.last_year},
        "targets": [{"kind": t.kind, "district": t.district.code if t.district else None,
                     "stage": t.stage.value, "measure": t.measure, "target": t.value,
                     "reached": t.reached, "total": t.total, "percent": t.percent,
                     "met": t.met} for t in board.targets],
        "by_kind": [{"kind": k, "total": sum(board.by_kind[k].values()),
                     "stages": {s.value: board.by_kind[k].get(s.value, 0) for s in Stage}}
                    for k in board.kinds()],
        "districts": [{"district": d.district.code, "name": d.district.name,
                       "communes": d.communes, "scheduled": d.scheduled,
                       "applying": d.reached, "percent": d.percent,
                       "target": d.target.value if d.target else None}
                      for d in board.districts],
        "activity": {"issued": board.activity.issued, "revised": board.activity.revised,
                     "audits": board.activity.audits, "findings": board.activity.findings,
                     "open_findings": board.activity.open_findings,
                     "overdue_findings": board.activity.overdue_findings},
        "tthc_coverage": board.coverage.total.as_dict(),
        "declared": board.declared,
        "reports_submitted": board.reports,
    }
