"""The crawl of test_accessibility.py again, in English: every page each role reaches,
with English chosen in the footer (POST /language/en, as a person does).

- the same checks: axe-core, console errors, foreign requests, layout on the desktop and
  the phone, placeholders that do not fit (English words are longer);
- the interface's own text is English: no Vietnamese letter with a diacritic in the
  navigation, buttons, labels, table heads, summaries, legends, options, badges, section
  headings, the page's title, nor in the placeholder, aria-label, title and alt
  attributes. The static check (tests/test_i18n.py) reads the source; this one sees what
  is composed at run time.

What is agency data (names of agencies and people, document codes and titles, clause
titles, TTHC names…) stays in Vietnamese: templates mark it `translate="no"` (the HTML
attribute that says "this is not to be translated"; the same words are then taken out of
mixed text such as the page's title), an attribute holding only data is named in the
element's `data-data-attrs` (the account link's title, the person's name), and text
inside `lang="vi"` (the footer's "Tiếng Việt", the printed survey poster) is Vietnamese
by declaration. Nothing else is allowed but the few entries of ALLOWED, each with its
reason."""

from __future__ import annotations

import pytest

from tests.browser.test_accessibility import (
    STP,
    demo_urls,
    examine,
    open_as,
    pages_by_role,
    visit,
    workflow_pages,
)

# Text the interface shows, minus agency data: each hit is "where: text".
VIETNAMESE_JS = r"""() => {
  const letters = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/i;
  const squash = (t) => (t || '').replace(/\s+/g, ' ').trim();
  // a page declared Vietnamese (the printed survey poster) is Vietnamese on purpose
  if (!document.documentElement.lang.toLowerCase().startsWith('en')) return [];
  const exempt = (e) => {
    if (e.closest('[translate=no]')) return true;
    const declared = e.closest('[lang]');
    return declared !== null && !declared.lang.toLowerCase().startsWith('en');
  };
  // the agency data shown on this page, longest first: taken out of mixed text such as
  // "Register — <agency>" in the title or "Unit rate: <budget line>" in an aria-label
  const data = [...new Set([...document.querySelectorAll('[translate=no]')]
    .map((e) => squash(e.textContent)).filter((t) => t.length > 1))]
    .sort((a, b) => b.length - a.length);
  const own = (text) => {
    text = squash(text);
    for (const d of data) text = text.split(d).join(' ');
    return letters.test(text);
  };
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.getAttribute('name') ? '[name=' + e.getAttribute('name') + ']' : '');
  const out = new Set();
  if (own(document.title)) out.add('<title>: ' + document.title);
  const tags = 'nav, button, label, th, summary, legend, option, .badge, h2';
  const skipped = ['SELECT', 'TEXTAREA', 'INPUT', 'TEMPLATE', 'SCRIPT', 'STYLE'];
  document.querySelectorAll(tags).forEach((e) => {
    if (exempt(e)) return;
    // an element's own words: the controls in a label, the nested ones are read apart
    let text = '';
    e.childNodes.forEach((n) => {
      if (n.nodeType === Node.TEXT_NODE) text += n.textContent;
      else if (n.nodeType === Node.ELEMENT_NODE && !n.matches(tags) &&
               !skipped.includes(n.tagName) && !exempt(n))
        text += ' ' + (n.innerText || n.textContent);
    });
    if (own(text)) out.add(name(e) + ': ' + squash(text).slice(0, 80));
  });
  for (const attr of ['placeholder', 'aria-label', 'title', 'alt'])
    document.querySelectorAll('[' + attr + ']').forEach((e) => {
      const value = e.getAttribute(attr);
      const isData = (e.dataset.dataAttrs || '').split(' ').includes(attr);
      if (e.tagName !== 'HTML' && !isData && !exempt(e) && own(value))
        out.add(name(e) + ' @' + attr + ': ' + value.slice(0, 80));
    });
  return [...out];
}"""


# Interface text that rightly keeps Vietnamese letters in English, each with its reason.
ALLOWED = {
    "@placeholder: e.g. 125/QĐ-STP":
        "a decision number as agencies write it: QĐ (quyết định) is part of the number",
    "@placeholder: e.g. Tỷ lệ đúng hạn (%)":
        "a column name of the agency's own CSV export, which is in Vietnamese",
}


def allowed(hit: str) -> bool:
    return any(hit.endswith(" " + text) for text in ALLOWED)


@pytest.fixture(scope="module")
def axe_script() -> str:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script


def choose_english(page) -> None:
    """The footer's "English" button, as a person would press it."""
    page.locator("footer button[lang=en]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"


def english_steps(app) -> dict[str | None, list[str]]:
    """Every URL of both crawls in test_accessibility.py, by role."""
    ids = demo_urls(app)
    pages, document = pages_by_role(ids)
    pages["stp.congchuc"].append(document)
    steps: dict[str | None, list[str]] = {role: list(urls) for role, urls in pages.items()}
    flow = workflow_pages(app)
    year, qt01 = flow["year"], f"{STP}/documents/qt-01"
    himlam, namthanh = "/agencies/dbp-him-lam", "/agencies/dbp-nam-thanh"
    more: dict[str | None, list[str]] = {
        None: ["/khao-sat/dbp-him-lam", "/khao-sat/dbp-him-lam/cam-on"],
        "stp.congchuc": [f"{qt01}/changes?a=1&b=2", f"{qt01}/diff?a=1&b=2", f"{qt01}/history",
                         f"{qt01}?print=1", f"{qt01}/revisions/1?print=1"],
        "stp.soanthao": [flow["submit"], flow["edit"]],
        "stp.danhgia": [f"{STP}/documents/hd-01/drafts/1"],
        "himlam.lanhdao": [f"{himlam}/documents/qt-02/drafts/1"],
        "stp.thuky": [flow["issue"], f"{STP}/declarations", flow["declaration"],
                      f"{STP}/declarations/new", f"{STP}/annual-reports",
                      f"{STP}/annual-reports/{year}", f"{STP}/surveys",
                      f"{STP}/surveys/poster"],
        "stp.lanhdao": [flow["review"], f"{STP}/management-reviews/new"],
        "namthanh.lanhdao": [f"{namthanh}/inherited", f"{namthanh}/annual-reports/{year}"],
        "sokhcn": ["/declarations/", flow["declaration"], "/inspections/",
                   flow["inspection"], "/inspections/new",
                   f"{flow['inspection']}/findings/new", flow["consultant"],
                   "/annual-reports/"],
    }
    for role, urls in more.items():
        steps.setdefault(role, []).extend(u for u in urls if u not in steps.get(role, []))
    return steps


def test_every_page_in_english_is_clean_and_speaks_english(app, browser, server,
                                                           demo_province, axe_script):
    steps = english_steps(app)
    problems: list[str] = []
    for role, urls in steps.items():
        who = role or "anonymous"
        context, page, where = open_as(browser, server, role, axe_script, problems,
                                       locale="en-US")
        if role is None:
            page.goto("/login")
        choose_english(page)
        for url in urls:
            where["url"] = url
            if visit(page, who, url, problems):
                problems += [f"{who} {url}: Vietnamese in the interface: {hit}"
                             for hit in page.evaluate(VIETNAMESE_JS) if not allowed(hit)]
                examine(page, f"{who} {url} (en)", problems)
        context.close()
    assert problems == [], "\n".join(problems)
