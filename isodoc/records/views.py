"""The records register of an agency (ISO 9001:2015 7.5.3)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from isodoc.documents.views import agency_or_404
from isodoc.policy import Action, require
from isodoc.records import services
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
    entries = services.register(agency)
    today = today_local()
    return render_template("records/index.html", agency=agency, entries=entries, today=today,
                           expiring=services.ending_this_year(agency, entries, today))
