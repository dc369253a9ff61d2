"""The province's programme: stages derived from records, the Sở KH&CN dashboard against
the plan's targets (every figure links to the list it counts), bounded queries, the plan
kept by the overseer, the appendices computed from live data, and the API."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from docx import Document as open_docx
from openpyxl import load_workbook
from sqlalchemy import event, func, select

from isodoc.agencies.models import AgencyKind
from isodoc.auth.models import User
from isodoc.extensions import db
from isodoc.programme import stage as stage_module
from isodoc.programme.models import Plan, PlanTarget, PlanUnit
from isodoc.programme.stage import Stage, stages
from isodoc.timeutil import today_local
from tests.conftest import agency, login, post_form
from tests.doc_helpers import create_from_template, issue_qt05

YEAR = today_local().year


@pytest.fixture
def plan(province, in_db) -> int:
    """This year's plan: 50% of the communes applying; one department declared."""
    with in_db() as s:
        p = Plan(number="99/KH-UBND", title="Kế hoạch thử", first_year=YEAR, last_year=YEAR)
        s.add(p)
        s.flush()
        s.add(PlanTarget(plan_id=p.id, year=YEAR, kind="commune", stage="applying",
                         measure="percent", value=50))
        s.add(PlanTarget(plan_id=p.id, year=YEAR, kind="department", stage="applying",
                         measure="count", value=1))
        s.add(PlanUnit(plan_id=p.id, agency_id=agency("dbp-him-lam").id, year=YEAR))
        s.flush()
        return p.id


def stage_by_code(in_db, until: date | None = None) -> dict[str, Stage]:
    from isodoc.agencies.models import Agency

    with in_db() as s:
        codes = dict(s.execute(select(Agency.id, Agency.code)).all())
        return {codes[i]: st for i, st in stages(until or today_local()).items()}


def complete_audit(in_db, code: str, when: datetime | None = None) -> None:
    from isodoc.audits.models import Audit, AuditProgramme

    with in_db() as s:
        who = s.scalars(select(User.id)).first()
        target = agency(code)
        programme = AuditProgramme(agency_id=target.id, year=YEAR)
        s.add(programme)
        s.flush()
        s.add(Audit(programme_id=programme.id, agency_id=target.id, seq=1, title="Đợt 1",
                    planned_start=today_local(), planned_end=today_local(),
                    state="completed", lead_id=who, created_by_id=who,
                    completed_at=when or datetime.utcnow()))


def test_the_stage_is_derived_from_the_records(desk, in_db, monkeypatch):
    """Nothing → not started; a draft → building; an issued document → applying; an
    internal audit completed → audited; a declaration (the merge-point input) →
    declared. The registry's ISO 9001:2008 baseline shows until new records exist."""
    assert stage_by_code(in_db)["so-tu-phap"] is Stage.NOT_STARTED
    create_from_template(desk("author"), code="QT-09")
    assert stage_by_code(in_db)["so-tu-phap"] is Stage.BUILDING
    issue_qt05(desk, in_db)
    assert stage_by_code(in_db)["so-tu-phap"] is Stage.APPLYING
    # before today the records did not exist yet
    assert stage_by_code(in_db, today_local() - timedelta(days=1))["so-tu-phap"] is \
        Stage.NOT_STARTED
    complete_audit(in_db, "so-tu-phap")
    assert stage_by_code(in_db)["so-tu-phap"] is Stage.AUDITED
    stp = None
    with in_db():
        stp = agency("so-tu-phap").id
    monkeypatch.setitem(stage_module.DECLARATIONS, "source",
                        lambda until: {stp: today_local()})
    assert stage_by_code(in_db)["so-tu-phap"] is Stage.DECLARED
    assert stage_by_code(in_db)["so-y-te"] is Stage.NOT_STARTED


def test_iso2008_baseline(make_agency, province, in_db):
    from isodoc.agencies.models import QmsStatus

    make_agency("so-gtvt", status=QmsStatus.ISO2008)
    assert stage_by_code(in_db)["so-gtvt"] is Stage.ISO2008


def test_the_overseer_sees_targets_against_actual_and_each_figure_lists_what_it_counts(
        app, staff, desk, in_db, plan, overseer, client):
    issue_qt05(desk, in_db)  # Sở Tư pháp applies its QMS
    assert login(client, overseer).status_code == 302
    home = client.get("/").get_data(as_text=True)  # the overseer's home is the dashboard
    assert "Chương trình áp dụng HTQLCL toàn tỉnh" in home and 'name="csrf_token"' in home
    page = client.get(f"/programme/?year={YEAR}").get_data(as_text=True)
    assert "Chỉ tiêu năm" in page and "<svg" in page and 'aria-hidden="true"' in page
    # communes: 0 of 2 applying against 50% → missed; departments: 1 of 2 ≥ 1 → met
    rows = re.findall(r'<tr class="(met|missed)">(.*?)</tr>', page, re.S)
    assert [r[0] for r in rows] == ["missed", "met"]
    assert "0</a> / <a" in rows[0][1] and "50%" in rows[0][1]
    # the figure "1 department applying" links to the list of exactly that department
    link = re.search(r'data-figure="target-\d+" href="([^"]+)">1<', rows[1][1]).group(1)
    listed = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "Sở Tư pháp" in listed and "Sở Y tế" not in listed
    assert re.search(r"data-count>1<", listed)
    # documents issued in the period: 1, and its list names QT-05
    issued = re.search(r'data-figure="issued" href="([^"]+)">(\d+)<', page)
    assert issued.group(2) == "1"
    assert "QT-05" in client.get(issued.group(1).replace("&amp;", "&")).get_data(as_text=True)
    # the district table: Him Lam is scheduled this year
    assert "UBND thành phố Điện Biên Phủ" in page
    # the figures as a table for screen readers; the year's reports, none submitted yet
    assert 'data-figure="reports"' in page and ">0 / " in page


def test_dashboard_queries_do_not_grow_with_agencies(app, province, plan, overseer, client,
                                                     make_agency):
    assert login(client, overseer).status_code == 302

    def count_queries() -> int:
        seen = []
        with app.app_context():
            engine = db.engine
        listener = lambda *a, **k: seen.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/programme/?year={YEAR}").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    few = count_queries()
    for n in range(12):
        make_agency(f"xa-them-{n}", AgencyKind.COMMUNE, parent="ubnd-mang")
    assert count_queries() == few


def test_only_the_overseer_and_province_admin_see_it_and_only_the_overseer_keeps_it(
        app, staff, plan, make_user, client, in_db):
    assert login(client, "stp.thuky").status_code == 302
    assert client.get("/programme/").status_code == 403
    assert client.get(f"/programme/plans/{plan}/appendices/03.docx").status_code == 403
    admin = make_user(("ubnd-tinh", "admin"))
    other = app.test_client()
    assert login(other, admin).status_code == 302
    assert other.get("/programme/").status_code == 200
    response = post_form(other, f"/programme/plans/{plan}/targets",
                         {"year": str(YEAR), "kind": "commune", "district": "",
                          "stage": "applying", "measure": "percent", "value": "70"},
                         page="/account")
    assert response.status_code == 403
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(PlanTarget)) == 2


def test_the_overseer_adds_a_target_and_bad_input_changes_nothing(plan, overseer, client,
                                                                 in_db):
    assert login(client, overseer).status_code == 302
    url = f"/programme/plans/{plan}/targets"
    good = {"year": str(YEAR), "kind": "district", "district": "", "stage": "declared",
            "measure": "count", "value": "2", "note": "Hai huyện công bố"}
    bad = post_form(client, url, {**good, "measure": "percent", "value": "140"},
                    page=f"/programme/plans/{plan}")
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "Giá trị chỉ tiêu phải từ 0 đến 100" in page
    # the form is shown again as typed, the refusal beside the value
    assert 'value="140"' in page and 'value="Hai huyện công bố"' in page
    assert 'id="value-error"' in page
    invalid = post_form(client, url, {**good, "value": "hai", "note": "Ghi chú đã gõ"},
                        page=f"/programme/plans/{plan}")
    assert invalid.status_code == 422 and 'value="Ghi chú đã gõ"' in invalid.get_data(
        as_text=True)
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(PlanTarget)) == 2
    post_form(client, url, good, page=f"/programme/plans/{plan}")
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(PlanTarget)) == 3
    board = client.get(f"/programme/?year={YEAR}").get_data(as_text=True)
    assert "UBND cấp huyện" in board and "2 đơn vị" in board


def test_import_refuses_a_bad_file_whole_and_replaces_the_plan_with_a_good_one(
        plan, overseer, client, in_db):
    assert login(client, overseer).status_code == 302
    url = f"/programme/plans/{plan}/import"
    header = "loai,nam,ma_don_vi,loai_don_vi,giai_doan,cach_tinh,gia_tri,ghi_chu\n"
    bad = header + f"chi_tieu,{YEAR},,commune,applying,percent,30,\n" \
                   f"don_vi,{YEAR},khong-co,,,,,\n"
    response = post_form(client, url, {"file": (io.BytesIO(bad.encode()), "kh.csv")},
                         page=f"/programme/plans/{plan}",
                         content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Dòng 3" in response.get_data(as_text=True)
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(PlanTarget)) == 2
    good = header + f"chi_tieu,{YEAR},ubnd-mang,commune,applying,percent,30,Trên 30%\n" \
                    f"don_vi,{YEAR},mang-bung-lao,,,,,\n"
    response = post_form(client, url, {"file": (io.BytesIO(good.encode()), "kh.csv")},
                         page=f"/programme/plans/{plan}",
                         content_type="multipart/form-data")
    assert response.status_code == 302
    with in_db() as s:
        assert s.scalar(select(func.count()).select_from(PlanTarget)) == 1
        assert s.scalar(select(func.count()).select_from(PlanUnit)) == 1
    exported = client.get(f"/programme/plans/{plan}/export.csv").get_data(as_text=True)
    assert "ubnd-mang,commune,applying,percent,30" in exported


@pytest.fixture
def dien_bien(app, overseer_on_registry) -> int:
    with app.app_context():
        from isodoc.programme import demo

        plan = demo.seed()
        db.session.commit()
        return plan.id


@pytest.fixture
def overseer_on_registry(app, make_user) -> str:
    from isodoc.agencies import registry_csv
    from isodoc.demo import registry_file
    from isodoc.policy import SYSTEM

    with app.app_context():
        registry_csv.import_csv(registry_file(), SYSTEM)
        db.session.commit()
    return make_user(("ubnd-tinh", "overseer"), username="sokhcn")


def test_appendix_02_lists_the_62_communes_of_2018_by_district(dien_bien, client,
                                                               overseer_on_registry):
    assert login(client, overseer_on_registry).status_code == 302
    page = client.get(f"/programme/plans/{dien_bien}/appendices/02?year=2018") \
        .get_data(as_text=True)
    assert "UBND thành phố Điện Biên Phủ (9/11)" in page
    assert "UBND thị xã Mường Lay (3/3)" in page
    assert "UBND huyện Tuần Giáo (7/19)" in page
    assert "Tổng cộng: 62/130 UBND cấp xã" in page
    docx = open_docx(io.BytesIO(client.get(
        f"/programme/plans/{dien_bien}/appendices/02.docx?year=2018").data))
    cells = [c.text for row in docx.tables[-1].rows for c in row.cells]
    assert "UBND phường Him Lam" in cells and "Tổng cộng: 62/130 UBND cấp xã" in cells
    assert "Phụ lục 02" in [p.text for p in docx.paragraphs]


def test_appendix_03_totals_add_up_in_every_format(dien_bien, client, overseer_on_registry):
    """Every total is the sum of what is under it: per line, per section, per year and
    overall; the printed 2.280 of line III.3 (140 × 15) is not copied."""
    assert login(client, overseer_on_registry).status_code == 302
    sheet = load_workbook(io.BytesIO(client.get(
        f"/programme/plans/{dien_bien}/appendices/03.xlsx").data)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[0] == "TT")
    header, body = rows[start], rows[start + 1:]
    years = [i for i, h in enumerate(header) if str(h).startswith("Năm ")]
    assert [header[i] for i in years] == ["Năm 2018", "Năm 2019", "Năm 2020"]

    def d(v) -> Decimal:
        return Decimal(str(v)) if v is not None else Decimal(0)

    lines = [r for r in body if r[0] and "." in str(r[0]) or
             (r[2] is not None and r[3] is not None)]
    for r in lines:  # quantity × rate = amount; the years add up to the amount
        assert d(r[2]) * d(r[3]) == d(r[4]), r
        assert sum(d(r[i]) for i in years) == d(r[4]), r
    total = body[-1]
    assert total[1] == "Tổng cộng"
    assert sum(d(r[4]) for r in lines) == d(total[4])
    for i in years:
        assert sum(d(r[i]) for r in lines) == d(total[i])
    sections = [r for r in body if r[0] in ("I", "II", "III", "IV")]
    assert sum(d(r[4]) for r in sections) == d(total[4])
    # communes of 2018: 62 × (26,4 + 32)
    commune_lines = [r for r in lines if r[3] in (26.4, 32) and d(r[years[0]])]
    assert d(commune_lines[0][years[0]]) == Decimal("1636.8")
    docx = open_docx(io.BytesIO(client.get(
        f"/programme/plans/{dien_bien}/appendices/03.docx").data))
    assert docx.tables[-1].rows[-1].cells[1].text == "Tổng cộng"
    assert docx.tables[-1].rows[-1].cells[4].text.replace(".", "").replace(",", ".") == \
        str(d(total[4]).normalize())


def test_unit_rates_are_entered_and_the_estimate_follows(dien_bien, client, in_db,
                                                         overseer_on_registry):
    from isodoc.programme.models import CostLine

    assert login(client, overseer_on_registry).status_code == 302
    with in_db() as s:
        line = s.scalars(select(CostLine).where(CostLine.category == "duy_tri")).one()
        line_id = line.id
    page = f"/programme/plans/{dien_bien}"
    refused = post_form(client, f"{page}/rates", {f"rate-{line_id}": "abc"}, page=page)
    answer = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="rates-error"' in answer
    assert "Đơn giá «abc» không phải là số" in answer
    assert f'name="rate-{line_id}" value="abc"' in answer  # the rate as typed
    with in_db() as s:
        assert s.get(CostLine, line_id).unit_rate == Decimal("15")
    post_form(client, f"{page}/rates", {f"rate-{line_id}": "16,5"}, page=page)
    with in_db() as s:
        assert s.get(CostLine, line_id).unit_rate == Decimal("16.5")
    assert "16,5" in client.get(f"{page}/appendices/03").get_data(as_text=True)


def test_appendix_01_and_the_demo_dashboard(dien_bien, client, overseer_on_registry):
    assert login(client, overseer_on_registry).status_code == 302
    page = client.get(f"/programme/plans/{dien_bien}/appendices/01").get_data(as_text=True)
    assert "Năm 2018" in page and "62/130" in page
    board = client.get("/programme/?year=2018").get_data(as_text=True)
    assert board.count('<tr class="missed">') + board.count('<tr class="met">') == 11
    assert "UBND huyện Điện Biên" in board


def test_api_programme_targets_against_actual(dien_bien, in_db, overseer_on_registry,
                                              client, make_user):
    from isodoc.auth import services as auth_services

    with in_db() as s:
        user = s.scalars(select(User).where(User.username == overseer_on_registry)).one()
        headers = {"Authorization": "Bearer " +
                   auth_services.create_token(user, user, "api")}
    body = client.get("/api/v1/programme?year=2018", headers=headers).get_json()
    assert body["plan"]["number"] == "1129/KH-UBND"
    commune = [t for t in body["targets"] if t["kind"] == "commune" and not t["district"]]
    assert commune[0]["target"] == 30 and commune[0]["total"] == 130
    districts = {d["district"]: d for d in body["districts"]}
    assert districts["ubnd-dbp"]["scheduled"] == 9 and districts["ubnd-dbp"]["communes"] == 11
    assert sum(d["scheduled"] for d in body["districts"]) == 62
    assert client.get("/api/v1/programme?year=1999", headers=headers).status_code == 422
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/programme" in spec["paths"]
    with in_db() as s:
        reader = s.scalars(select(User).where(User.username == make_user(
            ("so-tu-phap", "reader")))).one()
        other = {"Authorization": "Bearer " + auth_services.create_token(reader, reader, "x")}
    assert client.get("/api/v1/programme", headers=other).status_code == 403


def test_lines_straight_under_a_section_are_numbered_in_turn(dien_bien, client,
                                                            overseer_on_registry):
    assert login(client, overseer_on_registry).status_code == 302
    page = client.get(f"/programme/plans/{dien_bien}/appendices/03").get_data(as_text=True)
    section_iv = page[page.index("Các hoạt động của cơ quan chủ trì"):]
    codes = re.findall(r'<tr class="row-line"><td>(\d+)</td>', section_iv)
    assert codes == ["1", "2", "3", "4", "5"]


def test_the_registry_tree_shows_and_filters_by_the_derived_stage(desk, in_db, signed_in,
                                                                  province):
    issue_qt05(desk, in_db)
    client = desk("reader")
    page = client.get("/agencies/?stage=applying").get_data(as_text=True)
    assert "Sở Tư pháp" in page and "Sở Y tế" not in page
    assert 'class="badge stage-applying">Đang áp dụng' in page
    page = client.get("/agencies/").get_data(as_text=True)
    assert 'class="badge stage-not_started">Chưa xây dựng' in page


def test_a_past_year_counted_at_its_end_does_not_move(desk, in_db, overseer, client):
    issue_qt05(desk, in_db)
    assert login(client, overseer).status_code == 302
    last = YEAR - 1
    page = client.get(f"/programme/?year={last}&as_of={last}-12-31").get_data(as_text=True)
    assert re.search(r'data-figure="issued" href="[^"]+">0<', page)
    listed = client.get(f"/programme/agencies?year={last}&as_of={last}-12-31&at_least=applying")
    assert re.search(r"data-count>0<", listed.get_data(as_text=True))
    now = client.get(f"/programme/agencies?year={YEAR}&at_least=applying")
    assert re.search(r"data-count>1<", now.get_data(as_text=True))
    assert client.get("/programme/?year=12345").status_code == 404
    assert client.get("/programme/?as_of=not-a-date").status_code == 404
    assert client.get("/programme/records/other").status_code == 404


def test_the_dashboard_opens_on_this_year_even_after_the_plan(app, province, overseer, client,
                                                              in_db):
    """A plan of past years (2018–2020): the overseer's home still shows this year's
    activity, the plan's years a choice away; the date box stays empty unless chosen, so
    choosing a past year reads that year as it ended."""
    with in_db() as s:
        s.add(Plan(number="1129/KH-UBND", title="Kế hoạch 2018–2020", first_year=2018,
                   last_year=2020))
    login(client, overseer)
    home = client.get("/").get_data(as_text=True)
    assert f"Chương trình áp dụng HTQLCL toàn tỉnh — năm {YEAR}" in home
    assert 'name="as_of" aria-label="Tính đến ngày" value=""' in home
    past = client.get("/programme/?year=2018&as_of=").get_data(as_text=True)
    assert "31/12/2018" in past
