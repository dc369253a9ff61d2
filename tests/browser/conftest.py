"""A real browser (Debian's chromium, driven by Playwright) against the app served
by gunicorn with two workers on 127.0.0.1, on the same database as the other tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from isodoc import demo, search
from isodoc.extensions import db

DEMO_PASSWORD = "mat-khau-demo-2026"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-dev-shm-usage"]


def chromium_path() -> str | None:
    return os.environ.get("ISODOC_CHROMIUM") or shutil.which("chromium") or \
        shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(app, tmp_path_factory) -> Iterator[str]:
    port = free_port()
    instance = tmp_path_factory.mktemp("served")
    env = {**os.environ, "ISODOC_INSTANCE_PATH": str(instance),
           "ISODOC_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "ISODOC_SECRET_KEY": "browser-test-secret",
           # the same git store and search index as the test process, which seeds them
           "ISODOC_STORE_PATH": app.config["ISODOC_STORE_PATH"],
           "ISODOC_INDEX_PATH": app.config["ISODOC_INDEX_PATH"]}
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    log = (instance / "gunicorn.log").open("w")
    proc = subprocess.Popen([gunicorn, "--workers", "2", "--bind", f"127.0.0.1:{port}",
                             "isodoc.wsgi:app"], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((instance / "gunicorn.log").read_text()) from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("ISODOC_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium not found: `apt-get install chromium` (see .ci/run)")
        pytest.skip("Chromium not installed: browser tests skipped (CI installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def demo_province(app) -> None:
    """The demo province and accounts, seeded the way `isodoc demo` does."""
    with app.app_context():
        demo.seed(DEMO_PASSWORD)
        db.session.commit()
        search.drain()  # as `isodoc demo` does: the served app drains only what it changed


@pytest.fixture
def page(browser, server, demo_province):
    context = browser.new_context(base_url=server, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    yield page
    context.close()
