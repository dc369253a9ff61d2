"""Whether an agency must declare its QMS conformity again: the one rule, for a change
of its documents or obligations and for a merger alike.

After its last declaration (the latest recorded in isodoc, else the date the registry
imported for one made before isodoc) an agency must declare again when:

- its scope changed (a declaration recorded in isodoc froze it): a TTHC it must cover
  was added or abolished, a document in force was issued or withdrawn since;
- an agency was merged into it on or after the declaration's day (a merger the same
  day may have come after the decision: the merged scope was not declared);
- it never declared, but an agency merged into it had: a declared scope is involved.

Who was merged into whom comes from isodoc/succession (`predecessors_by_successor`).
The rule's facts are loaded in bulk (`load`): a fixed number of queries for one agency
or for the whole province's list, then the rule runs in Python (`reasons`, `merged_into`,
`must_redeclare`); tests/test_page_costs.py counts them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select

from isodoc.agencies.models import Agency
from isodoc.declarations.models import DOCUMENTS_MAX, Declaration
from isodoc.documents.models import Document, Revision
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.succession.lineage import Predecessor, predecessors_by_successor
from isodoc.timeutil import today_local
from isodoc.tthc import coverage
from isodoc.tthc.models import Level, Tthc, TthcBody, TthcBodyMap

SHOWN = 8  # codes named per reason before "và N khác"


@dataclass(frozen=True)
class Scope:
    """What an agency's scope is on the day asked: what a declaration froze."""

    must: frozenset[str]        # codes of the TTHC it must cover
    in_force: dict[int, str]    # document id -> code, for its documents in force


@dataclass
class Facts:
    """What the rule reads, for the agencies loaded (see `load`)."""

    on: date
    heirs: dict[int, list[Predecessor]]             # successor id -> agencies merged into it
    declared: dict[int, date] = field(default_factory=dict)  # agency id -> last declared
    scopes: dict[int, Scope] = field(default_factory=dict)   # agency id -> scope on `on`


def last_declared(on: date) -> dict[int, date]:
    """Agency id -> its last declaration by `on`: the latest recorded in isodoc, else the
    registry's date (declared before isodoc); two aggregate queries."""
    out = {agency_id: day for agency_id, day in db.session.execute(
        select(Agency.id, Agency.declared_on).where(Agency.declared_on.is_not(None),
                                                    Agency.declared_on <= on))}
    out.update(db.session.execute(
        select(Declaration.agency_id, func.max(Declaration.decided_on))
        .where(Declaration.decided_on <= on).group_by(Declaration.agency_id)).all())
    return out


def scopes(agencies: Iterable[Agency], on: date) -> dict[int, Scope]:
    """Each agency's scope on `on` in at most three queries (the level catalog, the
    province-level TTHC mapped to them, their documents in force), as
    coverage.obligation_filter and services.documents_in_force see it one by one."""
    kinds = {a.id: a.kind for a in agencies}
    if not kinds:
        return {}
    ids = list(kinds)
    active = Tthc.abolished_on.is_(None)
    levels = {coverage.LEVEL_OF_KIND.get(kind) for kind in kinds.values()}
    by_level: dict[Level | None, set[str]] = defaultdict(set)
    if levels & {Level.COMMUNE, Level.DISTRICT}:
        for code, commune, district in db.session.execute(
                select(Tthc.code, Tthc.at_commune, Tthc.at_district)
                .where(active, or_(Tthc.at_commune.is_(True), Tthc.at_district.is_(True)))):
            if commune:
                by_level[Level.COMMUNE].add(code)
            if district:
                by_level[Level.DISTRICT].add(code)
    mapped: dict[int, set[str]] = defaultdict(set)
    for agency_id, code in db.session.execute(
            select(TthcBodyMap.agency_id, Tthc.code)
            .join(TthcBody, TthcBody.map_id == TthcBodyMap.id)
            .join(Tthc, Tthc.id == TthcBody.tthc_id)
            .where(active, Tthc.at_province.is_(True), TthcBodyMap.agency_id.in_(ids))):
        mapped[agency_id].add(code)
    documents: dict[int, dict[int, str]] = defaultdict(dict)
    for agency_id, document_id, code in db.session.execute(
            select(Document.agency_id, Document.id, Document.code)
            .join(Revision, Revision.document_id == Document.id)
            .where(Document.agency_id.in_(ids), coverage.in_force_filter(on))
            .order_by(Document.agency_id, Document.code)):
        if len(documents[agency_id]) < DOCUMENTS_MAX:  # as many as a declaration froze
            documents[agency_id][document_id] = code
    return {agency_id: Scope(
        frozenset(by_level.get(coverage.LEVEL_OF_KIND.get(kind), set()) | mapped[agency_id]),
        documents[agency_id]) for agency_id, kind in kinds.items()}


def load(on: date | None = None, agencies: Iterable[Agency] = (), *,
         declared: bool = True) -> Facts:
    """The facts for the rule: the mergers (one query), every agency's last declaration
    when `declared` (two), the scopes of `agencies` (three at most)."""
    on = on or today_local()
    return Facts(on, predecessors_by_successor(on), last_declared(on) if declared else {},
                 scopes(agencies, on))


def merged_into(facts: Facts, agency_id: int, since: date | None) -> list[Predecessor]:
    """The agencies merged into `agency_id` that call for a new declaration, when it
    last declared on `since` (None: never)."""
    preds = facts.heirs.get(agency_id, [])
    if since is not None:
        return [p for p in preds if p.dissolved_on >= since]
    return preds if any(p.id in facts.declared for p in preds) else []


def _named(prefix: str, names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN])
    if len(names) > SHOWN:
        shown = _("%(names)s và %(n)s khác", names=shown, n=len(names) - SHOWN)
    return _("%(what)s: %(names)s.", what=prefix, names=shown)


def reasons(declaration: Declaration, facts: Facts) -> list[str]:
    """Why the agency must declare again after `declaration` (empty when nothing
    changed), its scope taken from `facts` (loaded with the declaration's agency)."""
    scope = facts.scopes[declaration.agency_id]
    out = []
    frozen = {t.tthc_code for t in declaration.tthc}
    added = sorted(scope.must - frozen)
    gone = sorted(frozen - scope.must)
    if added:
        out.append(_named(_("TTHC mới đơn vị phải giải quyết"), added))
    if gone:
        out.append(_named(_("TTHC đã bãi bỏ hoặc không còn thuộc đơn vị"), gone))
    before = {d.document_id: d.code for d in declaration.documents}
    issued = sorted(code for i, code in scope.in_force.items() if i not in before)
    withdrawn = sorted(code for i, code in before.items() if i not in scope.in_force)
    if issued:
        out.append(_named(_("Tài liệu mới ban hành sau công bố"), issued))
    if withdrawn:
        out.append(_named(_("Tài liệu đã thu hồi hoặc hết hiệu lực"), withdrawn))
    merged = merged_into(facts, declaration.agency_id, declaration.decided_on)
    if merged:
        out.append(_named(_("Đơn vị sáp nhập vào sau công bố"),
                          sorted(p.name for p in merged)))
    return out


@dataclass
class Redeclaration:
    """A successor that must declare again because of a merger."""

    agency: Agency
    merged: list[Predecessor]     # every agency merged into it, nearest first
    merged_on: date               # the latest merger into it
    declared_on: date | None      # its own last declaration


def must_redeclare(on: date | None = None, facts: Facts | None = None) -> list[Redeclaration]:
    """Live agencies that must declare again because of a merger (see `merged_into`),
    by name; one query more than the facts (the successors)."""
    on = on or today_local()
    facts = facts if facts is not None else load(on)
    if not facts.heirs:
        return []
    agencies = {a.id: a for a in db.session.scalars(
        select(Agency).where(Agency.id.in_(list(facts.heirs))))}
    out = []
    for successor_id, preds in facts.heirs.items():
        agency = agencies.get(successor_id)
        if agency is None or agency.is_dissolved(on):
            continue
        own = facts.declared.get(successor_id)
        if merged_into(facts, successor_id, own):
            out.append(Redeclaration(agency, preds, max(p.dissolved_on for p in preds), own))
    return sorted(out, key=lambda r: r.agency.name)
