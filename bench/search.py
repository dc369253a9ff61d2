"""Search benchmark: isodoc's search against plain tantivy-py on the same corpus and
queries, in the same run.

    .venv/bin/python bench/search.py [--sizes 2000] [--queries 300] [--rounds 1]
                                     [--engines tantivy[,whoosh]]
    ISODOC_BENCH_SEARCH_ARGS="--sizes 50000 --rounds 3" make bench   # the issue's sizes

For each size and round, fresh processes build, one after the other, the engine's index
(what `isodoc reindex` does once the entries are read: analysis, one writer, one commit)
and the anchor: plain tantivy-py, default tokenizer, title/body/codes stored, the same
writer heap and one indexing thread. Both are timed from documents in memory, and again
with the time to make the corpus added to both (as the issue measured them: its builds
read the corpus generator). Then a fresh process, a gunicorn worker's view, opens both
and runs the query set alternating per query: the real search service (parse, engine,
count, facets, highlights, hit URLs) and the anchor (the query parsed by tantivy, top 10
with their stored fields, the count). Latency percentiles count the queries that find
something in both (plain tantivy does not fold accents); the worker's RSS is read before
the anchor index is opened. With --rounds N, figures are medians of N alternated rounds.
Prints figure, anchor, ratio and goal; with ISODOC_BENCH_SUMMARY set, appends the rows
there as JSON lines (bench/summary.py, `make bench`). Figures, not a test.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ACTIONS = ["Đăng ký", "Cấp", "Cấp lại", "Cấp đổi", "Chứng thực", "Thẩm định", "Phê duyệt",
           "Gia hạn", "Điều chỉnh", "Thu hồi", "Xác nhận", "Giải quyết", "Công nhận", "Hỗ trợ"]
OBJECTS = ["khai sinh", "kết hôn", "khai tử", "giấy phép xây dựng", "quyền sử dụng đất",
           "hộ kinh doanh", "bản sao từ bản chính", "chữ ký", "hợp đồng chuyển nhượng",
           "nhận cha mẹ con", "thay đổi cải chính hộ tịch", "trợ cấp xã hội", "người có công",
           "giấy phép lái xe", "học bổng chính sách", "hộ nghèo", "nhà ở xã hội",
           "bảo hiểm y tế", "thường trú", "tạm trú", "giấy phép kinh doanh rượu",
           "an toàn thực phẩm", "khai thác khoáng sản", "phòng cháy chữa cháy",
           "đất nông nghiệp", "di tích lịch sử", "lễ hội truyền thống", "giáo viên mầm non"]
FIELDS = ["Hộ tịch", "Chứng thực", "Đất đai", "Xây dựng", "Lao động", "Giáo dục", "Y tế",
          "Văn hóa", "Công thương", "Nông nghiệp", "Tài nguyên", "Giao thông"]
WORDS = (
    "tiếp", "nhận", "hồ", "sơ", "thủ", "tục", "hành", "chính", "công", "chức", "cán", "bộ",
    "ủy", "ban", "nhân", "dân", "cấp", "xã", "phường", "thị", "trấn", "huyện", "tỉnh", "thời",
    "hạn", "giải", "quyết", "ngày", "làm", "việc", "lệ", "phí", "đồng", "thành", "phần", "số",
    "lượng", "bản", "chính", "bản", "sao", "tờ", "khai", "mẫu", "đơn", "trả", "kết", "quả",
    "lưu", "trữ", "kiểm", "tra", "thẩm", "định", "trình", "lãnh", "đạo", "ký", "duyệt", "ban",
    "hành", "quy", "trình", "biểu", "mẫu", "trách", "nhiệm", "bộ", "phận", "một", "cửa", "điện",
    "tử", "dịch", "vụ", "công", "trực", "tuyến", "mức", "độ", "toàn", "trình", "cổng", "thông",
    "tin", "cá", "nhân", "tổ", "chức", "doanh", "nghiệp", "người", "dân", "căn", "cứ", "luật",
    "nghị", "định", "thông", "tư", "quyết", "định", "hướng", "dẫn", "điều", "khoản", "yêu",
    "cầu", "điều", "kiện", "thực", "hiện", "theo", "quy", "định", "pháp", "luật", "hiện",
    "hành", "đối", "chiếu", "xác", "minh", "bổ", "sung", "hoàn", "thiện", "chuyển", "phòng",
    "chuyên", "môn", "văn", "phòng", "đăng", "ký", "đất", "đai", "tài", "nguyên", "môi",
    "trường", "tư", "pháp",
)
CLAUSES = ["4.1", "4.2", "6.1", "7.5.1", "7.5.3", "8.1", "8.2", "8.5.1", "9.1", "9.2", "10.2"]


def corpus(n: int, seed: int = 2018):
    from isodoc.search.base import OPEN_END, SearchDoc

    rng = random.Random(seed)
    agencies = [f"xa-{i:03d}" for i in range(130)] + [f"so-{i:02d}" for i in range(19)]
    for i in range(n):
        action, obj = rng.choice(ACTIONS), rng.choice(OBJECTS)
        sections = []
        for title in ("1. Mục đích", "2. Phạm vi", "3. Tài liệu viện dẫn", "5. Nội dung",
                      "7. Hồ sơ cần lưu"):
            words = " ".join(rng.choice(WORDS) for _ in range(85))
            sections.append(f"{title}. {action} {obj}. {words.capitalize()}.")
        agency = rng.choice(agencies)
        yield SearchDoc(
            key=f"{i + 1}:r1", document_id=i + 1, agency=agency, agency_name=f"UBND {agency}",
            district=f"huyen-{hash(agency) % 10}", level="commune", code=f"QT-{i + 1:05d}",
            slug=f"qt-{i + 1:05d}", tthc_code=f"1.{100000 + i:06d}",
            title=f"Quy trình {action.lower()} {obj}", body="\n".join(sections),
            kind=rng.choice(["tthc", "tthc", "tthc", "internal"]), field=rng.choice(FIELDS),
            clauses=rng.sample(CLAUSES, 2), revision=1, effective_date=date(2025, 1, 1),
            valid_from=20250101, valid_until=OPEN_END, visibility="public")


def queries(n: int, size: int, seed: int = 7) -> list[str]:
    from isodoc.search.analysis import fold

    rng = random.Random(seed)
    out = []
    for i in range(n):
        obj = rng.choice(OBJECTS).split()
        kind = i % 6
        if kind == 0:
            out.append(" ".join(obj[:2]))                      # accented, 1–2 syllables
        elif kind == 1:
            out.append(fold(" ".join(obj[:3])))                # accent-free, up to 3
        elif kind == 2:
            out.append(f'"{" ".join(obj[:2])}"')               # quoted phrase
        elif kind == 3:
            out.append(f"QT-{rng.randint(1, size):05d}")       # document code
        elif kind == 4:
            out.append(f"1.{100000 + rng.randint(0, size - 1):06d}")  # TTHC code
        else:
            out.append(fold(rng.choice(ACTIONS)) + " " + obj[0])  # action + object
    return out


def app_for(engine: str, index: Path, db: Path):
    from isodoc import create_app

    os.environ.setdefault("ISODOC_SECRET_KEY", "bench")
    return create_app({"INSTANCE_PATH": str(index.parent), "ISODOC_INDEX_PATH": str(index),
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db}",
                       "ISODOC_SEARCH_ENGINE": engine})


def status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def batches(size: int):
    """What `isodoc reindex` feeds the engine: batches of 200, one commit. The corpus is
    made before the clock starts (its random text costs about what the anchor's whole
    build does): the builds are timed from documents in memory."""
    started = time.perf_counter()
    docs = list(corpus(size))
    MADE_IN.append(time.perf_counter() - started)
    return [docs[i:i + 200] for i in range(0, len(docs), 200)]


MADE_IN: list[float] = []  # seconds spent making the corpus, outside the builds' clocks


WRITER_HEAP = 100_000_000  # what TantivyEngine.rebuild asks for


def anchor_schema():
    import tantivy

    b = tantivy.SchemaBuilder()
    b.add_text_field("key", stored=True, tokenizer_name="raw")
    for name in ("title", "body", "code", "tthc"):
        b.add_text_field(name, stored=True)
    return b.build()


def build_anchor(size: int, index: Path) -> float:
    """Plain tantivy: the same documents, title/body/codes, one writer, one commit."""
    import tantivy

    index.mkdir(parents=True, exist_ok=True)
    ix = tantivy.Index(anchor_schema(), path=str(index))
    made = batches(size)
    gc.collect()
    started = time.perf_counter()
    writer = ix.writer(heap_size=WRITER_HEAP, num_threads=1)
    for batch in made:
        for doc in batch:
            writer.add_document(tantivy.Document(key=doc.key, title=doc.title, body=doc.body,
                                                 code=doc.code, tthc=doc.tthc_code))
    writer.commit()
    writer.wait_merging_threads()
    return time.perf_counter() - started


def build(engine: str, size: int, index: Path, db: Path) -> dict:
    from isodoc import migrate, search

    app = app_for(engine, index, db)
    migrate.upgrade(app)
    with app.app_context():
        eng = search.engine()
        eng.clear()
        made = batches(size)
        gc.collect()
        started = time.perf_counter()
        eng.rebuild(iter(made))
        seconds = time.perf_counter() - started
    mb = sum(f.stat().st_size for f in index.rglob("*") if f.is_file()) / 1e6
    return {"build_s": seconds, "index_mb": mb, "corpus_s": MADE_IN[-1]}


def query(engine: str, size: int, index: Path, db: Path, n: int, anchor: Path) -> dict:
    """Ours and the anchor alternated query by query, in one worker-like process."""
    import tantivy

    from isodoc import search
    from isodoc.search.base import Filters

    app = app_for(engine, index, db)
    qs = queries(n, size)
    ours: list[tuple[float, int]] = []
    with app.test_request_context():
        f = Filters(on=20261125, prefer_agencies=["xa-007"])
        for q in qs[:20]:  # warm-up: open files, caches
            search.search(q, f)
        for q in qs:
            started = time.perf_counter()
            results = search.search(q, f)
            ours.append(((time.perf_counter() - started) * 1000, results.total))
        # the worker's memory, before the anchor index is opened in this process
        memory = {"rss": status_mb("VmRSS"), "anon": status_mb("RssAnon"),
                  "file": status_mb("RssFile")}
        ix = tantivy.Index(anchor_schema(), path=str(anchor))
        ix.reload()
        fields = ["title", "body", "code", "tthc"]

        def plain(q: str) -> tuple[float, int]:
            started = time.perf_counter()
            searcher = ix.searcher()
            found = searcher.search(ix.parse_query(q, fields), limit=10, count=True)
            for _, address in found.hits:  # a result page shows its hits
                searcher.doc(address).to_dict()
            return (time.perf_counter() - started) * 1000, found.count or 0

        for q in qs[:20]:
            plain(q)
        ours, theirs = [], []
        for q in qs:  # alternated: load on the machine hits both alike
            started = time.perf_counter()
            results = search.search(q, f)
            ours.append(((time.perf_counter() - started) * 1000, results.total))
            theirs.append(plain(q))
    both = [i for i in range(len(qs)) if ours[i][1] and theirs[i][1]]
    mine = sorted(ours[i][0] for i in both)
    anchor_ms = sorted(theirs[i][0] for i in both)
    return {"p50": percentile(mine, 50), "p95": percentile(mine, 95),
            "anchor_p50": percentile(anchor_ms, 50), "anchor_p95": percentile(anchor_ms, 95),
            "all_p50": percentile(sorted(t for t, _ in ours), 50),
            "all_p95": percentile(sorted(t for t, _ in ours), 95),
            "counted": len(both), "n": len(qs),
            "no_hit": sum(1 for _, total in ours if not total), **memory}


def percentile(ordered: list[float], p: int) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(len(ordered) * p / 100) - 1))]


def child(args) -> None:
    index, db = Path(args.index), Path(args.db)
    if args.child == "build":
        out = build(args.engine, args.size, index, db)
    elif args.child == "anchor":
        out = {"build_s": build_anchor(args.size, Path(args.anchor)), "corpus_s": MADE_IN[-1]}
    else:
        out = query(args.engine, args.size, index, db, args.queries, Path(args.anchor))
    print(json.dumps(out))


def run_child(kind: str, engine: str, size: int, index: Path, db: Path, n: int,
              anchor: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, "--engine", engine,
                          "--size", str(size), "--index", str(index), "--db", str(db),
                          "--queries", str(n), "--anchor", str(anchor)],
                         capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"bench/search.py {kind} {engine} {size} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def one_round(tmp: Path, engine: str, size: int, n: int) -> dict:
    index, db, anchor = tmp / "ours" / "index", tmp / "ours.db", tmp / "anchor"
    index.mkdir(parents=True)
    try:
        log(f"{engine} {size}: building the index…")
        built = run_child("build", engine, size, index, db, n, anchor)
        log(f"{engine} {size}: building the plain tantivy anchor…")
        plain = run_child("anchor", engine, size, index, db, n, anchor)
        log(f"{engine} {size}: {built['build_s']:.1f} s vs {plain['build_s']:.1f} s; "
            "querying…")
        asked = run_child("query", engine, size, index, db, n, anchor)
    finally:
        shutil.rmtree(index.parent, ignore_errors=True)
        shutil.rmtree(anchor, ignore_errors=True)
        db.unlink(missing_ok=True)
    return {**asked, "build_s": built["build_s"], "index_mb": built["index_mb"],
            "anchor_build_s": plain["build_s"],
            "corpus_s": (built["corpus_s"] + plain["corpus_s"]) / 2}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def median_of(rounds: list[dict]) -> dict:
    return {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}


def rows_for(size: int, engine: str, m: dict) -> list[dict]:
    """Figure, anchor, ratio, goal (ratio ≤ goal), as `make bench` prints them."""
    label = f"search {size // 1000}k" if size >= 1000 else f"search {size}"
    if engine != "tantivy":
        label += f" ({engine})"
    return [
        {"figure": f"{label}: p50 ms", "value": m["p50"], "anchor": m["anchor_p50"],
         "goal": 4.0, "unit": "ms"},
        {"figure": f"{label}: p95 ms", "value": m["p95"], "anchor": m["anchor_p95"],
         "goal": 3.0, "unit": "ms"},
        # as the issue measured it: each build fed by the corpus generator (a reindex
        # reads its documents from somewhere; here both pay the same for it)
        {"figure": f"{label}: reindex s", "value": m["build_s"] + m["corpus_s"],
         "anchor": m["anchor_build_s"] + m["corpus_s"], "goal": 2.0, "unit": "s"},
        # stricter: from documents already in memory, the analysis against Rust alone
        {"figure": f"{label}: reindex s, docs in RAM", "value": m["build_s"],
         "anchor": m["anchor_build_s"], "goal": 2.0, "unit": "s"},
        {"figure": f"{label}: worker RSS MB", "value": m["rss"], "anchor": 200.0, "goal": 1.0,
         "unit": "MB"},
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=os.environ.get("ISODOC_BENCH_SEARCH_SIZES", "2000"))
    parser.add_argument("--engines", default="tantivy")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--rounds", type=int,
                        default=int(os.environ.get("ISODOC_BENCH_ROUNDS", "1")))
    parser.add_argument("--child"), parser.add_argument("--engine")
    parser.add_argument("--size", type=int), parser.add_argument("--index")
    parser.add_argument("--db"), parser.add_argument("--anchor")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    results = []
    tmp = Path(tempfile.mkdtemp(prefix="isodoc-search-bench-"))
    try:
        for size in [int(s) for s in args.sizes.split(",")]:
            for engine in args.engines.split(","):
                rounds = []
                for r in range(args.rounds):
                    if args.rounds > 1:
                        log(f"round {r + 1}/{args.rounds}")
                    rounds.append(one_round(tmp, engine, size, args.queries))
                results.append((size, engine, median_of(rounds), args.rounds))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\nisodoc search against plain tantivy-py, same corpus and queries, same run "
          "(synthetic Vietnamese, ~3 KB a document)")
    print(f"{'docs':>7} {'engine':<8}{'rounds':>7}{'p50 ms':>8}{'anchor':>8}{'p95 ms':>8}"
          f"{'anchor':>8}{'counted':>9}{'reindex s':>10}{'anchor':>8}{'corpus s':>9}{'index MB':>9}"
          f"{'RSS MB':>8}{'anon':>6}{'file':>6}")
    for size, engine, m, n in results:
        print(f"{size:>7} {engine:<8}{n:>7}{m['p50']:>8.2f}{m['anchor_p50']:>8.2f}"
              f"{m['p95']:>8.2f}{m['anchor_p95']:>8.2f}"
              f"{int(m['counted']):>5}/{int(m['n']):<3}{m['build_s']:>10.1f}"
              f"{m['anchor_build_s']:>8.1f}{m['corpus_s']:>9.1f}{m['index_mb']:>9.1f}"
              f"{m['rss']:>8.0f}"
              f"{m['anon']:>6.0f}{m['file']:>6.0f}")
    print("(p50/p95 over the queries that find something in both; all queries: "
          + ", ".join(f"{size} {engine} p50 {m['all_p50']:.2f} p95 {m['all_p95']:.2f} ms"
                      for size, engine, m, _ in results) + ")\n")
    rows = [row for size, engine, m, _ in results for row in rows_for(size, engine, m)]
    from summary import print_rows, write_rows

    print_rows(rows)
    write_rows("search", rows)


if __name__ == "__main__":
    main()
