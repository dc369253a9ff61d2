"""What an uploaded file is, told from its bytes, never from its name: the magic
numbers of PDF, PNG and JPEG; for Office Open XML (.docx, .xlsx) the zip's
[Content_Types].xml naming the main part; for OpenDocument (.odt, .ods) the zip's
first entry `mimetype`; for legacy Word and Excel (.doc, .xls) the compound file's
top-level WordDocument or Workbook stream; plain text as UTF-8 without control
characters. Every structure is read with bounds checked before anything is inflated
or followed, so a crafted file costs no more than its (already limited) size."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

from isodoc.i18n import _l


@dataclass(frozen=True)
class FileType:
    label: str  # as the user reads it (lazy: translated where it is shown)
    content_type: str
    suffixes: tuple[str, ...]


PDF = FileType("PDF", "application/pdf", (".pdf",))
PNG = FileType(_l("ảnh PNG"), "image/png", (".png",))
JPEG = FileType(_l("ảnh JPEG"), "image/jpeg", (".jpg", ".jpeg"))
DOCX = FileType("Word (.docx)",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                (".docx",))
XLSX = FileType("Excel (.xlsx)",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
ODT = FileType(_l("OpenDocument văn bản (.odt)"), "application/vnd.oasis.opendocument.text",
               (".odt",))
ODS = FileType(_l("OpenDocument bảng tính (.ods)"),
               "application/vnd.oasis.opendocument.spreadsheet", (".ods",))
DOC = FileType("Word 97–2003 (.doc)", "application/msword", (".doc",))
XLS = FileType("Excel 97–2003 (.xls)", "application/vnd.ms-excel", (".xls",))
TXT = FileType(_l("văn bản (.txt)"), "text/plain", (".txt",))

TYPES = (PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS, DOC, XLS, TXT)
BY_SUFFIX = {suffix: t for t in TYPES for suffix in t.suffixes}

OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
ZIP_MAGIC = b"PK\x03\x04"
OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
ODF_MIMETYPES = {ODT.content_type: ODT, ODS.content_type: ODS}
ZIP_MAX_ENTRIES = 10_000
CONTENT_TYPES_MAX = 1024 * 1024  # [Content_Types].xml of a real document is a few KB
OVERRIDE_RE = re.compile(r"<Override\b[^>]*>", re.I)
ATTR_RE = re.compile(r'\b(PartName|ContentType)\s*=\s*"([^"]*)"', re.I)
# C0 controls but tab, newline, form feed and carriage return; DEL
TEXT_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff(data: bytes) -> FileType | None:
    """The accepted type `data` is, or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(ZIP_MAGIC):
        return _zip_kind(data)
    if data.startswith(OLE2_MAGIC):
        return _compound_kind(data)
    return TXT if _is_text(data) else None


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not TEXT_CONTROL_RE.search(text)


def _zip_entries_declared(data: bytes) -> int | None:
    """The entry count the zip's end record declares, read before zipfile parses the
    central directory (a crafted archive could list a huge number of entries)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return None
    return struct.unpack_from("<H", data, end + 10)[0]


def _zip_kind(data: bytes) -> FileType | None:
    declared = _zip_entries_declared(data)
    if declared is None or declared > ZIP_MAX_ENTRIES:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if not entries or len(entries) > ZIP_MAX_ENTRIES:
                return None
            if entries[0].filename == "mimetype":
                # ODF: the first entry names the type (the spec stores it uncompressed)
                if entries[0].file_size > 100:
                    return None
                return ODF_MIMETYPES.get(archive.read(entries[0]).decode("ascii", "replace"))
            names = {e.filename for e in entries}
            types = next((e for e in entries if e.filename == "[Content_Types].xml"), None)
            if types is None or types.file_size > CONTENT_TYPES_MAX:
                return None
            # the declared size bounds what zipfile inflates (a longer stream is an error)
            xml = archive.read(types).decode("utf-8", "replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, EOFError,
            NotImplementedError, RuntimeError, OSError, zlib.error):
        return None
    found = set()
    for tag in OVERRIDE_RE.findall(xml):
        attrs = {k.lower(): v for k, v in ATTR_RE.findall(tag)}
        kind = OOXML_MAIN.get(attrs.get("contenttype", ""))
        if kind is not None and attrs.get("partname", "").lstrip("/") in names:
            found.add(kind)
    return found.pop() if len(found) == 1 else None


END_OF_CHAIN, NO_STREAM = 0xFFFFFFFE, 0xFFFFFFFF
STREAM, ROOT = 2, 5
MAX_DIRECTORY_SECTORS = 256


def _compound_kind(data: bytes) -> FileType | None:
    """A legacy Office file is an OLE2 compound file: Word keeps its text in a
    top-level stream `WordDocument`, Excel in `Workbook` (or `Book` before 97)."""
    names = _top_level_streams(data)
    if names is None:
        return None
    word, excel = "WordDocument" in names, bool(names & {"Workbook", "Book"})
    if word != excel:
        return DOC if word else XLS
    return None


def _top_level_streams(data: bytes) -> set[str] | None:
    if len(data) < 512:
        return None
    major, byte_order, shift = struct.unpack_from("<HHH", data, 26)
    if byte_order != 0xFFFE or (major, shift) not in ((3, 9), (4, 12)):
        return None
    size = 1 << shift
    fat_count, first_directory = struct.unpack_from("<II", data, 44)
    first_difat, difat_count = struct.unpack_from("<II", data, 68)
    sectors = max(0, (len(data) - size) // size)
    if fat_count > sectors + 1:
        return None

    def sector(n: int) -> bytes | None:
        start = (n + 1) * size
        return data[start:start + size] if n < sectors else None

    # the FAT's own sectors: 109 in the header, the rest on the DIFAT chain
    fat_sectors = [n for n in struct.unpack_from("<109I", data, 76) if n < sectors]
    difat, seen = first_difat, set()
    while difat < sectors and len(fat_sectors) < fat_count and difat not in seen \
            and len(seen) < difat_count + 1:
        seen.add(difat)
        block = sector(difat)
        if block is None:
            return None
        *listed, difat = struct.unpack(f"<{size // 4}I", block)
        fat_sectors += [n for n in listed if n < sectors]
    per_sector = size // 4

    def next_sector(n: int) -> int:
        index = n // per_sector
        if index >= len(fat_sectors):
            return END_OF_CHAIN
        block = sector(fat_sectors[index])
        return struct.unpack_from("<I", block, (n % per_sector) * 4)[0] if block else END_OF_CHAIN

    directory, n, visited = bytearray(), first_directory, set()
    while n < sectors and n not in visited and len(visited) < MAX_DIRECTORY_SECTORS:
        visited.add(n)
        directory += sector(n) or b""
        n = next_sector(n)
    entries = []
    for offset in range(0, len(directory) - 127, 128):
        length, kind = struct.unpack_from("<HB", directory, offset + 64)
        left, right, child = struct.unpack_from("<III", directory, offset + 68)
        name = bytes(directory[offset:offset + min(length, 64)]).decode("utf-16-le", "replace")
        entries.append((name.rstrip("\0"), kind, left, right, child))
    if not entries or entries[0][1] != ROOT:
        return None
    # the root's children form a tree through their left and right siblings
    names, stack, walked = set(), [entries[0][4]], set()
    while stack:
        i = stack.pop()
        if i == NO_STREAM or i >= len(entries) or i in walked:
            continue
        walked.add(i)
        name, kind, left, right, _ = entries[i]
        if kind == STREAM:
            names.add(name)
        stack += [left, right]
    return names
