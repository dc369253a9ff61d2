"""Conformity declarations: an agency's declarations and whether it must declare again,
recording one (after the system checked what it needs), the frozen scope, the decision
and the notice to the Sở as .docx; the province's list for the Sở KH&CN."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from isodoc.auth.views import flash_form_errors
from isodoc.commands import attempt
from isodoc.declarations import exports, services
from isodoc.declarations.forms import DeclarationForm
from isodoc.declarations.models import Declaration
from isodoc.documents.views import agency_or_404, owned_or_404
from isodoc.forms import data_options
from isodoc.i18n import _
from isodoc.inspections import services as inspections
from isodoc.officedocs.layout import DOCX_MIMETYPE
from isodoc.policy import Action, can, require
from isodoc.timeutil import today_local

bp = Blueprint("declarations", __name__)


@bp.before_request
@login_required
def signed_in() -> None:
    """Every declaration page needs a signed-in user."""


def declaration_or_404(agency_code: str, declaration_id: int) -> Declaration:
    found = owned_or_404(Declaration, agency_code, declaration_id)
    require(current_user, Action.DECLARATION_VIEW, found.agency)
    return found


@bp.route("/agencies/<agency_code>/declarations")
def index(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.DECLARATION_VIEW, agency)
    declarations = services.agency_declarations(agency)
    reasons = services.changes_since(declarations[0]) if declarations else []
    return render_template(
        "declarations/index.html", agency=agency, declarations=declarations,
        reasons=reasons, missing=services.missing(agency),
        window=services.audit_window(today_local()),
        engagements=inspections.agency_engagements(agency),
        inspections=inspections.agency_inspections(agency)
        if can(current_user, Action.INSPECTION_VIEW, agency) else [])


@bp.route("/agencies/<agency_code>/declarations/new", methods=["GET", "POST"])
def new(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.DECLARATION_RECORD, agency)
    signers = services.signers(agency)
    form = DeclarationForm()
    form.signer.choices = data_options((str(u.id), u.full_name) for u in signers)
    problems: list[str] = []
    if request.method == "GET":
        form.decided_on.data = today_local().strftime("%d/%m/%Y")
        # the title printed in the filed decision: Vietnamese in either interface
        leader = "Giám đốc" if agency.kind in ("department",) else "Chủ tịch"  # i18n: vi-only
        form.signer_title.data = leader
    elif form.validate_on_submit():
        data = services.DeclarationInput(
            decision_no=form.decision_no.data or "", decided_on=form.decided_on.date,
            signer=next((u for u in signers if str(u.id) == form.signer.data), None),
            signer_title=form.signer_title.data or "", standard=form.standard.data,
            note=form.note.data or "")
        declaration, error = attempt(services.record_declaration, agency, current_user, data)
        if error is None:
            flash(_("Đã ghi nhận công bố HTQLCL theo quyết định số %(number)s.",
                    number=declaration.decision_no), "success")
            return redirect(url_for("declarations.show", agency_code=agency.code,
                                    declaration_id=declaration.id))
        field = getattr(form, getattr(error, "field", "") or "-", None)
        if field is not None:
            field.errors = [*field.errors, error.message]
        problems = error.problems
        flash(error.message if not problems else _("Chưa đủ điều kiện công bố HTQLCL."), "error")
    else:
        flash_form_errors(form)
    return render_template("declarations/new.html", agency=agency, form=form,
                           missing=problems or services.missing(agency), signers=signers,
                           window=services.audit_window(today_local())), \
        422 if request.method == "POST" else 200


@bp.route("/agencies/<agency_code>/declarations/<int:declaration_id>")
def show(agency_code: str, declaration_id: int):
    declaration = declaration_or_404(agency_code, declaration_id)
    latest = services.latest(declaration.agency)
    reasons = services.changes_since(declaration) if latest.id == declaration.id else []
    return render_template("declarations/show.html", declaration=declaration,
                           agency=declaration.agency, reasons=reasons,
                           is_latest=latest.id == declaration.id)


def _docx(data: bytes, name: str) -> Response:
    return Response(data, mimetype=DOCX_MIMETYPE, headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/agencies/<agency_code>/declarations/<int:declaration_id>/decision.docx")
def decision_docx(agency_code: str, declaration_id: int):
    declaration = declaration_or_404(agency_code, declaration_id)
    return _docx(exports.decision_docx(declaration),
                 f"quyet-dinh-cong-bo-{declaration.agency.code}-{declaration.id}.docx")


@bp.route("/agencies/<agency_code>/declarations/<int:declaration_id>/notice.docx")
def notice_docx(agency_code: str, declaration_id: int):
    declaration = declaration_or_404(agency_code, declaration_id)
    return _docx(exports.notice_docx(declaration),
                 f"thong-bao-cong-bo-{declaration.agency.code}-{declaration.id}.docx")


@bp.route("/declarations/")
def province():
    require(current_user, Action.DECLARATION_PROVINCE)
    found = services.province()  # a fixed number of queries however many agencies declared
    return render_template("declarations/province.html", rows=found.rows, merged=found.merged,
                           redeclare=found.redeclare)
