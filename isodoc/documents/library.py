"""The starter library in procedures/: templates a secretary can start a document from."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from isodoc import resource_dir
from isodoc.documents import content
from isodoc.documents.models import DocumentKind


@dataclass(frozen=True)
class Template:
    name: str          # file stem, the template's id
    code: str          # suggested document code
    title: str
    kind: DocumentKind
    iso_clauses: str
    tthc_code: str
    field: str
    body: str


@cache
def templates() -> tuple[Template, ...]:
    found = []
    for path in sorted(resource_dir("procedures").glob("*.md")):
        meta, body = content.split(path.read_bytes())
        found.append(Template(
            name=path.stem, code=str(meta.get("code", "")), title=str(meta["title"]),
            kind=DocumentKind(meta.get("kind", "internal")),
            iso_clauses=" ".join(str(c) for c in meta.get("iso_clauses", [])),
            tthc_code=str(meta.get("tthc_code", "") or ""), field=str(meta.get("field", "") or ""),
            body=body.strip() + "\n"))
    return tuple(found)


def get(name: str) -> Template | None:
    return next((t for t in templates() if t.name == name), None)


# the skeleton of a procedure as agencies write it: the document's own text, in
# Vietnamese whatever the interface's language
BLANK_STRUCTURE = """## 1. Mục đích

## 2. Phạm vi

## 3. Tài liệu viện dẫn

- TCVN ISO 9001:2015

## 4. Định nghĩa, viết tắt

## 5. Nội dung quy trình

### 5.1. Điều kiện thực hiện

### 5.2. Thành phần hồ sơ

| TT | Thành phần hồ sơ | Bản chính | Bản sao |
|---|---|---|---|
| 1 |  |  |  |

### 5.3. Số lượng hồ sơ

### 5.4. Thời gian xử lý

### 5.5. Nơi tiếp nhận và trả kết quả

### 5.6. Lệ phí

### 5.7. Quy trình xử lý công việc

| Bước | Nội dung công việc | Trách nhiệm | Thời gian | Biểu mẫu/Kết quả |
|---|---|---|---|---|
| B1 |  |  |  |  |

## 6. Biểu mẫu

| TT | Mã hiệu | Tên biểu mẫu |
|---|---|---|

## 7. Hồ sơ cần lưu

| TT | Hồ sơ lưu | Trách nhiệm lưu | Thời gian lưu |
|---|---|---|---|
"""  # i18n: vi-only
