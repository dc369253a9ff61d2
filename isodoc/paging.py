"""Page and page-size parameters: one parser for the UI and the API, bounded before work.

A page number decides an offset handed to SQL or to the search engine; unbounded, one
URL can make the engine allocate for a billion results or overflow a 64-bit integer.
Every list therefore accepts page 1..MAX_PAGE and a size 1..MAX_SIZE, digits only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from marshmallow import ValidationError, fields
from werkzeug.routing import IntegerConverter

from isodoc.errors import InvalidInput
from isodoc.i18n import _

MAX_PAGE = 1000
MAX_SIZE = 100
_DIGITS = re.compile(r"[0-9]{1,9}")  # ASCII only: str.isdigit() accepts "²" and "٣"


class PagingError(InvalidInput):
    """A page or size parameter out of bounds or not a number (message in the
    interface's language)."""


def parse_page(raw: object, default: int = 1, max_page: int = MAX_PAGE) -> int:
    """The page number in `raw` (a query-string value or an int), 1..max_page."""
    return _bounded(raw, default, max_page,
                    _("Số trang phải là số nguyên từ 1 đến %(max)s.", max=max_page))


def parse_size(raw: object, default: int, max_size: int = MAX_SIZE) -> int:
    """The page size in `raw`, 1..max_size."""
    return _bounded(raw, default, max_size,
                    _("Số mục mỗi trang phải là số nguyên từ 1 đến %(max)s.", max=max_size))


def page_count(total: int, size: int) -> int:
    """Pages of `total` items, never more than a page number may reach."""
    return min(-(-total // size), MAX_PAGE)


def _bounded(raw: object, default: int, upper: int, message: str) -> int:
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        raise PagingError(message)
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _DIGITS.fullmatch(raw.strip()):
        value = int(raw.strip())
    else:
        raise PagingError(message)
    if not 1 <= value <= upper:
        raise PagingError(message)
    return value


@dataclass(frozen=True)
class Paging:
    page: int
    size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def header(self, total: int) -> str:
        """The `X-Pagination` header: a JSON string, as flask-smorest writes it."""
        meta: dict[str, int] = {"total": total,
                                "total_pages": -(-total // self.size) if total else 0}
        if total:
            last = meta["total_pages"]
            meta.update(first_page=1, last_page=last)
            if self.page <= last:
                meta["page"] = self.page
                if self.page > 1:
                    meta["previous_page"] = self.page - 1
                if self.page < last:
                    meta["next_page"] = self.page + 1
        return json.dumps(meta)


class _Bounded(fields.Field):
    """A marshmallow field parsed by this module's helper, so the API and the UI accept
    and refuse the same values (a 422 with the same message)."""

    def __init__(self, parse, upper: int, default: int, **kwargs):
        self._parse, self._upper, self._default = parse, upper, default
        kwargs.setdefault("metadata", {}).update(type="integer", minimum=1, maximum=upper)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        try:
            return self._parse(value, self._default, self._upper)
        except PagingError as exc:
            raise ValidationError(exc.message) from exc

    def _serialize(self, value, attr, obj, **kwargs):
        return value


def PageField(**kwargs) -> fields.Field:  # noqa: N802 — reads like a field class
    kwargs.setdefault("load_default", 1)
    # the OpenAPI document is built once at start-up, in Vietnamese (as its summaries)
    kwargs.setdefault("metadata", {"description": f"Trang, từ 1 đến {MAX_PAGE}"})  # i18n: vi-only
    return _Bounded(parse_page, MAX_PAGE, kwargs["load_default"], **kwargs)


def SizeField(default: int = 20, max_size: int = MAX_SIZE, **kwargs) -> fields.Field:  # noqa: N802
    kwargs.setdefault("load_default", default)
    kwargs.setdefault("metadata",
                      {"description": f"Số mục mỗi trang, từ 1 đến {max_size}"})  # i18n: vi-only
    return _Bounded(parse_size, max_size, default, **kwargs)


MAX_OFFSET = (MAX_PAGE - 1) * MAX_SIZE


def check_window(offset: int, limit: int) -> None:
    """The last line of defence in front of an engine or a query: an offset and a limit
    that no valid page can produce are refused, never executed."""
    if not (0 <= offset <= MAX_OFFSET and 1 <= limit <= MAX_SIZE * 2):
        raise PagingError(_("Số trang phải là số nguyên từ 1 đến %(max)s.", max=MAX_PAGE))


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in URLs: an id or number past a 32-bit column is no id (404), never an
    integer overflow in the database driver (500)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = 2**31 - 1, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)
