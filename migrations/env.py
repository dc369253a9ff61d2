"""Alembic environment: runs on the connection isodoc hands over (isodoc.migrate),
or on ISODOC_DATABASE_URL when invoked as `alembic` for autogenerate."""

from alembic import context
from sqlalchemy import create_engine

from isodoc import models  # noqa: F401  (register every table)
from isodoc.config import normalise_database_url
from isodoc.extensions import db

config = context.config
target_metadata = db.metadata


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    import os

    url = normalise_database_url(os.environ["ISODOC_DATABASE_URL"])
    with create_engine(url).begin() as conn:
        run(conn)
