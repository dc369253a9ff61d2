"""Configuration read from the environment (ISODOC_*), with safe defaults for a laptop."""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common short form."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def secret_key(instance: Path) -> str:
    """ISODOC_SECRET_KEY, else a key generated once and kept in the instance folder,
    so that sessions survive restarts and are shared by all gunicorn workers."""
    if key := os.environ.get("ISODOC_SECRET_KEY"):
        return key
    path = instance / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32))
    return path.read_text().strip()


NODE_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")


def node_name() -> str:
    """ISODOC_NODE (set by `isodoc serve --node`): a short lowercase name, or "" for a
    server that is the only node."""
    return check_node_name(os.environ.get("ISODOC_NODE", "").strip())


def check_node_name(name: str) -> str:
    if name and not NODE_RE.fullmatch(name):
        raise ValueError(f"ISODOC_NODE={name!r}: a-z, 0-9, '-' and '_' only (≤ 63)")
    return name


def index_path(instance: Path, node: str) -> str:
    return str(instance / "search" / node) if node else str(instance / "index")


def from_environment(instance: Path) -> dict:
    env = os.environ.get
    return {
        "SECRET_KEY": secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            env("ISODOC_DATABASE_URL", f"sqlite:///{instance / 'isodoc.sqlite3'}")),
        "ISODOC_STORE_PATH": env("ISODOC_STORE_PATH", str(instance / "repos")),
        # Several nodes (app servers) on one database each keep their own search index:
        # ISODOC_NODE names the node and, unless ISODOC_INDEX_PATH says otherwise, its
        # index folder (<instance>/search/<node>).
        "ISODOC_NODE": node_name(),
        "ISODOC_INDEX_PATH": env("ISODOC_INDEX_PATH", index_path(instance, node_name())),
        # how often each worker compares the change log's last id with its index's
        "ISODOC_SEARCH_POLL_SECONDS": float(env("ISODOC_SEARCH_POLL_SECONDS", "0.5")),
        # log rows are pruned once every index seen within this many days has applied them
        "ISODOC_SEARCH_LOG_DAYS": int(env("ISODOC_SEARCH_LOG_DAYS", "7")),
        "ISODOC_ATTACHMENTS_PATH": env("ISODOC_ATTACHMENTS_PATH", str(instance / "attachments")),
        # tantivy meets the search targets in bench/search.py; Whoosh is the alternative.
        "ISODOC_SEARCH_ENGINE": env("ISODOC_SEARCH_ENGINE", "tantivy"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env("ISODOC_SECURE_COOKIES", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_DURATION": timedelta(days=int(env("ISODOC_REMEMBER_DAYS", "14"))),
        # Number of reverse proxies whose X-Forwarded-For/-Proto to trust (0: none).
        "ISODOC_PROXIES": int(env("ISODOC_PROXIES", "0")),
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env("ISODOC_SECURE_COOKIES", "0") == "1",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(env("ISODOC_SESSION_HOURS", "8"))),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        # database:// counts in the app's own database (isodoc/auth/throttle.py), so all
        # workers share one count; redis://host:6379 needs `pip install isodoc[redis]`.
        # memory:// counts per worker process: for a single process only.
        "RATELIMIT_STORAGE_URI": env("ISODOC_RATELIMIT_STORAGE_URI", "database://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "ISODOC_LOGIN_RATE_LIMIT": env("ISODOC_LOGIN_RATE_LIMIT", "10 per minute"),
        # failed sign-ins per account, from every address together: a password cannot be
        # guessed from many addresses; the right password works again once the window ends
        "ISODOC_LOGIN_ACCOUNT_RATE_LIMIT": env("ISODOC_LOGIN_ACCOUNT_RATE_LIMIT",
                                               "20 per hour"),
        # the public satisfaction survey (/khao-sat): answers per client address, and per
        # agency from every address together (a desk tablet is one address)
        "ISODOC_SURVEY_RATE_LIMIT": env("ISODOC_SURVEY_RATE_LIMIT", "6 per minute;40 per hour"),
        "ISODOC_SURVEY_AGENCY_LIMIT": env("ISODOC_SURVEY_AGENCY_LIMIT", "300 per hour"),
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        # reading pages kept per person while the data version is unchanged (pagecache.py)
        "ISODOC_PAGE_CACHE": env("ISODOC_PAGE_CACHE", "1") != "0",
        # argon2id parameters (argon2-cffi defaults: RFC 9106 low-memory profile).
        "ISODOC_ARGON2": {},
        "API_TITLE": "isodoc API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               # the OpenAPI document, built once at start-up
                               "description":
                                   "Mã truy cập cá nhân (isodoc user token)"}}},  # i18n: vi-only
            "info": {"description":
                     "API của isodoc — ISO điện tử. Lỗi trả về JSON với "  # i18n: vi-only
                     "thông báo trong trường `message`, tiếng Việt hoặc "
                     "tiếng Anh với tham số `lang=en`."},
        },
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # Mail (isodoc/mail): with no SMTP host, mails are written as .eml files under
        # ISODOC_MAIL_PATH. TLS: none, starttls or ssl; the port defaults to 25/587/465.
        "ISODOC_SMTP_HOST": env("ISODOC_SMTP_HOST", ""),
        "ISODOC_SMTP_PORT": int(env("ISODOC_SMTP_PORT", "0") or 0),
        "ISODOC_SMTP_TLS": env("ISODOC_SMTP_TLS", "none").lower(),
        "ISODOC_SMTP_USER": env("ISODOC_SMTP_USER", ""),
        "ISODOC_SMTP_PASSWORD": env("ISODOC_SMTP_PASSWORD", ""),
        "ISODOC_SMTP_TIMEOUT": float(env("ISODOC_SMTP_TIMEOUT", "10")),
        "ISODOC_MAIL_FROM": env("ISODOC_MAIL_FROM", "isodoc <isodoc@localhost>"),
        "ISODOC_MAIL_PATH": env("ISODOC_MAIL_PATH", str(instance / "mail")),
        # links in mails are absolute: where people reach the app
        "ISODOC_BASE_URL": env("ISODOC_BASE_URL", "http://127.0.0.1:5000"),
    }
