"""Administration: people, memberships, passwords, people import, the audit log.

Views parse the form, run the people command (isodoc/auth/services.py) through
`commands.attempt`, and render: the command asks the policy itself."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from wtforms.fields.choices import SelectChoice

from isodoc import activity, policy
from isodoc.admin.forms import JobTitleForm, MembershipForm, PersonForm
from isodoc.agencies.models import Agency
from isodoc.agencies.services import get_by_code
from isodoc.audit import AuditEntry
from isodoc.auth import services
from isodoc.auth.models import Membership, Role, User
from isodoc.auth.views import flash_form_errors
from isodoc.commands import attempt
from isodoc.errors import error_response
from isodoc.extensions import db
from isodoc.forms import ConfirmForm, CsvUploadForm, data_options
from isodoc.i18n import _
from isodoc.paging import PagingError, parse_page
from isodoc.policy import Action, require
from isodoc.textnorm import nfc
from isodoc.timeutil import LOCAL_TZ, UTC, parse_date

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE = 50


@bp.before_request
@login_required
def signed_in() -> None:
    """Every admin page needs a signed-in user; each view asks the policy."""


def managed_agencies() -> list[Agency]:
    agencies = db.session.scalars(select(Agency).order_by(Agency.name)).all()
    return [a for a in agencies if policy.can(current_user, Action.PEOPLE_MANAGE, a)]


def agency_choices() -> list[SelectChoice]:
    return data_options((a.code, a.name) for a in managed_agencies())


def person_or_404(username: str) -> User:
    user = services.get_user(username)
    if user is None:
        abort(404)
    return user


def visible_people(q: str) -> list[User]:
    stmt = select(User).order_by(User.username)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(User.username.ilike(like), User.full_name.ilike(like)))
    people = db.session.scalars(stmt).all()
    if policy.is_province_admin(current_user):
        return people
    return [p for p in people if any(policy.in_scope(current_user, m.agency)
                                     for m in p.memberships)]


@bp.route("/people")
def people():
    require(current_user, Action.PEOPLE_LIST)
    form = PersonForm()
    form.agency.choices = agency_choices()
    return render_people(form)


def render_people(form: PersonForm, status: int = 200):
    """The people page; after a refused creation, with the form as typed (422)."""
    q = nfc(request.args.get("q", ""))[:100]
    return render_template("admin/people.html", people=visible_people(q), q=q, form=form,
                           import_form=CsvUploadForm(formdata=None), created=None), status


@bp.route("/people", methods=["POST"])
def create_person():
    require(current_user, Action.PEOPLE_LIST)
    form = PersonForm()
    form.agency.choices = agency_choices()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_people(form, 422)
    created, error = attempt(services.create_person, form.username.data, form.full_name.data,
                             form.email.data or "", get_by_code(form.agency.data),
                             Role(form.role.data), current_user, form.job_title.data or "")
    if error is not None:
        flash(error.message, "error")
        return render_people(form, 422)
    user, password = created
    return render_template("admin/created.html", created=[(user.username, password)])


@bp.route("/people/<username>")
def person(username: str):
    user = person_or_404(username)
    require(current_user, Action.PEOPLE_MANAGE, user)
    return render_person(user)


def render_person(user: User, status: int = 200, form: MembershipForm | None = None,
                  title_form: JobTitleForm | None = None):
    """A person's page; after a refused change, with that form as typed (422)."""
    if form is None:
        form = MembershipForm(formdata=None)
        form.agency.choices = agency_choices()
    return render_template("admin/person.html", person=user, form=form,
                           confirm=ConfirmForm(formdata=None),
                           title_form=title_form or JobTitleForm(
                               formdata=None, job_title=user.job_title or "")), status


@bp.route("/people/<username>/job-title", methods=["POST"])
def set_job_title(username: str):
    user = person_or_404(username)
    require(current_user, Action.PEOPLE_MANAGE, user)
    form = JobTitleForm()
    if form.validate_on_submit():
        _done, error = attempt(services.set_job_title, user, current_user,
                               form.job_title.data or "")
        if error is None:
            flash(_("Đã lưu chức vụ."), "success")
            return redirect(url_for("admin.person", username=user.username))
        flash(error.message, "error")
    else:
        flash_form_errors(form)
    return render_person(person_or_404(username), 422, title_form=form)


@bp.route("/people/<username>/memberships", methods=["POST"])
def add_membership(username: str):
    user = person_or_404(username)
    require(current_user, Action.PEOPLE_MANAGE, user)
    form = MembershipForm()
    form.agency.choices = agency_choices()
    if form.validate_on_submit():
        _done, error = attempt(services.add_membership, user, current_user,
                               get_by_code(form.agency.data), Role(form.role.data))
        if error is None:
            flash(_("Đã gán vai trò."), "success")
            return redirect(url_for("admin.person", username=user.username))
        flash(error.message, "error")
    else:
        flash_form_errors(form)
    return render_person(person_or_404(username), 422, form=form)


@bp.route("/people/<username>/memberships/<int:membership_id>/remove", methods=["POST"])
def remove_membership(username: str, membership_id: int):
    user = person_or_404(username)
    membership = db.get_or_404(Membership, membership_id)
    if membership.user_id != user.id:
        abort(404)
    require(current_user, Action.PEOPLE_MANAGE, membership.agency)  # 403 before the form
    if ConfirmForm().validate_on_submit():
        _done, error = attempt(services.remove_membership, membership, current_user)
        flash(error.message if error else _("Đã bỏ vai trò."), "error" if error else "success")
    return redirect(url_for("admin.person", username=user.username))


@bp.route("/people/<username>/reset-password", methods=["POST"])
def reset_password(username: str):
    user = person_or_404(username)
    require(current_user, Action.PEOPLE_MANAGE, user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    password, error = attempt(services.reset_password, user, current_user)
    if error is not None:
        flash(error.message, "error")
        return redirect(url_for("admin.person", username=user.username))
    flash(_("Mọi phiên đăng nhập và mã truy cập API của %(username)s đã bị huỷ.",
            username=user.username), "info")
    return render_template("admin/created.html", created=[(user.username, password)],
                           reset=True)


@bp.route("/people/<username>/active", methods=["POST"])
def set_active(username: str):
    user = person_or_404(username)
    require(current_user, Action.PEOPLE_MANAGE, user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    _done, error = attempt(services.set_active, user, current_user, not user.active)
    if error is not None:
        flash(error.message, "error")
    else:
        flash(_("Đã mở khoá tài khoản.") if user.active else _("Đã khoá tài khoản."),
              "success")
    return redirect(url_for("admin.person", username=user.username))


@bp.route("/people/import", methods=["POST"])
def import_people():
    require(current_user, Action.PEOPLE_LIST)
    form = CsvUploadForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("admin.people"))
    result, error = attempt(services.import_people, form.file.data.read(), current_user)
    if error is not None:
        return render_template("import_errors.html", message=error.message,
                               problems=error.problems, back=url_for("admin.people")), 422
    flash(_("Đã nhập %(people)s người mới, %(roles)s vai trò.", people=len(result.created),
            roles=result.memberships), "success")
    return render_template("admin/created.html", created=result.created)


@bp.route("/audit")
def audit_log():
    require(current_user, Action.AUDIT_VIEW)
    args = request.args
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    problems = []
    if who := nfc(args.get("user", ""))[:64]:
        stmt = stmt.where(AuditEntry.username == who.lower())
    if action := nfc(args.get("action", ""))[:64]:
        stmt = stmt.where(AuditEntry.action.startswith(action))
    if obj := nfc(args.get("object", ""))[:128]:
        stmt = stmt.where(AuditEntry.object_id == obj)
    agency = get_by_code(args.get("agency", "")) if args.get("agency") else None
    if args.get("agency") and agency is None:
        problems.append(_("Không có đơn vị với mã đã nhập."))
    if agency is not None:
        stmt = stmt.where(AuditEntry.agency_id == agency.id)
    for key, op in (("from", "ge"), ("to", "lt")):
        if args.get(key):
            try:
                day = parse_date(args[key]) + timedelta(days=1 if key == "to" else 0)
            except ValueError as exc:
                problems.append(str(exc))
                continue
            bound = datetime.combine(day, time(), LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)
            stmt = stmt.where(getattr(AuditEntry.at, f"__{op}__")(bound))
    if not policy.is_province_admin(current_user):
        scope = [a.id for a in db.session.scalars(select(Agency))
                 if policy.in_scope(current_user, a)]
        stmt = stmt.where(AuditEntry.agency_id.in_(scope))
    try:
        page = parse_page(args.get("page"))
    except PagingError as exc:  # before the query: an offset no page can reach
        return error_response(400, exc.message)
    rows = db.session.scalars(stmt.offset((page - 1) * PAGE).limit(PAGE + 1)).all()
    shown = rows[:PAGE]
    return render_template("admin/audit.html", lines=activity.lines(shown), page=page,
                           has_next=len(rows) > PAGE, problems=problems, args=args,
                           groups=activity.GROUPS)
