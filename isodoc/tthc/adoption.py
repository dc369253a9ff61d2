"""Model procedures (quy trình mẫu): a department or the overseer publishes an issued
procedure as the province's model for a TTHC; each agency that must cover the TTHC adopts
it into its own draft (its own name filled in, then its own review, approval, issue),
and follows each later model revision with a revision of its own. Every adoption keeps
the model revision it took."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from isodoc import audit, policy
from isodoc.agencies.models import Agency
from isodoc.auth.models import Role, User
from isodoc.documents import services as documents
from isodoc.documents.models import Document, DocumentKind, Revision, RevisionState
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.policy import Action
from isodoc.tthc.drafting import document_code, must_cover, refuse_second_draft
from isodoc.tthc.models import Adoption, ModelProcedure, Tthc


def model_for(tthc: Tthc) -> ModelProcedure | None:
    return db.session.scalar(select(ModelProcedure).where(ModelProcedure.tthc_id == tthc.id))


def publish(tthc: Tthc, document: Document, actor) -> ModelProcedure:
    """Make `document` (its revision in force names the TTHC) the province's model."""
    policy.require(actor, Action.MODEL_PUBLISH, document)
    current = documents.in_force(document)
    if current is None or current.tthc_code != tthc.code:
        raise InvalidInput(_("%(document)s không có bản đang hiệu lực gắn với TTHC %(code)s: "
                             "chỉ quy trình đã ban hành mới làm mẫu được.",
                             document=document.code, code=tthc.code))
    if tthc.abolished_on is not None:
        raise InvalidInput(_("TTHC %(code)s đã bị bãi bỏ.", code=tthc.code))
    model = model_for(tthc)
    if model is None:
        model = ModelProcedure(tthc=tthc)
        db.session.add(model)
    elif model.document_id != document.id and model.adoptions:
        raise InvalidInput(_("Quy trình mẫu hiện tại đã có đơn vị áp dụng: hãy sửa đổi quy "
                             "trình mẫu đó thay vì thay bằng tài liệu khác."))
    model.document = document
    model.published_by = actor if getattr(actor, "id", None) else None
    db.session.flush()
    audit.record("tthc.model_publish", "tthc_model", model.id,
                 actor=actor if getattr(actor, "id", None) else None,
                 agency_id=document.agency_id,
                 summary=f"{tthc.code}: {document.agency.code}/{document.code} "
                         f"lần {current.number}")  # i18n: vi-only
    return model


def localise(body: str, model: ModelProcedure, agency: Agency) -> str:
    """The model's text with the adopting agency's name in place of the model's."""
    return body.replace(model.document.agency.name, agency.name)


def adopted(model: ModelProcedure, agency: Agency) -> list[Adoption]:
    return [a for a in model.adoptions if a.agency_id == agency.id]


def adopt(model: ModelProcedure, agency: Agency, actor: User,
          revision: Revision | None = None) -> Revision:
    """The agency's own draft from the model's revision in force (or `revision`)."""
    policy.require(actor, Action.DOC_CREATE, agency)
    tthc = model.tthc
    source = revision or documents.in_force(model.document)
    if source is None:
        raise InvalidInput(_("Quy trình mẫu không còn bản đang hiệu lực."))
    if model.document.agency_id == agency.id:
        raise InvalidInput(_("Đây là quy trình mẫu của chính đơn vị."))
    if not must_cover(agency, tthc):
        raise InvalidInput(_("%(agency)s không phải thực hiện TTHC %(code)s.",
                             agency=agency.name, code=tthc.code))
    if any(a.document.withdrawn_on is None and a.revision.state != RevisionState.CANCELLED
           for a in adopted(model, agency)):
        raise InvalidInput(_("%(agency)s đã áp dụng quy trình mẫu này.", agency=agency.name))
    refuse_second_draft(agency, tthc)
    meta, body = documents.read_parts(source)
    code = model.document.code
    if db.session.scalar(select(Document.id).where(Document.agency_id == agency.id,
                                                   Document.code == code)) is not None:
        code = document_code(tthc)
    fields = documents.DocumentFields(
        title=source.title, kind=DocumentKind.TTHC, tthc_code=tthc.code,
        field=source.field or "", iso_clauses=source.iso_clauses,
        review_months=source.review_months)
    draft = documents.create_document(agency, actor, code, fields, localise(body, model, agency))
    db.session.add(Adoption(model=model, agency=agency, document=draft.document,
                            revision=draft, model_number=source.number, adopted_by=actor))
    return draft


def follow(adoption: Adoption, actor: User) -> Revision:
    """The agency's procedure brought to the model's newer revision: a new revision of
    it, or one more save of its open draft (both ask the policy themselves)."""
    model, document = adoption.model, adoption.document
    current = documents.in_force(model.document)
    latest = max(a.model_number for a in model.adoptions
                 if a.agency_id == adoption.agency_id and a.document_id == document.id)
    if current is None or current.number <= latest:
        raise InvalidInput(_("Quy trình mẫu chưa có bản mới hơn bản đơn vị đã áp dụng."))
    # the adoption's own draft, not yet issued, takes the newer model text as one more
    # save; an issued procedure gets a new revision
    draft = documents.open_revision(document) or documents.start_revision(document, actor)
    _meta, body = documents.read_parts(current)
    fields = documents.DocumentFields(
        title=current.title, kind=DocumentKind.TTHC, tthc_code=model.tthc.code,
        field=current.field or "", iso_clauses=current.iso_clauses,
        review_months=current.review_months)
    # the revision's record of changes is the document's content: in Vietnamese
    documents.save_draft(
        draft, actor, draft.head_sha, fields, localise(body, model, document.agency),
        change_location="Toàn bộ quy trình",  # i18n: vi-only
        change_summary=f"Áp dụng quy trình mẫu {model.document.code} lần "  # i18n: vi-only
                       f"{current.number}",
        reason=f"Quy trình mẫu của {model.document.agency.name} sửa đổi lần "  # i18n: vi-only
               f"{current.number}" + (f": {current.change_summary}"
                                      if current.change_summary else ""))
    db.session.add(Adoption(model=model, agency=document.agency, document=document,
                            revision=draft, model_number=current.number, adopted_by=actor))
    return draft


@dataclass
class Standing:
    """An agency's adoption of a model: the model revision it last took, the one in
    force in the agency (taken into an issued revision), and the model's newest."""

    adoption: Adoption      # the latest
    taken: int              # model revision of the latest adoption
    issued: int | None      # model revision of the latest adoption the agency issued
    model_current: int | None

    @property
    def behind(self) -> bool:
        return self.model_current is not None and self.model_current > self.taken


def standings(model: ModelProcedure) -> list[Standing]:
    current = documents.in_force(model.document)
    by_agency: dict[int, list[Adoption]] = {}
    for a in model.adoptions:
        by_agency.setdefault(a.agency_id, []).append(a)
    out = []
    for rows in by_agency.values():
        live = [a for a in rows if a.revision.state != RevisionState.CANCELLED] or rows
        issued = [a.model_number for a in live if a.revision.state == RevisionState.ISSUED]
        out.append(Standing(live[-1], max(a.model_number for a in live),
                            max(issued) if issued else None,
                            current.number if current else None))
    return sorted(out, key=lambda s: s.adoption.agency.name)


def all_models() -> list[ModelProcedure]:
    return db.session.scalars(select(ModelProcedure).options(
        selectinload(ModelProcedure.adoptions)).order_by(ModelProcedure.id)).all()


def agency_adoptions(agency: Agency) -> list[Standing]:
    models = db.session.scalars(select(ModelProcedure).where(ModelProcedure.adoptions.any(
        Adoption.agency_id == agency.id))).all()
    return [s for m in models for s in standings(m) if s.adoption.agency_id == agency.id]


@dataclass
class WorkItem:
    code: str
    title: str
    agency: str
    url: str
    note: str


def model_work(user: User) -> list[WorkItem]:
    """The secretary's work list: a model revised since the agency last took it."""
    agencies = [m.agency for m in user.memberships if m.role == Role.SECRETARY]
    out = []
    for agency in agencies:
        for s in agency_adoptions(agency):
            if s.behind:
                d = s.adoption.document
                out.append(WorkItem(d.code, d.title, agency.name,
                                    url_for("tthc.adoptions", agency_code=agency.code),
                                    _("Quy trình mẫu đã sửa đổi: lần %(taken)s → lần "
                                      "%(current)s; xem khác biệt và áp dụng",
                                      taken=s.taken, current=s.model_current)))
    return out
