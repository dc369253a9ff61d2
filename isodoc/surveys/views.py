"""The citizen satisfaction survey: the public page (no account, plain HTML, works
without JavaScript) and the agency's results, QR code and findings."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from limits import parse as parse_limit

from isodoc.agencies.models import Agency
from isodoc.agencies.services import get_by_code
from isodoc.auth.views import flash_form_errors
from isodoc.commands import attempt
from isodoc.documents.views import agency_or_404
from isodoc.errors import CSRF_MESSAGE, InvalidInput
from isodoc.extensions import limiter
from isodoc.findings.models import FindingType
from isodoc.forms import data_options
from isodoc.i18n import _
from isodoc.policy import Action, can, require
from isodoc.surveys import poster as printed
from isodoc.surveys import qr, services
from isodoc.surveys.forms import RaiseFindingForm, SurveyForm
from isodoc.surveys.models import SCORES, CommentKind, Question
from isodoc.tthc.models import Tthc

public = Blueprint("survey_public", __name__, url_prefix="/khao-sat")
bp = Blueprint("surveys", __name__, url_prefix="/agencies/<agency_code>/surveys")

FORM_BYTES = 16 * 1024  # the form's fields at their longest take a few kilobytes


def answer_limit() -> str:
    return current_app.config["ISODOC_SURVEY_RATE_LIMIT"]


def open_agency_or_404(agency_code: str) -> Agency:
    agency = get_by_code(agency_code)
    if not services.survey_open(agency):
        abort(404)
    return agency


def public_url(agency: Agency, tthc: Tthc | None = None) -> str:
    """The short link printed at the desk (and encoded in the QR code)."""
    base = current_app.config["ISODOC_BASE_URL"].rstrip("/")
    path = url_for("survey_public.answer_tthc", agency_code=agency.code, tthc_code=tthc.code) \
        if tthc else url_for("survey_public.answer", agency_code=agency.code)
    return base + path


@public.errorhandler(404)
@public.errorhandler(413)
@public.errorhandler(429)
def public_error(e):
    messages = {
        404: _("Không tìm thấy trang khảo sát. Vui lòng kiểm tra lại đường dẫn hoặc quét lại "
               "mã QR tại bộ phận một cửa."),
        413: _("Nội dung gửi quá dài (tối đa %(max)s ký tự ý kiến). Vui lòng rút gọn rồi gửi "
               "lại.", max=services.COMMENT_MAX),
        429: _("Có quá nhiều phiếu được gửi trong thời gian ngắn. Vui lòng đợi ít phút rồi "
               "gửi lại. Xin cảm ơn Ông/Bà."),
    }
    code = (request.view_args or {}).get("agency_code")
    agency = get_by_code(code) if e.code == 429 and request.method == "POST" and \
        isinstance(code, str) else None
    if agency is not None and not agency.is_dissolved():
        # what the citizen typed stays in the form, with the reason, to send again later
        form = SurveyForm()
        tthc = services.agency_tthc(agency, request.view_args.get("tthc_code") or "")
        tthcs = [] if tthc else services.agency_tthcs(agency)
        form.tthc.choices = tthc_choices(tthcs)
        return render_template("surveys/public.html", agency=agency, tthc=tthc, form=form,
                               errors=[messages[429]], questions=list(Question),
                               scores=SCORES, comment_max=services.COMMENT_MAX), 429
    return render_template("surveys/public_message.html", title=_("Không gửi được phiếu")
                           if e.code != 404 else _("Không tìm thấy trang"),
                           message=messages[e.code]), e.code


@public.errorhandler(CSRFError)
def public_csrf_error(e):
    """The form's token missing or forged (a page opened too long ago, cookies blocked):
    refused like every form of the app (400, the same message), on the survey's page."""
    return render_template("surveys/public_message.html", title=_("Không gửi được phiếu"),
                           message=CSRF_MESSAGE), 400


def counted(response) -> bool:
    """An answer refused for a mistake the citizen corrects (422, the form again) does not
    count towards the limit; an answer saved, or anything else, does."""
    return response.status_code != 422


@public.route("/<agency_code>", methods=["GET", "POST"])
@limiter.limit(answer_limit, methods=["POST"], deduct_when=counted)
def answer(agency_code: str):
    return answer_page(open_agency_or_404(agency_code), None)


@public.route("/<agency_code>/<tthc_code>", methods=["GET", "POST"])
@limiter.limit(answer_limit, methods=["POST"], deduct_when=counted)
def answer_tthc(agency_code: str, tthc_code: str):
    agency = open_agency_or_404(agency_code)
    tthc = services.agency_tthc(agency, tthc_code)
    if tthc is None:
        abort(404)
    return answer_page(agency, tthc)


@public.route("/<path:rest>", methods=["GET", "POST"])
def not_found(rest: str):
    """Any other address under /khao-sat (a mistyped or forged link): the survey's own
    "not found" page, not the staff site's."""
    abort(404)


@public.route("/<agency_code>/cam-on")
def thanks(agency_code: str):
    agency = open_agency_or_404(agency_code)
    return render_template("surveys/public_message.html", title=_("Cảm ơn Ông/Bà"),
                           agency=agency, thanks=True,
                           message=_("Phiếu đánh giá đã được gửi. Ý kiến của Ông/Bà giúp đơn "
                                     "vị phục vụ tốt hơn."))


def tthc_choices(tthcs: list[Tthc]) -> list:
    return data_options([("", _("— Không chọn —"))] +
                   [(t.code, f"{t.name} ({t.code})") for t in tthcs])


def answer_page(agency: Agency, tthc: Tthc | None):
    form = SurveyForm()
    tthcs = [] if tthc else services.agency_tthcs(agency)
    form.tthc.choices = tthc_choices(tthcs)
    errors: list[str] = []
    if request.method == "POST":
        # bounded before any parsing: a body larger than the form can be is refused
        if (request.content_length or 0) > FORM_BYTES:
            abort(413)
        request.max_content_length = FORM_BYTES
        # every answer counts towards the agency's cap too: a flood from many addresses
        # cannot fill the database (counted in SQL, so shared by every node)
        cap = parse_limit(current_app.config["ISODOC_SURVEY_AGENCY_LIMIT"])
        if not limiter.limiter.hit(cap, "survey-agency", agency.code):
            abort(429)
        errors = submit(agency, tthc, form, tthcs)
        if not errors:
            return redirect(url_for("survey_public.thanks", agency_code=agency.code))
    return render_template("surveys/public.html", agency=agency, tthc=tthc, form=form,
                           errors=errors, questions=list(Question), scores=SCORES,
                           comment_max=services.COMMENT_MAX), 422 if errors else 200


def submit(agency: Agency, tthc: Tthc | None, form: SurveyForm, tthcs: list[Tthc]) -> list[str]:
    """The answer saved, or the messages to show (nothing saved)."""
    if not form.validate_on_submit():
        return [e for f in form for e in f.errors]
    chosen = tthc
    if chosen is None and form.tthc.data:
        chosen = next((t for t in tthcs if t.code == form.tthc.data), None)
        if chosen is None:
            form.tthc.errors = [_("Thủ tục hành chính không thuộc đơn vị này.")]
            return form.tthc.errors
    raw = request.form
    answer = services.Answer(
        receipt=raw.get("receipt", ""), scores={q.value: raw.get(q.value) for q in Question},
        comment=raw.get("comment", ""), comment_kind=raw.get("comment_kind", ""),
        tthc=chosen)
    __, error = attempt(services.submit, agency, answer)
    if error is None:
        return []
    attach_error(form, error)
    return [error.message]


def attach_error(form: SurveyForm, error: InvalidInput) -> None:
    """Show the refusal next to the field it is about."""
    name = getattr(error, "field", None)
    if name and name in form:
        form[name].errors = [error.message]


# --- the agency's pages --------------------------------------------------------------

@bp.before_request
@login_required
def signed_in() -> None:
    """Every results page needs a signed-in user."""


def chosen_filters(agency: Agency) -> tuple[services.Period, Tthc | None]:
    try:
        period = services.parse_period(request.args.get("period", ""))
    except InvalidInput:
        abort(404)
    code = request.args.get("tthc", "")
    tthc = None
    if code:
        from isodoc.tthc import services as tthc_services

        tthc = tthc_services.get(code) if len(code) <= 16 else None
        if tthc is None:
            abort(404)
    return period, tthc


@bp.route("")
def index(agency_code: str):
    agency = agency_or_404(agency_code)
    require(current_user, Action.SURVEY_VIEW, agency)
    period, tthc = chosen_filters(agency)
    found = services.results(agency, period, tthc)
    return render_template(
        "surveys/index.html", agency=agency, results=found, period=period, tthc=tthc,
        periods=services.period_choices(agency), scores=SCORES, CommentKind=CommentKind,
        link=public_url(agency) if services.survey_open(agency) else None,
        finding_form=RaiseFindingForm(prefix="f"), types=list(FindingType),
        may_raise=can(current_user, Action.FINDING_RAISE, agency))


def printed_link(agency_code: str) -> tuple[Agency, Tthc | None]:
    """The agency (and the TTHC of `?tthc=`) whose survey link a QR code or a poster
    prints: 404 when its survey is closed or the TTHC is not the agency's."""
    agency = agency_or_404(agency_code)
    require(current_user, Action.SURVEY_VIEW, agency)
    if not services.survey_open(agency):
        abort(404)
    tthc = None
    if code := request.args.get("tthc", ""):
        tthc = services.agency_tthc(agency, code)
        if tthc is None:
            abort(404)
    return agency, tthc


@bp.route("/qr.svg")
def qr_svg(agency_code: str):
    agency, tthc = printed_link(agency_code)
    return Response(qr.svg(public_url(agency, tthc)), mimetype="image/svg+xml")


@bp.route("/poster")
def poster(agency_code: str):
    """A page to print and put up at the one-stop-shop desk: the QR code and the link."""
    agency, tthc = printed_link(agency_code)
    return printed.render(agency, tthc, public_url(agency, tthc))


@bp.route("/<int:response_id>/finding", methods=["POST"])
def raise_finding(agency_code: str, response_id: int):
    from isodoc.findings.views import finding_url

    agency = agency_or_404(agency_code)
    require(current_user, Action.SURVEY_VIEW, agency)
    require(current_user, Action.FINDING_RAISE, agency)
    response = services.response_of(agency, response_id)
    if response is None:
        abort(404)
    form = RaiseFindingForm(prefix="f")
    back = url_for("surveys.index", agency_code=agency.code,
                   period=request.args.get("period", ""))
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    finding, error = attempt(services.raise_finding, response, current_user,
                             FindingType(form.type.data))
    if error is not None:
        flash(error.message, "error")
        return redirect(back)
    flash(_("Đã ghi nhận phát hiện %(code)s từ phiếu khảo sát.", code=finding.code), "success")
    return redirect(finding_url(finding))
