"""Home ("Việc của tôi") and health check."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import text

from isodoc.documents.worklist import work_for
from isodoc.extensions import db
from isodoc.findings.worklist import audit_work, finding_work

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    memberships = sorted(current_user.memberships, key=lambda m: (m.agency.name, m.role))
    work = work_for(current_user)
    work["actions"] = finding_work(current_user)
    work["audits"] = audit_work(current_user)
    return render_template("main/home.html", memberships=memberships, work=work)


@bp.route("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
