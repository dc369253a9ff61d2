"""Full-text search: the one module that knows an engine exists.

Interface: `enqueue(document)` (in the transaction that changes it: a row of the change
log), `catch_up()` (after the commit, at start and on a timer: this node's index applies
the log past its cursor), `search(...)`, `suggest(...)`, `reindex(...)`, `check()`.
Engines: tantivy and Whoosh (setting ISODOC_SEARCH_ENGINE), one contract test suite for
both.
"""

from __future__ import annotations

import difflib
import fcntl
import logging
import math
import os
import re
import shutil
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import current_app, g, url_for
from flask_babel import get_locale, get_translations
from markupsafe import Markup
from sqlalchemy import delete, event, func, insert, inspect, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from isodoc import pagecache
from isodoc.agencies.models import Agency, AgencyKind
from isodoc.documents.models import Document
from isodoc.extensions import db
from isodoc.i18n import _l
from isodoc.paging import MAX_SIZE, page_count, parse_page, parse_size
from isodoc.search import entries as entries_mod
from isodoc.search.analysis import ParsedQuery, fold, parse
from isodoc.search.base import Engine, Filters, day_number
from isodoc.search.highlight import mark, snippet
from isodoc.search.models import SearchChange, SearchIndexState, SearchLogHorizon
from isodoc.timeutil import today_local, utcnow

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
_vocabulary: dict[tuple[str, str], tuple[tuple, list[str]]] = {}


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


def index_stamp() -> tuple:
    """The index a search reads now, for a page of results kept by the page cache: the
    data version alone would not do, as the index catches up after the write's commit."""
    key = (current_app.config["ISODOC_SEARCH_ENGINE"], current_app.config["ISODOC_INDEX_PATH"])
    return (*key, *engine().stamp())


# -- keeping the index up to date ---------------------------------------------------
#
# Every change of a document appends a row to `search_log`, in the change's own
# transaction. Each index (one per node: several app servers on one database) applies
# the rows past its cursor — a file inside the index folder, written after the index
# commit, so the cursor goes wherever the index goes: a wiped or new folder has none
# and is rebuilt from the database, and a crash between the index commit and the cursor
# write only applies the same rows again (an entry is replaced by what the database
# says now, so applying twice is harmless). `search_index` holds what every index last
# reported, only to prune the rows that every live index has passed.

CURSOR_FILE = "isodoc-cursor"
LOCK_FILE = "isodoc-follow.lock"
LOG_LOCK = 0x150D0C_5EA1  # PostgreSQL advisory lock: log rows commit in id order
REPORT_EVERY = 60.0       # seconds between two reports of an index that did not move
_reported: dict[str, tuple[float, int]] = {}
_checked: dict[str, float] = {}


def enqueue(document: Document, change: str = "update") -> None:
    """Record, in the caller's transaction, that `document` must be reindexed: the log
    row is written when that transaction commits (`_write_log`)."""
    db.session.info.setdefault("search_changes", []).append((document, change[:20]))
    g.search_dirty = True


@event.listens_for(Session, "before_commit")
def _write_log(session: Session) -> None:
    """The log rows of the transaction, last thing before its commit. On PostgreSQL a
    transaction-level advisory lock makes the rows commit in the order of their ids, so
    a follower that has seen id n can never later see a smaller one appear (two
    transactions would otherwise take ids 7 and 8 and commit 8 first). Everything else
    is flushed first: the lock is only ever awaited by a transaction that holds all the
    row locks it will need, so it cannot take part in a deadlock. SQLite has one writer
    at a time and needs no lock."""
    changes = session.info.pop("search_changes", None)
    if not changes:
        return
    session.flush()
    rows = {}
    for document, change in changes:
        # a deleted document keeps its identity: its row removes it from every index
        identity = inspect(document).identity
        if identity:
            rows[identity[0]] = change
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOG_LOCK})
    # Core on the connection, not objects: those cost every command a second flush
    # (the rows are never read back in this transaction)
    session.connection().execute(insert(SearchChange.__table__), [
        {"document_id": d, "change": c} for d, c in sorted(rows.items())])


@event.listens_for(Session, "after_transaction_end")
def _forget_log(session: Session, transaction) -> None:
    """A rolled-back transaction changed nothing to reindex (a savepoint's rollback
    keeps the outer transaction's changes: reindexing one more is harmless)."""
    if transaction.parent is None:
        session.info.pop("search_changes", None)


def index_name(eng: Engine | None = None) -> str:
    """How this index reports itself in `search_index`: node and engine folder."""
    eng = eng or engine()
    node = current_app.config.get("ISODOC_NODE") or socket.gethostname()
    return f"{node}:{eng.path.name}"[:200]


def read_cursor(eng: Engine) -> int | None:
    """The last log id applied to this index; None if the index has never been built
    (a new folder, a new schema, an index from the outbox days)."""
    try:
        return int((Path(eng.path) / CURSOR_FILE).read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError):
        return None


def write_cursor(eng: Engine, applied: int) -> None:
    path = Path(eng.path) / CURSOR_FILE
    tmp = path.with_name(f"{CURSOR_FILE}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(f"{applied}\n", encoding="ascii")
    os.replace(tmp, path)  # atomic: a reader sees the old cursor or the new one


@contextmanager
def follow_lock(eng: Engine, wait: float):
    """One follower at a time per index (the workers of a node, and its timer threads):
    two that applied overlapping rows could otherwise write the older state last."""
    with open(Path(eng.path) / LOCK_FILE, "a+", encoding="ascii") as fh:
        if wait == math.inf:
            fcntl.flock(fh, fcntl.LOCK_EX)
        else:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        yield False
                        return
                    time.sleep(0.02)
        yield True  # released when the file is closed


def horizon() -> int:
    return db.session.scalar(select(SearchLogHorizon.pruned_through)
                             .where(SearchLogHorizon.id == 1)) or 0


def last_change() -> int:
    return db.session.scalar(select(func.max(SearchChange.id))) or 0


def catch_up(wait: float = 5.0, limit: int = 500) -> int:
    """Apply the log rows past this index's cursor (or rebuild it when the log no
    longer holds them); returns the documents applied. Run after a request's commit,
    at start and on a timer, by any worker of the node: never a background writer
    that outlives its process. What fails stays in the log for the next try."""
    eng = engine()
    with follow_lock(eng, wait) as held:
        if not held:  # another worker of this node is at it (the timer retries)
            return 0
        try:
            done = _catch_up(eng, limit)
            db.session.commit()  # the report of how far this index got
        except Exception:  # noqa: BLE001 — the log keeps the work; the next try retries
            log.exception("search index update failed; the change log keeps the work")
            db.session.rollback()
            return 0
    return done


drain = catch_up  # the name callers knew when the log was an outbox


def _catch_up(eng: Engine, limit: int) -> int:
    done, rebuilds = 0, 0
    while True:
        cursor = read_cursor(eng)
        if cursor is None or getattr(eng, "replaced", None):
            if rebuilds:
                break
            rebuilds += 1
            done += _rebuild(eng)
            continue
        rows = db.session.execute(select(SearchChange.id, SearchChange.document_id)
                                  .where(SearchChange.id > cursor)
                                  .order_by(SearchChange.id).limit(limit)).all()
        # read after the rows: a prune committed before they were read shows here
        mark = horizon()
        if not rows and cursor > max(last_change(), mark):
            # ids this index applied do not exist: the database was restored from a
            # backup (its sequence went back), so new changes would reuse them
            if rebuilds:
                break
            rebuilds += 1
            log.warning("search index %s is ahead of the change log (%d): rebuilt",
                        index_name(eng), cursor)
            done += _rebuild(eng)
            continue
        if mark > cursor:
            if rebuilds:
                break
            rebuilds += 1
            log.warning("search index %s is behind the change log (%d < %d): rebuilt",
                        index_name(eng), cursor, mark)
            done += _rebuild(eng)
            continue
        if not rows:
            break
        ids = sorted({r.document_id for r in rows})
        documents = db.session.scalars(select(Document).where(Document.id.in_(ids))).all()
        eng.replace([e for d in documents for e in entries_mod.entries_for(d)], ids)
        write_cursor(eng, rows[-1].id)
        done += len(ids)
        db.session.expunge_all()
        if len(rows) < limit:
            break
    report(eng)
    return done


def _rebuild(eng: Engine, progress=None) -> int:
    """Fill the index from the database; its cursor becomes the log's last id read
    before the documents: a change committed later is applied again, never missed."""
    top = max(last_change(), horizon())
    ids = db.session.scalars(select(Document.id).order_by(Document.id)).all()

    def batches():
        for start in range(0, len(ids), 200):
            chunk = ids[start:start + 200]
            documents = db.session.scalars(select(Document).where(Document.id.in_(chunk))).all()
            yield [e for d in documents for e in entries_mod.entries_for(d)]
            db.session.expunge_all()
            if progress:
                progress(len(chunk))

    done = eng.rebuild(batches())
    write_cursor(eng, top)
    replaced = getattr(eng, "replaced", None)
    if replaced:  # a new index schema: the older folders go once the new one is full
        for folder in replaced:
            shutil.rmtree(folder, ignore_errors=True)
        replaced.clear()
        log.warning("search index rebuilt for its new schema: %d entries", done)
    return done


def report(eng: Engine, force: bool = False) -> None:
    """Say in `search_index` how far this index got (in the caller's transaction); at
    most once a minute when it did not move."""
    name, applied = index_name(eng), read_cursor(eng)
    if applied is None:
        return
    last = _reported.get(name)
    now = time.monotonic()
    if not force and last and last[1] == applied and now - last[0] < REPORT_EVERY:
        return
    bind = db.session.get_bind()
    insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
    table = SearchIndexState.__table__
    db.session.execute(insert(table).values(name=name, applied_id=applied, seen_at=utcnow())
                       .on_conflict_do_update(index_elements=[table.c.name],
                                              set_={"applied_id": applied,
                                                    "seen_at": utcnow()}))
    _reported[name] = (now, applied)


def prune(days: int | None = None) -> int:
    """Delete the log rows that every index seen within `days` has applied (a command:
    the caller commits). An index not seen for longer is rebuilt when it comes back."""
    days = current_app.config["ISODOC_SEARCH_LOG_DAYS"] if days is None else days
    since = utcnow() - timedelta(days=days)
    floor = db.session.scalar(select(func.min(SearchIndexState.applied_id))
                              .where(SearchIndexState.seen_at >= since))
    if not floor or floor <= horizon():
        return 0
    mark = db.session.get(SearchLogHorizon, 1)
    if mark is None:
        db.session.add(SearchLogHorizon(id=1, pruned_through=floor))
    else:
        mark.pruned_through = max(mark.pruned_through, floor)
    return db.session.execute(delete(SearchChange).where(SearchChange.id <= floor)).rowcount


def behind() -> bool:
    """The cheap check: is there a log row this index has not applied?"""
    cursor = read_cursor(engine())
    return cursor is None or last_change() > cursor


def drain_after_request(response):
    """After the response has gone out (the person does not wait for a segment merge):
    apply what the request changed; a served node (ISODOC_SEARCH_FOLLOW) also checks,
    at most once per poll interval, whether another node changed something."""
    app = current_app._get_current_object()
    if g.pop("search_dirty", False):
        job = catch_up
    elif app.config.get("ISODOC_SEARCH_FOLLOW"):
        key = app.config["ISODOC_INDEX_PATH"]
        now = time.monotonic()
        if now - _checked.get(key, 0.0) < app.config["ISODOC_SEARCH_POLL_SECONDS"]:
            return response
        _checked[key] = now

        def job() -> None:
            if behind():
                catch_up(wait=0)
            else:
                db.session.rollback()  # end the read
    else:
        return response

    def later() -> None:
        with app.app_context():
            try:
                job()
            except Exception:  # noqa: BLE001 — the response is already sent
                log.exception("search index catch-up failed")

    response.call_on_close(later)
    return response


def reindex(progress=None) -> int:
    """Rebuild this node's index from the database (`isodoc reindex`): one writer, one
    index commit, so readers see the old index until the new one is complete. A
    command: the report of the new cursor is written in the caller's transaction."""
    eng = engine()
    with follow_lock(eng, math.inf):
        done = _rebuild(eng, progress)
        report(eng, force=True)
    return done


def check() -> list[str]:
    """Index entries against what the database says they should be (for the operator's
    console: the problems stay in Vietnamese, like the other log lines)."""
    expected = {e.key for d in db.session.scalars(select(Document))
                for e in entries_mod.entries_for(d)}
    eng = engine()
    actual = eng.entry_keys()
    problems = [f"thiếu trong chỉ mục tìm kiếm: {k}"  # i18n: vi-only
                for k in sorted(expected - actual)]
    problems += [f"thừa trong chỉ mục tìm kiếm: {k}"  # i18n: vi-only
                 for k in sorted(actual - expected)]
    cursor = read_cursor(eng)
    if cursor is None:
        problems.append("chỉ mục tìm kiếm chưa từng được dựng "  # i18n: vi-only
                        "(chưa có con trỏ nhật ký)")
    else:
        pending = db.session.scalar(select(func.count()).select_from(SearchChange)
                                    .where(SearchChange.id > cursor))
        if pending:
            problems.append(
                f"{pending} thay đổi trong nhật ký chưa áp dụng vào chỉ mục")  # i18n: vi-only
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
    """The index's words, for "did you mean" (letters only: codes and numbers are most
    of a province's terms, 50k of 50.3k at 50k documents, and no typo is fixed into
    one); remembered per index commit, as the pages of results that show them are."""
    key = (current_app.config["ISODOC_SEARCH_ENGINE"], current_app.config["ISODOC_INDEX_PATH"])
    stamp = engine().stamp()
    cached = _vocabulary.get(key)
    if cached and cached[0] == stamp:
        return cached[1]
    words = engine().vocabulary()
    _vocabulary[key] = (stamp, words)
    return words


def did_you_mean(parsed: ParsedQuery) -> str:
    vocab = vocabulary()
    known = set(vocab)
    fixed, changed = [], False
    for n, word in enumerate(parsed.words):
        # each lookup scans the vocabulary: only the first few words, and only words
        if word in known or len(word) < 3 or n >= MAX_FIXED_WORDS or not word.isalpha():
            fixed.append(word)
            continue
        close = difflib.get_close_matches(word, vocab, n=1, cutoff=0.7)
        if close:
            fixed.append(close[0])
            changed = True
        else:
            fixed.append(word)
    return " ".join(fixed) if changed else ""


FACET_LABELS = {"agency": _l("Đơn vị"), "kind": _l("Loại tài liệu"), "field": _l("Lĩnh vực"),
                "clause": _l("Điều khoản ISO")}


def bounded(parsed: ParsedQuery) -> ParsedQuery:
    """At most MAX_WORDS words, bigrams and phrase words: the engine query stays small
    whatever the 200 characters were (a query of 100 one-letter words)."""
    parsed.words = parsed.words[:MAX_WORDS]
    parsed.exact = parsed.exact[:MAX_WORDS]
    parsed.bigrams = parsed.bigrams[:MAX_WORDS]
    parsed.phrases = [p[:MAX_WORDS] for p in parsed.phrases[:4]]
    return parsed


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
    urls = DocumentUrls()
    hits = [to_hit(h.stored, h.score, words, urls) for h in raw.hits]
    results = Results(text, hits, raw.total, page, page_count(raw.total, size),
                      labelled(raw.facets),
                      relaxed=relaxed, parsed=parsed)
    if raw.total == 0 or relaxed:
        results.did_you_mean = did_you_mean(parsed)
        if parsed.has_accents:
            results.accent_hint = fold(text)
    results.took_ms = (time.perf_counter() - started) * 1000
    return results


SAFE_PART = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


class DocumentUrls:
    """A document page's URL for each hit of a result page: the route is built once and
    its two parts filled in (agency codes and slugs are URL-safe as they are; anything
    else goes through url_for)."""

    A, S = "0agency0", "0slug0"

    def __init__(self) -> None:
        self.parts: tuple[str, str, str] | None = None

    def show(self, agency_code: str, slug: str) -> str:
        if self.parts is None:
            url = url_for("documents.show", agency_code=self.A, slug=self.S)
            before, _, rest = url.partition(self.A)
            middle, _, after = rest.partition(self.S)
            self.parts = (before, middle, after) if url.count(self.A) == 1 and \
                rest.count(self.S) == 1 else ("", "", "")
        before, middle, after = self.parts
        if not (before and SAFE_PART.match(agency_code) and SAFE_PART.match(slug)):
            return url_for("documents.show", agency_code=agency_code, slug=slug)
        return before + agency_code + middle + slug + after


def to_hit(stored: dict, score: float, words: set[str], urls: DocumentUrls | None = None
           ) -> Hit:
    draft = stored.get("visibility") == "staff"
    agency_code, slug = stored["agency"], stored["slug"]
    if draft:
        url = url_for("documents.register", agency_code=agency_code, q=stored["code_display"])
    else:
        url = (urls or DocumentUrls()).show(agency_code, slug)
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
    """Agency names for facet labels, remembered per data version (a page of results
    is kept per data version: a renamed agency shows at the next search)."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    version = pagecache.version_to_keep()
    cached = _names.get(url)
    if cached and version and cached[0] == version:
        return cached[1]
    names = dict(db.session.execute(select(Agency.code, Agency.name)).all())
    if version:
        _names[url] = (version, names)
    return names


_kinds: dict[tuple[str, int], dict[str, str]] = {}


def kind_labels() -> dict[str, str]:
    """Document kinds' labels in this request's language (a catalog lookup each cost as
    much as the engine's reading of a hit's stored fields)."""
    from isodoc.documents.models import DocumentKind

    key = (str(get_locale()), id(get_translations()))  # a reloaded catalog is another
    labels = _kinds.get(key)
    if labels is None:
        if len(_kinds) > 16:
            _kinds.clear()
        labels = _kinds[key] = {kind.value: kind.label for kind in DocumentKind}
    return labels


def labelled(facets: dict[str, list[tuple[str, int]]]) -> dict[str, list[tuple[str, str, int]]]:
    names, kinds = agency_names(), kind_labels()
    out = {}
    for facet, values in facets.items():
        rows = []
        for value, count in values:
            if facet == "agency":
                label = names.get(value, value)
            elif facet == "kind":
                label = kinds.get(value, value)
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
