"""Accessibility and page hygiene, measured on the demo province: every main page, as each
role, on a desktop (1366×768) and on a phone (390×844).

- axe-core (axe-playwright-python, which ships axe.min.js: nothing is fetched) finds no
  serious or critical violation;
- the page requests nothing but the app itself and logs no console error (a missing
  favicon would be one);
- on the phone nothing is wider than the screen: tables become cards that keep every
  column; on the desktop no table overflows its card;
- no placeholder is cut by its box.

One browser context per role, one page reused for all of that role's pages; the phone is
the same page resized, so the suite stays quick."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from tests.browser.test_sign_in_journey import sign_in

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
STP = "/agencies/so-tu-phap"


def demo_urls(app) -> dict[str, str]:
    """Pages of the demo province that need an id: an audit, a finding, an objective, a
    risk, a document, a TTHC."""
    from isodoc.audits.models import Audit
    from isodoc.extensions import db
    from isodoc.findings.models import Finding
    from isodoc.objectives.models import QualityObjective
    from isodoc.risks.models import Risk
    from isodoc.tthc.models import Tthc

    with app.app_context():
        first = lambda stmt: db.session.scalars(stmt.limit(1)).first()  # noqa: E731
        audit = first(select(Audit.id).order_by(Audit.id))
        finding = first(select(Finding.id).order_by(Finding.id))
        objective = first(select(QualityObjective.id).order_by(QualityObjective.id))
        risk = first(select(Risk.id).order_by(Risk.id))
        tthc = first(select(Tthc.code).order_by(Tthc.code))
    return {"audit": f"{STP}/audits/{audit}", "finding": f"{STP}/findings/{finding}",
            "objective": f"{STP}/objectives/{objective}", "risk": f"{STP}/risks/{risk}",
            "tthc": f"/tthc/{tthc}"}


def pages_by_role(ids: dict[str, str]) -> dict[str, list[str]]:
    document = f"{STP}/documents/qt-01"
    return {
        "stp.congchuc": ["/", "/agencies/", STP, f"{STP}/documents/", "/search/?q=khai+sinh",
                         "/clauses/", "/clauses/7.5.3", "/tthc/", ids["tthc"], "/account"],
        "stp.soanthao": ["/", f"{STP}/documents/new", f"{STP}/documents/import"],
        "stp.thuky": ["/", f"{STP}/documents/", f"{STP}/findings", ids["finding"],
                      f"{STP}/findings/new", f"{STP}/objectives", ids["objective"],
                      f"{STP}/risks", ids["risk"], f"{STP}/coverage", f"{STP}/models"],
        "stp.lanhdao": ["/", f"{STP}/management-review", "/reports/findings",
                        f"{STP}/management-reviews", f"{STP}/training", f"{STP}/records"],
        "stp.danhgia": ["/", f"{STP}/audits", ids["audit"], f"{STP}/audits/new"],
        "sokhcn": ["/", "/agencies/", "/reports/findings", "/tthc/coverage", "/clauses/2008",
                   "/programme/", "/programme/agencies", "/programme/plans"],
        "admin": ["/admin/people", "/admin/audit", "/admin/mail", "/tthc/import",
                  "/tthc/bodies", "/tthc/models"],
    }, document


# Measured in the page: what is wider than the screen (phone), what overflows its card
# (desktop), and which placeholders do not fit in their box.
LAYOUT_JS = """(phone) => {
  const out = [];
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '');
  if (phone && document.documentElement.scrollWidth > window.innerWidth + 1)
    out.push('page wider than the phone: ' + document.documentElement.scrollWidth + 'px');
  if (!phone) document.querySelectorAll('.card table').forEach((t) => {
    const card = t.closest('.card');
    if (card && card.scrollWidth > card.clientWidth + 1)
      out.push('table overflows its card: ' + name(t) + ' in ' +
               (card.querySelector('h2') || card).textContent.trim().slice(0, 40));
  });
  const canvas = document.createElement('canvas').getContext('2d');
  document.querySelectorAll('input[placeholder]:not([type=hidden])').forEach((i) => {
    if (!i.offsetParent || !i.placeholder) return;
    const s = getComputedStyle(i);
    canvas.font = s.font;
    const room = i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    if (i.tagName === 'INPUT' && canvas.measureText(i.placeholder).width > room + 1)
      out.push('placeholder cut: ' + name(i) + ' «' + i.placeholder + '»');
  });
  return out;
}"""


@pytest.fixture(scope="module")
def axe_script() -> str:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script


def run_axe(page) -> list[dict]:
    return page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]


def serious(violations: list[dict]) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                        for n in v["nodes"][:4])
            for v in violations if v["impact"] in ("serious", "critical")]


def watch(page, role: str, origin: str, problems: list[str]) -> dict:
    """Note every request to another origin, console error and page error; the returned
    dict says which page is open."""
    where = {"url": "/login"}

    def request(r) -> None:
        parsed = urlparse(r.url)
        if parsed.scheme in ("http", "https") and parsed.netloc != origin:
            problems.append(f"{role} {where['url']}: request to {r.url}")

    def console(m) -> None:
        if m.type == "error":
            problems.append(f"{role} {where['url']}: console error: {m.text}")

    page.on("request", request)
    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(f"{role} {where['url']}: {e}"))
    return where


def settle(page) -> None:
    """After a resize, let widgets that lay themselves out on a resize observer (the
    visual editor's toolbar folds its groups) catch up; what still does not fit is
    reported by LAYOUT_JS."""
    for _ in range(30):  # polled from here: the CSP forbids wait_for_function's eval
        if page.evaluate("() => document.documentElement.scrollWidth <= innerWidth + 1"):
            return
        page.wait_for_timeout(100)


def test_main_pages_are_accessible_and_clean_as_every_role(app, browser, server,
                                                           demo_province, axe_script):
    ids = demo_urls(app)
    pages, document = pages_by_role(ids)
    pages["stp.congchuc"].append(document)
    pages["stp.lanhdao"].append(document)
    origin = urlparse(server).netloc
    problems: list[str] = []
    for role, urls in pages.items():
        context = browser.new_context(base_url=server, locale="vi-VN", viewport=DESKTOP,
                                      timezone_id="Asia/Ho_Chi_Minh")
        context.add_init_script(axe_script)
        page = context.new_page()
        where = watch(page, role, origin, problems)
        sign_in(page, role)
        page.wait_for_url(lambda u: "/login" not in u)
        for url in urls:
            where["url"] = url
            page.set_viewport_size(DESKTOP)
            response = page.goto(url)
            if response is None or response.status != 200:
                problems.append(f"{role} {url}: status {response and response.status}")
                continue
            for size, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
                page.set_viewport_size(size)
                if size is PHONE:
                    settle(page)
                problems += [f"{role} {url} [{label}] {p}" for p in serious(run_axe(page))]
                problems += [f"{role} {url} [{label}] {p}"
                             for p in page.evaluate(LAYOUT_JS, size is PHONE)]
        context.close()
    assert problems == [], "\n".join(problems)


def test_a_phone_shows_tables_as_cards_with_every_column(browser, server, demo_province):
    context = browser.new_context(base_url=server, viewport=PHONE, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    sign_in(page, "stp.thuky")
    page.goto(f"{STP}/findings")
    row = page.locator("table.table tbody tr").first
    labels = row.locator("td").evaluate_all("cells => cells.map(c => c.dataset.label)")
    assert {"Trạng thái", "Hạn", "Điều khoản"} <= set(labels)
    # every cell is shown, with its column's name before it
    for cell in row.locator("td").all():
        assert cell.is_visible()
    state = row.locator("td[data-label='Trạng thái']")
    assert page.evaluate("c => getComputedStyle(c, '::before').content", state.element_handle()
                         ) == '"Trạng thái"'
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.goto(f"{STP}/documents/")
    labels = page.locator("table.table tbody tr").first.locator("td").evaluate_all(
        "cells => cells.map(c => c.dataset.label)")
    assert any(label and "hiệu lực" in label.lower() for label in labels), labels
    context.close()


def test_the_clause_picker_finds_a_clause_by_words_without_accents(browser, server,
                                                                   demo_province):
    context = browser.new_context(base_url=server, viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, "stp.danhgia")
    page.goto(f"{STP}/findings/new")
    box = page.get_by_role("combobox", name="Điều khoản ISO 9001:2015")
    box.fill("8.5.1 kiem soat thong tin")  # one clause typed, a second looked up by words
    suggestions = page.get_by_role("listbox", name="Gợi ý điều khoản")
    option = suggestions.get_by_role("option").filter(has_text="Kiểm soát thông tin dạng văn bản")
    option.first.wait_for()
    option.first.click()
    assert box.input_value() == "8.5.1 7.5.3 "
    box.press_sequentially("xem xet lanh")
    suggestions.get_by_role("option").filter(has_text="9.3").first.wait_for()
    box.press("ArrowDown")
    box.press("Enter")
    assert box.input_value() == "8.5.1 7.5.3 9.3 "
    context.close()
