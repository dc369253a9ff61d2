"""The timer of a served node: each worker process compares the change log's last id
with its index's cursor every ISODOC_SEARCH_POLL_SECONDS and catches up when another
node (or another worker) changed something; it also reports the index as alive and
prunes the log rows every live index has passed.

Started by the served app (`isodoc.wsgi`) in each gunicorn worker process, after the
fork (a thread does not survive a fork, and one in a --preload master would share its
pooled connections with the workers: those start their own at their first request)."""

from __future__ import annotations

import logging
import os
import threading
import time

from flask import Flask

from isodoc.extensions import db

log = logging.getLogger(__name__)
PRUNE_EVERY = 600.0  # seconds between two prunes by one worker
_started: dict[int, int] = {}  # id(app) -> pid whose thread follows for it
_lock = threading.Lock()


def start(app: Flask) -> None:
    """Follow the change log for `app` in this process (once per process)."""
    app.config["ISODOC_SEARCH_FOLLOW"] = True
    with _lock:
        if _started.get(id(app)) == os.getpid():
            return
        _started[id(app)] = os.getpid()
    thread = threading.Thread(target=_run, args=(app,), name="isodoc-search-follower",
                              daemon=True)
    thread.start()


def in_gunicorn_worker() -> bool:
    """A gunicorn worker (its parent is the master), not a --preload master about to
    fork: a thread there would share pooled connections with the forked workers."""
    from isodoc.documents.integrity import _is_gunicorn

    return _is_gunicorn(os.getppid())


def follow(app: Flask) -> None:
    """What the served app does once it is made: follow now in a gunicorn worker, else
    from the first request of each process (a --preload master's forked workers)."""
    app.config["ISODOC_SEARCH_FOLLOW"] = True
    if in_gunicorn_worker():
        start(app)


def ensure_started(app: Flask) -> None:
    if app.config.get("ISODOC_SEARCH_FOLLOW") and _started.get(id(app)) != os.getpid():
        start(app)


def tick(app: Flask, prune: bool = False) -> int:
    """One look at the log: the cheap check, then a catch-up if behind."""
    from isodoc import search

    with app.app_context():
        try:
            done = search.catch_up(wait=0) if search.behind() else 0
            if not done:
                search.report(search.engine())  # alive, at most once a minute
            if prune:
                pruned = search.prune()
                if pruned:
                    log.info("search change log: %d rows pruned", pruned)
            db.session.commit()
            return done
        except Exception:  # noqa: BLE001 — the next tick tries again
            db.session.rollback()
            log.exception("search index follower: catch-up failed")
            return 0


def _run(app: Flask) -> None:
    interval = max(app.config["ISODOC_SEARCH_POLL_SECONDS"], 0.05)
    last_prune = time.monotonic()
    while True:
        due = time.monotonic() - last_prune >= PRUNE_EVERY
        tick(app, prune=due)
        if due:
            last_prune = time.monotonic()
        time.sleep(interval)
