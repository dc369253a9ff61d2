"""Benchmark of the province TTHC coverage page (prints figures).

    .venv/bin/python bench/coverage.py [--tthc 2000] [--rounds 15]

Builds, in a temporary SQLite instance, the demo registry (Điện Biên: UBND tỉnh, its
departments and units, 10 districts and 130 communes: ~168 agencies), a catalog of
`--tthc` TTHC split between the three levels (province-level ones mapped to the
departments), and issued procedures in force covering about half of what each agency
must cover (a tenth of them made stale by a later catalog change). Then times GET
/tthc/coverage as the overseer sees it (the four aggregate queries, the counting and
the page's rendering). Goal: under 200 ms. Not a test: figures vary with the machine.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tthc", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    from sqlalchemy import select

    from isodoc import create_app, migrate
    from isodoc.agencies import registry_csv
    from isodoc.agencies.models import Agency, AgencyKind
    from isodoc.auth import services as auth
    from isodoc.auth.models import Role
    from isodoc.demo import registry_file
    from isodoc.documents.models import Document, Revision
    from isodoc.extensions import db
    from isodoc.policy import SYSTEM
    from isodoc.textnorm import fold
    from isodoc.timeutil import utcnow
    from isodoc.tthc.models import Tthc, TthcBody, TthcBodyMap

    tmp = Path(tempfile.mkdtemp(prefix="isodoc-bench-coverage-"))
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp), "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
                      "WTF_CSRF_ENABLED": False,
                      "ISODOC_ARGON2": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}})
    migrate.upgrade(app)
    rng = random.Random(7)
    with app.app_context():
        registry_csv.import_csv(registry_file(), SYSTEM)
        agencies = db.session.scalars(select(Agency)).all()
        user, _ = auth.create_user("sokhcn", "Sở KH&CN", SYSTEM, password="mat-khau-bench-1")
        auth.add_membership(user, SYSTEM, next(a for a in agencies if a.parent_id is None),
                            Role.OVERSEER)
        departments = [a for a in agencies if a.kind in (AgencyKind.DEPARTMENT,
                                                         AgencyKind.SUB_DEPARTMENT)]
        maps = [TthcBodyMap(key=fold(a.name), name=a.name, agency=a) for a in departments]
        db.session.add_all(maps)
        levels = ["tinh"] * (args.tthc * 6 // 10) + ["huyen"] * (args.tthc * 25 // 100)
        levels += ["xa"] * (args.tthc - len(levels))
        tthcs = []
        for i, level in enumerate(levels):
            t = Tthc(code=f"{1 + i // 999999}.{i % 999999:06d}", name=f"Thủ tục {i}",
                     field=f"Lĩnh vực {i % 40}", at_province=level == "tinh",
                     at_district=level == "huyen", at_commune=level == "xa",
                     search_key=f"thu tuc {i}")
            if level == "tinh":
                t.bodies.append(TthcBody(body=rng.choice(maps)))
            tthcs.append(t)
        db.session.add_all(tthcs)
        db.session.flush()
        must = {a.id: [] for a in agencies}
        for t in tthcs:
            if t.at_province:
                must[t.bodies[0].body.agency_id].append(t)
        for a in agencies:
            if a.kind == AgencyKind.COMMUNE:
                must[a.id] = [t for t in tthcs if t.at_commune]
            elif a.kind == AgencyKind.DISTRICT:
                must[a.id] = [t for t in tthcs if t.at_district]
        author = user
        start = date.today() - timedelta(days=400)
        procedures = 0
        for a in agencies:
            for t in rng.sample(must[a.id], len(must[a.id]) // 2):
                doc = Document(agency=a, code=f"QT-{t.code}", slug=f"qt-{t.code}".replace(".", "-"),
                               title=t.name, kind="tthc", tthc_code=t.code)
                doc.revisions.append(Revision(seq=1, number=1, state="issued", author=author,
                                              title=t.name, kind="tthc", tthc_code=t.code,
                                              effective_date=start, issued_at=utcnow() -
                                              timedelta(days=400)))
                db.session.add(doc)
                procedures += 1
                if rng.random() < 0.1:
                    t.changed_at, t.change_note = utcnow(), "Thời hạn: 5 → 3 ngày"
        db.session.commit()
        print(f"{len(agencies)} đơn vị, {len(tthcs)} TTHC, {procedures} quy trình đang hiệu lực")
    client = app.test_client()
    client.post("/login", data={"username": "sokhcn", "password": "mat-khau-bench-1"})
    assert client.get("/tthc/coverage").status_code == 200  # warm up
    times = []
    for _ in range(args.rounds):
        began = time.perf_counter()
        response = client.get("/tthc/coverage")
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    times.sort()
    print(f"GET /tthc/coverage: trung vị {statistics.median(times):.1f} ms, "
          f"nhỏ nhất {times[0]:.1f} ms, lớn nhất {times[-1]:.1f} ms "
          f"({args.rounds} lần; mục tiêu < 200 ms)")


if __name__ == "__main__":
    main()
