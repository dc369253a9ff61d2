"""QR codes as SVG, drawn on the server (segno: pure Python, no image library). The
code's title is part of the printed poster, which stays Vietnamese (see poster.py)."""
# i18n: vietnamese-only (the title of the code printed on the desk's poster)

from __future__ import annotations

import io

import segno


def svg(url: str) -> str:
    """A QR code for `url` (error correction M: still read when a corner is worn), as
    an SVG document that scales to any print size."""
    code = segno.make_qr(url, error="m")
    out = io.BytesIO()
    code.save(out, kind="svg", scale=1, border=4, xmldecl=False, svgns=True,
              title="Mã QR khảo sát sự hài lòng", omitsize=True)
    return out.getvalue().decode("utf-8")
