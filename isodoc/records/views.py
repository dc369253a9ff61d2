"""The records register of an agency (ISO 9001:2015 7.5.3)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from isodoc.auth.views import flash_form_errors
from isodoc.commands import attempt
from isodoc.documents.models import Document
from isodoc.documents.views import agency_or_404
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.policy import Action, can, require
from isodoc.records import services
from isodoc.records.forms import PlaceForm
from isodoc.timeutil import today_local

bp = Blueprint("records", __name__, url_prefix="/agencies/<agency_code>/records")


@bp.before_request
@login_required
def signed_in() -> None:
    """The register needs a signed-in user."""


@bp.route("")
def index(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.RECORDS_VIEW, agency)
    return render_index(agency, PlaceForm(formdata=None))


def render_index(agency, form: PlaceForm, status: int = 200, refused: bool = False):
    """The register; after a refused place, that row shows what was typed and why (422)."""
    entries = services.register(agency)
    today = today_local()
    return render_template("records/index.html", agency=agency, entries=entries, today=today,
                           expiring=services.ending_this_year(agency, entries, today),
                           form=form, refused=refused,
                           may_manage=can(current_user, Action.RECORDS_MANAGE, agency)), status


@bp.route("/place", methods=["POST"])
def place(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.RECORDS_MANAGE, agency)
    form = PlaceForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_index(agency_or_404(agency_code), form, 422, refused=True)
    raw = form.document.data or ""
    document = db.session.get(Document, int(raw)) if raw.isdigit() and len(raw) < 10 else None
    _done, error = attempt(services.set_place, agency, current_user, document,
                           form.item.data or "", form.place.data or "")
    if error is not None:
        flash(error.message, "error")
        form.place.errors = [*form.place.errors, error.message]
        return render_index(agency_or_404(agency_code), form, 422, refused=True)
    flash(_("Đã ghi nơi lưu."), "success")
    return redirect(url_for("records.index", agency_code=agency.code) + "#register")
