"""Logging: one line per request, errors with their traceback, all to stderr.

Each request gets an id (the caller's `X-Request-ID` when it looks like one, else a
fresh one), echoed in the response header and carried by every record logged while
the request runs, so a line in the proxy's log, the request line and a traceback can
be matched. The level comes from `ISODOC_LOG_LEVEL` (INFO by default); gunicorn
captures stderr. Nothing secret is logged: the path without its query string (API
tokens and reset links travel there), never a header other than the request id.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
import uuid
from types import MethodType

from flask import Flask, Response, g, has_request_context, request

LOGGER = "isodoc"
REQUEST_LOGGER = "isodoc.request"
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"

log = logging.getLogger(REQUEST_LOGGER)


class RequestIdFilter(logging.Filter):
    """Gives every record a `request_id` (the current request's, or "-")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def configure(level: str | int = "INFO") -> None:
    """One stderr handler on the package's logger, however many apps are created
    (tests create many): the handler is replaced, never added twice."""
    logger = logging.getLogger(LOGGER)
    for handler in [h for h in logger.handlers if getattr(h, "isodoc", False)]:
        logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.isodoc = True
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RequestIdFilter())
    logger.addHandler(handler)
    logger.setLevel(level)


def request_id() -> str:
    wanted = request.headers.get("X-Request-ID", "")
    return wanted if REQUEST_ID_RE.match(wanted) else uuid.uuid4().hex


def current_user_fields() -> tuple[int | None, str]:
    """The user the request acted as, without loading one just to log it."""
    if fields := g.get("api_user_fields"):
        return fields
    user = g.get("api_user") or g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None, "-"
    return user.id, user.username


def start_request() -> None:
    g.request_id = request_id()
    g.request_started = time.perf_counter()


def log_request(response: Response) -> Response:
    rid = g.get("request_id") or request_id()
    response.headers["X-Request-ID"] = rid
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else 0.0
    user_id, username = current_user_fields()
    fields = {"request_id": rid, "method": request.method, "path": request.path,
              "status": response.status_code, "duration_ms": duration_ms,
              "user_id": user_id, "username": username, "endpoint": request.endpoint or "-"}
    log.info("%s %s %s %.1fms user=%s endpoint=%s", fields["method"], fields["path"],
             fields["status"], duration_ms, username, fields["endpoint"], extra=fields)
    return response


def log_exception(app: Flask, exc_info) -> None:
    """Flask's hook for an unhandled exception (before the 500 page is rendered)."""
    log.error("lỗi không xử lý được: %s %s", request.method, request.path, exc_info=exc_info,
              extra={"method": request.method, "path": request.path,
                     "endpoint": request.endpoint or "-"})


def level_from(name: str | None) -> int:
    level = logging.getLevelName((name or "INFO").strip().upper())
    return level if isinstance(level, int) else logging.INFO


def init_app(app: Flask) -> None:
    """Registered first in the factory: the request id exists before any other hook
    runs, and the request line is written after every other `after_request`."""
    configure(level_from(app.config.get("ISODOC_LOG_LEVEL") or os.environ.get("ISODOC_LOG_LEVEL")))
    app.before_request(start_request)
    app.after_request(log_request)
    app.log_exception = MethodType(log_exception, app)
