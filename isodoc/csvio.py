"""CSV reading and writing shared by every import and export.

Exports are opened in spreadsheets: a cell starting with = + - @, a tab or a carriage
return would be read as a formula (OWASP "CSV injection"), so `write_rows` prefixes it
with a single quote. A cell that itself starts with a quote gets one too, so that
`read_rows` can take exactly one quote off such cells and an export reads back
unchanged (the registry round-trips its own export)."""

from __future__ import annotations

import csv
import io

from isodoc.errors import InvalidInput
from isodoc.i18n import _
from isodoc.textnorm import nfc

MAX_ROWS = 20000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet must show it: never as a formula."""
    return QUOTE + cell if cell.startswith((*FORMULA_START, QUOTE)) else cell


def unneutralise(cell: str) -> str:
    """The inverse of `neutralise` for cells written by it."""
    if cell.startswith(QUOTE) and cell[1:].startswith((*FORMULA_START, QUOTE)):
        return cell[1:]
    return cell


def read_rows(data: bytes, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Decode UTF-8 (with or without BOM) CSV into (line number, NFC row) pairs."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(_("Tệp CSV phải dùng mã UTF-8 (Excel: «CSV UTF-8»).")) from exc
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [nfc(h).lower() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise InvalidInput(_("Tệp CSV thiếu cột: %(columns)s.", columns=", ".join(missing)))
    reader.fieldnames = header
    rows = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            raise InvalidInput(_("Tệp CSV quá lớn (tối đa %(n)s dòng).", n=MAX_ROWS))
        if None in row:
            raise InvalidInput(_("Dòng %(line)s: có nhiều ô hơn tiêu đề.", line=reader.line_num))
        clean = {k: nfc(unneutralise(v)) for k, v in row.items()}
        if any(clean.values()):
            rows.append((reader.line_num, clean))
    if not rows:
        raise InvalidInput(_("Tệp CSV không có dòng dữ liệu nào."))
    return rows


def write_rows(header: list[str], rows: list[list[str]]) -> bytes:
    """UTF-8 with BOM so that Excel opens Vietnamese names correctly; no cell can be
    taken for a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(str(h)) for h in header])
    writer.writerows([neutralise(str(c)) for c in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")
