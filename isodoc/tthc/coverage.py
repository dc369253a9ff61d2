"""Coverage: for each TTHC an agency must cover, is an issued procedure in force linked
to it (covered), is there none (missing), or did the TTHC change after that procedure's
revision in force took effect (stale)?

Who must cover what: every commune the commune-level TTHC, every district the
district-level ones, and for province-level TTHC the agencies their executing bodies are
mapped to. The province view is computed from four queries whatever the number of
agencies (catalog, agencies, body mappings, procedures in force), then counted in
Python: no query per agency."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import and_, exists, false, or_, select
from sqlalchemy.orm import aliased

from isodoc.agencies.models import Agency, AgencyKind
from isodoc.documents.models import Document, Revision, RevisionState
from isodoc.extensions import db
from isodoc.timeutil import LOCAL_TZ, today_local
from isodoc.tthc.models import Level, Tthc, TthcBody, TthcBodyMap

COVERED, STALE, MISSING = "covered", "stale", "missing"
STATE_LABELS = {COVERED: "Đã có quy trình", STALE: "Cần sửa đổi (TTHC đã thay đổi)",
                MISSING: "Chưa có quy trình"}
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

    @property
    def took_effect_at(self) -> datetime:
        """When the revision in force took effect (naive UTC, like stored times): its
        effective day's local midnight, or its issue if it was issued later that day."""
        start = datetime.combine(self.effective_date, time(), LOCAL_TZ).astimezone(UTC) \
            .replace(tzinfo=None)
        return max(start, self.issued_at) if self.issued_at else start


def in_force_procedures(agency_ids: list[int] | None = None,
                        on: date | None = None) -> list[Procedure]:
    """Every document's revision in force (DESIGN invariant 8) that names a TTHC code, in
    one query: issued, not superseded before effect, in effect by `on`, no later one in
    effect, its document not withdrawn by then."""
    on = on or today_local()
    later = aliased(Revision)
    in_effect = and_(Revision.state == RevisionState.ISSUED,
                     Revision.superseded_before_effect.is_(False),
                     Revision.effective_date <= on)
    newer = exists().where(later.document_id == Revision.document_id,
                           later.state == RevisionState.ISSUED,
                           later.superseded_before_effect.is_(False),
                           later.effective_date <= on, later.number > Revision.number)
    stmt = select(Document.agency_id, Revision.tthc_code, Document.id, Document.code,
                  Document.slug, Revision.title, Revision.number, Revision.issued_at,
                  Revision.effective_date).join(Revision, Revision.document_id == Document.id) \
        .where(in_effect, ~newer, Revision.tthc_code.is_not(None),
               or_(Document.withdrawn_on.is_(None), Document.withdrawn_on > on))
    if agency_ids is not None:
        stmt = stmt.where(Document.agency_id.in_(agency_ids) if agency_ids else false())
    return [Procedure(*row) for row in db.session.execute(stmt)]


def state_of(tthc: Tthc | tuple, procedure: Procedure | None) -> str:
    if procedure is None:
        return MISSING
    changed_at = tthc.changed_at if isinstance(tthc, Tthc) else tthc[1]
    return STALE if changed_at is not None and changed_at > procedure.took_effect_at \
        else COVERED


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
    items = [Item(t, state_of(t, procedures.get(t.code)), procedures.get(t.code))
             for t in tthcs]
    counts = Counts(must=len(items), covered=sum(i.state == COVERED for i in items),
                    stale=sum(i.state == STALE for i in items))
    return AgencyCoverage(agency, items, counts)


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


def province_coverage(on: date | None = None) -> ProvinceCoverage:
    catalog = db.session.execute(select(
        Tthc.id, Tthc.code, Tthc.changed_at, Tthc.at_province, Tthc.at_district,
        Tthc.at_commune).where(Tthc.abolished_on.is_(None))).all()
    agencies = db.session.execute(select(Agency.id, Agency.code, Agency.name, Agency.kind,
                                         Agency.parent_id)
                                  .where(Agency.dissolved_on.is_(None))
                                  .order_by(Agency.name)).all()
    mapped: dict[int, set[int]] = defaultdict(set)
    for tthc_id, agency_id in db.session.execute(
            select(TthcBody.tthc_id, TthcBodyMap.agency_id).join(TthcBodyMap)
            .join(Tthc, Tthc.id == TthcBody.tthc_id)
            .where(TthcBodyMap.agency_id.is_not(None), Tthc.at_province.is_(True),
                   Tthc.abolished_on.is_(None))):
        mapped[agency_id].add(tthc_id)
    by_code = {t.code: t for t in catalog}
    by_id = {t.id: t for t in catalog}
    n_district = sum(1 for t in catalog if t.at_district)
    n_commune = sum(1 for t in catalog if t.at_commune)
    parent = {a.id: a.parent_id for a in agencies}
    kind = {a.id: a.kind for a in agencies}

    def district_of(agency_id: int) -> int | None:
        node, seen = agency_id, 0
        while node is not None and seen < 20:
            if kind.get(node) == AgencyKind.DISTRICT:
                return node
            node, seen = parent.get(node), seen + 1
        return None

    rows = {a.id: Row(a.id, a.code, a.name, a.kind, district_of(a.id)) for a in agencies}

    def must_cover(agency_id: int, t) -> bool:
        level = LEVEL_OF_KIND.get(kind.get(agency_id))
        return (level is Level.COMMUNE and t.at_commune) or \
            (level is Level.DISTRICT and t.at_district) or t.id in mapped.get(agency_id, ())

    for row in rows.values():
        level = LEVEL_OF_KIND.get(row.kind)
        base = n_commune if level is Level.COMMUNE else n_district \
            if level is Level.DISTRICT else 0
        extra = mapped.get(row.id, set())
        if level is not None:
            flag = "at_commune" if level is Level.COMMUNE else "at_district"
            extra = {i for i in extra if not getattr(by_id[i], flag)}
        row.counts.must = base + len(extra)
    seen: set[tuple[int, int]] = set()
    for p in in_force_procedures(None, on):
        t = by_code.get(p.tthc_code)
        row = rows.get(p.agency_id)
        if t is None or row is None or (p.agency_id, t.id) in seen or \
                not must_cover(p.agency_id, t):
            continue
        seen.add((p.agency_id, t.id))
        if state_of((t.id, t.changed_at), p) == STALE:
            row.counts.stale += 1
        else:
            row.counts.covered += 1
    districts, by_level = [], {lv.value: Counts() for lv in Level}
    province_level, total = Counts(), Counts()
    per_district: dict[int, tuple[Counts, list[int]]] = {}
    for row in rows.values():
        if row.counts.must == 0:
            continue
        level = LEVEL_OF_KIND.get(row.kind, Level.PROVINCE)
        by_level[level.value].add(row.counts)
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
    shown = sorted((r for r in rows.values() if r.counts.must),
                   key=lambda r: (r.district_id is not None, r.kind != "district", r.name))
    return ProvinceCoverage(shown, districts, by_level, province_level, total,
                            {"tinh": sum(1 for t in catalog if t.at_province),
                             "huyen": n_district, "xa": n_commune})
