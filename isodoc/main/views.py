"""Home ("Việc của tôi") and health check."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import text

from isodoc.documents.worklist import work_for
from isodoc.extensions import db

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    memberships = sorted(current_user.memberships, key=lambda m: (m.agency.name, m.role))
    return render_template("main/home.html", memberships=memberships,
                           work=work_for(current_user))


@bp.route("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
