"""Reading pages kept as rendered, per person, and served again while nothing changed.

The document page, the API's document in force, the home ("Việc của tôi"), the document
register, a document's history and a page of search results are read far more often
than anything they show changes. Each is rendered once per person and kept in this
worker's memory with the **data version** it was rendered at: one row of SQL
(`data_version`) that every transaction writing anything else gives a new random value,
in that same transaction. A request reads it (one indexed query) and serves the kept
page only if it is unchanged; so a change of state, of roles or memberships, of an
agency, a new acknowledgement… is seen by the very next request, on every node sharing
the database (the version lives in SQL, not in a process).

What keeps one person's page from another and from going stale:
- the key holds the person's id and session version (the sign-in was validated by
  Flask-Login first: a disabled account, a logout or password change ends the session
  before the cache is asked), the path with its query, the language and today's date
  (pages say what is in force *today*); an API page is keyed by the token's user;
- the CSRF token is never kept: it is cut out of the page when stored and the
  requester's own token is put back at every hit;
- a page showing flashed messages is neither served from nor stored in the cache;
- only a 200 answer to a GET is kept, bounded in count and size (LRU).
- a page reading something the data version does not follow adds it to the key: the
  search results add the index commit they read (the index catches up with a write
  after its commit, so a page rendered in between is not served after the catch-up).

Writes are noticed at the engine (every INSERT, UPDATE, DELETE or DDL statement but
those on the sign-in throttle's counters, on `data_version` itself and on the search
indexes' progress reports), so ORM flushes, Core statements and raw SQL through the
session all count; the new value is written just before the transaction commits.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import cache, wraps
from typing import Any

from flask import current_app, g, has_request_context, make_response, request, session
from flask_babel import get_locale
from sqlalchemy import String, bindparam, event, inspect, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column
from sqlalchemy.pool import Pool

from isodoc.extensions import db, limiter

MAX_ENTRIES = 2000
MAX_BYTES = 16 * 1024 * 1024  # kept pages, in one worker (about 1,800 document pages)
CHANGED = "isodoc_data_changed"  # on a connection's info: written in this transaction
# statements that never change what a page shows: reads, transaction control, and
# writes to the throttle's counters (every sign-in attempt) and to the version itself,
READ_HEADS = ("select", "pragma", "savepoint", "release", "rollback", "commit", "begin",
              "show", "set ", "explain", "analyze")  # statistics change no page
# and where each search index reports its progress (every minute per node: no page shows
# it; the kept search results follow the index itself, see `also`)
EXEMPT = re.compile(r"\s*(?:insert\s+into|update|delete\s+from)\s+\"?"
                    r"(?:rate_limit_counter|data_version|search_index)\b", re.IGNORECASE)
WRITE_WORDS = re.compile(r"\b(?:insert|update|delete)\b", re.IGNORECASE)
PLACEHOLDER = f"\x00isodoc-csrf-{secrets.token_hex(8)}\x00".encode()


class DataVersion(db.Model):
    """One row: a random value replaced by every transaction that writes."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


VERSION_QUERY = select(DataVersion.token).where(DataVersion.id == 1)
VERSION_MEMO = "_isodoc_data_version"
BUMP = (update(DataVersion.__table__).where(DataVersion.__table__.c.id == 1)
        .values(token=bindparam("token")))


@cache
def user_with_version():
    """The signed-in person and the data version in one query (Flask-Login's loader):
    a kept page then costs this one query and nothing else."""
    from isodoc.auth.models import User

    return (select(User, DataVersion.token)
            .outerjoin(DataVersion, DataVersion.id == 1)
            .where(User.id == bindparam("user_id")))


# -- noticing writes -----------------------------------------------------------------

@event.listens_for(Engine, "before_cursor_execute")
def _note_write(conn, _cursor, statement: str, _parameters, _context, _many) -> None:
    head = statement[:40].lstrip().lower()
    if head.startswith(READ_HEADS) or EXEMPT.match(statement):
        return
    if head.startswith("with") and not WRITE_WORDS.search(statement):
        return  # a read with a common table expression
    conn.info[CHANGED] = True


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _forget_write(conn) -> None:
    conn.info.pop(CHANGED, None)


@event.listens_for(Pool, "checkin")
def _forget_on_checkin(_dbapi_connection, record) -> None:
    if record is not None:
        record.info.pop(CHANGED, None)


@event.listens_for(Session, "before_commit")
def _bump_version(session: Session) -> None:
    """A transaction that wrote anything gives the version a new value before it
    commits: the same commit makes the change and the new version visible."""
    if session.get_transaction() is None:
        return
    if session.new or session.dirty or session.deleted:
        session.flush()  # what the commit would flush next: noticed now
    connection = session.connection()
    if not connection.info.get(CHANGED):
        return
    token = secrets.token_hex(16)
    done = connection.execute(BUMP, {"token": token}).rowcount  # Core: no ORM overhead
    if not done:  # the row was removed (tests empty every table): put it back
        session.add(DataVersion(id=1, token=token))
        session.flush()
    connection.info.pop(CHANGED, None)
    if has_request_context():
        g.pop(VERSION_MEMO, None)  # read before this write: no longer the version


@cache
def token_with_version():
    """An API token with its person and the data version, in one query."""
    from isodoc.auth.models import ApiToken

    return (select(ApiToken, DataVersion.token)
            .outerjoin(DataVersion, DataVersion.id == 1)
            .where(ApiToken.token_hash == bindparam("token_hash"))
            .options(joinedload(ApiToken.user)))


def remember_version(token: str | None) -> None:
    g.setdefault(VERSION_MEMO, token)


def current_version() -> str | None:
    """The data version: as read with the person at the start of this request (nothing
    was written since, or it would have been forgotten), else read now."""
    if VERSION_MEMO in g:
        return g.pop(VERSION_MEMO)
    return db.session.connection().execute(VERSION_QUERY).scalar()


def version_to_keep() -> str | None:
    """The data version for a figure kept beside the pages (the header's count): None
    when this transaction has written, as what it read may yet be rolled back."""
    session = db.session()
    if session.new or session.dirty or session.deleted:
        return None  # not yet flushed: the figure's query would flush it
    connection = session.connection()
    if connection.info.get(CHANGED):
        return None
    token = g.get(VERSION_MEMO) if has_request_context() else None
    return token if token is not None else connection.execute(VERSION_QUERY).scalar()


# -- the kept pages --------------------------------------------------------------------

class _Kept:
    __slots__ = ("version", "body", "mimetype")

    def __init__(self, version: str, body: bytes, mimetype: str):
        self.version, self.body, self.mimetype = version, body, mimetype


_lock = threading.Lock()
_pages: OrderedDict[tuple, _Kept] = OrderedDict()
_size = [0]


def clear() -> None:
    with _lock:
        _pages.clear()
        _size[0] = 0


def _get(key: tuple, version: str) -> _Kept | None:
    with _lock:
        kept = _pages.get(key)
        if kept is None or kept.version != version:
            return None
        _pages.move_to_end(key)
        return kept


def _put(key: tuple, kept: _Kept) -> None:
    with _lock:
        old = _pages.pop(key, None)
        if old is not None:
            _size[0] -= len(old.body)
        _pages[key] = kept
        _size[0] += len(kept.body)
        while _pages and (len(_pages) > MAX_ENTRIES or _size[0] > MAX_BYTES):
            _, dropped = _pages.popitem(last=False)
            _size[0] -= len(dropped.body)


def _person() -> tuple | None:
    """Who the page is for, as validated this request; None: do not cache."""
    api_user = g.get("api_user")
    if api_user is not None:  # its id without reloading it (expired by the token's commit)
        return ("api", inspect(api_user).identity[0])
    from flask_login import current_user

    user = current_user._get_current_object()
    if user is None or not user.is_authenticated or user.id is None:
        return None
    return ("web", user.id, user.session_version)


def _csrf_field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def cached_page(view: Callable[..., Any] | None = None, *,
                also: Callable[[], tuple] | None = None) -> Callable[..., Any]:
    """Serve the view's 200 answer again to the same person while the data version,
    the day and the language are unchanged (see the module's docstring). `also`: what
    else the page reads that the data version does not follow (the search index)."""
    if view is None:
        return lambda view: cached_page(view, also=also)

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_app.config.get("ISODOC_PAGE_CACHE", True) or \
                request.method != "GET" or "_flashes" in session:
            return view(*args, **kwargs)
        person = _person()
        version = current_version() if person is not None else None
        if version is None:
            return view(*args, **kwargs)
        from isodoc.documents import services

        key = (id(current_app._get_current_object()), request.endpoint, *person,
               request.full_path, str(get_locale()), services.today_local(),
               *(also() if also else ()))
        kept = _get(key, version)
        if kept is not None:
            body = kept.body
            if PLACEHOLDER in body:
                from flask_wtf.csrf import generate_csrf

                body = body.replace(PLACEHOLDER, generate_csrf().encode())
            return current_app.response_class(body, mimetype=kept.mimetype)
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200 and not response.direct_passthrough and \
                "_flashes" not in session and not response.headers.get("Set-Cookie"):
            body = response.get_data()
            token = g.get(_csrf_field())
            if token:
                body = body.replace(token.encode(), PLACEHOLDER)
            _put(key, _Kept(version, body, response.mimetype))
        return response

    wrapper.isodoc_cached_page = True
    return wrapper


@limiter.request_filter
def is_cached_page() -> bool:
    """Whether this request's view is a kept page (reading pages without a rate limit
    of their own: Flask-Limiter need not resolve their limits at every request)."""
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "isodoc_cached_page", False)
