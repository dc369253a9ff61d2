"""A Flask-Limiter storage in the app's own database: RATELIMIT_STORAGE_URI="database://".

The memory storage counts per process, so gunicorn's workers each allowed the full
login limit (2 workers: 20 attempts a minute instead of 10). Here every worker, and
every host on the same database, increments one row per key with a single atomic
upsert (INSERT ... ON CONFLICT DO UPDATE ... RETURNING, on SQLite and PostgreSQL).
Redis remains available through ISODOC_RATELIMIT_STORAGE_URI=redis://...

The counter is written on its own connection and committed at once: a request that
rolls back (a failed login does) must not take its attempt with it.
"""

from __future__ import annotations

import time

from flask_limiter import RequestLimit
from limits.storage import Storage
from sqlalchemy import case, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from isodoc.auth.models import RateLimitCounter

COUNTERS = RateLimitCounter.__table__


def _engine() -> Engine:
    """The current app's engine: one Limiter serves every app made in this process."""
    from isodoc.extensions import db

    return db.engine


class DatabaseStorage(Storage):
    """Fixed-window counters (Flask-Limiter's default strategy) in `rate_limit_counter`."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        engine = _engine()
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        expired = COUNTERS.c.expires_at <= now
        upsert = insert(COUNTERS).values(key=key, count=amount, expires_at=now + expiry)
        upsert = upsert.on_conflict_do_update(
            index_elements=[COUNTERS.c.key],
            set_={"count": case((expired, amount), else_=COUNTERS.c.count + amount),
                  "expires_at": case((expired, now + expiry), else_=COUNTERS.c.expires_at)},
        ).returning(COUNTERS.c.count)
        with engine.begin() as connection:
            # Windows that ended are of no use to anyone: the table stays as small as
            # the number of clients seen within one window.
            connection.execute(delete(COUNTERS).where(COUNTERS.c.expires_at <= now,
                                                      COUNTERS.c.key != key))
            return int(connection.execute(upsert).scalar_one())

    def get(self, key: str) -> int:
        with _engine().connect() as connection:
            count = connection.execute(select(COUNTERS.c.count).where(
                COUNTERS.c.key == key, COUNTERS.c.expires_at > time.time())).scalar()
        return int(count or 0)

    def get_expiry(self, key: str) -> float:
        with _engine().connect() as connection:
            expires_at = connection.execute(select(COUNTERS.c.expires_at).where(
                COUNTERS.c.key == key)).scalar()
        return float(expires_at) if expires_at is not None else time.time()

    def check(self) -> bool:
        try:
            with _engine().connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with _engine().begin() as connection:
            return connection.execute(delete(COUNTERS)).rowcount

    def clear(self, key: str) -> None:
        with _engine().begin() as connection:
            connection.execute(delete(COUNTERS).where(COUNTERS.c.key == key))


def first_breach(breach: RequestLimit) -> bool:
    """Whether this is the first request refused by the limit in its current window, on
    any worker or node: an atomic count in the limiter's storage that ends with the
    window."""
    from isodoc.extensions import limiter

    expiry = max(1, int(breach.reset_at - time.time()))
    return limiter.storage.incr(f"breach/{breach.key}", expiry) == 1
