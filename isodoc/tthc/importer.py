"""Reading a TTHC list (CSV or .xlsx) as the national database exports it.

Everything is bounded before parsing: the file's size, then its rows (counted while
reading, stopped at the limit). Headers are recognised folded (no diacritics, any case,
`_`/`-`/`/` as spaces) against synonyms; unknown columns are ignored and listed. Rows are
validated all together: every problem is reported with its line and column, and a list
with one bad row is refused whole.

The file's format is the national database's, in Vietnamese: its column names and words
stay Vietnamese (marked `# i18n: vi-only`); the refusals are said in the reader's
language, naming the columns as the file does."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from datetime import date, datetime

from isodoc import filetypes
from isodoc.csvio import unneutralise
from isodoc.errors import InvalidInput
from isodoc.i18n import _, ngettext
from isodoc.textnorm import clean, fold
from isodoc.tthc.models import CODE_RE, Level

MAX_BYTES = 8 * 1024 * 1024
MAX_ROWS = 5000
MAX_PROBLEMS = 200
TEXT_MAX = 20_000

# canonical field -> folded header synonyms
HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("ma thu tuc", "ma tthc", "ma thu tuc hanh chinh", "ma so", "ma", "ma so tthc",
             "ma so thu tuc", "ma ho so tthc", "code"),
    "name": ("ten thu tuc", "ten tthc", "ten thu tuc hanh chinh", "ten", "thu tuc hanh chinh",
             "ten thu tuc tthc", "name"),
    "field": ("linh vuc", "ten linh vuc", "linh vuc thuc hien"),
    "level": ("cap thuc hien", "cap", "cap co tham quyen", "cap giai quyet",
              "cap co tham quyen giai quyet"),
    "executing_body": ("co quan thuc hien", "co quan giai quyet", "don vi thuc hien",
                       "co quan co tham quyen", "co quan chu tri", "co quan truc tiep thuc hien"),
    "time_limit": ("thoi han giai quyet", "thoi han", "thoi gian giai quyet",
                   "thoi han xu ly"),
    "fee": ("phi le phi", "phi", "le phi", "phi va le phi", "muc phi le phi"),
    "legal_basis": ("can cu phap ly", "can cu", "can cu phap ly cua tthc",
                    "van ban quy pham phap luat"),
    "decision_no": ("quyet dinh cong bo", "so quyet dinh", "so quyet dinh cong bo",
                    "so qd cong bo", "qd cong bo", "quyet dinh", "so qd"),
    "decision_date": ("ngay quyet dinh", "ngay cong bo", "ngay quyet dinh cong bo",
                      "ngay ban hanh quyet dinh", "ngay qd cong bo", "ngay qd"),
}
# the columns as the file names them (in refusals too: the person looks for them there)
LABELS = {"code": "Mã thủ tục", "name": "Tên thủ tục", "field": "Lĩnh vực",  # i18n: vi-only
          "level": "Cấp thực hiện", "executing_body": "Cơ quan thực hiện",  # i18n: vi-only
          "time_limit": "Thời hạn giải quyết", "fee": "Phí, lệ phí",  # i18n: vi-only
          "legal_basis": "Căn cứ pháp lý", "decision_no": "Quyết định công bố",  # i18n: vi-only
          "decision_date": "Ngày quyết định công bố"}  # i18n: vi-only
SYNONYMS = {syn: canonical for canonical, syns in HEADERS.items() for syn in syns}
IGNORED_QUIETLY = {"stt", "tt", "so tt", "so thu tu"}
REQUIRED = ("code", "name", "level")
LEVEL_WORDS = {"tinh": Level.PROVINCE, "huyen": Level.DISTRICT, "xa": Level.COMMUNE,
               "trung uong": None, "bo": None}
# cp1258 writes Vietnamese with these bytes (Ă ă Đ đ Ơ ơ Ư ư and the five tone marks),
# which cp1252 reads as other Latin-1 letters
CP1258_BYTES = re.compile(rb"[\xc3\xcc\xd0\xd2\xd5\xdd\xde\xe3\xec\xf0\xf2\xf5\xfd]")


def header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(clean(text))).strip()


@dataclass
class Row:
    """One TTHC as the file gives it (all values cleaned)."""

    line: int
    code: str
    name: str
    field: str = ""
    levels: list[str] = dc_field(default_factory=list)
    executing_body: str = ""
    time_limit: str = ""
    fee: str = ""
    legal_basis: str = ""
    decision_no: str = ""
    decision_date: str | None = None  # ISO date

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Parsed:
    rows: list[Row]
    unknown_columns: list[str]
    encoding: str
    columns: list[str]


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) when it decodes; else Windows-1258 when the bytes
    read as Vietnamese in it (its letters and tone marks compose), else Windows-1252."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    if CP1258_BYTES.search(data):
        try:
            text = unicodedata.normalize("NFC", data.decode("cp1258"))
        except UnicodeDecodeError:
            text = None
        if text is not None:
            loose = sum(1 for c in text if unicodedata.combining(c))
            vietnamese = sum(1 for c in text
                             if c in "ĂăĐđƠơƯư" or "\u1ea0" <= c <= "\u1ef9")  # i18n: vi-only
            if vietnamese and loose <= vietnamese // 10:
                return text, "cp1258"
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise InvalidInput(_("Không đọc được mã ký tự của tệp: hãy lưu dưới dạng CSV UTF-8 "
                             "hoặc Excel (.xlsx).")) from exc


def too_many_rows() -> str:
    return _("Tệp quá nhiều dòng (tối đa %(max)s thủ tục).", max=MAX_ROWS)


def csv_records(data: bytes) -> tuple[list[tuple[int, list[str]]], str]:
    text, encoding = decode(data)
    sample = text[:4096]
    delimiter = max((";", ",", "\t"), key=sample.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out = []
    for record in reader:
        if len(out) > MAX_ROWS + 1:
            raise InvalidInput(too_many_rows())
        out.append((reader.line_num, [unneutralise(c) for c in record]))
    return out, encoding


XLSX_MAX_ENTRIES = 500
XLSX_MAX_TOTAL = 32 * 1024 * 1024  # 5,000 rows × ~20 columns need a few MB
XLSX_MAX_ENTRY = 24 * 1024 * 1024
XLSX_MAX_COLUMNS = 60  # columns read per row
XLSX_MAX_CELLS_IN_ROW = 1000  # openpyxl parses a whole row before we can cut it
# a worksheet's <row> and <c> start tags (with or without a namespace prefix)
ROW_OR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])")


def check_xlsx(data: bytes) -> None:
    """Refuse a crafted .xlsx before openpyxl reads it: the zip's directory (declared
    sizes, ratios, entry count, names) and then, streaming the worksheets within those
    declared sizes, rows with more cells than any real export has."""
    from isodoc.documents.docx_safety import check_zip_entries

    damaged = _("Không mở được tệp Excel: tệp hỏng hoặc không đúng định dạng.")
    declared = filetypes._zip_entries_declared(data)
    if declared is None:
        raise InvalidInput(damaged)
    if declared > XLSX_MAX_ENTRIES:
        raise InvalidInput(_("Tệp có quá nhiều thành phần (%(n)s); một tệp Excel thông "
                             "thường có dưới %(max)s.", n=declared, max=XLSX_MAX_ENTRIES))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            check_zip_entries(entries, app="Excel",
                              macro_hint=_("«Sổ làm việc Excel (.xlsx)»"),
                              max_entries=XLSX_MAX_ENTRIES, max_total=XLSX_MAX_TOTAL,
                              max_entry=XLSX_MAX_ENTRY)
            for entry in entries:
                if entry.filename.startswith("xl/worksheets/") and \
                        entry.filename.endswith(".xml"):
                    with archive.open(entry) as stream:
                        _check_row_widths(stream)
    except InvalidInput:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, EOFError,
            NotImplementedError, RuntimeError, OSError, zlib.error):
        raise InvalidInput(damaged) from None


def _check_row_widths(stream) -> None:
    cells, tail = 0, b""
    while chunk := stream.read(1024 * 1024):
        buffer = tail + chunk
        # keep a short tail so a tag split between chunks is seen once, whole
        cut = max(len(buffer) - 64, 0)
        for match in ROW_OR_CELL.finditer(buffer, 0, len(buffer)):
            if match.start() >= cut:
                break
            if match.group(1) == b"row":
                cells = 0
            else:
                cells += 1
                if cells > XLSX_MAX_CELLS_IN_ROW:
                    raise InvalidInput(_(
                        "Tệp có dòng quá nhiều ô (trên %(max)s): đây không phải danh mục thủ "
                        "tục xuất từ Cơ sở dữ liệu quốc gia; hãy xoá các cột thừa rồi tải lên "
                        "lại.", max=XLSX_MAX_CELLS_IN_ROW))
        tail = buffer[cut:]


def xlsx_records(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    if filetypes.sniff(data) is not filetypes.XLSX:
        raise InvalidInput(_("Tệp không phải bảng tính Excel (.xlsx) hợp lệ."))
    check_xlsx(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise InvalidInput(_("Không mở được tệp Excel: tệp hỏng hoặc không đúng định "
                             "dạng.")) from exc
    try:
        sheet = book.worksheets[0]
        out = []
        rows = sheet.iter_rows(max_col=XLSX_MAX_COLUMNS, values_only=True)
        for number, cells in enumerate(rows, start=1):
            if len(out) > MAX_ROWS + 1:
                raise InvalidInput(too_many_rows())
            out.append((number, [cell_text(c) for c in cells[:XLSX_MAX_COLUMNS]]))
        return out
    finally:
        book.close()


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_date(text: str) -> date | None:
    text = text.strip()
    for pattern in (r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", r"(\d{4})-(\d{2})-(\d{2})"):
        if m := re.fullmatch(pattern, text):
            a, b, c = (int(x) for x in m.groups())
            try:
                return date(c, b, a) if len(m.group(3)) == 4 else date(a, b, c)
            except ValueError:
                return None
    return None


def parse_levels(text: str) -> list[str] | None:
    """`Cấp tỉnh`, `Tỉnh, huyện`, `cap xa`… → ['tinh', 'huyen']; None when a part is not
    a level the province executes."""
    parts = [p for p in re.split(r"[,;/\n+]|\bva\b", fold(text)) if p.strip()]
    levels = []
    for part in parts:
        word = re.sub(r"^\s*(cap|ubnd cap|ubnd)\s+", "", part).strip()
        if word not in LEVEL_WORDS:
            return None
        if (level := LEVEL_WORDS[word]) is not None and level.value not in levels:
            levels.append(level.value)
    return levels or None


def too_long(limit: int) -> str:
    return _("quá dài (tối đa %(max)s ký tự).", max=limit)


def parse(data: bytes, filename: str = "",
          progress: Callable[[int], None] | None = None) -> Parsed:
    """The rows of a TTHC list, or InvalidInput listing every problem (line, column,
    reason). Nothing is written here."""
    if len(data) > MAX_BYTES:
        raise InvalidInput(_("Tệp quá lớn (tối đa %(mb)s MB).", mb=MAX_BYTES // (1024 * 1024)))
    if not data:
        raise InvalidInput(_("Tệp rỗng."))
    if data.startswith(filetypes.ZIP_MAGIC) or filename.lower().endswith(".xlsx"):
        records, encoding = xlsx_records(data), "xlsx"
    else:
        records, encoding = csv_records(data)
    # the header is the first row naming a code column (exports often have a title above)
    header_at = next((i for i, (_line, cells) in enumerate(records[:10])
                      if any(SYNONYMS.get(header_key(c)) == "code" for c in cells)), None)
    if header_at is None:
        raise InvalidInput(_("Không tìm thấy dòng tiêu đề: cần cột «Mã thủ tục» (hoặc «Mã "
                             "TTHC», «ma_thu_tuc»), «Tên thủ tục» và «Cấp thực hiện»."))
    header_line, header = records[header_at]
    columns: dict[str, int] = {}
    unknown, problems = [], []
    for index, title in enumerate(header):
        key = header_key(title)
        if not key or key in IGNORED_QUIETLY:
            continue
        canonical = SYNONYMS.get(key)
        if canonical is None:
            unknown.append(clean(title)[:80])
        elif canonical in columns:
            problems.append(_("Dòng %(line)s, cột %(n)s: cột «%(title)s» trùng với cột %(other)s "
                              "(%(label)s).", line=header_line, n=index + 1,
                              title=clean(title), other=columns[canonical] + 1,
                              label=LABELS[canonical]))
        else:
            columns[canonical] = index
    if missing := [LABELS[c] for c in REQUIRED if c not in columns]:
        raise InvalidInput(_("Tệp thiếu cột: %(columns)s.", columns=", ".join(missing)),
                           problems)
    body = [(line, cells) for line, cells in records[header_at + 1:]
            if any(c.strip() for c in cells)]
    if len(body) > MAX_ROWS:
        raise InvalidInput(too_many_rows())
    if not body:
        raise InvalidInput(_("Tệp không có thủ tục nào."))
    rows, seen = [], {}

    def problem(line: int, canonical: str, reason: str) -> None:
        column = columns.get(canonical)
        if column is None:
            problems.append(_("Dòng %(line)s, %(label)s: %(reason)s", line=line,
                              label=LABELS[canonical], reason=reason))
        else:
            problems.append(_("Dòng %(line)s, cột %(n)s (%(label)s): %(reason)s", line=line,
                              n=column + 1, label=LABELS[canonical], reason=reason))

    for line, cells in body:
        value = {c: clean(cells[i], multiline=c == "legal_basis") if i < len(cells) else ""
                 for c, i in columns.items()}
        code = value.get("code", "")
        if encoding == "xlsx" and re.fullmatch(r"\d\.\d{1,5}", code):
            code = code.ljust(8, "0")  # a code typed as a number lost its trailing zeros
        if not code:
            problem(line, "code", _("thiếu mã thủ tục."))
        elif not CODE_RE.match(code):
            problem(line, "code", _("mã «%(code)s» sai định dạng (một chữ số, dấu chấm và sáu "
                                    "chữ số, vd. 1.004227).", code=code[:30]))
        elif code in seen:
            problem(line, "code", _("mã %(code)s trùng với dòng %(other)s.", code=code,
                                    other=seen[code]))
        else:
            seen[code] = line
        if not value.get("name"):
            problem(line, "name", _("thiếu tên thủ tục."))
        levels = parse_levels(value.get("level", ""))
        if levels is None:
            problem(line, "level", _("cấp thực hiện «%(level)s» không rõ (tỉnh, huyện hoặc "
                                     "xã).", level=value.get("level", "")[:40]))
        day = None
        if raw := value.get("decision_date", ""):
            day = parse_date(raw)
            if day is None:
                problem(line, "decision_date", _("ngày «%(day)s» không hợp lệ (dd/mm/yyyy).",
                                                 day=raw[:20]))
        for canonical, text in value.items():
            if len(text) > TEXT_MAX:
                problem(line, canonical, too_long(TEXT_MAX))
        if len(value.get("decision_no", "")) > 120:
            problem(line, "decision_no", too_long(120))
        if len(value.get("field", "")) > 255:
            problem(line, "field", too_long(255))
        if len(problems) >= MAX_PROBLEMS:
            break
        rows.append(Row(line=line, code=code, name=value.get("name", ""),
                        field=value.get("field", ""), levels=levels or [],
                        executing_body=value.get("executing_body", ""),
                        time_limit=value.get("time_limit", ""), fee=value.get("fee", ""),
                        legal_basis=value.get("legal_basis", ""),
                        decision_no=value.get("decision_no", ""),
                        decision_date=day.isoformat() if day else None))
        if progress is not None:
            progress(1)
    if problems:
        if len(problems) >= MAX_PROBLEMS:
            message = ngettext("Tệp có %(num)d lỗi (chỉ liệt kê %(max)d lỗi đầu): chưa nhập "
                               "gì. Sửa các dòng dưới đây rồi nhập lại.",
                               "Tệp có %(num)d lỗi (chỉ liệt kê %(max)d lỗi đầu): chưa nhập "
                               "gì. Sửa các dòng dưới đây rồi nhập lại.", len(problems),
                               max=MAX_PROBLEMS)
        else:
            message = ngettext("Tệp có %(num)d lỗi: chưa nhập gì. Sửa các dòng dưới đây rồi "
                               "nhập lại.", "Tệp có %(num)d lỗi: chưa nhập gì. Sửa các dòng "
                               "dưới đây rồi nhập lại.", len(problems))
        raise InvalidInput(message, problems[:MAX_PROBLEMS])
    return Parsed(rows, unknown, encoding, sorted(columns, key=columns.get))
