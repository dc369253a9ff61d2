"""One contract, both engines: what a search must find, rank, filter and count."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from isodoc import search
from isodoc.search import tantivy_engine
from isodoc.search.base import OPEN_END, Filters, SearchDoc

TODAY = 20261125


def doc(key: str, title: str, body: str, *, agency="dbp-him-lam", code="QT-TP-01",
        tthc="", kind="tthc", field="Hộ tịch", clauses=("8.1",), district="ubnd-dbp",
        visibility="public", since=20260101, until=OPEN_END) -> SearchDoc:
    document_id = int(key.split(":")[0])
    return SearchDoc(key=key, document_id=document_id, agency=agency,
                     agency_name=f"UBND {agency}", district=district, level="commune", code=code,
                     slug=code.lower(), tthc_code=tthc, title=title, body=body, kind=kind,
                     field=field, clauses=list(clauses), revision=1,
                     effective_date=date(2026, 1, 1), valid_from=since, valid_until=until,
                     visibility=visibility)


CORPUS = [
    doc("1:r1", "Quy trình đăng ký khai sinh", "Tiếp nhận tờ khai đăng ký khai sinh cho trẻ em "
        "tại UBND cấp xã. Công chức tư pháp hộ tịch ghi sổ.", tthc="1.001193"),
    doc("2:r1", "Quy trình đăng ký khai sinh", "Đăng ký khai sinh tại phường Búng Lao.",
        agency="mang-bung-lao", district="ubnd-mang", tthc="1.001193"),
    doc("3:r1", "Quy trình đăng ký kết hôn", "Hai bên nam nữ đăng ký kết hôn; sinh hoạt "
        "chung được khai báo.", code="QT-TP-03", tthc="1.000894"),
    doc("4:r1", "Quy trình chứng thực bản sao từ bản chính", "Chứng thực bản sao, lệ phí "
        "2.000 đồng một trang. Sinh viên được hướng dẫn.", code="QT-TP-02", field="Chứng thực",
        clauses=("8.1", "8.5.1")),
    doc("5:r1", "Quy trình kiểm soát thông tin dạng văn bản", "Kiểm soát tài liệu và hồ sơ "
        "theo TCVN ISO 9001:2015 điều 7.5.", code="QT-05", kind="internal",
        field="Hệ thống quản lý chất lượng", clauses=("7.5.1", "7.5.3"), agency="so-tu-phap",
        district=""),
    doc("6:d", "Quy trình đăng ký khai sinh lưu động", "Dự thảo: khai sinh lưu động ở bản.",
        code="QT-TP-09", visibility="staff", since=0),
    doc("7:r1", "Quy trình đăng ký khai tử", "Đăng ký khai tử tại UBND xã.", code="QT-TP-04",
        until=20260601),  # superseded on 01/06/2026
    doc("8:r2", "Quy trình đăng ký khai tử", "Đăng ký khai tử (sửa đổi) tại UBND xã.",
        code="QT-TP-04", since=20260601),
    doc("9:r1", "Hướng dẫn về Điện Biên", "Tỉnh Điện Biên và đường đi; A và B.", code="HD-01",
        kind="guide", field="Khác"),
]


@pytest.fixture(params=search.ENGINES)
def engine(request, app, monkeypatch):
    monkeypatch.setitem(app.config, "ISODOC_SEARCH_ENGINE", request.param)
    with app.test_request_context():  # hits carry URLs
        eng = search.engine()
        eng.clear()
        eng.replace(CORPUS, [])
        search._vocabulary.clear()
        yield request.param


def run(q: str, on: int = TODAY, **filters):
    return search.search(q, Filters(on=on, **filters))


def keys(q: str, on: int = TODAY, **filters) -> list[str]:
    return [h.key for h in run(q, on, **filters).hits]


def test_accent_free_query_matches_accented_text(engine):
    # "kết hôn" has every syllable too (đăng ký … sinh hoạt … khai báo), ranked after
    assert set(keys("dang ky khai sinh")[:2]) == {"1:r1", "2:r1"}
    assert set(keys("đăng ký khai sinh")[:2]) == {"1:r1", "2:r1"}
    assert keys("dang ky khai sinh")[2:] == ["3:r1"]
    assert keys("dien bien") == ["9:r1"]  # đ folds to d


def test_accented_query_ranks_exact_accents_first(engine):
    assert keys("bản")[0] == "4:r1"       # "bản sao" before "ban" (phường, ban hành…)
    assert "4:r1" in keys("ban")


def test_quoted_phrase_is_exact_and_bigrams_rank_adjacent_syllables(engine):
    assert set(keys('"khai sinh"')) == {"1:r1", "2:r1"}  # not "sinh hoạt … khai báo"
    assert "3:r1" in keys("khai sinh") or keys("khai sinh")[:2] == ["1:r1", "2:r1"]
    assert keys("khai sinh")[0] in {"1:r1", "2:r1"}


def test_codes_match_as_typed(engine):
    assert keys("QT-05")[0] == "5:r1"
    assert keys("qt 05")[0] == "5:r1"
    assert keys("1.001193")[:2] and set(keys("1.001193")[:2]) == {"1:r1", "2:r1"}
    assert keys("1.000894")[0] == "3:r1"


def test_no_stemming_no_stop_list_single_letters_kept(engine):
    assert keys("và") and "5:r1" in keys("và")
    assert keys("a b dien") == ["9:r1"]


def test_filters_and_facets(engine):
    assert keys("khai sinh", agencies=["mang-bung-lao"]) == ["2:r1"]
    assert keys("khai sinh", district="ubnd-dbp")[0] == "1:r1"
    assert "2:r1" not in keys("khai sinh", district="ubnd-dbp")
    assert keys("quy trinh", kind="internal") == ["5:r1"]
    assert keys("quy trinh", field="Chứng thực") == ["4:r1"]
    assert set(keys("quy trinh", clause="8.5.1")) == {"4:r1"}
    results = run("quy trinh")
    facets = {name: {v: c for v, _, c in values} for name, values in results.facets.items()}
    assert facets["agency"]["dbp-him-lam"] == 4 and facets["agency"]["mang-bung-lao"] == 1
    assert facets["kind"]["tthc"] == 5 and facets["clause"]["8.1"] == 5
    assert results.total == 6  # 9 is not a "quy trình", 7 is superseded


def test_drafts_only_for_their_agency_staff(engine):
    assert "6:d" not in keys("luu dong")
    assert "6:d" not in keys("luu dong", draft_agencies=["mang-bung-lao"])
    assert keys("luu dong", draft_agencies=["dbp-him-lam"]) == ["6:d"]


def test_only_the_revision_in_force_on_the_day(engine):
    assert keys("khai tu")[0] == "8:r2" and "7:r1" not in keys("khai tu")
    earlier = [h.key for h in search.search("khai tu", Filters(on=20260301)).hits]
    assert earlier[0] == "7:r1" and "8:r2" not in earlier


def test_own_agency_first(engine):
    first = keys("dang ky khai sinh", prefer_agencies=["mang-bung-lao"])[0]
    assert first == "2:r1"
    assert keys("dang ky khai sinh", prefer_agencies=["dbp-him-lam"])[0] == "1:r1"


def test_highlights_and_snippets(engine):
    hit = run("dang ky khai sinh").hits[0]
    assert "<mark>đăng</mark> <mark>ký</mark> <mark>khai</mark> <mark>sinh</mark>" in \
        str(hit.title)
    assert "<mark>khai</mark>" in str(hit.snippet)


def test_replace_removes_old_entries_and_suggest_and_vocabulary(engine, app):
    eng = search.engine()
    eng.replace([doc("1:r2", "Quy trình đăng ký khai sinh (sửa đổi)", "Nội dung mới.")], [1])
    assert "1:r1" not in eng.entry_keys() and "1:r2" in eng.entry_keys()
    suggestions = search.suggest("dang ky kh", Filters(on=TODAY))
    assert {"Quy trình đăng ký khai sinh (sửa đổi)", "Quy trình đăng ký khai tử",
            "Quy trình đăng ký khai sinh"} <= {s["title"] for s in suggestions}
    assert "khai" in eng.vocabulary()


def test_no_results_gives_hints(engine):
    results = run("khai snih")
    assert results.did_you_mean == "khai sinh"
    empty = run("tàu vũ trụ")
    assert empty.total == 0 and empty.accent_hint == "tau vu tru"
    assert run("   ").total == 0


def test_rebuild_replaces_everything_in_one_commit(engine):
    eng = search.engine()
    batches = [[doc("7:r1", "Quy trình cấp phép xây dựng", "Giấy phép xây dựng.")],
               [doc("8:r1", "Quy trình cấp phép lái xe", "Giấy phép lái xe.")]]
    assert eng.rebuild(iter(batches)) == 2
    assert eng.entry_keys() == {"7:r1", "8:r1"}
    assert keys("giay phep") and set(keys("giay phep")) == {"7:r1", "8:r1"}

    def broken():
        yield [doc("9:r1", "Quy trình khác", "x")]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        eng.rebuild(broken())
    assert eng.entry_keys() == {"7:r1", "8:r1"}  # a failed rebuild leaves the old index


@pytest.mark.parametrize("name", search.ENGINES)
def test_a_long_running_reader_sees_what_another_process_indexed(name, tmp_path):
    """Two engines on one index folder stand for two gunicorn workers: what one indexes
    after the other opened the index must be found, suggested and counted by the other."""
    reader = search.make_engine(name, str(tmp_path))
    writer = search.make_engine(name, str(tmp_path))
    f = Filters(on=TODAY)
    parsed = search.parse("khai sinh")
    assert reader.search(parsed, f, 0, 10).total == 0  # the reader has opened its searcher
    assert reader.suggest(["dang"], "k", f, 10) == []
    writer.replace([CORPUS[0]], [])
    assert [h.key for h in reader.search(parsed, f, 0, 10).hits] == ["1:r1"]
    assert [h.key for h in reader.suggest(["dang", "ky"], "kh", f, 10)] == ["1:r1"]
    assert reader.count() == 1 and reader.entry_keys() == {"1:r1"}
    writer.rebuild(iter([[CORPUS[2]]]))  # a full reindex in the other process
    assert [h.key for h in reader.suggest(["dang", "ky"], "k", f, 10)] == ["3:r1"]
    assert reader.search(search.parse("trẻ em"), f, 0, 10).total == 0  # only in 1:r1
    assert reader.entry_keys() == {"3:r1"}
    reader.close(), writer.close()


def test_every_adjacent_pair_is_a_phrase_whatever_its_position(engine):
    """Bigrams are counted terms, not positions: a phrase at an odd or an even position
    is found alike, and syllables that are not adjacent are no phrase."""
    for phrase in ('"quy trình"', '"trình đăng"', '"đăng ký"', '"ký khai"', '"khai sinh"'):
        assert {"1:r1", "2:r1"} <= set(keys(phrase)), phrase
    assert keys('"sinh quy"') == []
    # no phrase across the title's end and the body's start (or a repeat of the title)
    assert keys('"001193 tiep"') == [] and keys('"001193 quy"') == []


def test_clause_facets_count_every_clause_once_however_many(engine):
    """More clauses than the tantivy engine's single-valued facet columns, one repeated:
    each counted once per document, the ones past the columns too."""
    many = ("4.1", "4.2", "6.1", "7.5.1", "7.5.3", "8.1", "8.2", "4.1")
    search.engine().replace([doc("20:r1", "Sổ tay chất lượng", "Sổ tay.", code="ST-01",
                                 clauses=many),
                             doc("21:r1", "Sổ tay an toàn", "Sổ tay.", code="ST-02",
                                 clauses=("8.2",))], [])
    results = run("so tay")
    facets = {v: c for v, _, c in results.facets["clause"]}
    assert facets == {"4.1": 1, "4.2": 1, "6.1": 1, "7.5.1": 1, "7.5.3": 1, "8.1": 1, "8.2": 2}
    assert keys("so tay", clause="8.2") and set(keys("so tay", clause="8.2")) == {"20:r1",
                                                                                 "21:r1"}
    assert keys("so tay", clause="7.5.3") == ["20:r1"]


def test_tantivy_folds_every_vietnamese_letter_as_the_code_base_does():
    """The tantivy engine folds inside tantivy (ASCII folding); a query's words go through
    the same analyzer, and highlights use analysis.fold: both must agree on Vietnamese."""
    import unicodedata

    from isodoc.search.analysis import fold, syllables
    from isodoc.search.tantivy_engine import EXACT, FOLD, analyzers

    fold_analyzer, exact_analyzer = analyzers()[FOLD], analyzers()[EXACT]
    letters = [unicodedata.normalize("NFC", base + mark)
               for base in "aăâeêioôơuưy" for mark in ("", "\u0300", "\u0301", "\u0309",
                                                       "\u0303", "\u0323")] + ["đ"]
    for letter in letters + [x.upper() for x in letters]:
        assert fold_analyzer.analyze(letter) == [fold(letter)], letter
        assert exact_analyzer.analyze(letter) == [letter.lower()], letter
    text = "Đăng ký khai sinh: QT-05, 1.001193; Điện Biên_Phủ (ưu tiên)."
    assert fold_analyzer.analyze(text) == [fold(s) for s in syllables(text)]


def test_an_entry_out_of_force_added_later_stays_hidden(engine):
    """Whether any entry is out of force on a day is remembered per commit: an entry of
    days to come (or one that ended) added after a search is still hidden by the next."""
    eng = search.engine()
    eng.replace([doc("30:r1", "Quy trình tiếp công dân", "Tiếp công dân.", code="TCD-01")], [])
    assert keys("cong dan") == ["30:r1"]
    eng.replace([doc("30:r1", "Quy trình tiếp công dân", "Tiếp công dân.", code="TCD-01",
                     until=TODAY),
                 doc("31:r1", "Quy trình tiếp công dân", "Tiếp công dân lưu động.",
                     code="TCD-02", since=TODAY + 1)], [30])
    assert keys("cong dan") == []
    assert keys("cong dan", on=TODAY - 1) == ["30:r1"]


@pytest.mark.parametrize("spare", [0, 1])
@pytest.mark.parametrize("q", ["quy trinh", "dang ky", "khai sinh", '"dang ky"', "QT-05", "xyz"])
@pytest.mark.parametrize("filters", [{}, {"draft_agencies": ["dbp-him-lam"]},
                                     {"district": "ubnd-dbp"}, {"agencies": []},
                                     {"on": 20260301}])
def test_facets_count_exactly_what_matches(engine, q, filters, spare, monkeypatch):
    """Facet counts are those of the matching entries whichever way they are counted
    (the tantivy engine counts a query matching most entries by difference), in the
    search's own thread or beside its ranked pass."""
    monkeypatch.setattr(tantivy_engine, "SPARE_CORES", spare)
    results = search.engine().search(search.parse(q), Filters(**{"on": TODAY, **filters}),
                                      0, 50)
    matched = {d.key: d for d in CORPUS if d.key in {h.key for h in results.hits}}
    assert len(matched) == results.total
    expected = {"agency": {}, "kind": {}, "field": {}, "clause": {}}
    for d in matched.values():
        for name, values in (("agency", [d.agency]), ("kind", [d.kind]), ("field", [d.field]),
                             ("clause", d.clauses)):
            for value in values:
                expected[name][value] = expected[name].get(value, 0) + 1
    got = {name: dict(values) for name, values in results.facets.items()}
    assert got == {name: {v: n for v, n in counts.items() if v} for name, counts in
                   expected.items()}


def test_facets_counted_beside_the_ranked_pass_give_back_their_core(app, monkeypatch):
    """With a spare core the facets are counted on another thread while the ranked pass
    runs; the core is free again after each search, even one whose count failed, and the
    failure reaches the search."""
    monkeypatch.setattr(tantivy_engine, "SPARE_CORES", 1)
    monkeypatch.setitem(app.config, "ISODOC_SEARCH_ENGINE", "tantivy")
    with app.test_request_context():
        eng = search.engine()
        eng.clear()
        eng.replace(CORPUS, [])
        counted_on = []
        counts = tantivy_engine.TantivyEngine._counts

        def watched(self, searcher, query):
            counted_on.append(threading.get_ident())
            return counts(self, searcher, query)

        monkeypatch.setattr(tantivy_engine.TantivyEngine, "_counts", watched)
        for _ in range(20):
            assert run("dang ky").facets["kind"]
        assert counted_on and threading.get_ident() not in counted_on

        def broken(self, searcher, query):
            raise RuntimeError("facets failed")

        monkeypatch.setattr(tantivy_engine.TantivyEngine, "_counts", broken)
        with pytest.raises(RuntimeError, match="facets failed"):
            run("khai sinh")
        spare = tantivy_engine._spare
        assert spare.acquire(timeout=2)  # given back once the failed count ended
        spare.release()


def test_the_facet_threads_count_the_cores_a_container_allows(tmp_path, monkeypatch):
    """A container given 1 CPU on a 2-core machine has no core to spare: the machine's
    count (os.cpu_count) would have started a thread there."""
    import os

    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3})
    mine = tmp_path / "cgroup"
    mine.write_text("0::/system.slice/isodoc.service\n")
    limits = tmp_path / "fs" / "system.slice" / "isodoc.service"
    limits.mkdir(parents=True)
    for quota, cores in (("100000 100000", 1), ("150000 100000", 1), ("250000 100000", 2),
                         ("max 100000", 4), ("rubbish", 4)):
        (limits / "cpu.max").write_text(quota + "\n")
        assert tantivy_engine.usable_cores(tmp_path / "fs", mine) == cores, quota
    (limits / "cpu.max").unlink()  # no quota file: no cgroup v2 limit
    assert tantivy_engine.usable_cores(tmp_path / "fs", mine) == 4
