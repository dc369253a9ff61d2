"""The test clock: module-level dates follow the day each test runs."""

from datetime import timedelta

from isodoc.timeutil import today_local

TODAY = today_local() - timedelta(days=1)  # as if this module were imported yesterday


def test_module_today_is_the_day_the_test_runs():
    assert today_local() == TODAY


def test_local_days_as_stored_utc():
    from datetime import date, datetime

    from isodoc.timeutil import utc_days, utc_start_of

    assert utc_start_of(date(2026, 11, 27)) == datetime(2026, 11, 26, 17, 0)
    assert utc_days(date(2026, 1, 1), date(2026, 12, 31)) == (
        datetime(2025, 12, 31, 17, 0), datetime(2026, 12, 31, 17, 0))


def test_an_audit_closed_early_on_the_first_day_counts_for_a_declaration(
        app, province, make_user):
    """The audit window is in local days: an audit completed at 06:00 in Vietnam on the
    window's first day (23:00 UTC the day before) is inside it, one completed at 06:00
    the day after the window's last day is not."""
    from datetime import datetime

    from isodoc.agencies.services import get_by_code
    from isodoc.audits.models import Audit, AuditProgramme, AuditState
    from isodoc.auth.services import get_user
    from isodoc.declarations.services import audit_window, completed_audit
    from isodoc.extensions import db

    lead = make_user((province["dept"], "secretary"))
    on = today_local()
    start, end = audit_window(on)
    with app.app_context():
        agency, user = get_by_code(province["dept"]), get_user(lead)
        programme = AuditProgramme(agency_id=agency.id, year=start.year)
        db.session.add(programme)
        db.session.flush()

        def audit(completed_at: datetime) -> Audit:
            row = Audit(programme_id=programme.id, agency_id=agency.id, seq=1, title="Đợt 1",
                        planned_start=start, planned_end=start, state=AuditState.COMPLETED,
                        lead_id=user.id, created_by_id=user.id, completed_at=completed_at)
            db.session.add(row)
            db.session.flush()
            return row

        late = audit(datetime.combine(end + timedelta(days=1), datetime.min.time())
                     - timedelta(hours=1))  # 06:00 local the day after the window
        assert completed_audit(agency, on) is not None
        db.session.delete(late)
        db.session.flush()
        audit(datetime.combine(start, datetime.min.time()) - timedelta(hours=1))
        assert completed_audit(agency, on) is None
        db.session.rollback()


def test_planner_statistics_are_refreshed_once_an_interval(app, monkeypatch):
    """ANALYZE runs after a response once an interval per worker (isodoc/dbstats.py): the
    first request starts the clock, a request after the interval refreshes."""
    from sqlalchemy import text

    from isodoc import dbstats
    from isodoc.extensions import db

    with app.app_context():
        engine = db.engine
        dbstats._last.pop(id(engine), None)
        assert dbstats._due(engine) is False  # the first request only starts the clock
        assert dbstats._due(engine) is False
        monkeypatch.setattr(dbstats, "INTERVAL", 0.0)
        assert dbstats._due(engine) is True
        client = app.test_client()
        client.get("/login")  # the refresh runs once the response is closed
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                assert connection.execute(text("SELECT count(*) FROM sqlite_stat1")).scalar()
