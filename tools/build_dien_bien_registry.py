"""Build isodoc/data/dien_bien_registry.csv, the demo province's agency registry.

Facts come from two sources, never typed by hand:
- the province plan (shared/seed, Kế hoạch 1129/KH-UBND 2018): departments, the
  units it names, and Phụ lục 02 (the 62 communes due in 2018, by district);
- the `vietnamadminunits` package (MIT), table `admin_units_legacy`: the official
  commune list before the 2025 reorganisation, for the communes the plan does not name.

Run once by a maintainer (`pip install vietnamadminunits` in a scratch venv):
    python tools/build_dien_bien_registry.py ../shared/seed/000_9c00d696ea972cd8.txt
The output is committed; the app does not depend on the package.
"""

from __future__ import annotations

import csv
import re
import sqlite3
import sys
import unicodedata
from pathlib import Path

import vietnamadminunits

OUT = Path(__file__).resolve().parent.parent / "isodoc" / "data" / "dien_bien_registry.csv"
FIELDS = ["code", "name", "kind", "parent_code", "qms_status", "declared_on", "plan_year",
          "dissolved_on", "successor_code"]

# The plan counts "19 Sở, Ban, ngành" without naming them: these are the province's
# departments of 2018 (Nghị định 24/2014/NĐ-CP structure).
DEPARTMENTS = [
    ("vp-ubnd", "Văn phòng UBND tỉnh"), ("so-noi-vu", "Sở Nội vụ"), ("so-tu-phap", "Sở Tư pháp"),
    ("so-khdt", "Sở Kế hoạch và Đầu tư"), ("so-tai-chinh", "Sở Tài chính"),
    ("so-cong-thuong", "Sở Công Thương"),
    ("so-nn-ptnt", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("so-gtvt", "Sở Giao thông vận tải"), ("so-xay-dung", "Sở Xây dựng"),
    ("so-tnmt", "Sở Tài nguyên và Môi trường"), ("so-tttt", "Sở Thông tin và Truyền thông"),
    ("so-ldtbxh", "Sở Lao động - Thương binh và Xã hội"),
    ("so-vhttdl", "Sở Văn hóa, Thể thao và Du lịch"), ("so-khcn", "Sở Khoa học và Công nghệ"),
    ("so-gddt", "Sở Giáo dục và Đào tạo"), ("so-y-te", "Sở Y tế"), ("thanh-tra", "Thanh tra tỉnh"),
    ("ban-dan-toc", "Ban Dân tộc"), ("bql-kkt", "Ban Quản lý các khu kinh tế tỉnh"),
]
# Units the plan names, with the department they belong to and the year it sets.
NAMED_UNITS = [
    ("ban-ton-giao", "Ban Tôn giáo", "sub_department", "so-noi-vu", "iso2008", 2019),
    ("ban-tdkt", "Ban Thi đua - Khen thưởng", "sub_department", "so-noi-vu", "iso2008", 2019),
    ("cc-thu-y", "Chi cục Thú y tỉnh", "sub_department", "so-nn-ptnt", "not_started", 2019),
    ("cc-bvtv", "Chi cục Bảo vệ thực vật", "sub_department", "so-nn-ptnt", "not_started", 2019),
    ("bqlda-dd-cn", "Ban Quản lý dự án các công trình Dân dụng và công nghiệp tỉnh Điện Biên",
     "public_unit", "ubnd-tinh", "not_started", 2019),
    ("bqlda-gt", "Ban Quản lý dự án các công trình Giao thông tỉnh Điện Biên",
     "public_unit", "ubnd-tinh", "not_started", 2019),
    ("tt-xttm", "Trung tâm Xúc tiến thương mại tỉnh Điện Biên",
     "public_unit", "so-cong-thuong", "not_started", 2019),
    ("tt-ktdl", "Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng tỉnh Điện Biên",
     "public_unit", "so-khcn", "not_started", 2020),
]
DISTRICT_CODES = {  # package district name -> (agency code prefix, display name)
    "Thành phố Điện Biên Phủ": ("dbp", "UBND thành phố Điện Biên Phủ"),
    "Thị Xã Mường Lay": ("mlay", "UBND thị xã Mường Lay"),
    "Huyện Điện Biên": ("dbien", "UBND huyện Điện Biên"),
    "Huyện Mường Ảng": ("mang", "UBND huyện Mường Ảng"),
    "Huyện Nậm Pồ": ("npo", "UBND huyện Nậm Pồ"),
    "Huyện Mường Nhé": ("mnhe", "UBND huyện Mường Nhé"),
    "Huyện Tủa Chùa": ("tchua", "UBND huyện Tủa Chùa"),
    "Huyện Mường Chà": ("mcha", "UBND huyện Mường Chà"),
    "Huyện Điện Biên Đông": ("dbdong", "UBND huyện Điện Biên Đông"),
    "Huyện Tuần Giáo": ("tgiao", "UBND huyện Tuần Giáo"),
}
# Phụ lục 03: 62 communes in 2018, 17 in 2019, the rest (51) in 2020.
COMMUNES_2019 = 17


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def plan_communes(seed: str) -> dict[str, list[str]]:
    """Phụ lục 02 as {district heading: ['phường Him Lam', ...]}."""
    part = seed.split("Phụ lục 02.", 1)[1].split("Phụ lục 03.", 1)[0]
    out: dict[str, list[str]] = {}
    current = None
    for line in part.splitlines():
        cells = line.split("\t")
        if len(cells) != 2:
            continue
        num, name = cells[0].strip(), unicodedata.normalize("NFC", cells[1].strip())
        if re.fullmatch(r"[IVX]+", num):
            current = re.sub(r"\s*\(.*\)$", "", name)
            out[current] = []
        elif num.isdigit() and current:
            out[current].append(re.sub(r"^UBND\s+", "", name, flags=re.I))
    return out


def main(seed_path: str) -> None:
    seed = unicodedata.normalize("NFC", Path(seed_path).read_text(encoding="utf-8"))
    db = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"
    rows = sqlite3.connect(db).execute(
        "SELECT district, wardType, wardShort, wardCode FROM admin_units_legacy "
        "WHERE province = 'Tỉnh Điện Biên' ORDER BY districtCode, wardCode").fetchall()

    out = [dict(code="ubnd-tinh", name="UBND tỉnh Điện Biên", kind="province", parent_code="",
                qms_status="iso2008", plan_year=2019)]
    out += [dict(code=c, name=n, kind="department", parent_code="ubnd-tinh",
                 qms_status="iso2008", plan_year=2019) for c, n in DEPARTMENTS]
    out += [dict(code=c, name=n, kind=k, parent_code=p, qms_status=s, plan_year=y)
            for c, n, k, p, s, y in NAMED_UNITS]
    by_display = {v[1]: v for v in DISTRICT_CODES.values()}
    for prefix, name in DISTRICT_CODES.values():
        out.append(dict(code=f"ubnd-{prefix}", name=name, kind="district", parent_code="ubnd-tinh",
                        qms_status="iso2008", plan_year=2019))

    planned = plan_communes(seed)
    assert sum(len(v) for v in planned.values()) == 62, planned
    known = {fold(f"{t} {s}"): (d, t, s) for d, t, s, _ in rows}
    seen: set[str] = set()
    for heading, names in planned.items():
        prefix = by_display[heading][0]
        for name in names:
            key = fold(name)
            if key in known:
                _, wtype, short = known[key]
            else:  # merged away before the package's list (e.g. xã Tà Lèng): keep the plan's name
                wtype, short = name.split(" ", 1)
                print(f"note: {name} is not in the pre-2025 official list")
            seen.add(key)
            out.append(dict(code=f"{prefix}-{slug(short)}", name=f"UBND {wtype.lower()} {short}",
                            kind="commune", parent_code=f"ubnd-{prefix}",
                            qms_status="not_started", plan_year=2018))
    later = [(d, t, s) for d, t, s, _ in rows if fold(f"{t} {s}") not in seen]
    for i, (district, wtype, short) in enumerate(later):
        prefix = DISTRICT_CODES[district][0]
        out.append(dict(code=f"{prefix}-{slug(short)}", name=f"UBND {wtype.lower()} {short}",
                        kind="commune", parent_code=f"ubnd-{prefix}", qms_status="not_started",
                        plan_year=2019 if i < COMMUNES_2019 else 2020))
    codes = [r["code"] for r in out]
    assert len(codes) == len(set(codes)), "duplicate codes"
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, FIELDS, extrasaction="raise")
        writer.writeheader()
        for r in out:
            writer.writerow({f: r.get(f, "") for f in FIELDS})
    communes = sum(r["kind"] == "commune" for r in out)
    print(f"{len(out)} agencies ({communes} communes) -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
