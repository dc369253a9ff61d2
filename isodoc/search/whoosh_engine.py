"""Whoosh (pure Python, the client's named library) behind the Engine interface.

Never AsyncWriter or BufferedWriter across worker processes: a plain writer with a
lock timeout, fed from the outbox (isodoc.search.sync)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path

from whoosh import index, query, sorting
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.index import LockError
from whoosh.writing import CLEAR

from isodoc.paging import check_window
from isodoc.search.analysis import ParsedQuery, analyse, normalise_code
from isodoc.search.base import Filters, RawHit, RawResults, SearchDoc

FACETS = ("agency", "kind", "field", "clause")
WRITER_TIMEOUT = 5.0


def schema() -> Schema:
    pre = SpaceSeparatedTokenizer()  # text arrives analysed (isodoc.search.analysis)
    return Schema(
        key=ID(stored=True, unique=True), doc_id=ID(stored=True),
        agency=ID(stored=True, sortable=True), district=ID, level=ID,
        kind=ID(stored=True, sortable=True), field=ID(stored=True, sortable=True),
        clause=KEYWORD(stored=True, scorable=False), visibility=ID(stored=True),
        code=ID, code_display=STORED, tthc=ID,
        title_fold=TEXT(analyzer=pre, phrase=False), title_exact=TEXT(analyzer=pre, phrase=False),
        title_bi=TEXT(analyzer=pre, phrase=False), body_fold=TEXT(analyzer=pre, phrase=False),
        body_exact=TEXT(analyzer=pre, phrase=False), body_bi=TEXT(analyzer=pre, phrase=False),
        valid_from=NUMERIC(int, bits=32), valid_until=NUMERIC(int, bits=32),
        agency_name=STORED, slug=STORED, tthc_code=STORED, title=STORED, body=STORED,
        effective_date=STORED, revision=STORED,
    )


class WhooshEngine:
    name = "whoosh"

    def __init__(self, path: str | Path):
        self.path = Path(path) / "whoosh"
        self.path.mkdir(parents=True, exist_ok=True)
        if index.exists_in(str(self.path)):
            self.index = index.open_dir(str(self.path))
        else:
            self.index = index.create_in(str(self.path), schema())
        self._searcher = None
        self._lock = threading.Lock()

    def _writer(self):
        try:
            return self.index.writer(timeout=WRITER_TIMEOUT)
        except LockError:
            raise TimeoutError("search index writer is busy") from None

    def replace(self, docs: list[SearchDoc], document_ids: list[int]) -> None:
        with self._lock:
            writer = self._writer()
            try:
                for document_id in set(document_ids) | {d.document_id for d in docs}:
                    writer.delete_by_term("doc_id", str(document_id))
                for doc in docs:
                    writer.add_document(**self._fields(doc))
                writer.commit()
            except BaseException:
                writer.cancel()
                raise

    def rebuild(self, batches: Iterable[list[SearchDoc]]) -> int:
        added = 0
        with self._lock:
            writer = self._writer()
            try:
                for batch in batches:
                    for doc in batch:
                        writer.add_document(**self._fields(doc))
                    added += len(batch)
                writer.commit(mergetype=CLEAR)  # old segments go at the commit, not before
            except BaseException:
                writer.cancel()
                raise
            self._searcher = None
        return added

    def clear(self) -> None:
        with self._lock:
            self.index = index.create_in(str(self.path), schema())
            self._searcher = None

    def _fields(self, doc: SearchDoc) -> dict:
        title, body = analyse(f"{doc.title} {doc.code} {doc.tthc_code}"), analyse(doc.body)
        return dict(
            key=doc.key, doc_id=str(doc.document_id), agency=doc.agency, district=doc.district,
            level=doc.level, kind=doc.kind, field=doc.field, clause=" ".join(doc.clauses),
            visibility=doc.visibility, code=normalise_code(doc.code), code_display=doc.code,
            tthc=doc.tthc_code,
            title_fold=title.fold, title_exact=title.exact, title_bi=title.bigrams,
            body_fold=body.fold, body_exact=body.exact, body_bi=body.bigrams,
            valid_from=doc.valid_from, valid_until=doc.valid_until,
            agency_name=doc.agency_name, slug=doc.slug, tthc_code=doc.tthc_code, title=doc.title,
            body=doc.body, revision=doc.revision or 0,
            effective_date=doc.effective_date.isoformat() if doc.effective_date else "")

    def _search(self):
        """A searcher on the last commit, whichever process made it. Not Whoosh's
        `refresh()`: it keeps the segments the new generation dropped, so after a
        rebuild (merge CLEAR) in another process the old entries came back."""
        if self._searcher is not None:
            try:
                if self.index.latest_generation() == self._searcher.reader().generation():
                    return self._searcher
            except (TypeError, OSError):
                pass  # the index was rebuilt or cleared (isodoc reindex, another process)
            self._searcher.close()
            self._searcher = None
            self.index = index.open_dir(str(self.path))
        self._searcher = self.index.searcher()
        return self._searcher

    # -- queries -------------------------------------------------------------------

    @staticmethod
    def _term(field: str, value: str, boost: float = 1.0) -> query.Term:
        return query.Term(field, value, boost=boost)

    def _visible(self, f: Filters):
        public = query.And([self._term("visibility", "public"),
                            query.NumericRange("valid_from", None, f.on),
                            query.NumericRange("valid_until", f.on, None, startexcl=True)])
        if not f.draft_agencies:
            return public
        staff = query.And([self._term("visibility", "staff"),
                           query.Or([self._term("agency", a) for a in f.draft_agencies])])
        return query.Or([public, staff])

    def _filters(self, f: Filters) -> list:
        must = [self._visible(f)]
        if f.agencies is not None:
            must.append(query.Or([self._term("agency", a) for a in f.agencies])
                        if f.agencies else query.NullQuery)
        for name, value in (("district", f.district), ("kind", f.kind), ("field", f.field),
                            ("clause", f.clause)):
            if value:
                must.append(self._term(name, value))
        return must

    def _text(self, q: ParsedQuery):
        must, should = [], []
        words_clauses = [query.Or([self._term("title_fold", word, 3.0),
                                   self._term("body_fold", word)]) for word in q.words]
        if q.min_words:
            must.append(query.Or(words_clauses, minmatch=q.min_words))
        else:
            must += words_clauses
        for phrase in q.phrases:
            for a, b in zip(phrase, phrase[1:], strict=False):
                must.append(query.Or([self._term("title_bi", f"{a}_{b}", 4.0),
                                      self._term("body_bi", f"{a}_{b}", 2.0)]))
        for bigram in q.bigrams:
            should += [self._term("title_bi", bigram, 4.0), self._term("body_bi", bigram, 2.0)]
        if q.has_accents:
            for syllable in q.exact:
                should += [self._term("title_exact", syllable, 2.0),
                           self._term("body_exact", syllable, 1.5)]
        words = None
        if must:
            words = query.AndMaybe(query.And(must), query.Or(should)) if should \
                else query.And(must)
        elif should:
            words = query.Or(should)
        if not q.code:
            return words
        code = query.Or([self._term("code", q.code, 30.0), self._term("tthc", q.text, 30.0)])
        return query.Or([code, words]) if words is not None else code

    def search(self, q: ParsedQuery, filters: Filters, offset: int, limit: int) -> RawResults:
        check_window(offset, limit)  # whoosh collects offset + limit hits
        text = self._text(q)
        must = query.And(self._filters(filters) + ([text] if text is not None else []))
        prefer = [self._term("agency", a, 50.0) for a in filters.prefer_agencies]
        final = query.AndMaybe(must, query.Or(prefer)) if prefer else must
        facets = {name: sorting.FieldFacet(name, allow_overlap=(name == "clause"))
                  for name in FACETS}
        with self._lock:
            searcher = self._search()
            results = searcher.search(final, limit=offset + limit, groupedby=facets,
                                      maptype=sorting.Count)
            hits = [RawHit(hit["key"], hit.score, dict(hit.fields()))
                    for hit in results[offset:offset + limit]]
            counts = {name: sorted(((str(k), v) for k, v in results.groups(name).items() if k),
                                   key=lambda kv: -kv[1]) for name in FACETS}
            total = results.estimated_length() if not results.has_exact_length() \
                else len(results)
        return RawResults(hits, total, counts)

    def suggest(self, words: list[str], prefix: str, filters: Filters, limit: int
                ) -> list[RawHit]:
        parts = self._filters(filters) + [self._term("title_fold", w) for w in words]
        if prefix:
            parts.append(query.Prefix("title_fold", prefix))
        with self._lock:
            results = self._search().search(query.And(parts), limit=limit)
            return [RawHit(h["key"], h.score, dict(h.fields())) for h in results]

    def vocabulary(self) -> list[str]:
        with self._lock:
            reader = self._search().reader()
            terms = {t.decode() if isinstance(t, bytes) else t
                     for name in ("title_fold", "body_fold") for t in reader.lexicon(name)}
        return sorted(t for t in terms if t.isalpha())

    def count(self) -> int:
        with self._lock:
            return self._search().doc_count()

    def stamp(self) -> tuple:
        try:
            return (self.index.latest_generation(),)
        except (TypeError, OSError):  # being rebuilt: a page read now is not kept long
            return (None, time.monotonic())

    def entry_keys(self) -> set[str]:
        with self._lock:
            return {fields["key"] for fields in self._search().all_stored_fields()}

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
