"""Search benchmark: both engines side by side on a synthetic Vietnamese corpus.

    .venv/bin/python bench/search.py [--sizes 1000,10000,50000] [--queries 300]

For each size and engine, a fresh process builds the index (docs/s, index MB), then
another fresh process — a gunicorn worker's view — opens it and runs the query set
through the real search service (analysis, engine, facets, highlights): p50/p95/max
and its RSS. Prints one table and the ratio between the engines. Figures, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
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


def rss_mb() -> tuple[float, float]:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return status_mb("VmRSS"), peak


def build(engine: str, size: int, index: Path, db: Path) -> dict:
    from isodoc import migrate, search

    app = app_for(engine, index, db)
    migrate.upgrade(app)
    with app.app_context():
        eng = search.engine()
        eng.clear()
        started = time.perf_counter()

        def batches():  # what `isodoc reindex` feeds the engine: batches, one commit
            batch = []
            for doc in corpus(size):
                batch.append(doc)
                if len(batch) == 200:
                    yield batch
                    batch = []
            if batch:
                yield batch

        eng.rebuild(batches())
        seconds = time.perf_counter() - started
    mb = sum(f.stat().st_size for f in index.rglob("*") if f.is_file()) / 1e6
    return {"build_s": seconds, "docs_per_s": size / seconds, "index_mb": mb,
            "build_rss": rss_mb()[1]}


def query(engine: str, size: int, index: Path, db: Path, n: int) -> dict:
    from isodoc import search
    from isodoc.search.base import Filters

    app = app_for(engine, index, db)
    qs = queries(n, size)
    times = []
    with app.test_request_context():
        f = Filters(on=20261125, prefer_agencies=["xa-007"])
        for q in qs[:10]:  # warm-up: open files, caches
            search.search(q, f)
        empty = 0
        for q in qs:
            started = time.perf_counter()
            results = search.search(q, f)
            times.append((time.perf_counter() - started) * 1000)
            empty += results.total == 0
    ordered = sorted(times)
    current, peak = rss_mb()
    # RssFile is mostly the index's memory-mapped pages: page cache, shared by the workers
    # and reclaimable; RssAnon is what the worker holds privately.
    return {"p50": statistics.median(ordered), "p95": ordered[int(len(ordered) * 0.95) - 1],
            "max": ordered[-1], "rss": current, "rss_peak": peak, "anon": status_mb("RssAnon"),
            "file": status_mb("RssFile"), "empty": empty, "n": len(qs)}


def child(args) -> None:
    index, db = Path(args.index), Path(args.db)
    fn = build if args.child == "build" else query
    extra = (args.queries,) if args.child == "query" else ()
    print(json.dumps(fn(args.engine, args.size, index, db, *extra)))


def run_child(kind: str, engine: str, size: int, index: Path, db: Path, n: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, "--engine", engine,
                          "--size", str(size), "--index", str(index), "--db", str(db),
                          "--queries", str(n)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--engines", default="tantivy,whoosh")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--child"), parser.add_argument("--engine")
    parser.add_argument("--size", type=int), parser.add_argument("--index")
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="isodoc-search-bench-"))
    try:
        for size in [int(s) for s in args.sizes.split(",")]:
            for engine in args.engines.split(","):
                index, db = tmp / f"{engine}-{size}" / "index", tmp / f"{engine}-{size}.db"
                index.mkdir(parents=True)
                print(f"{engine} {size}: building…", file=sys.stderr)
                built = run_child("build", engine, size, index, db, args.queries)
                print(f"{engine} {size}: {built['docs_per_s']:.0f} docs/s; querying…",
                      file=sys.stderr)
                asked = run_child("query", engine, size, index, db, args.queries)
                rows.append((size, engine, built, asked))
                shutil.rmtree(index.parent)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\nisodoc search benchmark (synthetic Vietnamese corpus, ~3 KB per document; "
          "queries through the search service, with facets and highlights)\n")
    print("RSS of a fresh worker after the queries = anon (private) + file (mapped index "
          "pages and libraries, shared page cache)\n")
    print(f"{'docs':>7} {'engine':<8}{'build s':>9}{'docs/s':>9}{'index MB':>10}"
          f"{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'RSS MB':>8}{'anon':>6}{'file':>6}"
          f"{'no hit':>8}")
    for size, engine, b, q in rows:
        print(f"{size:>7} {engine:<8}{b['build_s']:>9.1f}{b['docs_per_s']:>9.0f}"
              f"{b['index_mb']:>10.1f}{q['p50']:>9.2f}{q['p95']:>9.2f}{q['max']:>9.1f}"
              f"{q['rss']:>8.0f}{q['anon']:>6.0f}{q['file']:>6.0f}{q['empty']:>8}")
    print()
    by = {(size, engine): (b, q) for size, engine, b, q in rows}
    for size in sorted({r[0] for r in rows}):
        if (size, "tantivy") in by and (size, "whoosh") in by:
            (tb, tq), (wb, wq) = by[(size, "tantivy")], by[(size, "whoosh")]
            build = tb["docs_per_s"] / wb["docs_per_s"]
            print(f"{size:>7} docs: whoosh/tantivy p50 ×{wq['p50'] / tq['p50']:.1f}, "
                  f"p95 ×{wq['p95'] / tq['p95']:.1f}, build ×{build:.1f} slower, "
                  f"RSS ×{wq['rss'] / tq['rss']:.1f}")
    sizes = sorted({r[0] for r in rows})
    for engine in args.engines.split(","):
        if (sizes[0], engine) in by and (sizes[-1], engine) in by and len(sizes) > 1:
            growth = by[(sizes[-1], engine)][1]["p95"] / by[(sizes[0], engine)][1]["p95"]
            print(f"{engine}: p95 grows ×{growth:.1f} from {sizes[0]} to {sizes[-1]} documents "
                  f"(×{sizes[-1] / sizes[0]:.0f} data)")


if __name__ == "__main__":
    main()
