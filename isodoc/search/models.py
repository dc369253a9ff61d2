"""The search change log and the indexes that follow it.

`search_log` is append-only: one row per change of a document, written in the same
transaction as the change (so a worker that dies after the SQL commit leaves nothing
behind). Each search index (one per node) applies the rows past its own cursor and
keeps that cursor beside its files; `search_index` is where every index reports how
far it got, so that rows every live index has passed can be pruned, and
`search_log_horizon` says up to which id rows were pruned: an index behind it cannot
catch up from the log and is rebuilt from the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from isodoc.extensions import db
from isodoc.timeutil import utcnow

# SQLite reuses the largest rowid + 1 once rows are deleted: AUTOINCREMENT keeps ids
# increasing after a prune (PostgreSQL's sequence does so by itself).
LOG_ID = BigInteger().with_variant(db.Integer(), "sqlite")


class SearchChange(db.Model):
    __tablename__ = "search_log"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(LOG_ID, primary_key=True)
    document_id: Mapped[int] = mapped_column()  # no FK: the row may outlive it
    change: Mapped[str] = mapped_column(String(20), default="update")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchIndexState(db.Model):
    """One search index (node and engine folder): the last log id it applied, as it
    last reported it, and when it was last seen."""

    __tablename__ = "search_index"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    applied_id: Mapped[int] = mapped_column(BigInteger, default=0)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SearchLogHorizon(db.Model):
    """One row (id 1): every log row with an id up to `pruned_through` was deleted."""

    __tablename__ = "search_log_horizon"

    id: Mapped[int] = mapped_column(primary_key=True)
    pruned_through: Mapped[int] = mapped_column(BigInteger, default=0)
