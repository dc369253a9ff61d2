"""Domain errors and the HTTP error pages (HTML, or JSON under /api/), in the
interface's language."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import LazyString
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException, InternalServerError

from isodoc.i18n import _l


class InvalidInput(ValueError):
    """Bad user input: the message, in the interface's language, is shown as is; nothing
    was changed."""

    def __init__(self, message: str, problems: list[str] | None = None):
        # a lazy message is evaluated here, in the request that refuses: flash() keeps it
        # in the session, which cannot hold a lazy string
        message = str(message)
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class Conflict(InvalidInput):
    """The object moved on since the person loaded it (409): `details` says to what."""

    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message)
        self.details = details or {}


class SourceText(str):
    """A message that is, as a `str`, its Vietnamese source text (callers and tests look
    for it in a page), and is shown in the interface's language: `str()`, templates and
    JSON answers translate it. Flash or concatenate `str(message)`, not the message."""

    def __new__(cls, lazy: LazyString) -> SourceText:
        self = super().__new__(cls, lazy._args[0])  # lazy_gettext(string): the msgid
        self.lazy = lazy
        return self

    def __str__(self) -> str:
        return str(self.lazy)

    def __html__(self) -> Markup:
        return escape(str(self.lazy))


class Forbidden(PermissionError):
    """The policy said no (403). Callers never learn more than that."""

    message = SourceText(_l("Bạn không có quyền thực hiện thao tác này."))


class _Translated(dict):
    """Lazy messages handed out as plain strings in the current language (a caller may
    flash() them, and the session holds plain strings only)."""

    def __getitem__(self, key):
        return str(super().__getitem__(key))

    def get(self, key, default=None):
        found = dict.get(self, key)
        return default if found is None else str(found)


MESSAGES = _Translated({
    400: _l("Yêu cầu không hợp lệ."),
    401: _l("Bạn cần đăng nhập (hoặc gửi mã truy cập hợp lệ) để tiếp tục."),
    403: _l("Bạn không có quyền thực hiện thao tác này."),
    404: _l("Không tìm thấy trang hoặc đối tượng được yêu cầu."),
    405: _l("Phương thức không được hỗ trợ."),
    413: _l("Tệp tải lên quá lớn."),
    422: _l("Dữ liệu gửi lên không hợp lệ."),
    429: _l("Bạn đã thử quá nhiều lần. Vui lòng đợi ít phút rồi thử lại."),
    503: _l("Kho tài liệu đang bận. Chưa có thay đổi nào được lưu; vui lòng thử lại sau ít giây."),
    500: _l("Hệ thống gặp lỗi không mong muốn. Dữ liệu của bạn không bị thay đổi; "
            "vui lòng thử lại sau."),
})
CSRF_MESSAGE = SourceText(_l("Phiên làm việc đã hết hạn hoặc biểu mẫu thiếu mã bảo mật. "
                             "Vui lòng tải lại trang và thử lại; chưa có thay đổi nào được lưu."))


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(code: int, message: str, errors=None, headers: dict | None = None):
    if wants_json():
        body = {"code": code, "message": str(message)}
        if errors:
            body["errors"] = errors
        return jsonify(body), code, headers or {}
    return render_template("errors/error.html", code=code, message=message), code, \
        headers or {}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return error_response(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        data = getattr(e, "data", None) or {}
        message = data.get("message") if isinstance(data.get("message"), str) else None
        return error_response(e.code or 500, message or MESSAGES.get(e.code, e.name),
                              data.get("messages"))

    # What a command raises when its adapter lets it through (isodoc/commands.py).
    @app.errorhandler(Forbidden)
    def forbidden(e: Forbidden):
        return error_response(403, MESSAGES[403])

    @app.errorhandler(Conflict)
    def conflict(e: Conflict):
        return error_response(409, e.message, e.details)

    @app.errorhandler(InvalidInput)
    def invalid(e: InvalidInput):
        return error_response(422, e.message, e.problems or None)

    from isodoc.documents.store import StoreError

    @app.errorhandler(StoreError)
    def store_unavailable(e: StoreError):
        app.logger.error("git store failed on %s %s: %s", request.method, request.path, e,
                         exc_info=e)
        return error_response(503, MESSAGES[503], headers={"Retry-After": "5"})

    @app.errorhandler(InternalServerError)
    def server_error(e):
        # the failed request's transaction is dead: the error page (current_user, flashes)
        # must not reuse it, or the handler itself fails and no page is sent
        from isodoc.extensions import db

        db.session.rollback()
        return error_response(500, MESSAGES[500])
