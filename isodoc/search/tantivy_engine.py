"""tantivy (Rust, embedded) behind the Engine interface."""

from __future__ import annotations

import functools
import itertools
import os
import re
import string
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import tantivy
from tantivy import Occur, Query

from isodoc.paging import check_window
from isodoc.search.analysis import ParsedQuery, analyse, bigrams, normalise_code
from isodoc.search.base import OPEN_END, Filters, RawHit, RawResults, SearchDoc

STORED = ("key", "agency", "kind", "field", "visibility")
FACETS = ("agency", "kind", "field", "clause")
# A multi-valued fast column costs ten times a single-valued one in a terms aggregation
# (0.7 ms against 0.06 over 50k documents): a document's first CLAUSE_SLOTS clauses are
# single-valued columns, each filled ("" when empty: a column with gaps costs 3×), the
# rest a multi-valued column counted only over the few documents that have some.
CLAUSE_SLOTS = 4
SLOTS = tuple(f"clause_{i}" for i in range(CLAUSE_SLOTS))
FACET_COLUMNS = ("agency", "kind", "field", *SLOTS)
# The title's weight in ranking: it is indexed this many times in the folded field (a
# clause per word on a title field cost a fifth of a broad query; the copies are apart,
# so no phrase spans two of them).
TITLE_WEIGHT = 3
FACET_SIZE = 30  # values shown per facet
ALL_VALUES = 10_000  # a terms aggregation returns every value: counts are added up
FACET_AGGREGATIONS = {name: {"terms": {"field": name, "size": ALL_VALUES}}
                      for name in FACET_COLUMNS}
MORE_AGGREGATION = {"clause_more": {"terms": {"field": "clause_more", "size": ALL_VALUES}}}
SHOWN = ("agency_name", "slug", "tthc_code", "title", "body", "effective_date", "code_display")
STORED_PLAIN = (*STORED, "document_id", "revision")
WRITER_TIMEOUT = 5.0
# Bumped with every schema change: an index of another schema cannot be opened, so a new
# version starts in its own folder and `search.drain` (run at every start, by the
# start-up repair) rebuilds it from the database, then removes the older folders.
# 2: stored values as bytes, not indexed; no positions.
# 3: text analysed by tantivy (FOLD, EXACT); one folded field of title and body with
#    positions (phrases are positional, no body bigram field); clause facet slots.
SCHEMA_VERSION = 3
OLDER = ("tantivy", *(f"tantivy-{v}" for v in range(2, SCHEMA_VERSION)))


FOLD, EXACT = "isodoc_fold", "isodoc_exact"

Counts = dict[str, dict[str, int]]

def usable_cores(cgroups: Path = Path("/sys/fs/cgroup"),
                 mine: Path = Path("/proc/self/cgroup")) -> int:
    """The cores this process may use: those it may run on (its affinity), fewer under
    a cgroup v2 CPU quota (`cpu.max`: a container's --cpus, a systemd CPUQuota). The
    machine's count (os.cpu_count) ignores both."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    try:
        path = next((line[3:] for line in mine.read_text().splitlines()
                     if line.startswith("0::")), "/").strip().lstrip("/")
        quota, period = (cgroups / path / "cpu.max").read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, int(quota) // int(period)))
    except (OSError, ValueError, ArithmeticError):
        pass  # no cgroup v2, or no quota
    return cores


# Threads that count a search's facets beside its ranked pass: tantivy leaves the GIL
# while it searches, so on a spare core the two passes take the time of the longer one.
# One core fewer than the process may use (none on one); a search that finds none free
# counts its facets itself, after its ranked pass (every core busy: a thread would queue).
SPARE_CORES = max(0, usable_cores() - 1)
_pool: list[ThreadPoolExecutor] = []
_spare = threading.BoundedSemaphore(max(1, SPARE_CORES))


def _forget_pool() -> None:
    """In a forked child (a gunicorn worker) the parent's threads do not exist."""
    global _spare
    _pool.clear()
    _spare = threading.BoundedSemaphore(max(1, SPARE_CORES))


os.register_at_fork(after_in_child=_forget_pool)


def beside(job: Callable[[], Counts]) -> Callable[[], Counts]:
    """`job` started on a spare core if one is free; what returns its result."""
    spare = _spare
    if not SPARE_CORES or not spare.acquire(blocking=False):
        return job
    try:
        if not _pool:
            _pool.append(ThreadPoolExecutor(SPARE_CORES, thread_name_prefix="isodoc-facets"))
        future = _pool[0].submit(job)
    except RuntimeError:  # the interpreter is shutting down
        spare.release()
        return job
    future.add_done_callback(lambda _: spare.release())
    return future.result


def analyzers() -> dict[str, tantivy.TextAnalyzer]:
    """The text analysis of this engine, run inside tantivy: syllables split where a
    character is neither a letter nor a digit (what analysis.SYLLABLE does), lowercased,
    and for FOLD without marks (đ→d, ư→u, ả→a: analysis.fold for every Vietnamese letter,
    tests/test_search_engines.py checks them all). Python handed pre-analysed text before:
    about half of a reindex. A query's words go through the same analyzer (`_folded`), so
    the index and the query agree on any other script too."""
    def build(*filters: tantivy.Filter) -> tantivy.TextAnalyzer:
        builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        for f in filters:
            builder = builder.filter(f)
        return builder.build()

    return {FOLD: build(tantivy.Filter.lowercase(), tantivy.Filter.ascii_fold()),
            EXACT: build(tantivy.Filter.lowercase())}


def schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    for name in ("key", "agency", "district", "level", "kind", "field", "clause", "visibility",
                 "code", "tthc", "clause_slots", *SLOTS, "clause_more"):
        b.add_text_field(name, stored=name in STORED, fast=name in FACET_COLUMNS
                         or name == "clause_more", tokenizer_name="raw", index_option="basic")
    # What a word or a phrase must match: title and body in one folded field, so each
    # word is one term (two fields made each word a union: twice the work of a broad
    # query), with positions for phrases (tantivy leaves a gap between two values of a
    # field: no phrase spans them). The body's bigram field it replaces cost more to
    # index than positions, and Python made the bigrams. The title is in it TITLE_WEIGHT
    # times: its words rank higher.
    b.add_text_field("fold", tokenizer_name=FOLD, index_option="position")
    # What only ranks, all of it in the title (short: a few terms): its adjacent
    # syllables (bigram terms, made as parse() makes a query's; a term ranks at a third
    # of the cost of a phrase) and its accented forms. The body's accented forms are not
    # indexed: a field of them was a third of a reindex. title_fold: suggestions.
    b.add_text_field("title_fold", tokenizer_name=FOLD, index_option="freq")
    b.add_text_field("title_bi", tokenizer_name="whitespace", index_option="freq")
    b.add_text_field("title_exact", tokenizer_name=EXACT, index_option="freq")
    for name in SHOWN:
        # stored, never searched: bytes, not indexed (a raw text field made the whole
        # body one term of the dictionary, most of the indexing time)
        b.add_bytes_field(f"s_{name}", stored=True, indexed=False, fast=False)
    b.add_integer_field("document_id", indexed=True, stored=True)
    b.add_integer_field("revision", stored=True)
    b.add_integer_field("valid_from", indexed=True, fast=False)
    b.add_integer_field("valid_until", indexed=True, fast=False)
    return b.build()


class TantivyEngine:
    name = "tantivy"

    def __init__(self, path: str | Path):
        root = Path(path)
        self.path = root / f"tantivy-{SCHEMA_VERSION}"
        new = not (self.path / "meta.json").exists()
        # an index of an older schema beside a new empty one: rebuild, then remove it
        self.replaced = [root / name for name in OLDER if new and (root / name).is_dir()]
        self.path.mkdir(parents=True, exist_ok=True)
        self.schema = schema()
        self.index = tantivy.Index(self.schema, path=str(self.path))
        self.analyzers = analyzers()
        for name, analyzer in self.analyzers.items():
            self.index.register_tokenizer(name, analyzer)
        self._folds: dict[str, list[str]] = {}
        self._windows: dict[tuple, list[bool]] = {}
        self._through_cache: dict[tuple, tuple[int, Counts]] = {}
        self._writes = 0  # commits by this process: a key of what the searcher reads
        self._lock = threading.Lock()
        self._meta = self.path / "meta.json"
        self._seen = self._stamp()

    def _stamp(self) -> tuple[int, int, int]:
        try:
            st = os.stat(self._meta)
        except FileNotFoundError:
            return (0, 0, 0)
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _searcher(self) -> tantivy.Searcher:
        """A searcher on the last commit, whichever process made it: tantivy replaces
        meta.json at every commit, so one stat tells whether to reload (a gunicorn worker
        otherwise keeps answering from the segments it opened at its start)."""
        stamp = self._stamp()
        if stamp != self._seen:
            self.index.reload()
            self._seen = stamp
        return self.index.searcher()

    # -- writing ---------------------------------------------------------------

    def _writer(self, heap_size: int = 15_000_000):
        """Tantivy allows one writer per index across processes: wait for it, timed."""
        deadline = time.monotonic() + WRITER_TIMEOUT
        while True:
            try:
                return self.index.writer(heap_size=heap_size, num_threads=1)
            except ValueError:
                if time.monotonic() > deadline:
                    raise TimeoutError("search index writer is busy") from None
                time.sleep(0.02)

    def replace(self, docs: list[SearchDoc], document_ids: list[int]) -> None:
        with self._lock:
            try:
                self._replace(docs, document_ids)
            except ValueError as exc:
                if "FileAlreadyExists" not in str(exc):
                    raise
                # A writer killed mid-commit left files that meta.json does not name, and
                # the next commit writes the same file name again: every later update
                # would fail. Collect the leftovers (under the writer lock) and retry.
                writer = self._writer()
                writer.garbage_collect_files()
                del writer  # releases the index lock
                self._replace(docs, document_ids)
            self._writes += 1
        self.index.reload()

    def _replace(self, docs: list[SearchDoc], document_ids: list[int]) -> None:
        writer = self._writer()
        try:
            for document_id in set(document_ids) | {d.document_id for d in docs}:
                writer.delete_documents_by_term("document_id", document_id)
            for doc in docs:
                writer.add_document(self._document(doc))
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            del writer  # the traceback keeps this frame: do not keep the index lock too
            raise

    def rebuild(self, batches: Iterable[list[SearchDoc]]) -> int:
        added = 0
        with self._lock:
            writer = self._writer(heap_size=100_000_000)
            try:
                writer.delete_all_documents()
                for batch in batches:
                    for doc in batch:
                        writer.add_document(self._document(doc))
                    added += len(batch)
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                raise
            self._writes += 1
        self.index.reload()
        return added

    def clear(self) -> None:
        with self._lock:
            writer = self._writer()
            writer.delete_all_documents()
            writer.commit()
            writer.wait_merging_threads()
            self._writes += 1
        self.index.reload()

    def _document(self, doc: SearchDoc) -> tantivy.Document:
        d = tantivy.Document()
        for name, value in (("key", doc.key), ("agency", doc.agency), ("district", doc.district),
                            ("level", doc.level), ("kind", doc.kind), ("field", doc.field),
                            ("visibility", doc.visibility), ("code", normalise_code(doc.code)),
                            ("tthc", doc.tthc_code)):
            d.add_text(name, value)
        clauses = list(dict.fromkeys(doc.clauses))  # a clause counts once per document
        for clause in clauses:
            d.add_text("clause", clause)
        for slot, clause in itertools.zip_longest(SLOTS, clauses[:CLAUSE_SLOTS], fillvalue=""):
            d.add_text(slot, clause)
        # which columns some entry uses: the facet pass reads no column that none does
        more = ["clause_more"] if len(clauses) > CLAUSE_SLOTS else []
        for used in (*SLOTS[:len(clauses)], *more):
            d.add_text("clause_slots", used)
        for clause in clauses[CLAUSE_SLOTS:]:
            d.add_text("clause_more", clause)
        title = f"{doc.title} {doc.code} {doc.tthc_code}"
        d.add_text("title_fold", title)
        d.add_text("title_bi", analyse(title).bigrams)  # as parse() makes a query's
        d.add_text("title_exact", title)
        for _ in range(TITLE_WEIGHT):
            d.add_text("fold", title)
        d.add_text("fold", doc.body)
        for name, value in (("s_agency_name", doc.agency_name), ("s_code_display", doc.code),
                            ("s_slug", doc.slug), ("s_tthc_code", doc.tthc_code),
                            ("s_title", doc.title), ("s_body", doc.body),
                            ("s_effective_date", doc.effective_date.isoformat()
                             if doc.effective_date else "")):
            d.add_bytes(name, value.encode())
        d.add_integer("document_id", doc.document_id)
        d.add_integer("revision", doc.revision or 0)
        d.add_integer("valid_from", doc.valid_from)
        d.add_integer("valid_until", doc.valid_until)
        return d

    # -- reading ---------------------------------------------------------------

    def _term(self, field: str, value, boost: float = 1.0) -> Query:
        q = Query.term_query(self.schema, field, value)
        return Query.boost_query(q, boost) if boost != 1.0 else q

    def _any(self, queries: list[Query]) -> Query:
        return Query.boolean_query([(Occur.Should, q) for q in queries])

    def _hidden(self, f: Filters, searcher: tantivy.Searcher) -> list[tuple[Occur, Query]]:
        """What a search must not show, as exclusions: another agency's drafts, entries
        not yet or no longer in force on the day. Each is a few entries, so excluding
        them costs a seek in a short list per match, where requiring the visible ones (all
        but a few) intersected the text with two range scans of every entry. Entries are
        "public" or "staff" (SearchDoc); a draft's window is open (0 to OPEN_END)."""
        drafts: Query = self._term("visibility", "staff")
        if f.draft_agencies:
            drafts = Query.boolean_query([
                (Occur.Must, drafts),
                (Occur.MustNot, self._any([self._term("agency", a) for a in f.draft_agencies])),
            ])
        return [(Occur.MustNot, drafts), *self._out_of_force(f.on, searcher)]

    def _out_of_force(self, on: int, searcher: tantivy.Searcher) -> list[tuple[Occur, Query]]:
        """Entries whose window does not hold `on`, as exclusions; none when no entry of
        this commit has one (usually: the future and the superseded are few), which is
        known once per commit and day (each range costs a pass of 0.15 ms at 50k)."""
        ranges = [Query.range_query(self.schema, "valid_from", tantivy.FieldType.Integer,
                                    on, OPEN_END, False, True),
                  Query.range_query(self.schema, "valid_until", tantivy.FieldType.Integer,
                                    0, on, True, True)]
        key = (self._commit(searcher), on)
        present = self._windows.get(key)
        if present is None:
            present = [bool(searcher.search(r, limit=1, count=True).count) for r in ranges]
            if len(self._windows) > 64:
                self._windows.clear()
            self._windows[key] = present
        return [(Occur.MustNot, r) for r, there in zip(ranges, present, strict=True) if there]

    def _commit(self, searcher: tantivy.Searcher) -> tuple:
        """The commit `searcher` reads, for what is remembered per commit: its meta.json,
        this process's writes, its shape."""
        return (self._seen, self._writes, searcher.num_docs, searcher.num_segments)

    def _filters(self, f: Filters, searcher: tantivy.Searcher) -> list[tuple[Occur, Query]]:
        """The filters of a search; exclusions only, when nothing is required of the
        entries: the caller adds what they must match (text, code or everything)."""
        must = self._hidden(f, searcher)
        if f.agencies is not None:
            must.append((Occur.Must, self._any([self._term("agency", a) for a in f.agencies])
                         if f.agencies else Query.empty_query()))
        for name, value in (("district", f.district), ("kind", f.kind), ("field", f.field),
                            ("clause", f.clause)):
            if value:
                must.append((Occur.Must, self._term(name, value)))
        return must

    @staticmethod
    def _positive(parts: list[tuple[Occur, Query]]) -> list[tuple[Occur, Query]]:
        """`parts`, with every entry required when they only exclude (a query of
        exclusions alone matches nothing)."""
        if all(occur == Occur.MustNot for occur, _ in parts):
            return [(Occur.Must, Query.all_query()), *parts]
        return parts

    def _folded(self, word: str) -> list[str]:
        """A query word as the index has it (see `analyzers`): usually itself."""
        tokens = self._folds.get(word)
        if tokens is None:
            tokens = self.analyzers[FOLD].analyze(word)
            if len(self._folds) < 65536:
                self._folds[word] = tokens
        return tokens

    def _phrase(self, field: str, tokens: list[str], boost: float) -> Query:
        q = (Query.phrase_query(self.schema, field, tokens) if len(tokens) > 1
             else Query.term_query(self.schema, field, tokens[0]))
        return Query.boost_query(q, boost)

    def _text(self, q: ParsedQuery) -> tuple[list[tuple[Occur, Query]], Query | None]:
        """The text part of a search: the clauses that decide what matches (every word,
        every phrase; all Must, flat beside the filters) and those that only rank it;
        with a code candidate, one clause (the code, or that text)."""
        must: list[tuple[Occur, Query]] = []
        rank: list[tuple[Occur, Query]] = []
        # A word of a phrase is looked up by the phrase (a second lookup of a common
        # syllable cost a tenth of a millisecond at 50k). The title weighs three times in
        # the folded field (TITLE_WEIGHT): a title word ranks without a clause of its own.
        in_phrases = {word for phrase in q.phrases for word in phrase}
        words = [self._phrase("fold", tokens, 1.0) for tokens in
                 (self._folded(word) for word in q.words if word not in in_phrases) if tokens]
        if q.min_words:
            must.append((Occur.Must, Query.boolean_query(
                [(Occur.Should, w) for w in words], minimum_number_should_match=q.min_words)))
        else:
            must += [(Occur.Must, w) for w in words]
        for phrase in q.phrases:
            tokens = [t for word in phrase for t in self._folded(word)]
            if tokens:
                must.append((Occur.Must, self._phrase("fold", tokens, 2.0)))
            rank += [(Occur.Should, self._term("title_bi", bigram, 4.0))
                     for bigram in bigrams(phrase)]
        # Adjacent syllables rank first when they are adjacent in the title (a phrase of
        # common syllables in 50k bodies takes milliseconds to check: only a quoted
        # phrase, which decides what matches, is checked there).
        rank += [(Occur.Should, self._term("title_bi", bigram, 4.0)) for bigram in q.bigrams]
        if q.has_accents:
            for syllable in q.exact:
                rank.append((Occur.Should, self._term("title_exact", syllable, 2.0)))
        if not any(occur == Occur.Must for occur, _ in must) and (q.words or q.phrases):
            # nothing left of them to look up (a phrase of one token is a word of it)
            must.append((Occur.Must, Query.empty_query()))
        if not q.code:
            return must + rank, None
        code = self._any([self._term("code", q.code, 30.0), self._term("tthc", q.text, 30.0)])
        if must:
            code = self._any([code, Query.boolean_query(must + rank)])
        return [], code

    def search(self, query: ParsedQuery, filters: Filters, offset: int, limit: int
               ) -> RawResults:
        check_window(offset, limit)  # tantivy allocates for offset + limit hits
        searcher = self._searcher()
        text, code = self._text(query)
        if code is not None:
            text.append((Occur.Must, code))
        limits = self._filters(filters, searcher)
        parts = self._positive(limits + text)
        # Facets count the same documents without ranking them: with scoring off, tantivy
        # leaves out the Should clauses beside Must ones, so the facet pass is given the
        # same query (the own-agency boost added after it).
        matching = Query.boolean_query(parts)
        job = functools.partial(self._facet_counts, searcher, query, filters, limits, text,
                                matching)
        # a code finds a few entries: handing its count to a thread costs more than it
        counted = job if query.code else beside(job)
        ranked = parts + [(Occur.Should, self._term("agency", agency, 50.0))
                          for agency in filters.prefer_agencies]
        result = searcher.search(Query.boolean_query(ranked), limit=limit, offset=offset,
                                 count=True)
        stored = [(score, self._stored(searcher.doc(addr))) for score, addr in result.hits]
        hits = [RawHit(fields["key"], score, fields) for score, fields in stored]
        total = result.count or 0
        counts = counted() if total else {name: {} for name in FACETS}
        return RawResults(hits, total, {
            name: sorted(((value, n) for value, n in values.items() if n > 0 and value),
                         key=lambda vn: (-vn[1], vn[0]))[:FACET_SIZE]
            for name, values in counts.items()})

    def _facet_counts(self, searcher: tantivy.Searcher, query: ParsedQuery, filters: Filters,
                      limits: list[tuple[Occur, Query]], text: list[tuple[Occur, Query]],
                      matching: Query) -> Counts:
        """Entries per value of each facet, every value. Words that each match most of
        what the filters let through are counted by difference: what the filters let
        through (counted once per commit and filters) less what the text does not match,
        a few entries (counting the matches read every column of each). Decided before
        the ranked pass has the total (the two run side by side): from the rarest word's
        entries, which bound it."""
        if not text:
            return self._counts(searcher, matching)
        through, everything = self._through(searcher, filters, limits)
        if not self._broad(query, searcher, through):
            return self._counts(searcher, matching)
        rest = self._counts(searcher, Query.boolean_query(
            [*self._positive(limits), (Occur.MustNot, Query.boolean_query(text))]))
        return {name: {value: n - rest[name].get(value, 0)
                       for value, n in everything[name].items()}
                for name in FACETS}

    def _broad(self, query: ParsedQuery, searcher: tantivy.Searcher, through: int) -> bool:
        """Whether every word of `query` is in more than half of `through` entries. A
        phrase, a code or a relaxed search is not: they match few, whatever their words."""
        if query.phrases or query.code or query.min_words:
            return False
        tokens = [token for word in query.words for token in self._folded(word)]
        return bool(tokens) and min(searcher.doc_freq("fold", t) for t in tokens) * 2 > through

    def _through(self, searcher: tantivy.Searcher, filters: Filters,
                 limits: list[tuple[Occur, Query]]) -> tuple[int, Counts]:
        """How many entries the filters let through, and their facet counts: once per
        commit and filters (the same for every query of the same people on the day)."""
        agencies = None if filters.agencies is None else tuple(filters.agencies)
        key = (self._commit(searcher), filters.on, agencies, filters.district, filters.kind,
               filters.field, filters.clause, tuple(filters.draft_agencies))
        found = self._through_cache.get(key)
        if found is None:
            query = Query.boolean_query(self._positive(limits))
            found = (searcher.search(query, limit=1, count=True).count or 0,
                     self._counts(searcher, query))
            if len(self._through_cache) >= 64:
                self._through_cache.clear()
            self._through_cache[key] = found
        return found

    def _counts(self, searcher: tantivy.Searcher, query: Query) -> Counts:
        """Entries of `query` per value of each facet, every value (so that counts can
        be subtracted; a province has a few hundred agencies, fields and clauses)."""
        used = tuple(slot for slot in SLOTS if searcher.doc_freq("clause_slots", slot))
        agg = searcher.aggregate(query, {name: FACET_AGGREGATIONS[name]
                                         for name in ("agency", "kind", "field", *used)})
        counts: Counts = {name: {} for name in FACETS}
        for name, result in agg.items():
            into = counts["clause" if name in SLOTS else name]
            for b in result["buckets"]:
                into[b["key"]] = into.get(b["key"], 0) + b["doc_count"]
        if searcher.doc_freq("clause_slots", "clause_more"):
            # only over the entries with more clauses than slots
            more = Query.boolean_query([(Occur.Must, query),
                                        (Occur.Must, self._term("clause_slots", "clause_more"))])
            into = counts["clause"]
            for b in searcher.aggregate(more, MORE_AGGREGATION)["clause_more"]["buckets"]:
                into[b["key"]] = into.get(b["key"], 0) + b["doc_count"]
        return counts

    def _stored(self, doc: tantivy.Document) -> dict:
        """The stored fields a hit shows, each read by name (`to_dict` converts every
        stored value of the document first)."""
        first = doc.get_first
        out = {name: (first(f"s_{name}") or b"").decode() for name in SHOWN}
        for name in STORED_PLAIN:
            value = first(name)
            if value is not None and value != "":
                out[name] = value
        return out

    def suggest(self, words: list[str], prefix: str, filters: Filters, limit: int
                ) -> list[RawHit]:
        searcher = self._searcher()
        parts = self._filters(filters, searcher)
        for word in words:
            for token in self._folded(word):
                parts.append((Occur.Must, self._term("title_fold", token)))
        for token in self._folded(prefix)[-1:]:
            parts.append((Occur.Must, Query.regex_query(self.schema, "title_fold",
                                                        re.escape(token) + ".*")))
        result = searcher.search(Query.boolean_query(self._positive(parts)), limit=limit,
                                 count=False)
        stored = [(score, self._stored(searcher.doc(addr))) for score, addr in result.hits]
        return [RawHit(fields["key"], score, fields) for score, fields in stored]

    def vocabulary(self) -> list[str]:
        searcher = self._searcher()
        terms: set[str] = set()
        for name in ("title_fold", "fold"):  # folded to ASCII: words start with a-z
            for letter in string.ascii_lowercase:
                terms |= {t for t, _ in searcher.terms_with_prefix(name, letter)
                          if t.isalpha()}
        return sorted(terms)

    def count(self) -> int:
        return self._searcher().num_docs

    def stamp(self) -> tuple:
        return self._stamp()

    def entry_keys(self) -> set[str]:
        searcher = self._searcher()
        n = searcher.num_docs
        if not n:
            return set()
        result = searcher.search(Query.all_query(), limit=n, count=False)
        return {searcher.doc(a).get_first("key") for _, a in result.hits}

    def close(self) -> None:
        pass
