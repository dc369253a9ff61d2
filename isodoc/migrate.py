"""Alembic, driven from the app: `isodoc init` upgrades the database to head."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from flask import Flask

from isodoc import resource_dir
from isodoc.extensions import db


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resource_dir("migrations")))
    return cfg


def upgrade(app: Flask) -> None:
    with app.app_context(), db.engine.begin() as connection:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def drop_everything(app: Flask) -> None:
    """Tests only: an empty database, alembic's own table included, and tables an
    earlier schema had that the models no longer name (a test database left behind by an
    older checkout would otherwise break the first migration that creates them)."""
    from sqlalchemy import MetaData

    with app.app_context(), db.engine.begin() as connection:
        found = MetaData()
        found.reflect(connection)
        found.drop_all(connection)
