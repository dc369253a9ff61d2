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
    # read often below: not through the proxy (its roles came with it, see load_user)
    user = current_user._get_current_object()
    memberships = sorted(user.memberships, key=lambda m: (m.agency.name, m.role))
    work = work_for(user)
    work["actions"] = finding_work(user)
    work["audits"] = audit_work(user)
    return render_template("main/home.html", memberships=memberships, work=work)


@bp.route("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
