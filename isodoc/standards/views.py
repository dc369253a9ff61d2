"""Clause browser: the ISO 9001:2015 tree, each clause with the documents that address
it and the findings raised against it; the 2008 → 2015 correspondence."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from isodoc import standards
from isodoc.agencies.services import get_by_code
from isodoc.documents import services as documents
from isodoc.documents.models import Document, Revision, RevisionState
from isodoc.extensions import db
from isodoc.findings import reports
from isodoc.policy import Action, can
from isodoc.textnorm import fold

bp = Blueprint("standards", __name__, url_prefix="/clauses")


@bp.before_request
@login_required
def signed_in() -> None:
    """Clause pages show agencies' documents and findings: signed-in users only."""


def chosen_agency():
    code = request.args.get("agency", "")
    agency = get_by_code(code) if code else None
    if code and agency is None:
        abort(404)
    return agency


@bp.route("/")
def index():
    agency = chosen_agency()
    agencies = [agency] if agency else reports.visible_agencies(current_user)
    facts = reports.FindingQuery(agencies=agencies).facts() if \
        agency is None or can(current_user, Action.QA_VIEW, agency) else []
    counts: dict[str, int] = {}
    for f in facts:
        for number in f.clauses:
            for clause in standards.current().lineage(number):
                counts[clause.number] = counts.get(clause.number, 0) + 1
    return render_template("standards/index.html", edition=standards.current(),
                           counts=counts, agency=agency)


def documents_addressing(number: str, agency) -> list[tuple[Document, object]]:
    query = select(Document).where(
        Document.withdrawn_on.is_(None),
        Document.revisions.any((Revision.state == RevisionState.ISSUED) &
                               (Revision.iso_clauses != ""))).options(
        selectinload(Document.revisions))
    if agency is not None:
        query = query.where(Document.agency_id == agency.id)
    out = []
    for d in db.session.scalars(query.order_by(Document.agency_id, Document.code)):
        # the clauses of the revision in force, not of a draft or a revision to come
        if (current := documents.in_force(d)) and standards.addressed_by(number,
                                                                         current.clause_list):
            out.append((d, current))
    return out


OPTIONS_MAX = 20  # suggestions per answer of the picker


@bp.route("/options.json")
def options():
    """The clause picker's suggestions (templates/_macros.html `clause_field`): clauses
    of ISO 9001:2015 whose number starts with `q` or whose title holds every word of `q`,
    with or without diacritics."""
    words = fold(request.args.get("q", "")[:100]).split()
    found = []
    for clause in standards.current().clauses.values():
        title = fold(f"{clause.vi} {clause.en}")  # found by its title in either language
        if all(clause.number.startswith(w) or w in title for w in words):
            found.append({"code": clause.number, "name": clause.title})
            if len(found) == OPTIONS_MAX:
                break
    return jsonify(found)


@bp.route("/<number>")
def show(number: str):
    catalog = standards.catalog()
    clause = catalog.current.get(number)
    if clause is None:
        abort(404)
    agency = chosen_agency()
    if agency is not None and not can(current_user, Action.QA_VIEW, agency):
        findings = []
    else:
        findings = reports.FindingQuery(
            agencies=[agency] if agency else reports.visible_agencies(current_user),
            clause=number).run()
    mapping = catalog.correspondence("iso9001-2008")
    old = catalog.editions["iso9001-2008"]
    sources = [old.get(n) for n in mapping.sources_of(number)] if mapping else []
    return render_template(
        "standards/show.html", clause=clause, edition=catalog.current, agency=agency,
        lineage=catalog.current.lineage(number), documents=documents_addressing(number, agency),
        findings=findings, sources=sources, is_new=mapping and number in mapping.new)


@bp.route("/2008")
def correspondence():
    catalog = standards.catalog()
    return render_template("standards/correspondence.html",
                           old=catalog.editions["iso9001-2008"], new=catalog.current,
                           mapping=catalog.correspondence("iso9001-2008"))
