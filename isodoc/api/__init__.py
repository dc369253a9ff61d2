"""JSON API under /api/v1 (flask-smorest generates /api/v1/openapi.json)."""

from __future__ import annotations

from flask import Flask, abort, g, request

from isodoc.extensions import api, csrf, db


def register_api(app: Flask) -> None:
    from isodoc.api.views import blp

    csrf.exempt(blp)  # bearer tokens, not cookies: no CSRF exposure
    api.register_blueprint(blp)


def authenticate_bearer() -> None:
    """Every API call carries `Authorization: Bearer <personal token>`."""
    from isodoc.auth.services import user_for_token

    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        abort(401)
    g.api_user = user
    db.session.commit()  # last_used_at
