"""The QMS stage of an agency, derived from its records, never typed.

    not_started  no document at all (and no ISO 9001:2008 system in the registry)
    iso2008      the registry says it ran an ISO 9001:2008 system; nothing new yet
    building     documents drafted, none issued yet
    applying     documents issued (the QMS is applied)
    audited      applying, and an internal audit completed
    declared     a conformity declaration decided (công bố phù hợp TCVN ISO 9001:2015)

Each stage holds by the end of a given day (for the dashboard: 31/12 of the chosen year),
so a year's figures do not change when later records arrive. The whole province is
computed from a fixed number of aggregate queries (agencies, documents, audits,
declarations), never a query per agency.

The 'declared' step reads the conformity declarations recorded in isodoc
(`declared_on_by_agency()`, isodoc/declarations), never a status typed by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import case, func, or_, select

from isodoc.agencies.models import Agency, QmsStatus
from isodoc.audits.models import Audit, AuditState
from isodoc.documents.models import Document, Revision, RevisionState
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.timeutil import utc_start_of


class Stage(StrEnum):
    NOT_STARTED = "not_started"
    ISO2008 = "iso2008"
    BUILDING = "building"
    APPLYING = "applying"
    AUDITED = "audited"
    DECLARED = "declared"

    @property
    def rank(self) -> int:
        return list(Stage).index(self)

    @property
    def label(self) -> str:
        return {
            "not_started": _("Chưa xây dựng"),
            "iso2008": _("Đang áp dụng ISO 9001:2008 (chưa chuyển đổi)"),
            "building": _("Đang xây dựng tài liệu"),
            "applying": _("Đã ban hành tài liệu, đang áp dụng"),
            "audited": _("Đã đánh giá nội bộ"),
            "declared": _("Đã công bố phù hợp TCVN ISO 9001:2015"),
        }[self.value]

    @property
    def short(self) -> str:
        return {"not_started": _("Chưa xây dựng"), "iso2008": "ISO 9001:2008",
                "building": _("Đang xây dựng"), "applying": _("Đang áp dụng"),
                "audited": _("Đã đánh giá nội bộ"), "declared": _("Đã công bố")}[self.value]

    def at_least(self, other: Stage | str) -> bool:
        return self.rank >= Stage(other).rank


# The stages a target may ask for ("applying or beyond", "declared").
TARGET_STAGES = (Stage.APPLYING, Stage.AUDITED, Stage.DECLARED)


def declared_on_by_agency(until: date) -> dict[int, date]:
    """The latest conformity declaration decided on or before `until`, per agency id,
    in one aggregate query."""
    from isodoc.declarations.models import Declaration

    return dict(db.session.execute(
        select(Declaration.agency_id, func.max(Declaration.decided_on))
        .where(Declaration.decided_on <= until)
        .group_by(Declaration.agency_id)).all())


# The function the stage computation calls: tests (and the merge) swap it.
DECLARATIONS = {"source": declared_on_by_agency}


@dataclass
class Records:
    """What an agency has on record by the end of the day."""

    documents: int = 0       # documents created (drafted or issued)
    issued: int = 0          # documents with an issued revision
    audits: int = 0          # internal audits completed
    declared_on: date | None = None
    baseline: str = QmsStatus.NOT_STARTED  # the registry's starting point (2008 or not)

    @property
    def stage(self) -> Stage:
        return stage_of(self)


def stage_of(records: Records) -> Stage:
    if records.declared_on is not None:
        return Stage.DECLARED
    if records.issued and records.audits:
        return Stage.AUDITED
    if records.issued:
        return Stage.APPLYING
    if records.documents:
        return Stage.BUILDING
    if records.baseline == QmsStatus.ISO2008:
        return Stage.ISO2008
    return Stage.NOT_STARTED


def end_of(on: date) -> datetime:
    """The first instant after the day `on` in Vietnam, as the naive UTC of stored times
    (a record made at 00:30 on the 27th in Hà Nội is stored as 17:30 UTC on the 26th:
    it is not the 26th's)."""
    return utc_start_of(on + timedelta(days=1))


def records_by_agency(until: date, agency_ids: list[int] | None = None,
                      declarations: Mapping[int, date] | None = None) -> dict[int, Records]:
    """Every agency's records by the end of `until`: three aggregate queries (agencies,
    documents, audits) plus the declarations input, whatever the number of agencies."""
    limit = end_of(until)
    agencies = select(Agency.id, Agency.qms_status)
    if agency_ids is not None:
        agencies = agencies.where(Agency.id.in_(agency_ids))
    out = {agency_id: Records(baseline=status)
           for agency_id, status in db.session.execute(agencies)}
    issued = case((Revision.state == RevisionState.ISSUED, Revision.document_id))
    docs = (select(Document.agency_id, func.count(func.distinct(Document.id)),
                   func.count(func.distinct(issued)))
            .select_from(Document)
            .outerjoin(Revision, (Revision.document_id == Document.id) &
                       or_(Revision.issued_at.is_(None), Revision.issued_at < limit))
            .where(Document.created_at < limit)
            .group_by(Document.agency_id))
    for agency_id, n_docs, n_issued in db.session.execute(docs):
        if agency_id in out:
            out[agency_id].documents, out[agency_id].issued = n_docs, n_issued
    audits = (select(Audit.agency_id, func.count(Audit.id))
              .where(Audit.state == AuditState.COMPLETED, Audit.completed_at < limit)
              .group_by(Audit.agency_id))
    for agency_id, n in db.session.execute(audits):
        if agency_id in out:
            out[agency_id].audits = n
    declared = DECLARATIONS["source"](until) if declarations is None else declarations
    for agency_id, on in declared.items():
        if agency_id in out and on is not None and on <= until:
            out[agency_id].declared_on = on
    return out


def stages(until: date, agency_ids: list[int] | None = None) -> dict[int, Stage]:
    """Each agency's stage by the end of `until` (see records_by_agency)."""
    return {agency_id: r.stage for agency_id, r in records_by_agency(until, agency_ids).items()}


def stage_of_agency(agency: Agency, until: date) -> Stage:
    return stages(until, [agency.id]).get(agency.id, Stage.NOT_STARTED)
