"""The adapters around commands: the only place that commits.

A command is a function in a feature's `services` module that changes state: it takes
the actor, asks `policy.require` and the feature's state table itself, does the git
work then the SQL work, and records the event, the audit-log row and the outbox row.
It flushes and never commits. Callers run it through one of the adapters below, which
commit once and roll back on any error:

- `run` (every interface): commit on success, roll back and re-raise on failure; the
  app's error handlers then answer — bad input 422, a stale draft 409, not allowed
  403, the git store busy or failing 503 with Retry-After (see isodoc/errors.py);
- `attempt` (web forms): like `run`, but bad input comes back to the view, which shows
  the form again with the message next to what the person typed;
- `cli` (the `isodoc` command): like `run`, errors become a Vietnamese message and a
  non-zero exit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click

from isodoc.errors import Forbidden, InvalidInput
from isodoc.extensions import db

P = ParamSpec("P")
T = TypeVar("T")


def run(command: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """One command, one transaction."""
    try:
        result = command(*args, **kwargs)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


def attempt(command: Callable[P, T], *args: P.args, **kwargs: P.kwargs
            ) -> tuple[T | None, InvalidInput | None]:
    """Web adapter: `(result, None)`, or `(None, error)` when the input was refused
    (nothing was changed). Other errors propagate to the error handlers."""
    try:
        return run(command, *args, **kwargs), None
    except InvalidInput as exc:
        return None, exc


def cli(command: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """CLI adapter: refused input or permission becomes a message and exit code 1."""
    from isodoc.documents.store import StoreError

    try:
        return run(command, *args, **kwargs)
    except InvalidInput as exc:
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        raise click.ClickException(exc.message) from None
    except Forbidden as exc:
        raise click.ClickException(str(exc.message)) from None
    except StoreError as exc:
        # the operator's console speaks Vietnamese
        raise click.ClickException(
            f"Kho tài liệu đang bận hoặc gặp lỗi: {exc}") from None  # i18n: vi-only
