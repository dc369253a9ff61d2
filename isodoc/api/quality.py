"""Clauses, internal audits and findings over the API: the data of the UI's reports,
filtered by the same policy (a person sees the agencies they may see)."""

from __future__ import annotations

from flask import g, request
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from isodoc import standards
from isodoc.agencies.services import get_by_code
from isodoc.api import authenticate_bearer
from isodoc.api.schemas import PAGINATION_HEADER, AwareDateTime, PagedQuerySchema, iso_datetime
from isodoc.audits import services as audits
from isodoc.audits.models import Audit, AuditState
from isodoc.extensions import db
from isodoc.findings import reports
from isodoc.findings.models import Finding, FindingState, FindingType
from isodoc.findings.services import overdue_since, revision_issued
from isodoc.i18n import _, _l
from isodoc.paging import Paging
from isodoc.policy import Action, can, require

blp = Blueprint("api_quality", __name__, url_prefix="/api/v1",
                description=_l("Điều khoản ISO 9001, đánh giá nội bộ, phát hiện và hành động "
                               "khắc phục"))
blp.before_request(authenticate_bearer)


class ClauseSchema(Schema):
    number = fields.String()
    title_vi = fields.String(attribute="vi")
    title_en = fields.String(attribute="en")
    parent = fields.String(attribute="parent_number", allow_none=True)
    untitled = fields.Boolean()
    notes = fields.Function(lambda c: [{"flag": n.flag, "vi": n.vi, "en": n.en}
                                       for n in c.notes])
    iso9001_2008 = fields.Function(
        lambda c: standards.catalog().correspondence("iso9001-2008").sources_of(c.number))


def _iso(value):
    return value.isoformat() if value else None


class FindingSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    agency = fields.Function(lambda f: f.agency.code)
    year = fields.Integer()
    type = fields.String(metadata={"enum": [t.value for t in FindingType]})
    source = fields.String()
    source_note = fields.String()
    audit = fields.Function(lambda f: f.audit.code if f.audit else None)
    clauses = fields.Function(lambda f: f.clause_list)
    documents = fields.Function(lambda f: [{"code": r.document.code, "revision": r.number}
                                           for r in f.revisions])
    requirement = fields.String()
    observed = fields.String()
    state = fields.String(metadata={"enum": [s.value for s in FindingState]})
    raised_by = fields.Function(lambda f: f.raised_by.username)
    raised_at = AwareDateTime()
    response_due = fields.Date()
    correction = fields.String()
    root_cause = fields.String()
    action_plan = fields.String()
    owner = fields.Function(lambda f: f.owner.username if f.owner else None)
    due_date = fields.Date(allow_none=True)
    verify_after = fields.Date(allow_none=True)
    implemented_on = fields.Date(allow_none=True)
    verified_on = fields.Date(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    cycles = fields.Integer()
    overdue_since = fields.Function(lambda f: _iso(overdue_since(f)))
    document_revision = fields.Function(lambda f: f.revision and {
        "document": f.revision.document.code, "draft": f.revision.seq,
        "state": f.revision.state, "number": f.revision.number,
        "issued_at": iso_datetime((r := revision_issued(f)) and r.issued_at)})


class ItemSchema(Schema):
    position = fields.Integer()
    clause = fields.String(allow_none=True)
    document = fields.Function(lambda i: i.document.code if i.document else None)
    question = fields.String()
    evidence = fields.String()
    result = fields.String(allow_none=True)
    auditor = fields.Function(lambda i: i.auditor.username if i.auditor else None)


class AuditSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    agency = fields.Function(lambda a: a.agency.code)
    year = fields.Function(lambda a: a.programme.year)
    title = fields.String()
    state = fields.String(metadata={"enum": [s.value for s in AuditState]})
    planned_start = fields.Date()
    planned_end = fields.Date()
    lead = fields.Function(lambda a: a.lead.username)
    team = fields.Function(lambda a: [u.username for u in a.team])
    scope_clauses = fields.Function(lambda a: a.clause_list)
    documents = fields.Function(lambda a: [d.code for d in a.documents])
    conclusion = fields.String()


class AuditDetailSchema(AuditSchema):
    checklist = fields.List(fields.Nested(ItemSchema), attribute="items")
    results_by_clause = fields.Function(lambda a: [
        {"clause": r.clause, "title": r.title, **dict(r.counts)}
        for r in audits.results_by_clause(a)])
    conflicts = fields.Function(lambda a: [
        {"auditor": c.user.username, "reason": c.reason, "decision": c.decision,
         "note": c.decision_note} for c in a.conflicts])


class FindingQuerySchema(PagedQuerySchema):
    agency = fields.String(metadata={"description": "agency code: it and the agencies under it"})
    year = fields.Integer(validate=validate.Range(2000, 2100))
    type = fields.String(validate=validate.OneOf([t.value for t in FindingType]))
    state = fields.String(validate=validate.OneOf([s.value for s in FindingState]))
    clause = fields.String(metadata={"description": "clause number, sub-clauses included"})
    overdue = fields.Boolean()


class AuditQuerySchema(PagedQuerySchema):
    agency = fields.String(metadata={"description": "agency code: it and the agencies under it"})
    year = fields.Integer(validate=validate.Range(2000, 2100))


def scope(code: str | None):
    """The agencies the caller asks for, within those they may see."""
    if not code:
        return reports.visible_agencies(g.api_user)
    agency = get_by_code(code)
    if agency is None:
        abort(404, message=_("Không có đơn vị «%(code)s».", code=code))
    require(g.api_user, Action.QA_VIEW, agency)
    return reports.visible_agencies(g.api_user, under=agency)


@blp.route("/clauses")
@blp.response(200, ClauseSchema(many=True))
def clauses():
    """Every clause of TCVN ISO 9001:2015 (4 to 10), with the 2008 clauses it replaces."""
    return list(standards.current().clauses.values())


@blp.route("/clauses/<number>")
@blp.response(200, ClauseSchema)
def clause(number: str):
    found = standards.current().get(number)
    if found is None:
        abort(404, message=_("Không có điều khoản %(number)s trong TCVN ISO 9001:2015.",
                             number=number))
    return found


@blp.route("/findings")
@blp.arguments(FindingQuerySchema, location="query")
@blp.response(200, FindingSchema(many=True), headers=PAGINATION_HEADER)
def findings(args):
    """Findings the caller may see, filtered, newest year first; `overdue=true` keeps
    those past due. Paginated: `page` (≤ 1000), `page_size` (≤ 100); the total is in the
    `X-Pagination` header."""
    if args.get("clause") and args["clause"] not in standards.current().clauses:
        abort(422, message=_("Không có điều khoản %(number)s trong TCVN ISO 9001:2015.",
                             number=args["clause"]))
    query = reports.FindingQuery.from_args(request.args, agencies=scope(args.get("agency")))
    query.overdue = bool(args.get("overdue"))
    paging = Paging(args["page"], args["page_size"])
    return (query.run(limit=paging.size, offset=paging.offset),
            {"X-Pagination": paging.header(query.count())})


@blp.route("/findings/<int:finding_id>")
@blp.response(200, FindingSchema)
def finding(finding_id: int):
    found = db.session.get(Finding, finding_id)
    if found is None:
        abort(404)
    require(g.api_user, Action.QA_VIEW, found)
    return found


@blp.route("/audits")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditSchema(many=True), headers=PAGINATION_HEADER)
def audit_list(args):
    """Internal audits the caller may see (with `agency`: that agency and those under
    it), by planned start. Paginated: `page` (≤ 1000), `page_size` (≤ 100); the total
    is in the `X-Pagination` header."""
    paging = Paging(args["page"], args["page_size"])
    member = None if args.get("agency") else g.api_user  # their own audit teams too
    found, total = audits.visible_audits(scope(args.get("agency")), args.get("year"),
                                         member=member, limit=paging.size,
                                         offset=paging.offset)
    return found, {"X-Pagination": paging.header(total)}


@blp.route("/audits/<int:audit_id>")
@blp.response(200, AuditDetailSchema)
def audit_detail(audit_id: int):
    found = db.session.get(Audit, audit_id)
    if found is None or not can(g.api_user, Action.QA_VIEW, found):
        abort(404 if found is None else 403)
    return found
