"""isodoc — ISO điện tử: the QMS (TCVN ISO 9001:2015) of a province's state agencies."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import format_datetime, get_locale
from sqlalchemy import event
from sqlalchemy.engine import Engine

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """templates/, static/ and migrations/ live at the top of a source checkout and
    inside the package once installed (see pyproject's package-dir)."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"isodoc: cannot find the {name}/ folder")


def instance_dir() -> Path:
    env = os.environ.get("ISODOC_INSTANCE_PATH")
    return Path(env).resolve() if env else PACKAGE_DIR.parent / "instance"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    instance = Path((test_config or {}).get("INSTANCE_PATH") or instance_dir())
    instance.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True,
                template_folder=str(resource_dir("templates")),
                static_folder=str(resource_dir("static")))

    from isodoc import config

    app.config.from_mapping(config.from_environment(instance))
    if test_config:
        app.config.update(test_config)
    for key in ("ISODOC_STORE_PATH", "ISODOC_INDEX_PATH", "ISODOC_ATTACHMENTS_PATH"):
        Path(app.config[key]).mkdir(parents=True, exist_ok=True)

    if proxies := app.config["ISODOC_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.json.ensure_ascii = False  # Vietnamese stays readable in API answers
    from isodoc import logs

    logs.init_app(app)
    init_extensions(app)
    from isodoc.paging import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    register_blueprints(app)

    from isodoc.errors import register_error_handlers
    from isodoc.security_headers import init_app as init_security_headers

    register_error_handlers(app)
    from isodoc import dbstats

    dbstats.init_app(app)
    register_template_helpers(app)
    init_security_headers(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL and a busy timeout let two gunicorn workers share one SQLite file."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_inside_transaction(connection, _name) -> None:
    """pysqlite begins a transaction only before an INSERT, UPDATE or DELETE, so a
    SAVEPOINT issued first would open the transaction itself, and its RELEASE would
    commit everything. Begin the transaction first: the savepoint is then nested, and
    only the session's commit commits."""
    raw = connection.connection.dbapi_connection
    if type(raw).__module__.startswith("sqlite3") and not raw.in_transaction:
        raw.execute("BEGIN")


def init_extensions(app: Flask) -> None:
    from isodoc import i18n, models, pagecache  # noqa: F401  (models: register every table)
    from isodoc.auth import throttle  # noqa: F401  (registers the database:// limiter storage)
    from isodoc.auth.models import User
    from isodoc.extensions import api, babel, csrf, db, limiter, login_manager

    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    babel.domain_instance = i18n.PartsDomain()  # the parts, merged (isodoc/i18n.py)
    api.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # lazy, made a plain string when flashed: the session cannot hold a lazy string
    login_manager.login_message = i18n._l("Vui lòng đăng nhập để tiếp tục.")
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        from isodoc.auth.services import session_id_parts

        # None for a remember-me sign-in older than REMEMBER_COOKIE_DURATION
        if (parts := session_id_parts(user_id)) is None:
            return None
        ident, version, remembered_since = parts
        # with the data version in the same query (isodoc/pagecache.py)
        row = db.session.execute(pagecache.user_with_version(),
                                 {"user_id": ident}).one_or_none()
        user = row[0] if row else None
        if row:
            pagecache.remember_version(row[1])
        # Checked on every request, for the session and the remember-me cookie alike:
        # logout, a password change or reset bumps the version and ends every copy.
        if user is None or not user.active or str(user.session_version) != version:
            return None
        user.remembered_since = remembered_since
        return user


def register_blueprints(app: Flask) -> None:
    from isodoc.admin.views import bp as admin_bp
    from isodoc.agencies.views import bp as agencies_bp
    from isodoc.annual_reports.views import bp as annual_reports_bp
    from isodoc.api import register_api
    from isodoc.audits.views import bp as audits_bp
    from isodoc.auth.views import bp as auth_bp
    from isodoc.declarations.views import bp as declarations_bp
    from isodoc.documents import repos
    from isodoc.documents.views import bp as documents_bp
    from isodoc.documents.views import preview_bp
    from isodoc.findings.report_views import bp as reports_bp
    from isodoc.findings.views import bp as findings_bp
    from isodoc.inspections.views import bp as inspections_bp
    from isodoc.mail import drain_after_request as drain_mail_after_request
    from isodoc.mail.views import bp as mail_bp
    from isodoc.main.views import bp as main_bp
    from isodoc.objectives.views import bp as objectives_bp
    from isodoc.programme.views import bp as programme_bp
    from isodoc.records.views import bp as records_bp
    from isodoc.reviews.views import bp as reviews_bp
    from isodoc.risks.views import bp as risks_bp
    from isodoc.search import drain_after_request
    from isodoc.search.views import bp as search_bp
    from isodoc.standards.views import bp as standards_bp
    from isodoc.succession.views import bp as succession_bp
    from isodoc.surveys.views import bp as surveys_bp
    from isodoc.surveys.views import public as survey_public_bp
    from isodoc.training.views import bp as training_bp
    from isodoc.tthc.views import bp as tthc_bp

    for bp in (main_bp, auth_bp, agencies_bp, admin_bp, documents_bp, preview_bp, search_bp,
               audits_bp, findings_bp, reports_bp, standards_bp, mail_bp, tthc_bp,
               objectives_bp, risks_bp, programme_bp, reviews_bp, training_bp, records_bp,
               annual_reports_bp, succession_bp, declarations_bp, inspections_bp, surveys_bp,
               survey_public_bp):
        app.register_blueprint(bp)
    repos.init_app(app)
    app.after_request(drain_after_request)
    app.after_request(drain_mail_after_request)
    register_api(app)


def register_template_helpers(app: Flask) -> None:
    from isodoc import policy
    from isodoc.agencies.models import AgencyKind, QmsStatus
    from isodoc.auth.models import Role
    from isodoc.findings.models import FindingState, FindingType
    from isodoc.findings.services import overdue_since
    from isodoc.main import waiting
    from isodoc.objectives.models import format_number
    from isodoc.timeutil import format_date, format_percent

    app.jinja_env.filters["vndate"] = format_date
    app.jinja_env.filters["vnpercent"] = format_percent
    app.jinja_env.filters["vndatetime"] = (
        lambda dt: format_datetime(dt, "dd/MM/yyyy HH:mm") if dt else "")
    # the local day (Asia/Ho_Chi_Minh) of a UTC moment, as dd/mm/yyyy
    app.jinja_env.filters["vndayof"] = (
        lambda dt: format_datetime(dt, "dd/MM/yyyy") if dt else "")

    @app.context_processor
    def helpers() -> dict[str, Any]:
        from flask_login import current_user

        return {
            "current_language": lambda: str(get_locale() or "vi"),
            "can": lambda action, target=None: policy.can(current_user, action, target),
            "Action": policy.Action,
            "AgencyKind": AgencyKind,
            "QmsStatus": QmsStatus,
            "Role": Role,
            "FindingState": FindingState,
            "FindingType": FindingType,
            "overdue_since": overdue_since,
            "format_number": format_number,
            # called by the header only for a signed-in person: one query, per request
            "waiting_count": lambda: waiting.count_for(current_user),
            "sees_reports": lambda: policy.sees_quality_reports(current_user),
        }
