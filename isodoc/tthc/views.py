"""TTHC screens: the catalog, its import (preview, apply), executing bodies, coverage of
an agency and of the province, and a draft started from a missing TTHC."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import func, select

from isodoc import policy
from isodoc.agencies.models import Agency
from isodoc.agencies.services import get_by_code
from isodoc.auth.views import flash_form_errors
from isodoc.commands import attempt
from isodoc.csvio import write_rows
from isodoc.documents.services import load_document
from isodoc.errors import InvalidInput, error_response
from isodoc.extensions import db
from isodoc.forms import data_options
from isodoc.i18n import _
from isodoc.paging import Paging, parse_page
from isodoc.policy import Action, require
from isodoc.timeutil import format_date
from isodoc.tthc import adoption, coverage, drafting, importer, services
from isodoc.tthc.forms import ApplyForm, BodyMapForm, UploadForm
from isodoc.tthc.models import Adoption, Level, ModelProcedure, TthcBodyMap, TthcImport

bp = Blueprint("tthc", __name__)
PAGE_SIZE = 50


@bp.before_request
@login_required
def signed_in() -> None:
    """Every TTHC page needs a signed-in user."""


def tthc_or_404(code: str):
    tthc = services.get(code)
    if tthc is None:
        abort(404)
    return tthc


def agency_or_404(code: str) -> Agency:
    agency = get_by_code(code)
    if agency is None:
        abort(404)
    return agency


@bp.route("/tthc/")
def catalog():
    args = request.args
    level = args.get("level", "") if args.get("level") in set(Level) else ""
    field_, text = args.get("field", "")[:255], args.get("q", "")[:100]
    try:
        page = parse_page(args.get("page"))
    except InvalidInput as exc:  # the specific message, not the generic 400 page
        return error_response(400, exc.message)
    stmt = services.catalog_query(level, field_, text)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    paging = Paging(page, PAGE_SIZE)
    items = db.session.scalars(stmt.limit(PAGE_SIZE).offset(paging.offset)).all()
    manage = policy.can(current_user, Action.TTHC_MANAGE)
    last = db.session.scalar(select(TthcImport).where(TthcImport.state == "applied")
                             .order_by(TthcImport.id.desc()).limit(1))
    return render_template("tthc/catalog.html", items=items, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), level=level, field=field_,
                           q=text, fields=services.fields_in_use(), Level=Level, manage=manage,
                           unmatched=len(services.unmatched_bodies()) if manage else 0,
                           last=last)


@bp.route("/tthc/options.json")
def picker():
    """The picker's suggestions: TTHC matching `q` (accent-insensitive); with `agency`,
    only those the agency must cover."""
    stmt = services.catalog_query(text=request.args.get("q", "")[:100])
    if code := request.args.get("agency", ""):
        stmt = stmt.where(coverage.obligation_filter(agency_or_404(code)))
    found = db.session.scalars(stmt.limit(20)).all()
    return jsonify([{"code": t.code, "name": t.name, "field": t.field,
                     "levels": t.levels_label} for t in found])


@bp.route("/tthc/<code>")
def show(code: str):
    tthc = tthc_or_404(code)
    rows, whole = drafting.visible_coverers(tthc, current_user)
    model = adoption.model_for(tthc)
    candidates = []
    may_publish = policy.can(current_user, Action.TTHC_MANAGE) or any(
        m.role == "secretary" and m.agency.kind in ("department", "sub_department")
        for m in current_user.memberships)
    for row in rows if may_publish else ():
        if row.procedure is not None:
            document = load_document(row.agency.code, row.procedure.slug)
            if policy.can(current_user, Action.MODEL_PUBLISH, document):
                candidates.append((f"{row.agency.code}/{document.slug}",
                                   f"{row.agency.name} — {document.code}"))
    return render_template("tthc/show.html", tthc=tthc, rows=rows, model=model,
                           standings=drafting.visible_standings(
                               adoption.standings(model) if model else [], current_user),
                           candidates=candidates, labels=coverage.STATE_LABELS, whole=whole)


@bp.route("/tthc/<code>/model", methods=["POST"])
def publish_model(code: str):
    tthc = tthc_or_404(code)
    agency_code, _sep, slug = request.values.get("document", "")[:200].partition("/")
    document = load_document(agency_code, slug) if get_by_code(agency_code) else None
    if document is None:
        abort(404)
    require(current_user, Action.MODEL_PUBLISH, document)
    _model, error = attempt(adoption.publish, tthc, document, current_user)
    if error is not None:
        flash(error.message, "error")
    else:
        flash(_("Đã công bố %(document)s của %(agency)s làm quy trình mẫu cho TTHC %(code)s.",
                document=document.code, agency=document.agency.name, code=tthc.code),
              "success")
    return redirect(url_for("tthc.show", code=tthc.code))


@bp.route("/tthc/models")
def models():
    require(current_user, Action.COVERAGE_PROVINCE)
    return render_template("tthc/models.html", models=[
        (m, adoption.standings(m)) for m in adoption.all_models()])


@bp.route("/agencies/<agency_code>/coverage/<code>/adopt", methods=["POST"])
def adopt(agency_code: str, code: str):
    target = agency_or_404(agency_code)
    tthc = tthc_or_404(code)
    require(current_user, Action.DOC_CREATE, target)
    model = adoption.model_for(tthc)
    if model is None:
        abort(404)
    revision, error = attempt(adoption.adopt, model, target, current_user)
    if error is not None:
        flash(error.message, "error")
        return redirect(url_for("tthc.agency", agency_code=target.code))
    flash(_("Đã tạo dự thảo %(code)s từ quy trình mẫu: hãy rà soát rồi trình xem xét.",
            code=revision.document.code), "success")
    return redirect(url_for("documents.draft", agency_code=target.code,
                            slug=revision.document.slug, seq=revision.seq))


@bp.route("/agencies/<agency_code>/models")
def adoptions(agency_code: str):
    target = agency_or_404(agency_code)
    require(current_user, Action.COVERAGE_VIEW, target)
    return render_template("tthc/adoptions.html", agency=target,
                           standings=adoption.agency_adoptions(target),
                           can_draft=policy.can(current_user, Action.DOC_CREATE, target))


@bp.route("/agencies/<agency_code>/models/<int:adoption_id>/follow", methods=["POST"])
def follow(agency_code: str, adoption_id: int):
    target = agency_or_404(agency_code)
    require(current_user, Action.DOC_CREATE, target)
    found = db.session.get(Adoption, adoption_id)
    if found is None or found.agency_id != target.id:
        abort(404)
    revision, error = attempt(adoption.follow, found, current_user)
    if error is not None:
        flash(error.message, "error")
        return redirect(url_for("tthc.adoptions", agency_code=target.code))
    flash(_("Đã bắt đầu sửa đổi %(code)s theo quy trình mẫu mới.",
            code=revision.document.code), "success")
    return redirect(url_for("documents.draft", agency_code=target.code,
                            slug=revision.document.slug, seq=revision.seq))


@bp.route("/tthc/import", methods=["GET", "POST"])
def upload():
    require(current_user, Action.TTHC_MANAGE)
    form = UploadForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash_form_errors(form)
        else:
            data = form.file.data.read(importer.MAX_BYTES + 1)  # bounded before parsing
            staged, error = attempt(services.stage_import, data,
                                    form.file.data.filename or "", current_user)
            if error is not None:
                return render_template("import_errors.html", message=error.message,
                                       problems=error.problems,
                                       back=url_for("tthc.upload")), 422
            return redirect(url_for("tthc.preview", import_id=staged.id))
    imports = db.session.scalars(select(TthcImport).order_by(TthcImport.id.desc())
                                 .limit(20)).all()
    return render_template("tthc/upload.html", form=form, imports=imports,
                           version=services.catalog_version())


def staged_or_404(import_id: int) -> TthcImport:
    staged = db.session.get(TthcImport, import_id)
    if staged is None:
        abort(404)
    return staged


@bp.route("/tthc/imports/<int:import_id>")
def preview(import_id: int):
    require(current_user, Action.TTHC_MANAGE)
    return render_preview(staged_or_404(import_id), ApplyForm(formdata=None))


def render_preview(staged: TthcImport, form: ApplyForm, status: int = 200):
    """A staged import; after a refused application, with the decision as typed (422)."""
    return render_template("tthc/preview.html", staged=staged,
                           diff=services.Diff.from_json(staged.preview), form=form,
                           change_rows=services.change_rows,
                           obsolete=staged.state == "staged" and
                           staged.base_version != services.catalog_version()), status


@bp.route("/tthc/imports/<int:import_id>/apply", methods=["POST"])
def apply(import_id: int):
    require(current_user, Action.TTHC_MANAGE)
    staged = staged_or_404(import_id)
    form = ApplyForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return render_preview(staged, form, 422)
    _applied, error = attempt(services.apply_import, staged, current_user, form.decision.data)
    if error is not None:
        flash(error.message, "error")
        form.decision.errors = [*form.decision.errors, error.message]
        return render_preview(staged_or_404(import_id), form, 422)
    flash(_("Đã áp dụng danh mục: %(added)s thủ tục mới, %(changed)s thay đổi, %(abolished)s "
            "bãi bỏ.", added=staged.added, changed=staged.changed,
            abolished=staged.abolished), "success")
    return redirect(url_for("tthc.catalog"))


def agency_choices() -> list:
    agencies = db.session.scalars(select(Agency).where(Agency.dissolved_on.is_(None))
                                  .order_by(Agency.name)).all()
    return data_options([("", _("— chưa gán —"))] + [(a.code, a.name) for a in agencies])


@bp.route("/tthc/bodies")
def bodies():
    require(current_user, Action.TTHC_MANAGE)
    maps = db.session.scalars(select(TthcBodyMap).order_by(TthcBodyMap.agency_id.is_not(None),
                                                           TthcBodyMap.name)).all()
    form = BodyMapForm()
    form.agency.choices = agency_choices()
    return render_template("tthc/bodies.html", maps=maps, form=form)


@bp.route("/tthc/bodies/<int:map_id>", methods=["POST"])
def map_body(map_id: int):
    require(current_user, Action.TTHC_MANAGE)
    mapping = db.session.get(TthcBodyMap, map_id)
    if mapping is None:
        abort(404)
    form = BodyMapForm()
    form.agency.choices = agency_choices()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("tthc.bodies"))
    agency = get_by_code(form.agency.data) if form.agency.data else None
    _mapped, error = attempt(services.set_body_mapping, mapping, agency, current_user)
    if error is not None:
        flash(error.message, "error")
    else:
        flash(_("Đã gán «%(body)s» cho %(agency)s.", body=mapping.name,
                agency=agency.name if agency else _("(chưa gán)")), "success")
    return redirect(url_for("tthc.bodies"))


# -- coverage ---------------------------------------------------------------------

@bp.route("/tthc/coverage")
def province():
    require(current_user, Action.COVERAGE_PROVINCE)
    return render_template("tthc/province.html", view=coverage.province_coverage(),
                           Level=Level)


@bp.route("/tthc/coverage.csv")
def province_csv():
    require(current_user, Action.COVERAGE_PROVINCE)
    view = coverage.province_coverage()
    names = {r.id: r.name for r in view.agencies} | \
        {d.id: d.name for d, _counts, _n in view.districts}
    data = write_rows(
        [_("Mã đơn vị"), _("Đơn vị"), _("Huyện"), _("Phải có"), _("Đã có"), _("Cần sửa đổi"),
         _("Chưa có"), _("Tỷ lệ %")],
        [[r.code, r.name, names.get(r.district_id, "") if r.district_id else "",
          r.counts.must, r.counts.covered, r.counts.stale, r.counts.missing,
          f"{r.counts.percent:.1f}"] for r in view.agencies])
    return Response(data, content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": "attachment; filename=bao-phu-tthc-tinh.csv"})


@bp.route("/agencies/<agency_code>/coverage")
def agency(agency_code: str):
    target = agency_or_404(agency_code)
    require(current_user, Action.COVERAGE_VIEW, target)
    view = coverage.agency_coverage(target)
    state = request.args.get("state", "")
    items = view.of(state) if state in coverage.STATE_LABELS else view.items
    models = {m.tthc_id: m for m in db.session.scalars(select(ModelProcedure))}
    return render_template("tthc/agency.html", agency=target, view=view, items=items,
                           state=state, labels=coverage.STATE_LABELS, models=models,
                           can_draft=policy.can(current_user, Action.DOC_CREATE, target),
                           drafts=drafting.open_drafts(target),
                           see_drafts=policy.can(current_user, Action.DOC_VIEW_DRAFTS, target))


@bp.route("/agencies/<agency_code>/coverage.csv")
def agency_csv(agency_code: str):
    target = agency_or_404(agency_code)
    require(current_user, Action.COVERAGE_VIEW, target)
    view = coverage.agency_coverage(target)
    data = write_rows(
        [_("Mã TTHC"), _("Tên thủ tục"), _("Lĩnh vực"), _("Cấp"), _("Tình trạng"),
         _("Quy trình"), _("Lần ban hành"), _("Hiệu lực từ"), _("TTHC thay đổi")],
        [[i.tthc.code, i.tthc.name, i.tthc.field, i.tthc.levels_label,
          str(coverage.STATE_LABELS[i.state]),
          (_("%(code)s (kế thừa từ %(origin)s)", code=i.procedure.code,
             origin=i.procedure.origin_name) if i.procedure.origin_code
           else i.procedure.code) if i.procedure else "",
          i.procedure.number if i.procedure else "",
          format_date(i.procedure.effective_date) if i.procedure else "",
          i.tthc.change_note if i.state == coverage.STALE else ""] for i in view.items])
    return Response(data, content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=bao-phu-tthc-{target.code}.csv"})


@bp.route("/agencies/<agency_code>/coverage/<code>/draft", methods=["POST"])
def draft(agency_code: str, code: str):
    """One click from a missing TTHC: a new draft in the standard structure."""
    target = agency_or_404(agency_code)
    tthc = tthc_or_404(code)
    require(current_user, Action.DOC_CREATE, target)
    revision, error = attempt(drafting.draft_from_tthc, target, tthc, current_user)
    if error is not None:
        flash(error.message, "error")
        return redirect(url_for("tthc.agency", agency_code=target.code, state="missing"))
    flash(_("Đã tạo dự thảo %(code)s từ TTHC %(tthc)s: hãy hoàn thiện rồi trình xem xét.",
            code=revision.document.code, tthc=tthc.code), "success")
    return redirect(url_for("documents.draft", agency_code=target.code,
                            slug=revision.document.slug, seq=revision.seq))
