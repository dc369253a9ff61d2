"""The `isodoc` command: init, demo, serve, users and tokens, registry CSV.

Every change runs as a command through `commands.cli` (one commit, a Vietnamese message
and exit code 1 when refused), with `policy.SYSTEM` as the actor: the operator at the
command line is trusted as the machine's administrator is."""
# i18n: vietnamese-only (the operator's console)

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import func, select

from isodoc import commands, config, create_app, dbstats, demo, mail, migrate, search
from isodoc.agencies import registry_csv
from isodoc.agencies.services import get_by_code
from isodoc.auth import services
from isodoc.auth.models import Role
from isodoc.documents import integrity, repos
from isodoc.documents.models import Document
from isodoc.extensions import db
from isodoc.policy import SYSTEM


@click.group(cls=FlaskGroup, create_app=lambda: create_app(), add_version_option=False)
def main() -> None:
    """isodoc — ISO điện tử."""


@main.command("init")
@with_appcontext
def init_command() -> None:
    """Create the instance folders and migrate the database to the latest schema."""
    migrate.upgrade(current_app)
    click.echo(f"Cơ sở dữ liệu đã cập nhật: {safe_url()}")


def safe_url() -> str:
    return db.engine.url.render_as_string(hide_password=True)


def print_accounts(accounts: list[demo.DemoAccount]) -> None:
    click.echo("Tài khoản demo:")
    for a in accounts:
        password = a.password or "(đã đặt trước đó)"
        click.echo(f"  {a.username:<18} {a.role.label:<22} {a.agency_code:<12} {password}")


@main.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Seed the demo province (Điện Biên) and the demo accounts."""
    if if_empty and not demo.is_empty():
        click.echo("Dữ liệu đã có sẵn: không tạo lại dữ liệu demo.")
        print_accounts(demo.accounts())
        return
    accounts = commands.cli(demo.seed, demo.env_password())
    search.drain()
    print_accounts(accounts)
    if not demo.env_password() and any(a.password for a in accounts):
        click.echo("Mật khẩu ngẫu nhiên chỉ in một lần; đặt lại bằng "
                   "`isodoc user set-password TÊN`.")


@main.command("serve")
@click.option("--port", type=int, default=lambda: int(os.environ.get("ISODOC_PORT", "5000")),
              show_default="5000 or ISODOC_PORT")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--workers", type=int, default=2, show_default=True)
@click.option("--node", default="", help="Name of this node when several app servers share "
              "one database (also ISODOC_NODE): its search index is <instance>/search/NODE.")
@with_appcontext
def serve_command(port: int, host: str, workers: int, node: str) -> None:
    """Migrate, seed the demo on first run, then serve with gunicorn."""
    if node:
        try:
            config.check_node_name(node)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--node") from None
        # gunicorn's workers read it from the environment they inherit by exec
        os.environ["ISODOC_NODE"] = node
        current_app.config["ISODOC_NODE"] = node
        if "ISODOC_INDEX_PATH" not in os.environ:
            current_app.config["ISODOC_INDEX_PATH"] = config.index_path(
                Path(current_app.instance_path), node)
            Path(current_app.config["ISODOC_INDEX_PATH"]).mkdir(parents=True, exist_ok=True)
    migrate.upgrade(current_app)
    # a crash mid-issue is repaired before serving; this process becomes gunicorn's
    # master by exec, so its workers find this start already repaired
    problems = integrity.repair_once(current_app._get_current_object(),
                                     integrity.start_key_of(os.getpid())) or []
    for problem in problems:
        click.echo(str(problem))
    dbstats.refresh(db.engine)  # the planner's statistics for the data as it is now
    first_run = demo.is_empty()
    if first_run:
        accounts = commands.cli(demo.seed, demo.env_password())
        search.drain()
    else:
        accounts = demo.accounts()
    print_accounts(accounts)
    click.echo(f"\nisodoc đang chạy tại http://{host}:{port}/  (Ctrl+C để dừng)")
    gunicorn = shutil.which("gunicorn") or str(Path(sys.executable).with_name("gunicorn"))
    # The repair and the drain opened git repositories in this app context, which an
    # exec never tears down: their `git cat-file` processes would become zombies of
    # gunicorn's master (it reaps only its workers). Stop them first.
    repos.close_repos()
    db.session.remove()  # return the connection before closing the pool
    db.engine.dispose()  # do not share connections with the forked workers
    # No gunicorn access log: the app writes one line per request itself (isodoc.logs),
    # with its request id, user and endpoint; gunicorn's own messages go to stderr.
    os.execv(gunicorn, [gunicorn, "--workers", str(workers), "--bind", f"{host}:{port}",
                        "--error-logfile", "-", "isodoc.wsgi:app"])


@main.command("check")
@click.option("--repair", is_flag=True, help="Replay into SQL what git holds (git is the truth).")
@with_appcontext
def check_command(repair: bool) -> None:
    """Compare SQL with the git store; exit 1 if anything is left unrepaired."""
    # the repair is a command (one commit); a plain check writes nothing
    problems = commands.cli(integrity.check, repair=True) if repair else integrity.check()
    for problem in problems:
        click.echo(str(problem))
    left = [p for p in problems if not p.repaired]
    if repair:
        search.drain()
    index_problems = search.check()
    if index_problems and repair:
        commands.cli(search.reindex)
        click.echo(f"Chỉ mục tìm kiếm lệch ({len(index_problems)} mục): đã dựng lại.")
        index_problems = search.check()
    for problem in index_problems:
        click.echo(f"[CHƯA sửa] {problem}")
    click.echo(f"Kiểm tra: {len(problems) + len(index_problems)} vấn đề, "
               f"{len(problems) - len(left)} đã sửa.")
    if left or index_problems:
        sys.exit(1)


@main.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search index from the database."""
    total = db.session.scalar(select(func.count()).select_from(Document))
    with click.progressbar(length=total, label="Dựng lại chỉ mục tìm kiếm") as bar:
        entries = commands.cli(search.reindex, progress=bar.update)
    click.echo(f"Đã lập chỉ mục {entries} mục cho {total} tài liệu "
               f"({current_app.config['ISODOC_SEARCH_ENGINE']}).")


@main.command("maintenance")
@with_appcontext
def maintenance_command() -> None:
    """Write commit-graphs (with changed paths) for every agency repository and refresh
    the database planner's statistics (isodoc/dbstats.py)."""
    count = integrity.write_commit_graphs()
    click.echo(f"Đã cập nhật commit-graph cho {count} kho.")
    click.echo(f"Đã cập nhật thống kê của cơ sở dữ liệu ({dbstats.refresh(db.engine):.1f} s).")


@main.group("user")
def user_group() -> None:
    """Manage accounts."""


@user_group.command("create")
@click.argument("username")
@click.option("--full-name", required=True)
@click.option("--email", default="")
@with_appcontext
def user_create(username: str, full_name: str, email: str) -> None:
    """Create an account with a random password (printed once)."""
    user, password = commands.cli(services.create_user, username, full_name, SYSTEM, email)
    click.echo(f"{user.username}: {password}")


@user_group.command("grant")
@click.argument("username")
@click.argument("agency_code")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@with_appcontext
def user_grant(username: str, agency_code: str, role: str) -> None:
    """Give USERNAME a ROLE at AGENCY_CODE (e.g. the first admin on the province root)."""
    user = services.get_user(username)
    agency = get_by_code(agency_code)
    if user is None or agency is None:
        raise click.ClickException("Không có tài khoản hoặc đơn vị với tên/mã đã nhập.")
    commands.cli(services.add_membership, user, SYSTEM, agency, Role(role))
    click.echo(f"{user.username}: {Role(role).label} tại {agency.name}.")


@user_group.command("set-password")
@click.argument("username")
@click.password_option(prompt="Mật khẩu mới", confirmation_prompt="Nhập lại")
@with_appcontext
def user_set_password(username: str, password: str) -> None:
    """Set a person's password (ends their sessions)."""
    user = services.get_user(username)
    if user is None:
        raise click.ClickException(f"Không có tài khoản «{username}».")
    commands.cli(services.reset_password, user, SYSTEM, password)
    click.echo("Đã đặt mật khẩu mới.")


@user_group.command("token")
@click.argument("username")
@click.option("--name", default="CLI", show_default=True)
@with_appcontext
def user_token(username: str, name: str) -> None:
    """Print a new personal API token for USERNAME."""
    user = services.get_user(username)
    if user is None:
        raise click.ClickException(f"Không có tài khoản «{username}».")
    token = commands.cli(services.create_token, user, SYSTEM, name)
    click.echo(token)


@main.group("registry")
def registry_group() -> None:
    """Agency registry CSV import and export."""


@registry_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def registry_import(path: Path) -> None:
    result = commands.cli(registry_csv.import_csv, path.read_bytes(), SYSTEM)
    click.echo(f"{result.created} mới, {result.updated} cập nhật, {result.unchanged} không đổi.")


@registry_group.command("export")
@with_appcontext
def registry_export() -> None:
    sys.stdout.buffer.write(registry_csv.export_csv())


@main.group("mail")
def mail_group() -> None:
    """Notification mail: send the outbox, daily reminders and digests."""


def echo_drained(done: dict[str, int]) -> None:
    click.echo(f"Đã gửi {done['sent']} thư; {done['retry']} thư sẽ thử lại sau; "
               f"{done['failed']} thư không gửi được (xem trang Thư đi).")


@mail_group.command("drain")
@with_appcontext
def mail_drain() -> None:
    """Send every mail that is due (retries included); run it from cron every few minutes."""
    echo_drained(mail.drain_all())


@mail_group.command("daily")
@with_appcontext
def mail_daily() -> None:
    """Remind each person of what is due or overdue and send the daily digests; run once a
    day from cron (a second run the same day tells nobody the same thing again)."""
    counts = commands.cli(mail.daily)
    click.echo(f"{counts['reminders']} thư nhắc việc, {counts['digests']} bản tin hằng ngày.")
    echo_drained(mail.drain_all())


@main.command("import-docx")
@click.option("--agency", "agency_code", required=True, help="The agency's code.")
@click.option("--as", "username", default=None,
              help="Author of the drafts (default: the agency's first secretary).")
@click.option("--tracked-changes", "tracked", type=click.Choice(["accept", "reject"]),
              default=None, help="What to do with tracked changes (default: refuse the file).")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def import_docx_command(agency_code: str, username: str | None, tracked: str | None,
                        folder: Path) -> None:
    """Import every Word file of FOLDER as a draft document of the agency.

    One line per file: imported as …, skipped because …, failed because …. A file
    imported before (same content) is skipped, so running it again changes nothing.
    Exit code 1 when a file failed."""
    from isodoc.auth.services import get_user
    from isodoc.documents import docx_import

    agency = get_by_code(agency_code)
    if agency is None:
        raise click.ClickException(f"Không có đơn vị mã «{agency_code}».")
    actor = get_user(username) if username else docx_import.default_author(agency)
    if actor is None:
        raise click.ClickException(
            f"Không tìm thấy người dùng «{username}»." if username else
            f"{agency.name} chưa có thư ký ISO hay người soạn thảo: dùng --as TÊN.")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("~$")
                   and p.suffix.lower() in (".docx", ".docm", ".doc", ".dotx"))
    results = []
    with click.progressbar(files, label="Nhập tệp Word",
                           item_show_func=lambda p: p.name[:40] if p else "") as bar:
        for path in bar:
            results.append((path, *docx_import.import_file(agency, actor, path, tracked)))
    search.drain()
    counts = {"imported": 0, "skipped": 0, "failed": 0}
    for path, outcome, text in results:
        counts[outcome] += 1
        click.echo(f"{path.relative_to(folder)}: {text}")
    click.echo(f"Đã nhập {counts['imported']}, bỏ qua {counts['skipped']}, lỗi "
               f"{counts['failed']} (tổng {len(files)} tệp).")
    if counts["failed"]:
        sys.exit(1)


@main.group("tthc")
def tthc_group() -> None:
    """The province's TTHC catalog."""


@tthc_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--decision", default="", help="Quyết định công bố (số, ngày) the list carries out.")
@click.option("--yes", is_flag=True, help="Apply without asking after the preview.")
@with_appcontext
def tthc_import(path: Path, decision: str, yes: bool) -> None:
    """Import a TTHC list (.xlsx or .csv): preview what it adds, changes and abolishes,
    then apply it (the same commands as the upload page)."""
    from isodoc.tthc import importer
    from isodoc.tthc import services as tthc_services

    if path.stat().st_size > importer.MAX_BYTES:
        raise click.ClickException(f"Tệp quá lớn (tối đa {importer.MAX_BYTES // 2**20} MB).")
    data = path.read_bytes()
    with click.progressbar(length=importer.MAX_ROWS, label="Đọc danh mục") as bar:
        staged = commands.cli(tthc_services.stage_import, data, path.name, SYSTEM,
                              progress=bar.update)
    diff = tthc_services.Diff.from_json(staged.preview)
    click.echo(f"{staged.rows} thủ tục ({staged.encoding}): {len(diff.added)} mới, "
               f"{len(diff.changed)} thay đổi, {len(diff.abolished)} bãi bỏ, "
               f"{diff.unchanged} không đổi.")
    for change in diff.changed[:50]:
        click.echo(f"  ~ {change['code']}: " + "; ".join(
            f"{label}: «{old[:60]}» → «{new[:60]}»"
            for label, old, new in tthc_services.change_rows(change)))
    for gone in diff.abolished[:50]:
        click.echo(f"  - {gone['code']} {gone['name'][:80]}")
    if diff.unknown_columns:
        click.echo("Cột không nhận ra (bỏ qua): " + ", ".join(diff.unknown_columns))
    if diff.unmatched_bodies:
        click.echo("Cơ quan thực hiện chưa khớp đơn vị: " + "; ".join(diff.unmatched_bodies))
    if not yes and not click.confirm("Áp dụng danh mục này?", default=False):
        click.echo(f"Chưa áp dụng (bản xem trước số {staged.id}).")
        return
    decision = decision or f"Nhập từ tệp {path.name} (dòng lệnh)"
    with click.progressbar(length=staged.rows, label="Áp dụng") as bar:
        commands.cli(tthc_services.apply_import, staged, SYSTEM, decision, progress=bar.update)
    click.echo("Đã áp dụng danh mục TTHC.")
