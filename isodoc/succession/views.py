"""A successor's page of what it inherited: its predecessors' documents in force
(read-only, with their origin), each adoptable as its own draft in one step."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from isodoc.commands import attempt
from isodoc.documents.models import Document
from isodoc.documents.views import agency_or_404
from isodoc.extensions import db
from isodoc.i18n import _
from isodoc.policy import Action, can, require
from isodoc.succession import services
from isodoc.succession.lineage import predecessors_of

bp = Blueprint("succession", __name__, url_prefix="/agencies/<agency_code>/inherited")


@bp.before_request
@login_required
def signed_in() -> None:
    """Every page needs a signed-in user."""


def render(agency, status: int = 200):
    return render_template("succession/index.html", agency=agency,
                           predecessors=predecessors_of(agency),
                           items=services.inherited_documents(agency),
                           may_adopt=can(current_user, Action.DOC_CREATE, agency)), status


@bp.route("")
def index(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.AGENCY_VIEW, agency)  # issued documents are open to all
    return render(agency)


@bp.route("/<int:document_id>/adopt", methods=["POST"])
def adopt(agency_code: str, document_id: int):
    agency = agency_or_404(agency_code)
    require(current_user, Action.DOC_CREATE, agency)
    source = db.session.get(Document, document_id)
    if source is None:
        abort(404)
    draft, error = attempt(services.adopt, agency, source, current_user)
    if error is not None:
        flash(error.message, "error")
        return render(agency_or_404(agency_code), 422)
    flash(_("Đã tạo dự thảo %(code)s của %(agency)s từ %(source)s của %(origin)s: tiếp tục "
            "xem xét, phê duyệt và ban hành như mọi tài liệu.", code=draft.document.code,
            agency=agency.name, source=source.code, origin=source.agency.name), "success")
    return redirect(url_for("documents.draft", agency_code=agency.code,
                            slug=draft.document.slug, seq=draft.seq))
