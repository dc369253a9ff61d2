"""Accessibility and page hygiene, measured on the demo province: every main page, as each
role, on a desktop (1366×768) and on a phone (390×844).

- axe-core (axe-playwright-python, which ships axe.min.js: nothing is fetched) finds no
  serious or critical violation;
- the page requests nothing but the app itself and logs no console error (a missing
  favicon would be one);
- on the phone nothing is wider than the screen: tables become cards that keep every
  column; on the desktop no table overflows its card;
- no placeholder is cut by its box;
- no id that a label or an aria attribute names is on two elements (two forms of one
  page with a field of the same name).

One browser context per role, one page reused for all of that role's pages; the phone is
the same page resized, so the suite stays quick."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect
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
                         "/clauses/", "/clauses/7.5.3", "/tthc/", ids["tthc"], "/account",
                         "/viec/acknowledge"],
        "stp.soanthao": ["/", f"{STP}/documents/new", f"{STP}/documents/import"],
        "stp.thuky": ["/", f"{STP}/documents/", f"{STP}/findings", ids["finding"],
                      f"{STP}/findings/new", f"{STP}/objectives", ids["objective"],
                      f"{STP}/risks", ids["risk"], f"{STP}/coverage", f"{STP}/models"],
        "stp.lanhdao": ["/", f"{STP}/management-review", "/reports/findings",
                        f"{STP}/management-reviews", f"{STP}/training", f"{STP}/records"],
        "stp.danhgia": ["/", f"{STP}/audits", ids["audit"], f"{STP}/audits/new"],
        "sokhcn": ["/", "/agencies/", "/reports/findings", "/tthc/coverage", "/clauses/2008",
                   "/programme/", "/programme/agencies", "/programme/plans"],
        "admin": [STP, "/admin/people", "/admin/audit", "/admin/mail", "/tthc/import",
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
  if (!phone) {  // an id that a label or an aria attribute names must name one element
    const named = new Set();
    document.querySelectorAll('label[for]').forEach((l) => named.add(l.htmlFor));
    const refs = ['aria-describedby', 'aria-labelledby', 'aria-controls'];
    document.querySelectorAll(refs.map((a) => '[' + a + ']').join(',')).forEach((e) =>
      refs.forEach((a) => (e.getAttribute(a) || '').split(/\\s+/).filter(Boolean)
        .forEach((id) => named.add(id))));
    named.forEach((id) => {
      const n = document.querySelectorAll('#' + CSS.escape(id)).length;
      if (n > 1) out.push('id named by a label or aria on ' + n + ' elements: ' + id);
    });
  }
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
        # the page's own status is checked by the step that opens it: a refused form
        # (422) or the "not found" page (404) is meant, and Chromium logs it as an error
        own = m.location.get("url") == page.url and m.text.startswith("Failed to load")
        if m.type == "error" and not own:
            problems.append(f"{role} {where['url']}: console error: {m.text}")

    page.on("request", request)
    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(f"{role} {where['url']}: {e}"))
    return where


def open_as(browser, server: str, role: str | None, axe_script: str, problems: list[str],
            locale: str = "vi-VN"):
    """A desktop browser context with axe loaded, watched (`watch`), signed in as `role`
    (None: nobody); returns the context, its page and what says which page is open."""
    context = browser.new_context(base_url=server, locale=locale, viewport=DESKTOP,
                                  timezone_id="Asia/Ho_Chi_Minh")
    context.add_init_script(axe_script)
    page = context.new_page()
    where = watch(page, role or "anonymous", urlparse(server).netloc, problems)
    if role is not None:
        sign_in(page, role)
        page.wait_for_url(lambda u: "/login" not in u)
    return context, page, where


def settle(page) -> None:
    """After a resize, let widgets that lay themselves out on a resize observer (the
    visual editor's toolbar folds its groups) catch up; what still does not fit is
    reported by LAYOUT_JS."""
    for _ in range(30):  # polled from here: the CSP forbids wait_for_function's eval
        if page.evaluate("() => document.documentElement.scrollWidth <= innerWidth + 1"):
            return
        page.wait_for_timeout(100)


def visit(page, role: str, url: str, problems: list[str]) -> bool:
    """Open `url` on the desktop; False (and the status noted) when it is not a 200."""
    page.set_viewport_size(DESKTOP)
    response = page.goto(url)
    if response is None or response.status != 200:
        problems.append(f"{role} {url}: status {response and response.status}")
        return False
    return True


def examine(page, where: str, problems: list[str], sizes=(DESKTOP, PHONE)) -> None:
    """axe-core and the layout checks on the open page, at each size, in that order."""
    for size in sizes:
        label = "phone" if size is PHONE else "desktop"
        page.set_viewport_size(size)
        if size is PHONE:
            settle(page)
        problems += [f"{where} [{label}] {p}" for p in serious(run_axe(page))]
        problems += [f"{where} [{label}] {p}"
                     for p in page.evaluate(LAYOUT_JS, size is PHONE)]


def test_main_pages_are_accessible_and_clean_as_every_role(app, browser, server,
                                                           demo_province, axe_script):
    ids = demo_urls(app)
    pages, document = pages_by_role(ids)
    pages["stp.congchuc"].append(document)
    pages["stp.lanhdao"].append(document)
    problems: list[str] = []
    for role, urls in pages.items():
        context, page, where = open_as(browser, server, role, axe_script, problems)
        for url in urls:
            where["url"] = url
            if visit(page, role, url, problems):
                examine(page, f"{role} {url}", problems)
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
    expect(suggestions.get_by_role("option").first).to_contain_text("9.3")
    box.press("ArrowDown")
    box.press("Enter")
    assert box.input_value() == "8.5.1 7.5.3 9.3 "
    context.close()


def workflow_pages(app) -> dict[str, str]:
    """Drafts at each step of the workflow, so that each of the draft page's forms shows
    (submit as the author, review, approve, issue), and the ids of the other pages."""
    from isodoc.agencies.services import get_by_code
    from isodoc.annual_reports.services import current_year
    from isodoc.auth.services import get_user
    from isodoc.declarations.models import Declaration
    from isodoc.documents import demo as demo_documents
    from isodoc.documents import library, services
    from isodoc.documents.models import Document
    from isodoc.extensions import db
    from isodoc.inspections.models import Consultant, Inspection
    from isodoc.reviews.models import ManagementReview

    def draft_of(code: str):
        document = db.session.scalars(select(Document).where(
            Document.agency_id == get_by_code("so-tu-phap").id, Document.code == code)).one()
        author = get_user("stp.soanthao")
        revision = services.start_revision(document, author)
        _, body = services.read_parts(revision)
        template = next(t for t in library.templates() if t.code == code)
        services.save_draft(revision, author, revision.head_sha,
                            demo_documents.fields_of(template, revision.title), body,
                            change_location="Mục 5", change_summary="Cập nhật biểu mẫu",
                            reason="Kết luận đánh giá nội bộ")
        return revision

    def url(revision) -> str:
        document = revision.document
        return f"/agencies/{document.agency.code}/documents/{document.slug}/drafts/{revision.seq}"

    with app.app_context():
        first = lambda stmt: db.session.scalars(stmt.limit(1)).first()  # noqa: E731
        to_submit = draft_of("QT-02")
        to_issue = draft_of("QT-03")
        demo_documents.through_approval(to_issue, demo_documents.people("stp"))
        pages = {"submit": url(to_submit), "issue": url(to_issue),
                 "edit": url(to_submit) + "/edit",
                 "declaration": f"{STP}/declarations/"
                                f"{first(select(Declaration.id).order_by(Declaration.id))}",
                 "inspection": f"/inspections/{first(select(Inspection.id))}",
                 "consultant": f"/consultants/{first(select(Consultant.id))}",
                 "review": f"{STP}/management-reviews/"
                           f"{first(select(ManagementReview.id).order_by(ManagementReview.id))}",
                 "year": str(current_year())}
        db.session.commit()
    return pages


def use_the_visual_editor(page, where: str, problems: list[str]) -> None:
    """The visual editor with a table inserted, then on the phone with its folded toolbar
    opened (the "more" button) and the table's size picker shown."""
    page.locator(".toastui-editor-ww-container .ProseMirror").click()
    page.get_by_role("button", name="Chèn bảng").click()
    # the size picker (a layer over its cells follows the mouse): a 2×2 table
    box = page.locator(".toastui-editor-table-row").nth(1).locator(
        ".toastui-editor-table-cell").nth(1).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    page.locator(".toastui-editor-ww-container table").first.wait_for()
    examine(page, f"{where} (table inserted)", problems, sizes=(DESKTOP,))
    page.set_viewport_size(PHONE)
    settle(page)
    page.get_by_role("button", name="Thêm công cụ").click()
    page.locator(".toastui-editor-dropdown-toolbar").wait_for()
    examine(page, f"{where} (toolbar unfolded)", problems, sizes=(PHONE,))


def shows(button: str):
    """A step's check that the draft shows the form it is there for."""
    def check(page, where: str, problems: list[str]) -> None:
        if not page.get_by_role("button", name=button, exact=True).count():
            problems.append(f"{where}: no «{button}» button")
    return check


def refuse_the_survey(page, where: str, problems: list[str]) -> None:
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.get_by_role("alert").first.wait_for()
    examine(page, f"{where} (refused)", problems)


def test_workflow_public_and_oversight_pages_are_accessible_and_clean(app, browser, server,
                                                                      demo_province,
                                                                      axe_script):
    """The pages the crawl above does not reach: a draft at each step with its forms, the
    comparisons of two revisions, the print view, the visual editor in use, the public
    survey (no account), declarations, inspections, succession, management review,
    annual reports. A step is a URL, or (URL, what is done there, then examined)."""
    ids = workflow_pages(app)
    year, qt01 = ids["year"], f"{STP}/documents/qt-01"
    himlam, namthanh = "/agencies/dbp-him-lam", "/agencies/dbp-nam-thanh"
    steps: dict[str | None, list] = {
        None: [("/khao-sat/dbp-him-lam", refuse_the_survey), "/khao-sat/dbp-him-lam/cam-on",
               "/khao-sat/khong-co"],
        "stp.congchuc": [f"{qt01}/changes?a=1&b=2", f"{qt01}/diff?a=1&b=2", f"{qt01}/history",
                         f"{qt01}?print=1", f"{qt01}/revisions/1?print=1"],
        "stp.soanthao": [(ids["submit"], shows("Trình xem xét")),
                         (ids["edit"], use_the_visual_editor)],
        "stp.danhgia": [(f"{STP}/documents/hd-01/drafts/1", shows("Gửi ý kiến xem xét"))],
        "himlam.lanhdao": [(f"{himlam}/documents/qt-02/drafts/1", shows("Phê duyệt"))],
        "stp.thuky": [(ids["issue"], shows("Ban hành")), f"{STP}/declarations",
                      ids["declaration"],
                      f"{STP}/declarations/new", f"{STP}/annual-reports",
                      f"{STP}/annual-reports/{year}", f"{STP}/training", f"{STP}/records",
                      f"{STP}/surveys", f"{STP}/surveys/poster"],
        "stp.lanhdao": [ids["review"], f"{STP}/management-reviews/new"],
        "namthanh.lanhdao": [f"{namthanh}/inherited", f"{namthanh}/annual-reports/{year}"],
        "sokhcn": ["/declarations/", ids["declaration"], "/inspections/", ids["inspection"],
                   "/inspections/new", f"{ids['inspection']}/findings/new", ids["consultant"],
                   "/annual-reports/"],
    }
    problems: list[str] = []
    for role, role_steps in steps.items():
        who = role or "anonymous"
        context, page, where = open_as(browser, server, role, axe_script, problems)
        for step in role_steps:
            url, action = step if isinstance(step, tuple) else (step, None)
            where["url"] = url
            if url == "/khao-sat/khong-co":  # the survey's own "not found" page
                page.goto(url)
                examine(page, f"{who} {url}", problems)
                continue
            if visit(page, who, url, problems):
                examine(page, f"{who} {url}", problems)
                if action is not None:
                    page.set_viewport_size(DESKTOP)
                    action(page, f"{who} {url}", problems)
        context.close()
    assert problems == [], "\n".join(problems)
