"""The search page, as-you-type suggestions, and the search API."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, g, render_template, request, url_for
from flask_login import current_user, login_required

from isodoc import search
from isodoc.documents.models import DocumentKind
from isodoc.errors import error_response
from isodoc.i18n import _l
from isodoc.pagecache import cached_page
from isodoc.paging import PagingError, parse_page
from isodoc.textnorm import nfc

LINK_BASE = "_isodoc_search_link"
QUERY_SAFE = "!$'()*,/:;?@"  # werkzeug's, for links identical to url_for's

bp = Blueprint("search", __name__, url_prefix="/search")
SCOPES = {"": _l("Toàn tỉnh"), "agency": _l("Đơn vị của tôi"), "district": _l("Huyện của tôi")}


def filters_from(args, user) -> search.Filters:
    kind = args.get("kind", "")
    return search.filters_for(
        user, scope=args.get("scope", "") if args.get("scope") in SCOPES else "",
        agency=nfc(args.get("agency", ""))[:64],
        kind=kind if kind in set(DocumentKind) else "",
        field=nfc(args.get("field", ""))[:120], clause=nfc(args.get("clause", ""))[:12],
        include_drafts=args.get("drafts") == "1")


@bp.route("/")
@login_required
@cached_page(also=lambda: search.index_stamp() if request.args.get("q") else ())
def results():
    q = nfc(request.args.get("q", ""))[:search.MAX_QUERY]
    try:
        page = parse_page(request.args.get("page"))
    except PagingError as exc:  # refused before the engine sees an offset
        return error_response(400, exc.message)
    found = search.search(q, filters_from(request.args, current_user), page) if q else None
    return render_template("search/results.html", q=q, results=found, scopes=SCOPES,
                           labels=search.FACET_LABELS, link=link)


def link(**changes) -> str:
    """This search with some parameters changed (a facet picked, another page): the
    route is built once a request and the query encoded as url_for encodes it (a page
    has up to 50 such links)."""
    base = g.get(LINK_BASE)
    if base is None:
        base = g.setdefault(LINK_BASE, url_for("search.results"))
    args = request.args.to_dict()
    args.update({k: str(v) for k, v in changes.items()})
    return f"{base}?{urlencode(args, safe=QUERY_SAFE)}" if args else base


@bp.route("/suggest")
@login_required
def suggest():
    q = nfc(request.args.get("q", ""))[:search.MAX_SUGGEST_QUERY]
    return {"suggestions": search.suggest(q, filters_from(request.args, current_user))}
