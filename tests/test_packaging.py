"""A non-editable `pip install .` carries templates, static files, migrations and data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import isodoc, sys
from isodoc import create_app, migrate
assert isodoc.__file__.startswith(sys.argv[1]), isodoc.__file__
app = create_app()
migrate.upgrade(app)
client = app.test_client()
page = client.get("/login").get_data(as_text=True)
assert "Đăng nhập" in page, page
assert client.get("/static/style.css").status_code == 200
from isodoc import demo
assert len(demo.registry_file()) > 10000
print("installed-ok", isodoc.__file__)
"""


def test_non_editable_install_runs_from_site_packages(tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--target", str(target), str(ROOT)],
                   check=True, cwd=tmp_path, timeout=300)
    installed = target / "isodoc"
    for folder in ("templates", "static", "migrations", "procedures"):
        source = {p.relative_to(ROOT / folder) for p in (ROOT / folder).rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts}
        shipped = {p.relative_to(installed / folder) for p in (installed / folder).rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts}
        assert source <= shipped, f"{folder}/ files missing: {source - shipped}"
    for part in ("data/dien_bien_registry.csv", "translations/en/base.po"):
        assert (installed / part).is_file(), part
    env = {**os.environ, "PYTHONPATH": str(target), "ISODOC_INSTANCE_PATH": str(tmp_path / "i"),
           "ISODOC_DATABASE_URL": f"sqlite:///{tmp_path / 'i.sqlite3'}"}
    result = subprocess.run([sys.executable, "-c", CHECK, str(installed)], env=env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "installed-ok" in result.stdout
