"""The demo plan: Kế hoạch 1129/KH-UBND of Điện Biên (2018–2020) as data: its targets per
year and kind (section II.2), the agencies it schedules each year (Phụ lục 02's 62
communes of 2018 and the rest, as the registry's plan year has them), and Phụ lục 03's
cost lines with the printed unit rates. The quantities and every total are counted and
computed from the registry, not copied from the printed appendix (whose line III.3 reads
2.280 for 140 × 15)."""
# i18n: vietnamese-only (demo data, as an agency would type it)

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from isodoc.agencies.models import Agency, AgencyKind
from isodoc.agencies.services import get_by_code
from isodoc.extensions import db
from isodoc.programme.models import CostBasis, CostLine, Measure, Plan, PlanTarget, PlanUnit
from isodoc.programme.stage import Stage

NUMBER = "1129/KH-UBND"
TITLE = ("Chuyển đổi, áp dụng Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015 vào hoạt "
         "động của các cơ quan, tổ chức thuộc hệ thống hành chính nhà nước tỉnh Điện Biên "
         "giai đoạn 2018-2020")
K = AgencyKind
# (year, kind, district code or None, stage, measure, value, note)
TARGETS = [
    (2018, K.COMMUNE, None, Stage.APPLYING, Measure.PERCENT, 30, "Trên 30% UBND cấp xã"),
    (2018, K.COMMUNE, "ubnd-dbp", Stage.APPLYING, Measure.PERCENT, 100,
     "100% UBND xã, phường thuộc thành phố Điện Biên Phủ"),
    (2018, K.COMMUNE, "ubnd-mlay", Stage.APPLYING, Measure.PERCENT, 100,
     "100% UBND xã, phường thuộc thị xã Mường Lay"),
    (2018, K.COMMUNE, "ubnd-dbien", Stage.APPLYING, Measure.PERCENT, 50,
     "50% UBND xã thuộc huyện Điện Biên"),
    *((2018, K.COMMUNE, code, Stage.APPLYING, Measure.PERCENT, 30,
       "Trên 30% UBND xã thuộc các huyện còn lại")
      for code in ("ubnd-mang", "ubnd-npo", "ubnd-mnhe", "ubnd-tchua", "ubnd-mcha",
                   "ubnd-dbdong", "ubnd-tgiao")),
    (2019, K.DEPARTMENT, None, Stage.DECLARED, Measure.COUNT, 19,
     "19 sở, ban, ngành hoàn thành chuyển đổi"),
    (2019, K.SUB_DEPARTMENT, None, Stage.DECLARED, Measure.COUNT, 12,
     "12 chi cục và các ban trực thuộc sở"),
    (2019, K.DISTRICT, None, Stage.DECLARED, Measure.COUNT, 10,
     "10 UBND cấp huyện hoàn thành chuyển đổi"),
    (2019, K.COMMUNE, None, Stage.APPLYING, Measure.PERCENT, 70, "Trên 70% UBND cấp xã"),
    (2019, K.PUBLIC_UNIT, None, Stage.APPLYING, Measure.COUNT, 5,
     "05 đơn vị sự nghiệp công lập lần đầu"),
    (2020, K.DEPARTMENT, None, Stage.DECLARED, Measure.COUNT, 19, "Duy trì, cải tiến"),
    (2020, K.SUB_DEPARTMENT, None, Stage.DECLARED, Measure.COUNT, 12, "Duy trì, cải tiến"),
    (2020, K.DISTRICT, None, Stage.DECLARED, Measure.COUNT, 10, "Duy trì, cải tiến"),
    (2020, K.COMMUNE, None, Stage.DECLARED, Measure.PERCENT, 100,
     "100% UBND cấp xã công bố phù hợp"),
    (2020, K.PUBLIC_UNIT, None, Stage.APPLYING, Measure.COUNT, 6,
     "Bổ sung ít nhất 01 đơn vị"),
]
S1 = ("Kinh phí thực hiện chuyển đổi HTQLCL theo TCVN ISO 9001:2015 đối với các cơ quan "
      "đang áp dụng TCVN ISO 9001:2008")
S2 = "Các đơn vị, tổ chức xây dựng, áp dụng lần đầu HTQLCL theo TCVN ISO 9001:2015"
S3 = "Duy trì, cải tiến HTQLCL theo TCVN ISO 9001:2015"
S4 = "Các hoạt động của cơ quan chủ trì"
CONSULT, DO = "Tư vấn chuyển đổi hệ thống", "Chi cho đơn vị thực hiện, chi phí khác"
BUILD = "Tư vấn xây dựng hệ thống"
# (section, section title, group title, label, category, basis, kinds, fixed, rate)
COST_LINES = [
    ("I", S1, "Sở, ban, ngành và UBND cấp huyện", CONSULT, "tu_van", CostBasis.SCHEDULED,
     "department,district", "", "25"),
    ("I", S1, "Sở, ban, ngành và UBND cấp huyện", DO, "thuc_hien", CostBasis.SCHEDULED,
     "department,district", "", "40"),
    ("I", S1, "Cơ quan hành chính thuộc các sở, ban, ngành", CONSULT, "tu_van",
     CostBasis.SCHEDULED, "sub_department", "", "20"),
    ("I", S1, "Cơ quan hành chính thuộc các sở, ban, ngành", DO, "thuc_hien",
     CostBasis.SCHEDULED, "sub_department", "", "25"),
    ("I", S1, "Phòng chuyên môn thuộc UBND cấp huyện", CONSULT, "tu_van", CostBasis.SCHEDULED,
     "district_office", "", "20"),
    ("I", S1, "Phòng chuyên môn thuộc UBND cấp huyện", DO, "thuc_hien", CostBasis.SCHEDULED,
     "district_office", "", "25"),
    ("II", S2, "UBND cấp xã", BUILD, "tu_van", CostBasis.SCHEDULED, "commune", "", "26.4"),
    ("II", S2, "UBND cấp xã", DO, "thuc_hien", CostBasis.SCHEDULED, "commune", "", "32"),
    ("II", S2, "Các đơn vị sự nghiệp công lập", BUILD, "tu_van", CostBasis.SCHEDULED,
     "public_unit", "", "26.4"),
    ("II", S2, "Các đơn vị sự nghiệp công lập", DO, "thuc_hien", CostBasis.SCHEDULED,
     "public_unit", "", "32"),
    ("III", S3, "", "Hoạt động duy trì, cải tiến HTQLCL (đơn vị đã có HTQLCL)", "duy_tri",
     CostBasis.MAINTAIN, "department,sub_department,district,district_office,commune,"
     "public_unit", "", "15"),
    ("IV", S4, "", "Hội nghị tập huấn về TCVN ISO 9001:2015 (hội nghị)", "hoi_nghi",
     CostBasis.FIXED, "", "2018:2,2019:2,2020:2", "40"),
    ("IV", S4, "", "Đào tạo chuyên sâu cho công chức cơ quan chủ trì (lượt)", "dao_tao",
     CostBasis.FIXED, "", "2018:4,2019:4,2020:4", "8"),
    ("IV", S4, "", "Đôn đốc, hướng dẫn, kiểm tra các đơn vị theo tiến độ", "kiem_tra",
     CostBasis.FIXED, "", "2018:1,2019:1,2020:1", "20"),
    ("IV", S4, "", "Kiểm tra hoạt động xây dựng, áp dụng, duy trì, cải tiến HTQLCL",
     "kiem_tra", CostBasis.FIXED, "", "2018:1,2019:1,2020:1", "30"),
    ("IV", S4, "", "Thuê tổ chức đánh giá chứng nhận phối hợp kiểm tra (đơn vị)",
     "chung_nhan", CostBasis.FIXED, "", "2019:5,2020:5", "5"),
]


def seed() -> Plan | None:
    """Once: skipped when any plan exists or the registry is not Điện Biên's."""
    if db.session.scalar(select(func.count()).select_from(Plan)):
        return None
    if get_by_code("ubnd-dbp") is None:
        return None
    plan = Plan(number=NUMBER, title=TITLE, signed_on=date(2018, 5, 5), first_year=2018,
                last_year=2020)
    db.session.add(plan)
    for year, kind, district, stage, measure, value, note in TARGETS:
        district_agency = get_by_code(district) if district else None
        if district and district_agency is None:
            continue
        plan.targets.append(PlanTarget(
            year=year, kind=kind.value, district_id=district_agency.id if district_agency
            else None, stage=stage.value, measure=measure.value, value=value, note=note))
    for agency_id, year in db.session.execute(
            select(Agency.id, Agency.plan_year).where(
                Agency.plan_year.between(plan.first_year, plan.last_year),
                Agency.kind != AgencyKind.PROVINCE, Agency.dissolved_on.is_(None))):
        plan.units.append(PlanUnit(agency_id=agency_id, year=year))
    for position, (section, section_title, group, label, category, basis, kinds, fixed,
                   rate) in enumerate(COST_LINES, start=1):
        plan.cost_lines.append(CostLine(
            position=position, section=section, section_title=section_title,
            group_title=group, label=label, category=category, basis=basis.value,
            kinds=kinds, fixed_quantities=fixed, unit_rate=Decimal(rate)))
    db.session.flush()
    return plan
