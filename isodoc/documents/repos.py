"""One git repository object per agency per app context (request or CLI command),
closed at teardown: GitPython repos are not thread-safe and hold git processes
(persistent `git cat-file`), which closing stops and reaps. Code that leaves the app
context some other way (an exec, a fork) must call `close_repos` itself first."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g

from isodoc.agencies.models import Agency
from isodoc.auth.models import User
from isodoc.documents.store import AgencyRepo, Person


def repo_for(agency: Agency) -> AgencyRepo:
    repos: dict[str, AgencyRepo] = g.setdefault("isodoc_repos", {})
    if agency.code not in repos:
        repos[agency.code] = AgencyRepo(current_app.config["ISODOC_STORE_PATH"], agency.code,
                                        create=True)
    return repos[agency.code]


log = logging.getLogger(__name__)


def close_repos(_exc=None) -> None:
    """Close every repository this app context opened; one failing does not keep the
    others' git processes alive."""
    for repo in g.pop("isodoc_repos", {}).values():
        try:
            repo.close()
        except Exception:  # noqa: BLE001 — teardown must go on; the failure is logged
            log.exception("closing the git repository %s failed", repo.path)


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_repos)


def person(user: User) -> Person:
    return Person(user.full_name, user.email or f"{user.username}@isodoc.invalid")
