"""Response headers that make the browser defend the user: a Content-Security-Policy
that runs only the app's own scripts and styles (templates carry no inline script,
handler or style: tests/security/test_headers.py keeps it so), no framing, no MIME
sniffing, no referrer outside the site, no powerful browser features, HSTS behind
HTTPS, and nothing personal left in a shared cache."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

CSP = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
])
# only features Chromium knows: an unknown one ("bluetooth") is a console error on every page
PERMISSIONS = ", ".join(f"{feature}=()" for feature in (
    "camera", "microphone", "geolocation", "payment", "usb", "serial",
    "midi", "magnetometer", "gyroscope", "accelerometer", "display-capture", "fullscreen"))
HSTS = "max-age=31536000; includeSubDomains"


def cacheable() -> bool:
    """Only the static files (scripts, styles) may be kept by a cache: pages of a
    signed-in user, every API answer, and even the login form (its CSRF token is tied
    to the session cookie) must not be stored by the browser or a shared proxy."""
    return request.endpoint == "static"


def add_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    if not cacheable():
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_headers)
