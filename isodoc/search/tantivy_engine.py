"""tantivy (Rust, embedded) behind the Engine interface."""

from __future__ import annotations

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
STORED = ("key", "agency", "agency_name", "slug", "tthc_code", "title", "body", "kind",
          "field", "revision", "effective_date", "visibility")
FACETS = ("agency", "kind", "field", "clause")
WRITER_TIMEOUT = 5.0


def schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    for name in ("key", "agency", "district", "level", "kind", "field", "clause", "visibility",
                 "code", "tthc"):
        b.add_text_field(name, stored=name in STORED, fast=name in FACETS, tokenizer_name="raw")
    for name in TEXT:
        for form in ("fold", "exact", "bi"):
            b.add_text_field(f"{name}_{form}", tokenizer_name="whitespace")
    for name in ("agency_name", "slug", "tthc_code", "title", "body", "effective_date",
                 "code_display"):
        b.add_text_field(f"s_{name}", stored=True, tokenizer_name="raw", index_option="basic")
    b.add_integer_field("document_id", indexed=True, stored=True)
    b.add_integer_field("revision", stored=True)
    b.add_integer_field("valid_from", indexed=True, fast=True)
    b.add_integer_field("valid_until", indexed=True, fast=True)
    return b.build()


class TantivyEngine:
    name = "tantivy"

    def __init__(self, path: str | Path):
        self.path = Path(path) / "tantivy"
        self.path.mkdir(parents=True, exist_ok=True)
        self.schema = schema()
        self.index = tantivy.Index(self.schema, path=str(self.path))
        self._lock = threading.Lock()

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
        d.add_text("s_agency_name", doc.agency_name)
        d.add_text("s_code_display", doc.code)
        d.add_text("s_slug", doc.slug)
        d.add_text("s_tthc_code", doc.tthc_code)
        d.add_text("s_title", doc.title)
        d.add_text("s_body", doc.body)
        d.add_text("s_effective_date",
                   doc.effective_date.isoformat() if doc.effective_date else "")
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

    def _text(self, q: ParsedQuery) -> Query | None:
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
        for bigram in q.bigrams:
            clauses.append((Occur.Should, self._term("title_bi", bigram, 4.0)))
            clauses.append((Occur.Should, self._term("body_bi", bigram, 2.0)))
        if q.has_accents:
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
        searcher = self.index.searcher()
        result = searcher.search(q, limit=limit, offset=offset, count=True)
        stored = [(score, self._stored(searcher.doc(addr))) for score, addr in result.hits]
        hits = [RawHit(fields["key"], score, fields) for score, fields in stored]
        agg = searcher.aggregate(q, {name: {"terms": {"field": name, "size": 30}}
                                     for name in FACETS})
        facets = {name: [(b["key"], b["doc_count"]) for b in agg[name]["buckets"] if b["key"]]
                  for name in FACETS}
        return RawResults(hits, result.count or 0, facets)

    def _stored(self, doc: tantivy.Document) -> dict:
        raw = doc.to_dict()
        out = {k[2:] if k.startswith("s_") else k: v[0] for k, v in raw.items() if v}
        return out

    def suggest(self, words: list[str], prefix: str, filters: Filters, limit: int
                ) -> list[RawHit]:
        parts = self._filters(filters)
        for word in words:
            parts.append((Occur.Must, self._term("title_fold", word)))
        if prefix:
            parts.append((Occur.Must, Query.regex_query(self.schema, "title_fold",
                                                        re.escape(prefix) + ".*")))
        searcher = self.index.searcher()
        result = searcher.search(Query.boolean_query(parts), limit=limit, count=False)
        stored = [(score, self._stored(searcher.doc(addr))) for score, addr in result.hits]
        return [RawHit(fields["key"], score, fields) for score, fields in stored]

    def vocabulary(self) -> list[str]:
        searcher = self.index.searcher()
        terms: set[str] = set()
        for name in ("title_fold", "body_fold"):
            terms |= {t for t, _ in searcher.terms_with_prefix(name, "")}
        return sorted(terms)

    def count(self) -> int:
        self.index.reload()
        return self.index.searcher().num_docs

    def entry_keys(self) -> set[str]:
        searcher = self.index.searcher()
        n = searcher.num_docs
        if not n:
            return set()
        result = searcher.search(Query.all_query(), limit=n, count=False)
        return {self._stored(searcher.doc(a))["key"] for _, a in result.hits}

    def close(self) -> None:
        pass
