"""The person's mail setting (on the account page) and the administrator's view of the
outbox. Views parse, run the command through `commands.attempt`, and render."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import RadioField

from isodoc import mail
from isodoc.auth.views import flash_form_errors
from isodoc.commands import attempt
from isodoc.errors import error_response
from isodoc.extensions import db
from isodoc.forms import Form, options
from isodoc.i18n import _, _l
from isodoc.mail.models import MailMode, MailOutbox, MailState
from isodoc.paging import PagingError, parse_page
from isodoc.policy import Action, require

bp = Blueprint("mail", __name__)
PAGE = 50


class MailModeForm(Form):
    mode = RadioField(_l("Nhận thư thông báo"), choices=[])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # labels in the language of this request, not of the import
        self.mode.choices = options((m.value, m.label) for m in MailMode)


@bp.route("/account/mail", methods=["POST"])
@login_required
def preference():
    form = MailModeForm()
    if form.validate_on_submit():
        me = current_user._get_current_object()
        chosen, error = attempt(mail.set_mode, me, me, form.mode.data)
        if error is not None:
            flash(error.message, "error")
        else:
            flash(_("Đã lưu cách nhận thư: %(mode)s.", mode=chosen.label.lower()), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("auth.account"))


@bp.route("/admin/mail")
@login_required
def outbox():
    require(current_user, Action.MAIL_OUTBOX)
    state = request.args.get("state", "")
    if state and state not in {s.value for s in MailState}:
        state = ""
    try:
        page = parse_page(request.args.get("page"))
    except PagingError as exc:  # before the query: an offset no page can reach
        return error_response(400, exc.message)
    stmt = select(MailOutbox).order_by(MailOutbox.id.desc())
    if state:
        stmt = stmt.where(MailOutbox.state == state)
    rows = db.session.scalars(stmt.options(selectinload(MailOutbox.user))
                              .offset((page - 1) * PAGE).limit(PAGE + 1)).all()
    counts = dict(db.session.execute(select(MailOutbox.state, func.count())
                                     .group_by(MailOutbox.state)).all())
    return render_template("mail/outbox.html", rows=rows[:PAGE], has_next=len(rows) > PAGE,
                           page=page, state=state, counts=counts, MailState=MailState)
