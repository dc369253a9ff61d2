"""The poster printed and put up at the one-stop-shop desk: the agency, the QR code and
the survey's link. It is a notice posted in a Vietnamese office for the citizens who come
to it, so it is printed in Vietnamese whatever the language of the staff member printing
it (a citizen who prefers English switches on the survey page itself)."""
# i18n: vietnamese-only (a printed notice posted in a Vietnamese office)

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale

from isodoc.agencies.models import Agency
from isodoc.surveys import qr
from isodoc.tthc.models import Tthc


def render(agency: Agency, tthc: Tthc | None, link: str) -> str:
    with force_locale("vi"):
        return render_template("surveys/poster.html", agency=agency, tthc=tthc, link=link,
                               qr=qr.svg(link))
