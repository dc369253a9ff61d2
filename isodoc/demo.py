"""The demo province: Điện Biên's registry as the 2018 plan describes it, and demo accounts."""
# i18n: vietnamese-only (demo data, as an agency would type it)

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.resources import files

from sqlalchemy import func, select

from isodoc.agencies import registry_csv
from isodoc.agencies.models import Agency
from isodoc.agencies.services import get_by_code
from isodoc.annual_reports import demo as demo_reports
from isodoc.audits import demo as demo_audits
from isodoc.auth import services
from isodoc.auth.models import Role, User
from isodoc.declarations import demo as demo_declarations
from isodoc.documents import demo as demo_documents
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.objectives import demo as demo_objectives
from isodoc.policy import SYSTEM
from isodoc.programme import demo as demo_programme
from isodoc.records import demo as demo_records
from isodoc.reviews import demo as demo_reviews
from isodoc.risks import demo as demo_risks
from isodoc.succession import demo as demo_succession
from isodoc.surveys import demo as demo_surveys
from isodoc.training import demo as demo_training
from isodoc.tthc import demo as demo_tthc

DEPARTMENT = "so-tu-phap"   # Sở Tư pháp: many TTHC, a typical provincial department
COMMUNE = "dbp-him-lam"     # UBND phường Him Lam: one of Phụ lục 02's 62 communes of 2018

STAFF_ROLES = [  # (username suffix, role, full name)
    ("congchuc", Role.READER, "công chức"),
    ("soanthao", Role.AUTHOR, "soạn thảo"),
    ("thuky", Role.SECRETARY, "thư ký ISO"),
    ("lanhdao", Role.APPROVER, "lãnh đạo"),
    ("danhgia", Role.AUDITOR, "đánh giá viên nội bộ"),
]
JOB_TITLES = {  # chức vụ, printed in the sign-off table of the procedures they sign
    "stp": ["Chuyên viên", "Chuyên viên phòng Hành chính tư pháp", "Chánh Văn phòng Sở",
            "Giám đốc Sở", "Chánh Thanh tra Sở"],
    "himlam": ["Công chức Tư pháp - Hộ tịch", "Công chức Tư pháp - Hộ tịch",
               "Công chức Văn phòng - Thống kê", "Chủ tịch UBND phường",
               "Công chức Địa chính - Xây dựng"],
}
PEOPLE = {  # fictional names for the demo staff
    "stp": ["Nguyễn Thị Hoa", "Trần Văn Bình", "Lê Thu Hà", "Phạm Quốc Hùng", "Đỗ Minh Tâm"],
    "himlam": ["Lò Thị Xuân", "Quàng Văn Chiến", "Lường Thị Mai", "Cà Văn Dũng",
               "Vì Thị Ngọc"],
}


@dataclass
class DemoAccount:
    username: str
    full_name: str
    agency_code: str
    role: Role
    job_title: str = ""
    password: str | None = None  # set only when created or reset in this run


def accounts() -> list[DemoAccount]:
    out = [DemoAccount("admin", "Quản trị hệ thống", "ubnd-tinh", Role.ADMIN),
           DemoAccount("sokhcn", "Chuyên viên Sở KH&CN", "ubnd-tinh", Role.OVERSEER)]
    for prefix, agency in (("stp", DEPARTMENT), ("himlam", COMMUNE)):
        for (suffix, role, _), name, title in zip(STAFF_ROLES, PEOPLE[prefix],
                                                  JOB_TITLES[prefix], strict=True):
            out.append(DemoAccount(f"{prefix}.{suffix}", name, agency, role, title))
    # the secretaries of two more communes of the same district: they adopted the
    # model procedure for đăng ký khai sinh (isodoc/tthc/demo.py)
    out += [DemoAccount(username, name, agency, Role.SECRETARY)
            for username, name, agency in demo_tthc.ADOPTERS]
    out += [DemoAccount(username, name, agency, Role.APPROVER)
            for username, name, agency in demo_tthc.ADOPTER_APPROVERS]
    return out


def registry_file() -> bytes:
    return files("isodoc.data").joinpath("dien_bien_registry.csv").read_bytes()


def is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(User))


def seed(password: str | None = None) -> list[DemoAccount]:
    """Load the registry if there is none, and create the demo accounts that are missing.

    `password` (ISODOC_DEMO_PASSWORD) is given to every demo account, existing ones
    included; without it, new accounts get random passwords, returned once.
    """
    for account in accounts() if password is not None else ():
        if problem := services.password_problem(password, account.username):
            raise InvalidInput(f"ISODOC_DEMO_PASSWORD: {problem}")
    if not db.session.scalar(select(func.count()).select_from(Agency)):
        registry_csv.import_csv(registry_file(), SYSTEM)
    result = []
    for account in accounts():
        user = services.get_user(account.username)
        if user is None:
            user, account.password = services.create_user(
                account.username, account.full_name, SYSTEM, password=password)
            services.add_membership(user, SYSTEM, get_by_code(account.agency_code),
                                    account.role)
            user.job_title = account.job_title or None
        elif password is not None:
            account.password = services.reset_password(user, SYSTEM, password)
        result.append(account)
    db.session.flush()
    demo_documents.seed()
    demo_training.seed()  # before the audits: their teams need certificates
    demo_audits.seed()
    demo_tthc.seed()  # after the documents: their TTHC codes predate the catalog
    demo_objectives.seed()
    demo_risks.seed()
    demo_programme.seed()
    demo_succession.seed()  # after the TTHC model's adoptions: Noong Bua issues its own
    demo_reports.seed()     # after the merger: Nam Thanh's figures count what it inherited
    demo_surveys.seed()
    demo_records.seed()
    demo_reviews.seed()  # last: its inputs are prefilled from everything above
    demo_declarations.seed()  # after the audits: a declaration needs a completed one
    return result


def env_password() -> str | None:
    return os.environ.get("ISODOC_DEMO_PASSWORD") or None
