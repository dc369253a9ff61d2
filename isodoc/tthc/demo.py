"""The demo province's TTHC catalog (isodoc/data/demo_tthc.csv: demo data, not an
official list), imported through the same commands as the upload page."""

from __future__ import annotations

from importlib.resources import files

from isodoc.policy import SYSTEM
from isodoc.tthc import services


def catalog_file() -> bytes:
    return files("isodoc.data").joinpath("demo_tthc.csv").read_bytes()


def seed() -> int:
    """Import the demo catalog once; returns how many TTHC it added."""
    if services.catalog_size():
        return 0
    staged = services.stage_import(catalog_file(), "demo_tthc.csv", SYSTEM)
    services.apply_import(staged, SYSTEM, "Quyết định số 1234/QĐ-UBND ngày 15/03/2025 "
                                          "(dữ liệu demo)")
    return staged.added
