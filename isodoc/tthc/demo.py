"""The demo province's TTHC catalog (isodoc/data/demo_tthc.csv: demo data, not an
official list), imported through the same commands as the upload page; and one model
procedure: UBND phường Him Lam's đăng ký khai sinh (QT-TP-01), published by the Sở KH&CN
overseer, adopted at its first revision by two other wards of Điện Biên Phủ and revised
once since (so both see the newer model on their work lists)."""
# i18n: vietnamese-only (demo data, as an agency would type it)

from __future__ import annotations

from importlib.resources import files

from sqlalchemy import select

from isodoc.agencies.services import get_by_code
from isodoc.auth.services import get_user
from isodoc.documents import services as documents
from isodoc.documents.models import Document
from isodoc.extensions import db
from isodoc.policy import SYSTEM
from isodoc.tthc import adoption, services

MODEL = ("dbp-him-lam", "QT-TP-01", "1.001193")
ADOPTERS = [  # (username, fictional name, agency)
    ("namthanh.thuky", "Lò Văn Thắng", "dbp-nam-thanh"),
    ("noongbua.thuky", "Quàng Thị Hiền", "dbp-noong-bua"),
]
# their communes' leaders: someone there may approve the adopted procedure, so the demo
# can take an adoption through to issue (the secretary drafts, the leader approves)
ADOPTER_APPROVERS = [
    ("namthanh.lanhdao", "Lường Văn Khánh", "dbp-nam-thanh"),
    ("noongbua.lanhdao", "Cà Thị Mai", "dbp-noong-bua"),
]


def catalog_file() -> bytes:
    return files("isodoc.data").joinpath("demo_tthc.csv").read_bytes()


def seed() -> int:
    """Import the demo catalog once, then the model procedure; returns how many TTHC the
    catalog added."""
    if services.catalog_size():
        return 0
    staged = services.stage_import(catalog_file(), "demo_tthc.csv", SYSTEM)
    services.apply_import(staged, SYSTEM, "Quyết định số 1234/QĐ-UBND ngày 15/03/2025 "
                                          "(dữ liệu demo)")
    seed_model()
    return staged.added


def seed_model() -> None:
    agency_code, code, tthc_code = MODEL
    agency = get_by_code(agency_code)
    document = db.session.scalar(select(Document).where(Document.agency_id == agency.id,
                                                        Document.code == code))
    tthc = services.get(tthc_code)
    if document is None or tthc is None or documents.in_force(document) is None:
        return
    model = adoption.publish(tthc, document, get_user("sokhcn") or SYSTEM)
    first = next(r for r in documents.issued(document) if r.number == 1)
    for username, _, adopter_code in ADOPTERS:
        adopter = get_user(username)
        if adopter is not None:
            adoption.adopt(model, get_by_code(adopter_code), adopter, first)
