"""The document register renders one page of rows at a time (bounded work per request);
the exports still take every filtered row."""

from __future__ import annotations

import re

from isodoc import demo, search
from isodoc.documents import views
from isodoc.extensions import db
from tests.conftest import login

PASSWORD = "mat-khau-demo-2026"
REGISTER = "/agencies/so-tu-phap/documents/"


def codes(page: str) -> list[str]:
    return re.findall(r'<td><a href="/agencies/so-tu-phap/documents/[^"]+">([^<]+)</a></td>',
                      page)


def test_register_pages_keep_the_filters_and_exports_stay_whole(app, monkeypatch):
    with app.app_context():
        demo.seed(PASSWORD)
        db.session.commit()
        search.drain()
    client = app.test_client()
    login(client, "stp.thuky", PASSWORD)
    everything = codes(client.get(REGISTER).get_data(as_text=True))
    assert len(everything) > 3
    monkeypatch.setattr(views, "REGISTER_PAGE", 2)
    first = client.get(REGISTER + "?sort=code").get_data(as_text=True)
    assert codes(first) == sorted(everything)[:2]
    pages = -(-len(everything) // 2)
    assert f"Trang 1/{pages} · {len(everything)} tài liệu" in first
    assert "page=2" in first and "sort=code" in first.split("page=2")[0].rsplit("href", 1)[1]
    second = client.get(REGISTER + "?sort=code&page=2").get_data(as_text=True)
    assert codes(second) == sorted(everything)[2:4] and "‹ Trước" in second
    refused = client.get(REGISTER + "?page=0")
    assert refused.status_code == 400
    assert "Số trang phải là số nguyên" in refused.get_data(as_text=True)
    assert client.get(REGISTER + "?page=99999999999").status_code == 400
    csv = client.get(REGISTER + "export.csv?sort=code&page=2").get_data(as_text=True)
    assert all(code in csv for code in everything)  # the export is not paged
