"""tantivy (Rust, embedded) behind the Engine interface."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import tantivy
from tantivy import Occur, Query

from isodoc.paging import check_window
from isodoc.search.analysis import ParsedQuery, analyse, normalise_code
from isodoc.search.base import Filters, RawHit, RawResults, SearchDoc

TEXT = ("title", "body")
STORED = ("key", "agency", "kind", "field", "visibility")
FACETS = ("agency", "kind", "field", "clause")
FACET_AGGREGATIONS = {name: {"terms": {"field": name, "size": 30}} for name in FACETS}
SHOWN = ("agency_name", "slug", "tthc_code", "title", "body", "effective_date", "code_display")
STORED_PLAIN = (*STORED, "document_id", "revision")
WRITER_TIMEOUT = 5.0
# Bumped with every schema change: an index of another schema cannot be opened, so a new
# version starts in its own folder and `search.drain` (run at every start, by the
# start-up repair) rebuilds it from the database, then removes the older folders.
# 2: stored values as bytes, not indexed; no positions.
SCHEMA_VERSION = 2
OLDER = ("tantivy", *(f"tantivy-{v}" for v in range(2, SCHEMA_VERSION)))


def schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    for name in ("key", "agency", "district", "level", "kind", "field", "clause", "visibility",
                 "code", "tthc"):
        b.add_text_field(name, stored=name in STORED, fast=name in FACETS, tokenizer_name="raw")
    for name in TEXT:
        for form in ("fold", "exact", "bi"):
            # term frequencies, no positions: phrases are bigram terms, never positional
            b.add_text_field(f"{name}_{form}", tokenizer_name="whitespace", index_option="freq")
    for name in SHOWN:
        # stored, never searched: bytes, not indexed (a raw text field made the whole
        # body one term of the dictionary, most of the indexing time)
        b.add_bytes_field(f"s_{name}", stored=True, indexed=False, fast=False)
    b.add_integer_field("document_id", indexed=True, stored=True)
    b.add_integer_field("revision", stored=True)
    b.add_integer_field("valid_from", indexed=True, fast=True)
    b.add_integer_field("valid_until", indexed=True, fast=True)
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
        self.index.reload()
        return added

    def clear(self) -> None:
        with self._lock:
            writer = self._writer()
            writer.delete_all_documents()
            writer.commit()
            writer.wait_merging_threads()
        self.index.reload()

    def _document(self, doc: SearchDoc) -> tantivy.Document:
        d = tantivy.Document()
        for name, value in (("key", doc.key), ("agency", doc.agency), ("district", doc.district),
                            ("level", doc.level), ("kind", doc.kind), ("field", doc.field),
                            ("visibility", doc.visibility), ("code", normalise_code(doc.code)),
                            ("tthc", doc.tthc_code)):
            d.add_text(name, value)
        for clause in doc.clauses:
            d.add_text("clause", clause)
        for name, text in (("title", f"{doc.title} {doc.code} {doc.tthc_code}"),
                           ("body", doc.body)):
            a = analyse(text)
            d.add_text(f"{name}_fold", a.fold)
            d.add_text(f"{name}_exact", a.exact)
            d.add_text(f"{name}_bi", a.bigrams)
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

    def _visible(self, f: Filters) -> Query:
        public = Query.boolean_query([
            (Occur.Must, self._term("visibility", "public")),
            (Occur.Must, Query.range_query(self.schema, "valid_from", tantivy.FieldType.Integer,
                                           0, f.on, True, True)),
            (Occur.Must, Query.range_query(self.schema, "valid_until", tantivy.FieldType.Integer,
                                           f.on, 99999999, False, True)),
        ])
        parts = [public]
        if f.draft_agencies:
            parts.append(Query.boolean_query([
                (Occur.Must, self._term("visibility", "staff")),
                (Occur.Must, self._any([self._term("agency", a) for a in f.draft_agencies])),
            ]))
        return self._any(parts)

    def _filters(self, f: Filters) -> list[tuple[Occur, Query]]:
        must = [(Occur.Must, self._visible(f))]
        if f.agencies is not None:
            must.append((Occur.Must, self._any([self._term("agency", a) for a in f.agencies])
                         if f.agencies else Query.empty_query()))
        for name, value in (("district", f.district), ("kind", f.kind), ("field", f.field),
                            ("clause", f.clause)):
            if value:
                must.append((Occur.Must, self._term(name, value)))
        return must

    def _text(self, q: ParsedQuery, ranking: bool = True) -> Query | None:
        """The text part of a search; without `ranking`, only the clauses that decide
        what matches (every word, every phrase), not those that only order it."""
        clauses: list[tuple[Occur, Query]] = []
        words = [self._any([self._term("title_fold", word, 3.0), self._term("body_fold", word)])
                 for word in q.words]
        if q.min_words:
            clauses.append((Occur.Must, Query.boolean_query(
                [(Occur.Should, w) for w in words], minimum_number_should_match=q.min_words)))
        else:
            clauses += [(Occur.Must, w) for w in words]
        for phrase in q.phrases:
            for a, b in zip(phrase, phrase[1:], strict=False):
                clauses.append((Occur.Must, self._any([self._term("title_bi", f"{a}_{b}", 4.0),
                                                       self._term("body_bi", f"{a}_{b}", 2.0)])))
        for bigram in q.bigrams if ranking else ():
            clauses.append((Occur.Should, self._term("title_bi", bigram, 4.0)))
            clauses.append((Occur.Should, self._term("body_bi", bigram, 2.0)))
        if q.has_accents and ranking:
            for syllable in q.exact:
                clauses.append((Occur.Should, self._term("title_exact", syllable, 2.0)))
                clauses.append((Occur.Should, self._term("body_exact", syllable, 1.5)))
        text = Query.boolean_query(clauses) if clauses else None
        if not q.code:
            return text
        code = self._any([self._term("code", q.code, 30.0), self._term("tthc", q.text, 30.0)])
        return self._any([code, text]) if text else code

    def search(self, query: ParsedQuery, filters: Filters, offset: int, limit: int
               ) -> RawResults:
        check_window(offset, limit)  # tantivy allocates for offset + limit hits
        text = self._text(query)
        parts = self._filters(filters)
        if text is not None:
            parts.append((Occur.Must, text))
        for agency in filters.prefer_agencies:
            parts.append((Occur.Should, self._term("agency", agency, 50.0)))
        q = Query.boolean_query(parts)
        # Facets count the same documents without ranking them: their pass is given only
        # the clauses that decide a match (no bigram, accent or own-agency boosts).
        matching = self._filters(filters)
        if text is not None:
            matching.append((Occur.Must, self._text(query, ranking=False)))
        searcher = self._searcher()
        agg = searcher.aggregate(Query.boolean_query(matching), FACET_AGGREGATIONS)
        result = searcher.search(q, limit=limit, offset=offset, count=True)
        stored = [(score, self._stored(searcher.doc(addr))) for score, addr in result.hits]
        hits = [RawHit(fields["key"], score, fields) for score, fields in stored]
        facets = {name: [(b["key"], b["doc_count"]) for b in agg[name]["buckets"] if b["key"]]
                  for name in FACETS}
        return RawResults(hits, result.count or 0, facets)

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
        parts = self._filters(filters)
        for word in words:
            parts.append((Occur.Must, self._term("title_fold", word)))
        if prefix:
            parts.append((Occur.Must, Query.regex_query(self.schema, "title_fold",
                                                        re.escape(prefix) + ".*")))
        searcher = self._searcher()
        result = searcher.search(Query.boolean_query(parts), limit=limit, count=False)
        stored = [(score, self._stored(searcher.doc(addr))) for score, addr in result.hits]
        return [RawHit(fields["key"], score, fields) for score, fields in stored]

    def vocabulary(self) -> list[str]:
        searcher = self._searcher()
        terms: set[str] = set()
        for name in ("title_fold", "body_fold"):
            terms |= {t for t, _ in searcher.terms_with_prefix(name, "")}
        return sorted(terms)

    def count(self) -> int:
        return self._searcher().num_docs

    def entry_keys(self) -> set[str]:
        searcher = self._searcher()
        n = searcher.num_docs
        if not n:
            return set()
        result = searcher.search(Query.all_query(), limit=n, count=False)
        return {searcher.doc(a).get_first("key") for _, a in result.hits}

    def close(self) -> None:
        pass
