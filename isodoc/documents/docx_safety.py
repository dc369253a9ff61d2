"""An uploaded Word file, checked before any part of it is parsed, then converted to
Markdown in a child process with memory and time limits (DESIGN invariant 6 and 9).

The checks read only bytes and the zip's directory: the size limit; a real zip (not
0 bytes, not a Word 97 .doc, not an encrypted OLE container, not truncated); entry
count, names (no zip-slip), the sum of declared uncompressed sizes and each entry's
compression ratio (a zip bomb is refused before anything is inflated); no macros;
the parts a .docx needs. The only part inflated here is [Content_Types].xml, whose
declared size is bounded first. Every refusal is an InvalidInput in the language of the
person uploading (the converter answers with keys; its notes are worded here).
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app, has_app_context

from isodoc import filetypes
from isodoc.errors import InvalidInput
from isodoc.i18n import _, _l, ngettext

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_ENTRIES = 2_000
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100  # real .docx XML compresses 5 to 20 times
RATIO_FROM = 1024 * 1024  # small entries may compress better: ratio checked above 1 MB
CONTENT_TYPES_MAX = 1024 * 1024
REQUIRED = ("[Content_Types].xml", "_rels/.rels", "word/document.xml")
MACRO_TYPES = ("macroenabled", "vbaproject", "vbadata", "activex")
CONVERTER = Path(__file__).with_name("docx_convert.py")
MB = 1024 * 1024


@dataclass
class Converted:
    """What the converter read from the file."""

    markdown: str
    code: str = ""
    title: str = ""
    kind: str = "internal"
    tthc_code: str = ""
    control: dict = field(default_factory=dict)  # lần ban hành, ngày, ký duyệt
    properties: dict = field(default_factory=dict)  # isodoc-code, isodoc-base...
    attachments: list[FileIn] = field(default_factory=list)  # pictures, embedded forms
    skipped: list[str] = field(default_factory=list)  # what exceeded the attachment bounds
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tracked_changes: int = 0

    @property
    def not_imported(self) -> list[str]:
        """What the file had that was not kept (beyond the attachment bounds): said on
        the confirmation page and in the CLI report."""
        if not self.skipped:
            return []
        return [_("tệp đính kèm vượt giới hạn (tối đa 50 tệp, mỗi tệp 10 MB): %(files)s",
                  files=", ".join(self.skipped[:10]))]


@dataclass(frozen=True)
class FileIn:
    """A picture or embedded object read from a Word file, to become an attachment."""

    name: str
    content_type: str
    data: bytes


def setting(name: str, default):
    return current_app.config.get(name, default) if has_app_context() else default


def max_bytes() -> int:
    return int(setting("ISODOC_DOCX_MAX_BYTES", DEFAULT_MAX_BYTES))


def too_large_message(limit: int) -> str:
    megabytes = round(limit / MB)
    return _("Tệp lớn hơn giới hạn %(mb)s MB: hãy tách tài liệu hoặc giảm dung lượng hình "
             "ảnh.", mb=megabytes)


def check(data: bytes) -> None:
    """Refuse what is not a plain, complete, macro-free .docx within the limits."""
    limit = max_bytes()
    if not data:
        raise InvalidInput(_("Tệp rỗng (0 byte): hãy chọn đúng tệp Word .docx."))
    if len(data) > limit:
        raise InvalidInput(too_large_message(limit))
    if data.startswith(filetypes.OLE2_MAGIC):
        streams = filetypes._top_level_streams(data) or set()
        if streams & {"EncryptedPackage", "EncryptionInfo"}:
            raise InvalidInput(_("Tệp Word được đặt mật khẩu (mã hoá): hãy mở bằng Word, bỏ "
                                 "mật khẩu (Tệp → Thông tin → Bảo vệ tài liệu) rồi tải lên "
                                 "lại."))
        if "WordDocument" in streams:
            raise InvalidInput(_("Đây là tệp Word 97–2003 (.doc): hãy mở bằng Word và lưu lại "
                                 "dưới dạng .docx (Tệp → Lưu thành → Tài liệu Word) rồi tải "
                                 "lên."))
        raise InvalidInput(_("Tệp không phải tài liệu Word .docx."))
    if not data.startswith(filetypes.ZIP_MAGIC):
        raise InvalidInput(_("Tệp không phải tài liệu Word .docx (không đọc được cấu trúc "
                             "tệp)."))
    declared = filetypes._zip_entries_declared(data)
    if declared is None:
        raise InvalidInput(_("Tệp .docx bị hỏng hoặc tải lên không trọn vẹn (thiếu phần cuối "
                             "tệp): hãy lưu lại bằng Word rồi tải lên lại."))
    if declared > MAX_ENTRIES:
        raise InvalidInput(_("Tệp có quá nhiều thành phần (%(count)s); một tài liệu Word "
                             "thông thường có dưới %(max)s.", count=declared, max=MAX_ENTRIES))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            _check_entries(entries)
            types = archive.read("[Content_Types].xml").decode("utf-8", "replace").lower()
    except InvalidInput:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, EOFError,
            NotImplementedError, RuntimeError, OSError, zlib.error):
        raise InvalidInput(_("Tệp .docx bị hỏng hoặc tải lên không trọn vẹn: hãy lưu lại "
                             "bằng Word rồi tải lên lại.")) from None
    if any(word in types for word in MACRO_TYPES):
        raise InvalidInput(_("Tệp có macro (VBA) hoặc điều khiển ActiveX (.docm): isodoc "
                             "không nhận tệp có macro. Hãy lưu lại dưới dạng «Tài liệu Word "
                             "(.docx)»."))


def check_zip_entries(entries: list[zipfile.ZipInfo], *, app: str = "Word",
                      macro_hint: str | None = None,
                      max_entries: int = MAX_ENTRIES,
                      max_total: int = MAX_TOTAL_UNCOMPRESSED,
                      max_entry: int | None = None, max_ratio: int = MAX_RATIO,
                      ratio_from: int = RATIO_FROM) -> None:
    """Refuse an Office zip by its directory alone, before anything is inflated: entry
    count, names (no zip-slip), encryption, macros, each entry's declared size and
    compression ratio and their sum (declared sizes bound what zipfile inflates: a longer
    stream is an error). Shared by the .docx and .xlsx uploads; `macro_hint` names the
    format to save as instead (by default, a Word document)."""
    if len(entries) > max_entries:
        raise InvalidInput(_("Tệp có quá nhiều thành phần (%(count)s); một tệp %(app)s thông "
                             "thường có dưới %(max)s.", count=len(entries), app=app,
                             max=max_entries))
    total = 0
    for entry in entries:
        name = entry.filename
        if name.startswith(("/", "\\")) or "\\" in name or "\0" in name or ":" in name \
                or any(part == ".." for part in name.split("/")):
            raise InvalidInput(_("Tệp chứa tên thành phần không hợp lệ («%(name)s»): tệp "
                                 "không phải do %(app)s tạo ra và bị từ chối.",
                                 name=name[:60], app=app))
        if entry.flag_bits & 0x1:
            raise InvalidInput(_("Tệp %(app)s được đặt mật khẩu (mã hoá): hãy bỏ mật khẩu rồi "
                                 "tải lên lại.", app=app))
        lower = name.lower()
        if lower.endswith(("vbaproject.bin", "vbadata.xml")) or "/activex/" in lower:
            raise InvalidInput(_("Tệp có macro (VBA) hoặc điều khiển ActiveX: isodoc không "
                                 "nhận tệp có macro. Hãy lưu lại dưới dạng %(format)s.",
                                 format=macro_hint or _("«Tài liệu Word (.docx)»")))
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if total > max_total or (max_entry is not None and entry.file_size > max_entry) \
                or (entry.file_size > ratio_from and ratio > max_ratio):
            raise InvalidInput(_("Tệp nén bất thường (dung lượng khi giải nén quá lớn so với "
                                 "tệp, dấu hiệu «bom nén»): tệp bị từ chối."))


def _check_entries(entries: list[zipfile.ZipInfo]) -> None:
    check_zip_entries(entries)
    names = {e.filename for e in entries}
    missing = [n for n in REQUIRED if n not in names]
    if missing:
        raise InvalidInput(_("Tệp .docx thiếu thành phần bắt buộc (%(parts)s): hãy mở bằng "
                             "Word và lưu lại rồi tải lên.", parts=", ".join(missing)))
    types = next(e for e in entries if e.filename == "[Content_Types].xml")
    if types.file_size > CONTENT_TYPES_MAX:
        raise InvalidInput(_("Tệp .docx có phần mô tả kiểu nội dung bất thường: tệp bị từ "
                             "chối."))


# the converter's refusals by key, worded in the language of the request
CHILD_MESSAGES = {
    "xml_entities": _l("Tệp chứa khai báo DTD hoặc thực thể XML (không có trong tệp Word "
                       "thật, dùng để tấn công): tệp bị từ chối."),
    "bad_xml": _l("Tệp .docx bị hỏng (một phần XML không đọc được): hãy mở bằng Word, lưu lại "
                  "rồi tải lên."),
    "damaged": _l("Tệp .docx bị hỏng hoặc không trọn vẹn: hãy mở bằng Word, lưu lại rồi tải "
                  "lên."),
    "memory": _l("Tệp quá phức tạp để đọc (vượt giới hạn bộ nhớ): hãy tách tài liệu hoặc lưu "
                 "lại bằng Word."),
    "too_deep": _l("Tệp có cấu trúc lồng nhau quá sâu: hãy đơn giản hoá các bảng rồi tải lên "
                   "lại."),
}


def notes_of(answer: dict, tracked: str) -> list[str]:
    """What the converter did that the person should know, from the facts it answers."""
    notes = []
    if count := answer.get("tracked_changes", 0):
        notes.append(ngettext("%(num)d thay đổi được theo dõi (track changes) đã được chấp nhận.",
                              "%(num)d thay đổi được theo dõi (track changes) đã được chấp nhận.",
                              count) if tracked == "accept" else
                     ngettext("%(num)d thay đổi được theo dõi (track changes) đã bị từ chối.",
                              "%(num)d thay đổi được theo dõi (track changes) đã bị từ chối.",
                              count))
    if answer.get("control_block"):
        notes.append(_("Phần đầu trang (khối kiểm soát: mã hiệu, lần ban hành, ký duyệt...) "
                       "được đọc vào thông tin tài liệu, không đưa vào nội dung."))
    return notes


def convert(data: bytes, tracked: str = "ask") -> Converted:
    """`check` the bytes, then convert them in a child process limited in address space,
    CPU and wall time. A file the child cannot finish within them is refused; the
    worker is untouched."""
    check(data)
    memory = int(setting("ISODOC_DOCX_CHILD_MEMORY_MB", 768))
    seconds = float(setting("ISODOC_DOCX_CHILD_SECONDS", 30))
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(CONVERTER), tracked if tracked in ("accept", "reject")
             else "ask", str(memory), str(max(1, int(seconds)))],
            input=data, capture_output=True, timeout=seconds, check=False)
    except subprocess.TimeoutExpired:
        shown = format(seconds, "g")
        raise InvalidInput(_("Đọc tệp quá thời gian cho phép (%(seconds)s giây): tệp quá lớn "
                             "hoặc quá phức tạp, hãy tách tài liệu.", seconds=shown)) from None
    try:
        answer = json.loads(done.stdout.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        answer = None
    if not isinstance(answer, dict):
        if done.returncode < 0 or any(word in done.stderr for word in (
                b"MemoryError", b"Cannot allocate memory", b"failed to map segment")):
            raise InvalidInput(str(CHILD_MESSAGES["memory"]))
        if has_app_context():
            current_app.logger.warning("docx converter failed: %s", done.stderr[-2000:])
        raise InvalidInput(str(CHILD_MESSAGES["damaged"]))
    if not answer.get("ok"):
        error = answer.get("error")
        if error == "tracked_changes":
            raise InvalidInput(_("Tệp có %(count)s thay đổi được theo dõi (track changes) "
                                 "chưa xử lý: hãy chọn chấp nhận hoặc từ chối chúng khi tải "
                                 "lên.", count=answer.get("count")))
        if error == "nested_tables":
            raise InvalidInput(_("Tệp có bảng lồng trong bảng quá %(depth)s cấp: hãy đơn giản "
                                 "hoá các bảng rồi tải lên lại.", depth=answer.get("depth")))
        raise InvalidInput(str(CHILD_MESSAGES.get(error, CHILD_MESSAGES["damaged"])))
    found = answer.get("found", {})
    props = answer.get("properties", {})
    control = {k: v for k, v in found.items() if k not in ("code", "title", "tthc_code")}
    return Converted(
        markdown=answer["markdown"], code=props.get("isodoc-code") or found.get("code", ""),
        title=found.get("title", ""), kind=answer.get("kind", "internal"),
        tthc_code=found.get("tthc_code", ""), control=control, properties=props,
        attachments=_attachments(answer.get("attachments", [])),
        skipped=[str(n)[:100] for n in answer.get("skipped", [])][:50],
        notes=notes_of(answer, tracked), warnings=answer.get("warnings", []),
        tracked_changes=answer.get("tracked_changes", 0))


def _attachments(items: list) -> list[FileIn]:
    out = []
    for item in items[:50]:
        try:
            data = base64.b64decode(item["data"], validate=True)
        except (KeyError, TypeError, binascii.Error):
            continue
        found = filetypes.sniff(data)
        out.append(FileIn(name=str(item.get("name", ""))[:100],
                          content_type=found.content_type if found
                          else "application/octet-stream", data=data))
    return out
