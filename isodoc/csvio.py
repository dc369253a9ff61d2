"""CSV reading and writing shared by the registry and people imports."""

from __future__ import annotations

import csv
import io

from isodoc.errors import InvalidInput
from isodoc.textnorm import nfc

MAX_ROWS = 20000


def read_rows(data: bytes, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Decode UTF-8 (with or without BOM) CSV into (line number, NFC row) pairs."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("Tệp CSV phải dùng mã UTF-8 (Excel: «CSV UTF-8»).") from exc
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [nfc(h).lower() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise InvalidInput(f"Tệp CSV thiếu cột: {', '.join(missing)}.")
    reader.fieldnames = header
    rows = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            raise InvalidInput(f"Tệp CSV quá lớn (tối đa {MAX_ROWS} dòng).")
        if None in row:
            raise InvalidInput(f"Dòng {reader.line_num}: có nhiều ô hơn tiêu đề.")
        clean = {k: nfc(v) for k, v in row.items()}
        if any(clean.values()):
            rows.append((reader.line_num, clean))
    if not rows:
        raise InvalidInput("Tệp CSV không có dòng dữ liệu nào.")
    return rows


def write_rows(header: list[str], rows: list[list[str]]) -> bytes:
    """UTF-8 with BOM so that Excel opens Vietnamese names correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")
