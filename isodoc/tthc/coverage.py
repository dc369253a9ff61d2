"""Coverage: for each TTHC an agency must cover, is an issued procedure in force linked
to it (covered), is there none (missing), or did the TTHC change after that procedure's
revision in force was issued (stale)? A revision takes effect on or after its issue, so
a TTHC changed after the revision took effect is stale; so is one changed between the
issue and the effective date, since the text issued could not reflect the change.

Who must cover what: every commune the commune-level TTHC, every district the
district-level ones, and for province-level TTHC the agencies their executing bodies are
mapped to. The province view is computed from four aggregate queries whatever the
number of agencies (catalog counts per level, agencies, body mappings per agency,
covered and stale per agency), never a query per agency."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import and_, case, distinct, exists, false, func, or_, select
from sqlalchemy.orm import aliased

from isodoc.agencies.models import Agency, AgencyKind
from isodoc.documents.models import Document, Revision, RevisionState
from isodoc.extensions import db
from isodoc.i18n import _l
from isodoc.timeutil import today_local, utc_start_of
from isodoc.tthc.models import Level, Tthc, TthcBody, TthcBodyMap

COVERED, STALE, MISSING = "covered", "stale", "missing"
STATE_LABELS = {COVERED: _l("Đã có quy trình"), STALE: _l("Cần sửa đổi (TTHC đã thay đổi)"),
                MISSING: _l("Chưa có quy trình")}
LEVEL_OF_KIND = {AgencyKind.COMMUNE.value: Level.COMMUNE, AgencyKind.DISTRICT.value:
                 Level.DISTRICT}


@dataclass(frozen=True)
class Procedure:
    """An issued procedure in force that names a TTHC code."""

    agency_id: int
    tthc_code: str
    document_id: int
    code: str
    slug: str
    title: str
    number: int
    issued_at: datetime | None
    effective_date: date
    # set when the procedure is a predecessor's (an agency merged into this one): the
    # successor counts it until it issues its own (isodoc/succession)
    origin_code: str | None = None
    origin_name: str | None = None

    @property
    def written_at(self) -> datetime:
        """When the revision in force was issued (naive UTC, like stored times)."""
        return self.issued_at or utc_start_of(self.effective_date)


def in_force_procedures(agency_ids: list[int] | None = None,
                        on: date | None = None) -> list[Procedure]:
    """Every document's revision in force (DESIGN invariant 8) that names a TTHC code, in
    one query: issued, not superseded before effect, in effect by `on`, no later one in
    effect, its document not withdrawn by then."""
    on = on or today_local()
    stmt = select(Document.agency_id, Revision.tthc_code, Document.id, Document.code,
                  Document.slug, Revision.title, Revision.number, Revision.issued_at,
                  Revision.effective_date).join(Revision, Revision.document_id == Document.id) \
        .where(in_force_filter(on), Revision.tthc_code.is_not(None))
    if agency_ids is not None:
        stmt = stmt.where(Document.agency_id.in_(agency_ids) if agency_ids else false())
    return [Procedure(*row) for row in db.session.execute(stmt)]


def state_of(tthc: Tthc | tuple, procedure: Procedure | None) -> str:
    if procedure is None:
        return MISSING
    changed_at = tthc.changed_at if isinstance(tthc, Tthc) else tthc[1]
    return STALE if changed_at is not None and changed_at > procedure.written_at else COVERED


def obligation_filter(agency: Agency):
    """The TTHC in force that `agency` must cover, as a WHERE clause on Tthc."""
    mapped = Tthc.id.in_(select(TthcBody.tthc_id).join(TthcBodyMap).where(
        TthcBodyMap.agency_id == agency.id))
    conditions = [and_(Tthc.at_province.is_(True), mapped)]
    level = LEVEL_OF_KIND.get(agency.kind)
    if level is Level.COMMUNE:
        conditions.append(Tthc.at_commune.is_(True))
    elif level is Level.DISTRICT:
        conditions.append(Tthc.at_district.is_(True))
    return and_(Tthc.abolished_on.is_(None), or_(*conditions))


@dataclass
class Item:
    tthc: Tthc
    state: str
    procedure: Procedure | None


@dataclass
class Counts:
    must: int = 0
    covered: int = 0
    stale: int = 0

    @property
    def missing(self) -> int:
        return self.must - self.covered - self.stale

    @property
    def percent(self) -> float:
        """Covered (and current) as a share of what must be covered; 100 when nothing is."""
        return round(100 * self.covered / self.must, 1) if self.must else 100.0

    def add(self, other: Counts) -> None:
        self.must += other.must
        self.covered += other.covered
        self.stale += other.stale

    def as_dict(self) -> dict:
        return {"must": self.must, "covered": self.covered, "stale": self.stale,
                "missing": self.missing, "percent": self.percent}


@dataclass
class AgencyCoverage:
    agency: Agency
    items: list[Item]
    counts: Counts

    def of(self, state: str) -> list[Item]:
        return [i for i in self.items if i.state == state]


def agency_coverage(agency: Agency, on: date | None = None) -> AgencyCoverage:
    """The agency's list (two queries): each TTHC it must cover with its state."""
    tthcs = db.session.scalars(select(Tthc).where(obligation_filter(agency))
                               .order_by(Tthc.field, Tthc.code)).all()
    procedures = {p.tthc_code: p for p in in_force_procedures([agency.id], on)}
    for p in inherited_procedures(agency.id, on):
        procedures.setdefault(p.tthc_code, p)
    items = [Item(t, state_of(t, procedures.get(t.code)), procedures.get(t.code))
             for t in tthcs]
    counts = Counts(must=len(items), covered=sum(i.state == COVERED for i in items),
                    stale=sum(i.state == STALE for i in items))
    return AgencyCoverage(agency, items, counts)


def inherited_procedures(agency_id: int, on: date | None = None) -> list[Procedure]:
    """The procedures in force of the agencies merged into `agency_id` (nearest
    predecessor first), each marked with its origin."""
    from isodoc.succession.lineage import predecessors_by_successor

    preds = predecessors_by_successor(on).get(agency_id, [])
    if not preds:
        return []
    found = in_force_procedures([p.id for p in preds], on)
    order = {p.id: n for n, p in enumerate(preds)}
    by_id = {p.id: p for p in preds}
    found.sort(key=lambda p: order[p.agency_id])
    return [replace(p, origin_code=by_id[p.agency_id].code,
                    origin_name=by_id[p.agency_id].name) for p in found]


@dataclass
class Row:
    """One agency on the province page (plain values, no ORM objects)."""

    id: int
    code: str
    name: str
    kind: str
    district_id: int | None
    counts: Counts = field(default_factory=Counts)


@dataclass
class ProvinceCoverage:
    agencies: list[Row]
    districts: list[tuple[Row, Counts, int]]  # district, its agencies' counts, how many
    by_level: dict[str, Counts]
    province_level: Counts   # agencies outside every district
    total: Counts
    catalog: dict[str, int]  # TTHC in force per level


# A later revision of the same document, for in_force_filter: an alias is immutable and
# building one cost 1.9 ms, at every home page (the TTHC and declaration work lists).
LATER = aliased(Revision, name="later_revision")


def in_force_filter(on: date):
    """Revision is a document's revision in force on `on` (as a WHERE clause)."""
    later = LATER
    newer = exists().where(later.document_id == Revision.document_id,
                           later.state == RevisionState.ISSUED,
                           later.superseded_before_effect.is_(False),
                           later.effective_date <= on, later.number > Revision.number)
    return and_(Revision.state == RevisionState.ISSUED,
                Revision.superseded_before_effect.is_(False), Revision.effective_date <= on,
                ~newer, or_(Document.withdrawn_on.is_(None), Document.withdrawn_on > on))


def successor_counts(kinds: dict[int, str], on: date) -> dict[int, Counts]:
    """Covered and stale as `agency_coverage` counts them (own procedures first, then the
    predecessors', nearest first) for those of `kinds` (agency id -> kind) that took
    others over, in four queries whatever their number."""
    from isodoc.succession.lineage import predecessors_by_successor

    heirs = {a: preds for a, preds in predecessors_by_successor(on).items() if a in kinds}
    if not heirs:
        return {}
    active = Tthc.abolished_on.is_(None)
    levels: dict[Level, list[tuple[str, datetime | None]]] = {Level.COMMUNE: [],
                                                             Level.DISTRICT: []}
    if {LEVEL_OF_KIND.get(kinds[a]) for a in heirs} & set(levels):
        for code, changed_at, commune, district in db.session.execute(
                select(Tthc.code, Tthc.changed_at, Tthc.at_commune, Tthc.at_district)
                .where(active, or_(Tthc.at_commune.is_(True), Tthc.at_district.is_(True)))):
            if commune:
                levels[Level.COMMUNE].append((code, changed_at))
            if district:
                levels[Level.DISTRICT].append((code, changed_at))
    mapped: dict[int, list[tuple[str, datetime | None]]] = {}
    for agency_id, code, changed_at in db.session.execute(
            select(TthcBodyMap.agency_id, Tthc.code, Tthc.changed_at).distinct()
            .join(TthcBody, TthcBody.map_id == TthcBodyMap.id)
            .join(Tthc, Tthc.id == TthcBody.tthc_id)
            .where(active, Tthc.at_province.is_(True), TthcBodyMap.agency_id.in_(list(heirs)))):
        mapped.setdefault(agency_id, []).append((code, changed_at))
    found: dict[int, list[Procedure]] = {}
    for p in in_force_procedures(list(heirs) + [p.id for ps in heirs.values() for p in ps], on):
        found.setdefault(p.agency_id, []).append(p)
    out = {}
    for agency_id, preds in heirs.items():
        procedures = {p.tthc_code: p for p in found.get(agency_id, [])}
        for pred in preds:  # nearest first: the nearest predecessor's procedure counts
            for p in found.get(pred.id, []):
                procedures.setdefault(p.tthc_code, p)
        must = dict(levels.get(LEVEL_OF_KIND.get(kinds[agency_id]), []))  # type: ignore[arg-type]
        must.update(mapped.get(agency_id, []))
        states = [state_of((code, changed_at), procedures.get(code))
                  for code, changed_at in must.items()]
        out[agency_id] = Counts(must=len(states), covered=states.count(COVERED),
                                stale=states.count(STALE))
    return out


def province_coverage(on: date | None = None) -> ProvinceCoverage:
    on = on or today_local()
    active = Tthc.abolished_on.is_(None)
    levels = db.session.execute(select(
        func.count(case((Tthc.at_province.is_(True), 1))),
        func.count(case((Tthc.at_district.is_(True), 1))),
        func.count(case((Tthc.at_commune.is_(True), 1)))).where(active)).one()
    n_province, n_district, n_commune = levels
    agencies = db.session.execute(select(Agency.id, Agency.code, Agency.name, Agency.kind,
                                         Agency.parent_id)
                                  .where(Agency.dissolved_on.is_(None))
                                  .order_by(Agency.name)).all()
    # province-level TTHC per agency through the body mapping, not counting those the
    # agency covers by its level already
    by_level = or_(and_(Agency.kind == AgencyKind.COMMUNE, Tthc.at_commune.is_(True)),
                   and_(Agency.kind == AgencyKind.DISTRICT, Tthc.at_district.is_(True)))
    mapped = dict(db.session.execute(
        select(TthcBodyMap.agency_id, func.count(distinct(TthcBody.tthc_id)))
        .join(TthcBody, TthcBody.map_id == TthcBodyMap.id)
        .join(Tthc, Tthc.id == TthcBody.tthc_id)
        .join(Agency, Agency.id == TthcBodyMap.agency_id)
        .where(active, Tthc.at_province.is_(True), ~by_level)
        .group_by(TthcBodyMap.agency_id)).all())
    must_cover = or_(by_level, and_(Tthc.at_province.is_(True), exists().where(
        TthcBody.tthc_id == Tthc.id, TthcBody.map_id == TthcBodyMap.id,
        TthcBodyMap.agency_id == Document.agency_id)))
    stale = and_(Tthc.changed_at.is_not(None),
                 or_(Revision.issued_at.is_(None), Tthc.changed_at > Revision.issued_at))
    done = {agency_id: (covered, stale_) for agency_id, covered, stale_ in db.session.execute(
        select(Document.agency_id, func.count(distinct(case((stale, None), else_=Tthc.id))),
               func.count(distinct(case((stale, Tthc.id), else_=None))))
        .select_from(Revision).join(Document, Document.id == Revision.document_id)
        .join(Agency, Agency.id == Document.agency_id)
        .join(Tthc, Tthc.code == Revision.tthc_code)
        .where(in_force_filter(on), active, must_cover)
        .group_by(Document.agency_id))}
    parent = {a.id: a.parent_id for a in agencies}
    kind = {a.id: a.kind for a in agencies}

    def district_of(agency_id: int) -> int | None:
        node, steps = agency_id, 0
        while node is not None and steps < 20:
            if kind.get(node) == AgencyKind.DISTRICT:
                return node
            node, steps = parent.get(node), steps + 1
        return None

    rows = {}
    for a in agencies:
        row = rows[a.id] = Row(a.id, a.code, a.name, a.kind, district_of(a.id))
        level = LEVEL_OF_KIND.get(a.kind)
        base = n_commune if level is Level.COMMUNE else n_district \
            if level is Level.DISTRICT else 0
        row.counts.must = base + mapped.get(a.id, 0)
        row.counts.covered, row.counts.stale = done.get(a.id, (0, 0))
    # successors of a merger count their predecessors' procedures until they issue their
    # own: recomputed together (a reorganisation makes hundreds of them)
    heirs = {a.id: a.kind for a in agencies if rows[a.id].counts.must}
    for successor_id, counts in successor_counts(heirs, on).items():
        rows[successor_id].counts.covered = counts.covered
        rows[successor_id].counts.stale = counts.stale
    districts, per_level = [], {lv.value: Counts() for lv in Level}
    province_level, total = Counts(), Counts()
    per_district: dict[int, tuple[Counts, list[int]]] = {}
    for row in rows.values():
        if row.counts.must == 0:
            continue
        level = LEVEL_OF_KIND.get(row.kind, Level.PROVINCE)
        per_level[level.value].add(row.counts)
        total.add(row.counts)
        if row.district_id is None:
            province_level.add(row.counts)
        else:
            counts, members = per_district.setdefault(row.district_id, (Counts(), []))
            counts.add(row.counts)
            members.append(row.id)
    for district_id, (counts, members) in per_district.items():
        districts.append((rows[district_id], counts, len(members)))
    districts.sort(key=lambda d: d[0].name)
    names = {r.id: r.name for r in rows.values()}
    shown = sorted((r for r in rows.values() if r.counts.must),
                   key=lambda r: (r.district_id is not None, names.get(r.district_id, ""),
                                  r.kind != AgencyKind.DISTRICT, r.name))
    return ProvinceCoverage(shown, districts, per_level, province_level, total,
                            {"tinh": n_province, "huyen": n_district, "xa": n_commune})
