"""The command layer: commands refuse by themselves, only adapters commit, and the
adapters map errors to answers (422, 409, 403, 503)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from sqlalchemy import func, select

from isodoc import policy
from isodoc.agencies import services as agency_services
from isodoc.agencies.models import Agency, AgencyKind
from isodoc.errors import Forbidden
from isodoc.extensions import db
from tests.conftest import agency

ADAPTERS = {"isodoc/commands.py"}
ROOT = Path(__file__).resolve().parent.parent


def commits_in(path: Path) -> list[str]:
    """`session.commit()` / `session.rollback()` calls in a module, as file:line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr in {"commit", "rollback"} and \
                isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "session":
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def module_file(func) -> Path:
    func = inspect.unwrap(func)
    return Path(inspect.getsourcefile(func)).resolve()


def test_no_view_handler_or_cli_command_commits_by_itself(app):
    """Walks the URL map and the CLI: every module that serves a route or a command
    leaves committing to the adapters."""
    from isodoc.cli import main

    modules = {module_file(view) for endpoint, view in app.view_functions.items()
               if endpoint != "static"}
    modules |= {module_file(command.callback) for command in main.commands.values()
                if command.callback is not None and
                module_file(command.callback).is_relative_to(ROOT / "isodoc")}
    groups = [c for c in main.commands.values() if hasattr(c, "commands")]
    modules |= {module_file(sub.callback) for g in groups for sub in g.commands.values()}
    modules = {m for m in modules if m.is_relative_to(ROOT / "isodoc")}
    assert any(m.name == "views.py" for m in modules) and any(m.name == "cli.py"
                                                              for m in modules)
    offenders = [hit for m in sorted(modules)
                 if str(m.relative_to(ROOT)) not in ADAPTERS for hit in commits_in(m)]
    assert offenders == []


def test_agency_commands_refuse_by_themselves(app, province, make_user):
    reader = make_user((province["dept"], "reader"))
    with app.app_context():
        from isodoc.auth.models import User

        person = db.session.scalar(select(User).where(User.username == reader))
        dept = agency(province["dept"])
        before = db.session.scalar(select(func.count()).select_from(Agency))
        with pytest.raises(Forbidden):
            agency_services.create_agency(agency_services.AgencyData(
                "phong-moi", "Phòng mới", AgencyKind.SUB_DEPARTMENT, dept), person)
        with pytest.raises(Forbidden):
            agency_services.dissolve(agency(province["commune"]), person,
                                     dept.created_at.date(), None)
        with pytest.raises(Forbidden):
            from isodoc.agencies import registry_csv

            registry_csv.import_csv(b"code,name,kind,parent_code\n", person)
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Agency)) == before


def test_system_actor_is_only_for_the_command_line(app, province):
    with app.app_context():
        assert policy.can(policy.SYSTEM, policy.Action.AGENCY_EDIT, agency(province["dept"]))
        assert not policy.can(None, policy.Action.AGENCY_EDIT, agency(province["dept"]))


def test_audit_programme_year_is_bounded(app, province, signed_in):
    client = signed_in((province["dept"], "auditor"))
    page = client.get(f"/agencies/{province['dept']}/audits?year=" + "9" * 25)
    assert page.status_code == 200
