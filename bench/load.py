"""Load benchmark on loopback: isodoc under gunicorn as `make run` serves it, against a bare
Flask + SQLAlchemy + Jinja page from SQLite under the same gunicorn settings, in the same run.

    .venv/bin/python bench/load.py [--users 50] [--seconds 60] [--rounds 3] [--only API,QT-01]
                                   [--documents 50000]

A temporary instance is seeded with the demo (`isodoc serve` migrates, repairs and seeds
it, then execs gunicorn with 2 workers, exactly as `make run` does). One demo account
signs in once and its session cookie is reused by every simulated user. Each page of the
mix (a document page, a search, the register) is loaded by N concurrent users, each run
followed by a run of the bare page of the same length (isodoc and bare alternate), so
--seconds is split over the isodoc pages and the bare runs take as long again. `wrk` is
used when installed (apt-get install wrk), else a Python thread client. Prints req/s,
p50/p95/p99 latency and errors per page, and each page's req/s as a share of the bare
page's; with --rounds N, N alternated rounds and their medians, with p99 as a multiple of
the bare page's. The API page signs in with a personal token (`isodoc user token`).
With --documents N the demo province is first grown to N more issued documents
(bench/grow.py: real commits and rows, then `isodoc reindex`), so the search page and
the register are measured on a province of that size. With ISODOC_BENCH_SUMMARY set
(`make bench`), the headline rows are appended there: each page's req/s as a share of
the bare page's against the issue's goal (50% for the document page, the API document
and home; 25% for search on a grown province), p99 as a multiple of the bare page's
(≤ 4), and the errors (none allowed). Figures, not a test; nothing leaves 127.0.0.1.

    .venv/bin/python bench/load.py --nodes 2 --database-url postgresql://…/bench

Two nodes (issue 16): `isodoc serve --node a` and `--node b` on two ports, one instance
folder (git store, attachments), one PostgreSQL database — EMPTIED first, give a
database of its own. Each page is loaded by N users on node A alone, then by N users
split over A and B at once; prints one node's req/s beside the two nodes' combined
req/s (on one machine the nodes share its cores: the figure shows what a second node
costs and what it adds there, not what a second host would add).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "bench-mat-khau-2026"
USER = "stp.congchuc"
PAGES = [  # name, path, the goal for req/s as a share of the bare page's
    ("trang tài liệu QT-01", "/agencies/so-tu-phap/documents/qt-01"),
    ("API tài liệu QT-01", "/api/v1/agencies/so-tu-phap/documents/qt-01"),
    ("trang chủ", "/"),
    ("lịch sử QT-01", "/agencies/so-tu-phap/documents/qt-01/history"),
    ("tìm kiếm «chứng thực»", "/search/?q=" + urllib.parse.quote("chứng thực")),
    ("danh mục tài liệu", "/agencies/so-tu-phap/documents/"),
]
SHARE_GOALS = {"/agencies/so-tu-phap/documents/qt-01": 0.5,
               "/api/v1/agencies/so-tu-phap/documents/qt-01": 0.5, "/": 0.5}
SEARCH_SHARE_GOAL = 0.25  # on a grown province only: the demo's search finds one document
P99_GOAL = 4.0
BARE_APP = '''
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
app = Flask(__name__)
engine = create_engine(f"sqlite:///{HERE / 'bare.sqlite3'}")
PAGE = app.jinja_env.from_string("""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>{{ title }}</title>
<link rel="stylesheet" href="/static/style.css"></head><body><header><nav>
{% for i in range(12) %}<a href="/m/{{ i }}">Mục {{ i }}</a> {% endfor %}</nav></header>
<main><h1>{{ title }}</h1><table><thead><tr><th>Mã</th><th>Tên</th><th>Loại</th>
<th>Hiệu lực</th><th>Trạng thái</th></tr></thead><tbody>
{% for r in rows %}<tr><td>{{ r[0] }}</td><td><a href="/d/{{ r[0] }}">{{ r[1] }}</a></td>
<td>{{ r[2] }}</td><td>{{ r[3] }}</td><td>{{ r[4] }}</td></tr>{% endfor %}
</tbody></table><article>{{ body }}</article></main><footer>ISO điện tử</footer></body></html>""")


@app.route("/")
def page():
    # Flask + SQLAlchemy + Jinja, the template compiled once as Flask's loader does
    with engine.connect() as db:
        rows = db.execute(text("SELECT code, title, kind, effective, status FROM doc "
                               "ORDER BY code")).all()
        body = db.execute(text("SELECT body FROM doc WHERE code = 'QT-01'")).scalar_one()
    return PAGE.render(title="Danh mục tài liệu", rows=rows, body=body)
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback)
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not start")


def make_bare(folder: Path) -> None:
    import sqlite3

    (folder / "bare_app.py").write_text(BARE_APP, encoding="utf-8")
    body = "Quy trình kiểm soát tài liệu của cơ quan hành chính nhà nước. " * 120
    with sqlite3.connect(folder / "bare.sqlite3") as db:
        db.execute("CREATE TABLE doc (code TEXT PRIMARY KEY, title TEXT, kind TEXT, "
                   "effective TEXT, status TEXT, body TEXT)")
        db.executemany("INSERT INTO doc VALUES (?, ?, ?, ?, ?, ?)", [
            (f"QT-{i:02d}", f"Quy trình số {i} về giải quyết thủ tục hành chính", "Nội bộ",
             "26/11/2026", "Đang hiệu lực", body) for i in range(1, 41)])


def sign_in(base: str) -> str:
    """Sign in once; the session cookie is then shared by every simulated user."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": USER, "password": PASSWORD,
                                   "csrf_token": token}).encode()
    opener.open(base + "/login", data=data)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    request = urllib.request.Request(base + "/account", headers={"Cookie": cookie})  # noqa: S310
    with urllib.request.urlopen(request) as response:  # noqa: S310 (loopback)
        if "/login" in response.url:
            raise SystemExit("sign-in failed")
    return cookie


WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d,'
    .. ' "p99": %d, "errors": %d}\\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""


def header(auth: str) -> tuple[str, str]:
    """A session cookie, or an `Authorization: …` header as given."""
    if auth.startswith("Authorization: "):
        return "Authorization", auth.split(": ", 1)[1]
    return "Cookie", auth


def run_wrk(url: str, cookie: str, users: int, seconds: float, folder: Path) -> dict:
    script = folder / "report.lua"
    script.write_text(WRK_SCRIPT)
    threads = max(1, min(users, os.cpu_count() or 1))
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{users}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
         "-s", str(script), "-H", ": ".join(header(cookie)), url],
        capture_output=True, text=True, check=True).stdout
    found = json.loads(out.split("RESULT ", 1)[1].splitlines()[0])
    return {"rps": found["requests"] / (found["duration_us"] / 1e6),
            "p50": found["p50"] / 1000, "p95": found["p95"] / 1000,
            "p99": found["p99"] / 1000, "errors": found["errors"],
            "requests": found["requests"]}


def run_threads(url: str, cookie: str, users: int, seconds: float, _folder: Path) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def user() -> None:
        request = urllib.request.Request(url, headers=dict([header(cookie)]))  # noqa: S310
        while time.monotonic() < stop:
            began = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    response.read()
                    ok = response.status < 400
            except OSError:
                ok = False
            with lock:
                latencies.append((time.perf_counter() - began) * 1000)
                errors[0] += not ok

    started = time.monotonic()
    workers = [threading.Thread(target=user) for _ in range(users)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    return {"rps": len(latencies) / elapsed, "p50": cuts[49], "p95": cuts[94],
            "p99": cuts[98], "errors": errors[0], "requests": len(latencies)}


def start(command: list[str], cwd: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def write_summary(rows: dict[str, list[tuple[dict, dict]]], paths: dict[str, str],
                  documents: int) -> None:
    """The headline rows for `make bench` (bench/summary.py): medians over the rounds."""
    sys.path.insert(0, str(ROOT / "bench"))
    from summary import write_rows

    med = statistics.median
    size = f" ({documents} tài liệu thêm)" if documents else ""
    out = []
    for name, runs in rows.items():
        path = paths[name]
        goal = SHARE_GOALS.get(path) or (SEARCH_SHARE_GOAL if documents and
                                         path.startswith("/search/") else None)
        if goal:
            out.append({"figure": f"{name}{size}: req/s", "unit": "req/s", "higher": True,
                        "value": med(r[0]["rps"] for r in runs),
                        "anchor": med(r[1]["rps"] for r in runs), "goal": goal})
        out.append({"figure": f"{name}{size}: p99 ms", "unit": "ms", "goal": P99_GOAL,
                    "value": med(r[0]["p99"] for r in runs),
                    "anchor": med(r[1]["p99"] for r in runs)})
    out.append({"figure": f"lỗi dưới tải{size}", "unit": "", "goal": 0,
                "value": sum(r[0]["errors"] for runs in rows.values() for r in runs),
                "anchor": 1})
    write_rows("load", out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=1,
                        help="alternated rounds; medians are printed")
    parser.add_argument("--only", default="",
                        help="comma-separated parts of page names or paths to load")
    parser.add_argument("--seconds", type=float, default=60,
                        help="time on isodoc pages (the bare runs take as long again)")
    parser.add_argument("--documents", type=int, default=0,
                        help="grow the demo province by this many issued documents first")
    parser.add_argument("--nodes", type=int, default=1, choices=(1, 2),
                        help="2: one node against two nodes on one PostgreSQL")
    parser.add_argument("--database-url", default="",
                        help="with --nodes 2: a PostgreSQL database of its own (emptied)")
    args = parser.parse_args()
    if args.nodes == 2:
        return two_nodes(args)
    load = run_wrk if shutil.which("wrk") else run_threads
    folder = Path(tempfile.mkdtemp(prefix="isodoc-load-"))
    env = {**os.environ, "ISODOC_INSTANCE_PATH": str(folder / "instance"),
           "ISODOC_DEMO_PASSWORD": PASSWORD}
    env.pop("ISODOC_DATABASE_URL", None)  # the temporary instance's own SQLite
    app_port, bare_port = free_port(), free_port()
    make_bare(folder)
    print(f"Khởi tạo phiên bản tạm với dữ liệu demo tại {folder} …", flush=True)
    if args.documents:
        for step in (["init"], ["demo", "--if-empty"]):
            subprocess.run([str(BIN / "isodoc"), *step], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL)
        print(f"Thêm {args.documents} tài liệu đã ban hành (bench/grow.py) …", flush=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "grow.py"), "--documents",
                        str(args.documents)], cwd=ROOT, env=env, check=True)
    servers = [start([str(BIN / "isodoc"), "serve", "--port", str(app_port)], ROOT, env)]
    try:
        # the same gunicorn settings as `isodoc serve` (see isodoc/cli.py)
        servers.append(start([str(BIN / "gunicorn"), "--workers", "2", "--bind",
                              f"127.0.0.1:{bare_port}", "--access-logfile", "-", "bare_app:app"],
                             folder, env))
        base, bare = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{bare_port}/"
        wait_for(base + "/healthz", 300)
        wait_for(bare)
        cookie = sign_in(base)
        token = subprocess.run([str(BIN / "isodoc"), "user", "token", USER], cwd=ROOT, env=env,
                               capture_output=True, text=True, check=True).stdout.strip()
        wanted = [w for w in args.only.split(",") if w]
        pages = [(name, path) for name, path in PAGES
                 if not wanted or any(w in name or w in path for w in wanted)]
        each = args.seconds / len(pages)
        print(f"{args.users} người dùng đồng thời, {each:.1f} s mỗi lượt, {args.rounds} vòng, "
              f"công cụ: {'wrk' if load is run_wrk else 'luồng Python'}\n", flush=True)

        def auth(path: str) -> str:
            return f"Authorization: Bearer {token}" if path.startswith("/api/") else cookie

        for _name, path in pages:
            load(base + path, auth(path), args.users, min(2, each), folder)  # warm up
        load(bare, "", args.users, min(2, each), folder)
        rows: dict[str, list[tuple[dict, dict]]] = {name: [] for name, _ in pages}
        for _ in range(args.rounds):
            for name, path in pages:
                measured = load(base + path, auth(path), args.users, each, folder)
                baseline = load(bare, "", args.users, each, folder)
                rows[name].append((measured, baseline))
        med = statistics.median
        print(f"{'trang':<24}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'lỗi':>5}"
              f"{'trần req/s':>11}{'trần p99':>9}{'so với trần':>12}{'p99 / trần':>11}")
        for name, runs in rows.items():
            m = {k: med(r[0][k] for r in runs) for k in ("rps", "p50", "p95", "p99")}
            b = {k: med(r[1][k] for r in runs) for k in ("rps", "p99")}
            share = med(r[0]["rps"] / r[1]["rps"] for r in runs)
            tail = med(r[0]["p99"] / max(r[1]["p99"], 0.001) for r in runs)
            print(f"{name:<24}{m['rps']:>8.1f}{m['p50']:>8.1f}{m['p95']:>8.1f}{m['p99']:>8.1f}"
                  f"{sum(r[0]['errors'] for r in runs):>5}{b['rps']:>11.1f}{b['p99']:>9.1f}"
                  f"{share:>12.1%}{tail:>10.2f}×")
        if args.rounds > 1:
            print(f"(trung vị của {args.rounds} vòng xen kẽ isodoc / trang trần)")
        write_summary(rows, dict(pages), args.documents)
    finally:
        for server in servers:
            stop(server)
        shutil.rmtree(folder, ignore_errors=True)


def empty_database(url: str, env: dict) -> None:
    code = ("from isodoc import create_app, migrate; "
            "migrate.drop_everything(create_app())")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, "ISODOC_DATABASE_URL": url},
                   check=True)


def two_nodes(args) -> None:
    if not args.database_url.startswith(("postgresql", "postgres")):
        raise SystemExit("--nodes 2 cần --database-url postgresql://… (một CSDL riêng, sẽ bị "
                         "xoá sạch)")
    load = run_wrk if shutil.which("wrk") else run_threads
    folder = Path(tempfile.mkdtemp(prefix="isodoc-nodes-"))
    env = {**os.environ, "ISODOC_INSTANCE_PATH": str(folder / "instance"),
           "ISODOC_DEMO_PASSWORD": PASSWORD, "ISODOC_DATABASE_URL": args.database_url,
           "ISODOC_SECRET_KEY": "bench-two-nodes"}
    env.pop("ISODOC_INDEX_PATH", None)
    env.pop("ISODOC_NODE", None)
    empty_database(args.database_url, env)
    ports = {"a": free_port(), "b": free_port()}
    print(f"Hai nút trên một CSDL PostgreSQL, thư mục {folder} …", flush=True)
    servers = []
    try:
        for node in ("a", "b"):  # a migrates and seeds; b finds it done
            servers.append(start([str(BIN / "isodoc"), "serve", "--node", node, "--port",
                                  str(ports[node])], ROOT, env))
            wait_for(f"http://127.0.0.1:{ports[node]}/healthz", 300)
        bases = [f"http://127.0.0.1:{ports[n]}" for n in ("a", "b")]
        cookie = sign_in(bases[0])  # signed cookies: the session works on both nodes
        token = subprocess.run([str(BIN / "isodoc"), "user", "token", USER], cwd=ROOT, env=env,
                               capture_output=True, text=True, check=True).stdout.strip()
        wanted = [w for w in args.only.split(",") if w]
        pages = [(name, path) for name, path in PAGES
                 if not wanted or any(w in name or w in path for w in wanted)]
        each = args.seconds / len(pages) / 2
        own = [folder / f"load-{n}" for n in ("a", "b")]  # wrk's script, one per client
        for f in own:
            f.mkdir()
        half = max(1, args.users // 2)
        print(f"{args.users} người dùng đồng thời, {each:.1f} s mỗi lượt, {args.rounds} vòng, "
              f"công cụ: {'wrk' if load is run_wrk else 'luồng Python'}\n", flush=True)

        def auth(path: str) -> str:
            return f"Authorization: Bearer {token}" if path.startswith("/api/") else cookie

        def both(path: str, seconds: float) -> dict:
            results: list[dict] = []
            threads = [threading.Thread(target=lambda b=b, f=f: results.append(
                load(b + path, auth(path), half, seconds, f)))
                for b, f in zip(bases, own, strict=True)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if len(results) != 2:
                raise SystemExit("a load client failed (see above)")
            return {"rps": sum(r["rps"] for r in results),
                    "p95": max(r["p95"] for r in results),
                    "errors": sum(r["errors"] for r in results)}

        for _name, path in pages:  # warm up both nodes
            both(path, min(2, each))
        rows: dict[str, list[tuple[dict, dict]]] = {name: [] for name, _ in pages}
        for _ in range(args.rounds):
            for name, path in pages:
                one = load(bases[0] + path, auth(path), args.users, each, folder)
                rows[name].append((one, both(path, each)))
        med = statistics.median
        print(f"{'trang':<24}{'1 nút req/s':>12}{'p95 ms':>8}{'2 nút req/s':>12}{'p95 ms':>8}"
              f"{'lỗi':>5}{'2 nút / 1 nút':>15}")
        for name, runs in rows.items():
            one = {k: med(r[0][k] for r in runs) for k in ("rps", "p95")}
            two = {k: med(r[1][k] for r in runs) for k in ("rps", "p95")}
            errors = sum(r[0]["errors"] + r[1]["errors"] for r in runs)
            print(f"{name:<24}{one['rps']:>12.1f}{one['p95']:>8.1f}{two['rps']:>12.1f}"
                  f"{two['p95']:>8.1f}{errors:>5}{two['rps'] / one['rps']:>14.2f}×")
        print(f"(trung vị của {args.rounds} vòng; {os.cpu_count()} lõi dùng chung cho cả hai "
              "nút và máy tạo tải)")
    finally:
        for server in servers:
            stop(server)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
