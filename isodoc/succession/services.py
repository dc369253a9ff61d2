"""The QMS across a reorganisation (the 2025 mergers of communes, a move in the
registry). An agency merged into another (dissolved with a successor, on the agency
page or by a registry import) keeps its documents, read-only. Its successor:

- sees the predecessors' documents in force, marked with where they come from;
- adopts one as its own draft in one step (its own name in place of the
  predecessor's, then its own review, approval and issue), as a TTHC model is adopted;
- counts a predecessor's TTHC procedure in its coverage until it issues its own
  (isodoc/tthc/coverage.py asks `lineage` for that);
- must declare conformity again: the rule is the declarations' (`must_redeclare`,
  isodoc/declarations/redeclare.py), fed with who was merged into whom from `lineage`.

A move (an agency placed under another parent) keeps its own documents and code: there
is nothing to carry over, and its TTHC obligations follow its kind."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from isodoc import audit, policy
from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.declarations.redeclare import Redeclaration, must_redeclare
from isodoc.documents import services as documents
from isodoc.documents.models import Document, DocumentKind, Revision, RevisionState
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.policy import Action
from isodoc.succession.lineage import Predecessor, predecessors_of
from isodoc.succession.models import InheritedAdoption
from isodoc.timeutil import today_local

__all__ = ["Inherited", "Redeclaration", "adopt", "free_code", "inherited_documents",
           "localise", "must_redeclare"]

INHERITED_MAX = 2000  # documents listed from all predecessors together


@dataclass
class Inherited:
    """A predecessor's document in force, as its successor sees it."""

    origin: Predecessor
    document: Document
    revision: Revision                    # the revision in force
    adoption: InheritedAdoption | None    # the successor's live adoption of it, if any


def inherited_documents(agency: Agency, on: date | None = None) -> list[Inherited]:
    """The documents in force of every agency merged into `agency` (at most
    INHERITED_MAX), with the successor's adoption of each."""
    on = on or today_local()
    preds = predecessors_of(agency, on)
    if not preds:
        return []
    by_id = {p.id: p for p in preds}
    docs = db.session.scalars(
        select(Document).where(Document.agency_id.in_(list(by_id)))
        .options(selectinload(Document.revisions))
        .order_by(Document.agency_id, Document.code).limit(INHERITED_MAX)).all()
    adoptions = {}
    for a in db.session.scalars(select(InheritedAdoption).where(
            InheritedAdoption.agency_id == agency.id).order_by(InheritedAdoption.id)):
        if a.revision.state != RevisionState.CANCELLED and a.document.withdrawn_on is None:
            adoptions[a.source_document_id] = a
    out = []
    for document in docs:
        current = documents.in_force(document, on)
        if current is not None:
            out.append(Inherited(by_id[document.agency_id], document, current,
                                 adoptions.get(document.id)))
    order = {p.id: n for n, p in enumerate(preds)}
    out.sort(key=lambda i: (order[i.origin.id], i.document.code))
    return out


def free_code(agency: Agency, code: str) -> str:
    """`code`, or `code-2`, `code-3`… when the successor already has a document so coded
    (three merged communes each had a QT-01)."""
    taken = set(db.session.scalars(select(Document.code).where(Document.agency_id == agency.id)))
    slugs = set(db.session.scalars(select(Document.slug).where(Document.agency_id == agency.id)))
    for n in range(1, 100):
        candidate = code if n == 1 else f"{code[:44]}-{n}"
        if candidate not in taken and documents.slugify(candidate) not in slugs:
            return candidate
    raise InvalidInput(_("Không tìm được mã còn trống cho %(code)s: hãy đổi mã tài liệu của "
                         "đơn vị.", code=code))


def localise(body: str, origin: Predecessor, agency: Agency) -> str:
    """The predecessor's text with the successor's name in place of the predecessor's."""
    return re.sub(re.escape(origin.name), agency.name, body)


def adopt(agency: Agency, source: Document, actor: User) -> Revision:
    """The successor's own draft from a predecessor's document in force: one step, then
    the usual review, approval and issue. The adoption keeps the revision taken."""
    policy.require(actor, Action.DOC_CREATE, agency)
    origin = next((p for p in predecessors_of(agency) if p.id == source.agency_id), None)
    if origin is None:
        raise InvalidInput(_("%(code)s không phải tài liệu của đơn vị đã sáp nhập vào "
                             "%(agency)s.", code=source.code, agency=agency.name))
    current = documents.in_force(source)
    if current is None:
        raise InvalidInput(_("%(code)s không còn bản đang hiệu lực để kế thừa.",
                             code=source.code))
    live = db.session.scalars(select(InheritedAdoption).where(
        InheritedAdoption.agency_id == agency.id,
        InheritedAdoption.source_document_id == source.id)).all()
    if any(a.revision.state != RevisionState.CANCELLED and a.document.withdrawn_on is None
           for a in live):
        raise InvalidInput(_("%(agency)s đã kế thừa %(code)s của %(origin)s.",
                             agency=agency.name, code=source.code, origin=origin.name))
    if current.tthc_code:
        from isodoc.tthc import services as tthc_services
        from isodoc.tthc.drafting import refuse_second_draft

        tthc = tthc_services.get(current.tthc_code)
        if tthc is not None:
            refuse_second_draft(agency, tthc)
    _head, body = documents.read_parts(current)
    fields = documents.DocumentFields(
        title=current.title, kind=DocumentKind(current.kind), tthc_code=current.tthc_code or "",
        field=current.field or "", iso_clauses=current.iso_clauses,
        review_months=current.review_months)
    code = free_code(agency, source.code)
    draft = documents.create_document(agency, actor, code, fields, localise(body, origin, agency))
    db.session.add(InheritedAdoption(agency=agency, source_document=source,
                                     source_number=current.number, document=draft.document,
                                     revision=draft, adopted_by=actor))
    db.session.flush()
    audit.record("succession.adopt", "document", f"{agency.code}/{code}", actor=actor,
                 agency_id=agency.id,
                 summary=f"kế thừa {origin.code}/{source.code} "  # i18n: vi-only
                         f"lần {current.number}")
    return draft
