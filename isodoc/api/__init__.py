"""JSON API under /api/v1 (flask-smorest generates /api/v1/openapi.json)."""

from __future__ import annotations

from flask import Flask, abort, g, request

from isodoc.commands import run
from isodoc.extensions import api, csrf


def register_api(app: Flask) -> None:
    from isodoc.api.declarations import blp as declarations_blp
    from isodoc.api.documents import blp as documents_blp
    from isodoc.api.objectives import blp as objectives_blp
    from isodoc.api.programme import blp as programme_blp
    from isodoc.api.quality import blp as quality_blp
    from isodoc.api.reports import blp as reports_blp
    from isodoc.api.reviews import blp as reviews_blp
    from isodoc.api.surveys import blp as surveys_blp
    from isodoc.api.tthc import blp as tthc_blp
    from isodoc.api.views import blp

    for bp in (blp, documents_blp, quality_blp, tthc_blp, objectives_blp, programme_blp,
               reviews_blp, reports_blp, declarations_blp, surveys_blp):
        csrf.exempt(bp)  # bearer tokens, not cookies: no CSRF exposure
        api.register_blueprint(bp)


def authenticate_bearer() -> None:
    """Every API call carries `Authorization: Bearer <personal token>`."""
    from isodoc.auth.services import user_for_token

    def sign_in(token: str):
        user = user_for_token(token)
        # who it is, read before the commit expires the person: the request's log line
        # then needs no second load of the person (isodoc/logs.py)
        return user, (user.id, user.username) if user is not None else None

    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    user, who = run(sign_in, token.strip()) if scheme.lower() == "bearer" else (None, None)
    if user is None:
        abort(401)
    g.api_user, g.api_user_fields = user, who


class Extended:
    """An object seen with extra attributes, for a schema to dump (a revision with its
    text, an agency with its filtered children)."""

    def __init__(self, obj, **extra):
        self._obj = obj
        self.__dict__.update(extra)

    def __getattr__(self, name: str):
        return getattr(self._obj, name)
