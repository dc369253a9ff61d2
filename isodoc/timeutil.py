"""Time helpers: store UTC, show Asia/Ho_Chi_Minh, parse dd/mm/yyyy."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    """Naive UTC: stored the same way by SQLite and PostgreSQL `timestamp` columns;
    Flask-Babel reads naive values as UTC when it shows them in Asia/Ho_Chi_Minh."""
    return datetime.now(UTC).replace(tzinfo=None)


def today_local() -> date:
    """Today's date in Vietnam: a dissolution 'on 01/07/2025' happens at local midnight."""
    return datetime.now(LOCAL_TZ).date()


def utc_start_of(day: date) -> datetime:
    """Midnight starting `day` in Vietnam, as the naive UTC instant stored times use (a
    record made at 00:30 on the 27th in Hà Nội is stored as 17:30 UTC on the 26th)."""
    return datetime.combine(day, time(), tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def utc_days(start: date, end: date) -> tuple[datetime, datetime]:
    """Local calendar days start..end inclusive as a half-open naive UTC range [lo, hi)."""
    return utc_start_of(start), utc_start_of(end + timedelta(days=1))


def parse_date(text: str) -> date:
    """dd/mm/yyyy (what people type) or yyyy-mm-dd (what machines write)."""
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    # echo a short prefix only: the message is flashed into the (4 KB) cookie session
    shown = text if len(text) <= 20 else text[:20] + "…"
    from isodoc.i18n import _

    raise ValueError(_("Ngày không hợp lệ: «%(text)s» (định dạng dd/mm/yyyy)", text=shown))


def format_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def interface_locale() -> str:
    """The interface's language of this request (Vietnamese outside one)."""
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale is not None else "vi"


def format_percent(value: float | int | None) -> str:
    """A share in the interface's language, one decimal at most ("3,6%"; English "3.6%")."""
    if value is None:
        return ""
    return format_decimal(round(float(value), 1), format="#,##0.#",
                          locale=interface_locale()) + "%"
