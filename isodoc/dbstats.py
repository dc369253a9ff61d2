"""Planner statistics: ANALYZE when serving starts, once an hour after a response, and
in `isodoc maintenance`.

SQLite has no statistics until ANALYZE runs, and without them it reads a province's
revisions through the index on `state` (every issued revision) instead of the person's
agencies' documents: the header's "waiting" count took 100 ms on a province of 50,000
documents, 2 ms with statistics (bench/load.py --documents 50000). A full ANALYZE of
that database takes about 0.1 s; `analysis_limit` was not enough for some plans.
PostgreSQL keeps its own statistics (autovacuum); an explicit ANALYZE does no harm.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, Response, current_app
from sqlalchemy.engine import Engine

from isodoc.extensions import db

log = logging.getLogger(__name__)
INTERVAL = 3600.0  # seconds between two refreshes in one worker
_lock = threading.Lock()
_last: dict[int, float] = {}  # engine id → monotonic time of its last refresh


def refresh(engine: Engine) -> float:
    """ANALYZE the whole database; the seconds it took."""
    started = time.monotonic()
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    _last[id(engine)] = time.monotonic()
    return _last[id(engine)] - started


def _due(engine: Engine) -> bool:
    with _lock:
        last = _last.get(id(engine))
        now = time.monotonic()
        if last is not None and now - last < INTERVAL:
            return False
        _last[id(engine)] = now  # one refresh per interval, whichever request claims it
        return last is not None  # the first request of a worker only starts the clock


def init_app(app: Flask) -> None:
    @app.after_request
    def _refresh_later(response: Response) -> Response:
        engine = db.engine
        if _due(engine):
            flask_app = current_app._get_current_object()

            def later() -> None:
                with flask_app.app_context():
                    try:
                        log.info("ANALYZE took %.2f s", refresh(engine))
                    except Exception:  # noqa: BLE001 — the response is already sent
                        log.exception("ANALYZE failed")

            response.call_on_close(later)
        return response
