"""One git repository object per agency per app context (request or CLI command),
closed at teardown: GitPython repos are not thread-safe and hold git processes."""

from __future__ import annotations

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


def close_repos(_exc=None) -> None:
    for repo in g.pop("isodoc_repos", {}).values():
        repo.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_repos)


def person(user: User) -> Person:
    return Person(user.full_name, user.email or f"{user.username}@isodoc.invalid")
