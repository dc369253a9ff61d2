"""Benchmark of the finding reports at province scale (prints figures).

    .venv/bin/python bench/findings.py [--findings 5000] [--samples 20]

Builds, in a temporary SQLite instance, the demo province (168 agencies, demo accounts)
and `--findings` findings spread over every agency, raised and moved along the
corrective-action steps by the real services; then times, through the web app as a
person would open them: the province report (Sở KH&CN overseer), its CSV, the API list,
the clause page for 7.5.3, one agency's management review, and "Việc của tôi" of a
secretary. Not a test: figures vary with the machine.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "bench-mat-khau-2026"
CLAUSES = ["7.5.3", "8.5.1", "8.2.1", "7.1.6", "9.1.2", "8.7.1", "6.1.2", "7.2", "10.2.1"]


def seed(app, n: int) -> None:
    from sqlalchemy import select

    from isodoc import demo
    from isodoc.agencies.models import Agency
    from isodoc.auth.services import get_user
    from isodoc.extensions import db
    from isodoc.findings import services
    from isodoc.findings.models import FindingSource, FindingType
    from isodoc.timeutil import today_local

    rng = random.Random(2026)
    with app.app_context():
        demo.seed(PASSWORD)
        db.session.commit()
        agencies = db.session.scalars(select(Agency)).all()
        raiser, auditor = get_user("stp.thuky"), get_user("stp.danhgia")
        owners = {"so-tu-phap": raiser, "dbp-him-lam": get_user("himlam.thuky")}
        today = today_local()
        for i in range(n):
            agency = agencies[i % len(agencies)]
            finding = services.raise_finding(agency, raiser, services.FindingInput(
                rng.choice(list(FindingType)), " ".join(rng.sample(CLAUSES, 2)),
                "Yêu cầu của quy trình", f"Phát hiện số {i}: hồ sơ trả chậm",
                source=FindingSource.COMPLAINT, source_note=f"PA-{i}"))
            # the demo agencies' findings move along; elsewhere nobody is there to act
            step = rng.randrange(4) if agency.code in owners else 0
            if step >= 1:
                owner = owners[agency.code]
                services.propose(finding, owner, correction="Sửa ngay", root_cause="Thiếu",
                                 whys="", action_plan="Bổ sung", owner=owner,
                                 due_date=today + timedelta(days=rng.randrange(1, 30)))
            if step >= 2:
                services.accept(finding, auditor, today)
            if step >= 3:
                finding.due_date = today - timedelta(days=3)  # some are overdue
            if i % 500 == 499:
                db.session.commit()
                print(f"  {i + 1} findings", file=sys.stderr)
        db.session.commit()


def timed(client, url: str, samples: int) -> tuple[float, float, int]:
    client.get(url)  # warm-up
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(response.data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=5000)
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    from isodoc import create_app, migrate
    from isodoc.auth.services import create_token, get_user
    from isodoc.extensions import db
    from isodoc.policy import SYSTEM

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ISODOC_SECRET_KEY"] = "bench"
        app = create_app({"INSTANCE_PATH": tmp, "SQLALCHEMY_DATABASE_URI":
                          f"sqlite:///{tmp}/bench.sqlite3", "WTF_CSRF_ENABLED": False,
                          "ISODOC_ARGON2": {"time_cost": 1, "memory_cost": 1024,
                                            "parallelism": 1},
                          "ISODOC_LOGIN_RATE_LIMIT": "10000 per minute"})
        migrate.upgrade(app)
        started = time.perf_counter()
        seed(app, args.findings)
        print(f"seeded {args.findings} findings in {time.perf_counter() - started:.0f} s")
        with app.app_context():
            token = create_token(get_user("sokhcn"), SYSTEM, "bench")
            db.session.commit()
        clients = {}
        for who in ("sokhcn", "stp.thuky"):
            clients[who] = app.test_client()
            clients[who].post("/login", data={"username": who, "password": PASSWORD})
        api = app.test_client()
        api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        rows = [
            ("province report (overseer)", clients["sokhcn"], "/reports/findings"),
            ("province report, overdue only", clients["sokhcn"], "/reports/findings?overdue=1"),
            ("CSV export, whole province", clients["sokhcn"], "/reports/findings?format=csv"),
            ("API /findings, whole province", api, "/api/v1/findings"),
            ("API /findings?clause=7.5", api, "/api/v1/findings?clause=7.5"),
            ("clause page 7.5.3", clients["sokhcn"], "/clauses/7.5.3"),
            ("management review, one agency", clients["stp.thuky"],
             "/agencies/so-tu-phap/management-review"),
            ("Việc của tôi (secretary)", clients["stp.thuky"], "/"),
        ]
        print(f"\n{'page':34} {'p50 ms':>8} {'p95 ms':>8} {'KB':>8}")
        for label, client, url in rows:
            p50, p95, size = timed(client, url, args.samples)
            print(f"{label:34} {p50:8.1f} {p95:8.1f} {size / 1024:8.0f}")


if __name__ == "__main__":
    main()
