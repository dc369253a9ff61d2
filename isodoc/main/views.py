"""Home ("Việc của tôi") and health check."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select, text
from sqlalchemy.orm import selectinload

from isodoc.agencies.models import Agency
from isodoc.auth.models import Membership, User
from isodoc.declarations.services import redeclare_work
from isodoc.documents.worklist import GROUPS, TITLES, listed_work
from isodoc.errors import error_response
from isodoc.extensions import db
from isodoc.findings.worklist import audit_work, finding_work
from isodoc.pagecache import cached_page
from isodoc.paging import PagingError, page_count, parse_page
from isodoc.reviews.worklist import review_work as review_action_work
from isodoc.risks.worklist import action_work, review_work
from isodoc.tthc.adoption import model_work
from isodoc.tthc.drafting import stale_work

bp = Blueprint("main", __name__)
MEMBERSHIP_OPTIONS = (selectinload(User.memberships).joinedload(Membership.agency)
                      .joinedload(Agency.parent).joinedload(Agency.parent),)
HOME_ITEMS = 10  # items of each document list on the home page; the rest a link away
LIST_PAGE = 25   # items a page of one list


def with_memberships(user: User) -> User:
    """The person's roles with their agencies and the agencies' ancestors, in one query:
    the work lists and every policy check on the page read them."""
    db.session.scalars(select(User).where(User.id == user.id)
                       .options(*MEMBERSHIP_OPTIONS)).all()
    return user


@bp.route("/")
@login_required
@cached_page
def home():
    user = current_user._get_current_object()  # read often below: not through the proxy
    if request.args.get("viec") != "1":
        from isodoc.policy import province_overseer

        if province_overseer(user):  # the Sở KH&CN's home is the programme dashboard
            from isodoc.programme.views import index as programme_dashboard

            return programme_dashboard()
    with_memberships(user)
    memberships = sorted(user.memberships, key=lambda m: (m.agency.name, m.role))
    listed = listed_work(user, HOME_ITEMS)
    work = {name: found.items for name, found in listed.items()}
    totals = {name: found.total for name, found in listed.items()}
    work["actions"] = finding_work(user)
    work["audits"] = audit_work(user)
    work["review_actions"] = review_action_work(user)
    work["tthc_changed"] = stale_work(user)
    work["models"] = model_work(user)
    work["risk_reviews"] = review_work(user)
    work["risk_actions"] = action_work(user)
    work["redeclare"] = redeclare_work(user)
    return render_template("main/home.html", memberships=memberships, work=work,
                           totals=totals, titles=TITLES)


@bp.route("/viec/<group>")
@login_required
def work_list(group: str):
    """One document list of "Việc của tôi" in full, a page at a time."""
    if group not in GROUPS:
        abort(404)
    try:
        page = parse_page(request.args.get("page"))
    except PagingError as exc:  # before the query: an offset no page can reach
        return error_response(400, exc.message)
    user = with_memberships(current_user._get_current_object())
    found = listed_work(user, LIST_PAGE, (page - 1) * LIST_PAGE, only=(group,))[group]
    pages = max(1, page_count(found.total, LIST_PAGE))
    if page > pages:
        abort(404)
    return render_template("main/work_list.html", group=group, items=found.items,
                           total=found.total, page=page, pages=pages, titles=TITLES)


@bp.route("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
