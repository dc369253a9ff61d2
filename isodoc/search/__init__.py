"""Full-text search: the one module that knows an engine exists.

Interface: `enqueue(document)` (in the transaction that changes it), `drain()` (after the
commit), `search(...)`, `suggest(...)`, `reindex(...)`, `check()`. Engines: tantivy and
Whoosh (setting ISODOC_SEARCH_ENGINE), one contract test suite for both.
"""

from __future__ import annotations

import difflib
import logging
import threading
import time
from dataclasses import dataclass, field

from flask import current_app, g, url_for
from markupsafe import Markup
from sqlalchemy import delete, select

from isodoc.agencies.models import Agency, AgencyKind
from isodoc.documents.models import Document
from isodoc.extensions import db
from isodoc.paging import MAX_PAGE, MAX_SIZE, parse_page, parse_size
from isodoc.search import entries as entries_mod
from isodoc.search.analysis import ParsedQuery, fold, parse
from isodoc.search.base import Engine, Filters, day_number
from isodoc.search.highlight import mark, snippet
from isodoc.search.models import SearchOutbox
from isodoc.timeutil import today_local

log = logging.getLogger(__name__)
ENGINES = ("tantivy", "whoosh")
PAGE_SIZE = 10
MAX_QUERY = 200          # characters of a query; the API schema says the same
MAX_SUGGEST_QUERY = 100
MAX_WORDS = 32           # words of a parsed query handed to the engine
MAX_SUGGEST = 20         # suggestions asked of the engine
MAX_FIXED_WORDS = 8      # words "did you mean" looks up in the vocabulary
_engines: dict[tuple[str, str], Engine] = {}
_engines_lock = threading.Lock()
_vocabulary: dict[tuple[str, str], tuple[float, list[str]]] = {}


def make_engine(name: str, path: str) -> Engine:
    if name == "tantivy":
        from isodoc.search.tantivy_engine import TantivyEngine

        return TantivyEngine(path)
    if name == "whoosh":
        from isodoc.search.whoosh_engine import WhooshEngine

        return WhooshEngine(path)
    raise ValueError(f"unknown search engine {name!r} (choose from {ENGINES})")


def engine() -> Engine:
    """The configured engine, one per process and index folder."""
    key = (current_app.config["ISODOC_SEARCH_ENGINE"], current_app.config["ISODOC_INDEX_PATH"])
    with _engines_lock:
        if key not in _engines:
            _engines[key] = make_engine(*key)
        return _engines[key]


# -- keeping the index up to date ---------------------------------------------------

def enqueue(document: Document) -> None:
    """Record, in the caller's transaction, that `document` must be reindexed."""
    db.session.add(SearchOutbox(document_id=document.id))
    g.search_dirty = True


def drain(limit: int = 500) -> int:
    """Apply pending outbox rows to the index; what fails stays for the next writer.
    Called after the request's commit, by any worker: never a background writer."""
    rows = db.session.scalars(select(SearchOutbox).order_by(SearchOutbox.id).limit(limit)).all()
    if not rows:
        return 0
    ids = sorted({r.document_id for r in rows})
    documents = db.session.scalars(select(Document).where(Document.id.in_(ids))).all()
    try:
        docs = [e for d in documents for e in entries_mod.entries_for(d)]
        engine().replace(docs, ids)
    except Exception:  # noqa: BLE001 — the outbox keeps the work; the next writer retries
        log.exception("search index update failed; %d outbox rows kept", len(rows))
        db.session.rollback()
        db.session.execute(SearchOutbox.__table__.update().where(
            SearchOutbox.id.in_([r.id for r in rows])).values(
            attempts=SearchOutbox.attempts + 1))
        db.session.commit()
        return 0
    db.session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([r.id for r in rows])))
    db.session.commit()
    return len(ids)


def drain_after_request(response):
    """Index what the request changed once its response has gone out: the person does not
    wait for the index (a merge can take a few hundred ms); the outbox keeps the work
    if the worker dies first."""
    if g.pop("search_dirty", False):
        app = current_app._get_current_object()

        def drain_later() -> None:
            with app.app_context():
                try:
                    drain()
                except Exception:  # noqa: BLE001 — the response is already sent
                    log.exception("search outbox drain failed")

        response.call_on_close(drain_later)
    return response


def reindex(progress=None) -> int:
    """Rebuild the whole index from the database (`isodoc reindex`): one writer, one
    index commit, so readers see the old index until the new one is complete. A
    command: the outbox it makes obsolete is emptied in the caller's transaction."""
    ids = db.session.scalars(select(Document.id).order_by(Document.id)).all()

    def batches():
        for start in range(0, len(ids), 200):
            chunk = ids[start:start + 200]
            documents = db.session.scalars(select(Document).where(Document.id.in_(chunk))).all()
            yield [e for d in documents for e in entries_mod.entries_for(d)]
            db.session.expunge_all()
            if progress:
                progress(len(chunk))

    done = engine().rebuild(batches())
    db.session.execute(delete(SearchOutbox))
    return done


def check() -> list[str]:
    """Index entries against what the database says they should be."""
    expected = {e.key for d in db.session.scalars(select(Document))
                for e in entries_mod.entries_for(d)}
    actual = engine().entry_keys()
    problems = [f"thiếu trong chỉ mục tìm kiếm: {k}" for k in sorted(expected - actual)]
    problems += [f"thừa trong chỉ mục tìm kiếm: {k}" for k in sorted(actual - expected)]
    pending = db.session.scalar(select(db.func.count()).select_from(SearchOutbox))
    if pending:
        problems.append(f"{pending} cập nhật chỉ mục đang chờ (outbox)")
    return problems


# -- searching ------------------------------------------------------------------------

@dataclass
class Hit:
    key: str
    code: str
    title: Markup
    agency: str
    agency_name: str
    revision: int | None
    effective_date: str
    snippet: Markup
    url: str
    draft: bool
    score: float


@dataclass
class Results:
    query: str
    hits: list[Hit]
    total: int
    page: int
    pages: int
    facets: dict[str, list[tuple[str, str, int]]]  # name -> (value, label, count)
    did_you_mean: str = ""
    accent_hint: str = ""
    took_ms: float = 0.0
    relaxed: bool = False
    parsed: ParsedQuery | None = field(default=None, repr=False)


def user_agencies(user) -> list[Agency]:
    return sorted({m.agency for m in user.memberships if not m.agency.is_dissolved()},
                  key=lambda a: a.code)


def filters_for(user, *, scope: str = "", agency: str = "", kind: str = "", field: str = "",
                clause: str = "", include_drafts: bool = False) -> Filters:
    from isodoc import policy
    from isodoc.policy import Action

    mine = user_agencies(user)
    f = Filters(on=day_number(today_local()), kind=kind, field=field, clause=clause,
                prefer_agencies=[a.code for a in mine])
    if agency:
        f.agencies = [agency]
    elif scope == "agency":
        f.agencies = [a.code for a in mine]
    elif scope == "district":
        districts = {entries_mod.district_of(a) or (a.code if a.kind == AgencyKind.DISTRICT
                                                   else "") for a in mine}
        districts.discard("")
        if districts:
            f.district = sorted(districts)[0]
        else:
            f.agencies = [a.code for a in mine]
    if include_drafts:
        f.draft_agencies = [a.code for a in mine if policy.can(user, Action.DOC_VIEW_DRAFTS, a)]
    return f


def vocabulary() -> list[str]:
    key = (current_app.config["ISODOC_SEARCH_ENGINE"], current_app.config["ISODOC_INDEX_PATH"])
    cached = _vocabulary.get(key)
    if cached and time.monotonic() - cached[0] < 60:
        return cached[1]
    words = engine().vocabulary()
    _vocabulary[key] = (time.monotonic(), words)
    return words


def did_you_mean(parsed: ParsedQuery) -> str:
    vocab = vocabulary()
    known = set(vocab)
    fixed, changed = [], False
    for n, word in enumerate(parsed.words):
        # each lookup scans the whole vocabulary: only the first few words are fixed
        if word in known or len(word) < 3 or n >= MAX_FIXED_WORDS:
            fixed.append(word)
            continue
        close = difflib.get_close_matches(word, vocab, n=1, cutoff=0.7)
        if close:
            fixed.append(close[0])
            changed = True
        else:
            fixed.append(word)
    return " ".join(fixed) if changed else ""


FACET_LABELS = {"agency": "Đơn vị", "kind": "Loại tài liệu", "field": "Lĩnh vực",
                "clause": "Điều khoản ISO"}


def bounded(parsed: ParsedQuery) -> ParsedQuery:
    """At most MAX_WORDS words, bigrams and phrase words: the engine query stays small
    whatever the 200 characters were (a query of 100 one-letter words)."""
    parsed.words = parsed.words[:MAX_WORDS]
    parsed.exact = parsed.exact[:MAX_WORDS]
    parsed.bigrams = parsed.bigrams[:MAX_WORDS]
    parsed.phrases = [p[:MAX_WORDS] for p in parsed.phrases[:4]]
    return parsed


def page_count(total: int, size: int) -> int:
    """Pages of `total` results, never more than a page number may reach."""
    return min(-(-total // size), MAX_PAGE)


def search(text: str, filters: Filters, page: int = 1, size: int = PAGE_SIZE) -> Results:
    # callers parse the request's page; this re-check keeps a bad caller from handing
    # the engine an offset it would allocate for (PagingError: nothing is searched)
    page, size = parse_page(page), parse_size(size, PAGE_SIZE, MAX_SIZE)
    started = time.perf_counter()
    parsed = bounded(parse(text[:MAX_QUERY]))
    if parsed.empty:
        return Results(text, [], 0, 1, 0, {}, parsed=parsed)
    raw = engine().search(parsed, filters, (page - 1) * size, size)
    relaxed = False
    if raw.total == 0 and len(parsed.words) > 2 and not parsed.phrases and not parsed.code:
        # nothing has every word (a typo?): documents with two thirds of them
        relaxed_query = ParsedQuery(parsed.text, words=parsed.words, exact=parsed.exact,
                                    bigrams=parsed.bigrams,
                                    min_words=-(-2 * len(parsed.words) // 3))
        raw = engine().search(relaxed_query, filters, (page - 1) * size, size)
        relaxed = raw.total > 0
    words = set(parsed.words)
    hits = [to_hit(h.stored, h.score, words) for h in raw.hits]
    results = Results(text, hits, raw.total, page, page_count(raw.total, size),
                      labelled(raw.facets),
                      relaxed=relaxed, parsed=parsed)
    if raw.total == 0 or relaxed:
        results.did_you_mean = did_you_mean(parsed)
        if parsed.has_accents:
            results.accent_hint = fold(text)
    results.took_ms = (time.perf_counter() - started) * 1000
    return results


def to_hit(stored: dict, score: float, words: set[str]) -> Hit:
    draft = stored.get("visibility") == "staff"
    agency_code, slug = stored["agency"], stored["slug"]
    if draft:
        url = url_for("documents.register", agency_code=agency_code, q=stored["code_display"])
    else:
        url = url_for("documents.show", agency_code=agency_code, slug=slug)
    revision = int(stored.get("revision") or 0) or None
    effective = stored.get("effective_date") or ""
    if effective:
        y, m, d = effective.split("-")
        effective = f"{d}/{m}/{y}"
    return Hit(key=stored["key"], code=stored["code_display"], title=mark(stored["title"], words),
        agency=agency_code, agency_name=stored.get("agency_name", ""), revision=revision,
        effective_date=effective, snippet=snippet(stored.get("body", ""), words), url=url,
        draft=draft, score=score)


_names: dict[str, tuple[float, dict[str, str]]] = {}


def agency_names() -> dict[str, str]:
    """Agency names for facet labels; the registry changes rarely, so a minute's cache."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    cached = _names.get(url)
    if cached and time.monotonic() - cached[0] < 60:
        return cached[1]
    names = dict(db.session.execute(select(Agency.code, Agency.name)).all())
    _names[url] = (time.monotonic(), names)
    return names


def labelled(facets: dict[str, list[tuple[str, int]]]) -> dict[str, list[tuple[str, str, int]]]:
    from isodoc.documents.models import DocumentKind

    names = agency_names()
    out = {}
    for facet, values in facets.items():
        rows = []
        for value, count in values:
            if facet == "agency":
                label = names.get(value, value)
            elif facet == "kind":
                label = DocumentKind(value).label if value in set(DocumentKind) else value
            else:
                label = value
            rows.append((value, label, count))
        out[facet] = rows
    return out


def suggest(prefix_text: str, filters: Filters, limit: int = 8) -> list[dict]:
    limit = max(1, min(limit, MAX_SUGGEST // 2))
    tokens = [fold(t) for t in parse(prefix_text[:MAX_SUGGEST_QUERY]).exact][-MAX_WORDS:]
    if not tokens:
        return []
    words, last = tokens[:-1], tokens[-1]
    seen, out = set(), []
    for hit in engine().suggest(words, last, filters, limit * 2):
        title = hit.stored["title"]
        if title in seen:
            continue
        seen.add(title)
        out.append({"title": title, "code": hit.stored["code_display"],
                    "agency": hit.stored.get("agency_name", "")})
        if len(out) == limit:
            break
    return out
