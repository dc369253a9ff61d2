"""Sign in and out, one's own password and API tokens.

Each change is a command of isodoc/auth/services.py run through `commands.run` /
`commands.attempt`, which commit once; the session cookie is handled here, after."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import RateLimitExceeded, RequestLimit
from flask_login import current_user, login_required, login_user, logout_user

from isodoc.auth import services
from isodoc.auth.forms import ChangePasswordForm, LoginForm, TokenForm
from isodoc.auth.models import ApiToken
from isodoc.auth.throttle import first_breach
from isodoc.commands import attempt, run
from isodoc.errors import MESSAGES, error_response
from isodoc.extensions import db, limiter
from isodoc.i18n import LANGUAGES, _

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Only a path on this host: no scheme, no host, no '//' or backslash tricks."""
    if not target:
        return url_for("main.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return url_for("main.home")
    return target


def login_limit() -> str:
    return current_app.config["ISODOC_LOGIN_RATE_LIMIT"]


def account_limit() -> str:
    return current_app.config["ISODOC_LOGIN_ACCOUNT_RATE_LIMIT"]


def account_key() -> str:
    return services.login_key(request.form.get("username", ""))


def failed_sign_in(response) -> bool:
    """Only a refused password counts against the account: its owner, who knows it,
    signs in again as soon as the window ends."""
    return response.status_code == 401


def account_locked_message() -> str:
    # the same for every name, with an account or without: it tells nothing about either
    return _("Tên đăng nhập này đã bị nhập sai mật khẩu quá nhiều lần nên tạm thời bị khoá "
             "đăng nhập. Vui lòng thử lại sau; nếu quên mật khẩu, hãy liên hệ quản trị "
             "viên đơn vị.")


def note_account_lockout(breach: RequestLimit) -> None:
    if first_breach(breach):  # one activity-log row per lockout, not one per try
        run(services.record_login_lockout, request.form.get("username", ""))


@bp.errorhandler(RateLimitExceeded)
def too_many_attempts(e: RateLimitExceeded):
    message = e.description if e.limit.error_message else MESSAGES[429]
    return error_response(429, message)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
# counted in the same storage as the limit per address: every worker and node together
@limiter.limit(account_limit, methods=["POST"], key_func=account_key, scope="account",
               deduct_when=failed_sign_in, error_message=account_locked_message,
               on_breach=note_account_lockout)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    error = None
    if form.validate_on_submit():
        # committed either way: a failure keeps its audit row, a success its bookkeeping
        user = run(services.authenticate, form.username.data, form.password.data)
        if user is None:
            error = _("Tên đăng nhập hoặc mật khẩu không đúng.")
        else:
            lang = session.get("lang")  # chosen on the sign-in page: kept
            session.clear()
            if lang:
                session["lang"] = lang
            session.permanent = True
            services.date_sign_in(user, form.remember.data)
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(form.next.data))
    return render_template("auth/login.html", form=form, error=error), 200 if not error else 401


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    me = current_user._get_current_object()
    lang = session.get("lang") or me.language  # the sign-in page stays in their language
    run(services.logout, me, me)  # ends every session of the person, copies included
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Bạn đã đăng xuất. Mọi phiên đăng nhập khác của bạn cũng đã kết thúc."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET"])
@login_required
def account():
    from isodoc import mail
    from isodoc.mail.views import MailModeForm

    me = current_user._get_current_object()
    return render_template("auth/account.html", password_form=ChangePasswordForm(),
                           token_form=TokenForm(), new_token=session.pop("new_token", None),
                           mail_form=MailModeForm(mode=mail.mode_of(me).value))


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if form.new.data != form.confirm.data:
            flash(_("Mật khẩu nhập lại không khớp; mật khẩu chưa được đổi."), "error")
        else:
            me = current_user._get_current_object()
            _done, error = attempt(services.change_password, me, me, form.current.data,
                               form.new.data)
            if error is not None:
                flash(error.message, "error")
            else:
                # Every session ended with the change; this browser carries on, with a
                # new remember-me cookie if it had one.
                cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
                remembered = cookie in request.cookies
                services.date_sign_in(me, remembered)  # the password was just given
                login_user(me, remember=remembered)
                flash(_("Đã đổi mật khẩu. Các phiên đăng nhập trên thiết bị khác đã kết "
                        "thúc."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("auth.account"))


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        me = current_user._get_current_object()
        token, error = attempt(services.create_token, me, me, form.name.data)
        if error is not None:
            flash(error.message, "error")
        else:
            session["new_token"] = token
    else:
        flash_form_errors(form)
    return redirect(url_for("auth.account"))


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    run(services.revoke_token, token, current_user._get_current_object())  # 403 if not theirs
    flash(_("Đã thu hồi mã truy cập «%(name)s».", name=token.name), "success")
    return redirect(url_for("auth.account"))


@bp.route("/language/<lang>", methods=["POST"])
def set_language(lang: str):
    if lang in LANGUAGES:
        session["lang"] = lang
        if current_user.is_authenticated:
            user = current_user._get_current_object()
            run(services.set_language, user, user, lang)
    return redirect(safe_next(request.form.get("next")))


def flash_form_errors(form) -> None:
    for field in form:
        for message in field.errors:
            flash(f"{field.label.text}: {message}", "error")
