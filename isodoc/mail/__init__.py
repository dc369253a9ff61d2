"""Mail: who is told what, the outbox, and sending it.

- `revision_moved` is called by every document command (documents/services.py `_event`)
  and queues, in that command's transaction, a mail to each person something now waits
  for (reviewers, approvers, secretaries, the agency's members) and to the author whose
  draft moved. Only people of the document's agency (or named as its reviewers) are
  considered, and only those with an e-mail address and a preference other than "none";
  people who want a digest get their mails held for `daily`.
- `drain` sends what is due, after the response (`drain_after_request`) or from
  `isodoc mail drain`: rows are claimed with a conditional UPDATE (two workers never send
  the same mail), failures are retried with exponential backoff and end as "failed"
  after MAX_ATTEMPTS, visible on the admin page. With no SMTP host configured the mail is
  written as an .eml file under the instance folder, and the log says so once.
- `daily` (`isodoc mail daily`) tells each person of what is due or overdue in their
  "Việc của tôi" (finding steps, periodic reviews) and sends held mails as one digest;
  a reminder is told once a day at most (MailReminder rows).
- A mail is written in its recipient's language (`User.language`, Vietnamese when
  unset), whoever's request or job composes it: notices are built from lazy strings and
  written out per recipient under `force_locale` (`compose`).
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, g, has_request_context, render_template
from flask_babel import force_locale, lazy_ngettext
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import selectinload

from isodoc.auth.models import Membership, Role, User
from isodoc.extensions import db
from isodoc.i18n import LANGUAGES, _, _l
from isodoc.mail.models import MailMode, MailOutbox, MailPreference, MailReminder, MailState
from isodoc.timeutil import LOCAL_TZ, UTC, format_date, today_local, utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8          # 1 + 2 + 4 + … minutes: about four hours of retries
MAX_BACKOFF = timedelta(hours=1)
RECLAIM_AFTER = timedelta(minutes=15)  # a "sending" row older than this: its worker died
BATCH = 50                # mails sent by one drain after a response
DUE_SOON_DAYS = 3         # a finding step is "due" this many days before its date
KEEP_SENT = timedelta(days=90)   # sent mails stay visible to the admin this long
KEEP_REMINDERS = timedelta(days=7)
TLS_MODES = ("none", "starttls", "ssl")
_eml_logged = False
_eml_lock = threading.Lock()


# -- composing -----------------------------------------------------------------------

@dataclass
class Item:
    """One line of a mail: what waits, and the absolute link that opens it. Title and
    note may be lazy strings, written out in the recipient's language (`compose`)."""

    title: str
    url: str
    note: str = ""


@dataclass
class Notice:
    """A mail before it is written: subject and intro may be lazy strings (`_l` with
    their values), so one notice reads in each recipient's language."""

    kind: str
    subject: str
    intro: str
    items: list[Item] = field(default_factory=list)
    quote: str = ""  # a reviewer's or approver's comment, quoted as written
    held: list[MailOutbox] = field(default_factory=list)  # a digest's earlier mails


def absolute(endpoint: str, **values) -> str:
    """An absolute link to a page, built from ISODOC_BASE_URL (not from the request: a
    mail is read elsewhere, and the daily job has no request)."""
    base = urlsplit(current_app.config["ISODOC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                                       url_scheme=base.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def absolute_path(path: str) -> str:
    """An absolute link from a path `url_for` gave under `daily`'s request context, which
    is based on ISODOC_BASE_URL (so the path already carries its prefix)."""
    base = urlsplit(current_app.config["ISODOC_BASE_URL"])
    return f"{base.scheme or 'http'}://{base.netloc}{path}"


def preferences(user_ids: Iterable[int]) -> dict[int, MailMode]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    rows = db.session.execute(select(MailPreference.user_id, MailPreference.mode).where(
        MailPreference.user_id.in_(ids))).all()
    return {uid: MailMode(mode) for uid, mode in rows}


def mode_of(user: User) -> MailMode:
    return preferences([user.id]).get(user.id, MailMode.IMMEDIATE)


def local_time(value) -> str:
    """dd/mm/yyyy HH:MM in Vietnam, without Flask-Babel (no request in the daily job)."""
    return value.replace(tzinfo=UTC).astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def language_of(user: User) -> str:
    """The language a person's mail is written in: their choice, else Vietnamese."""
    return user.language if user.language in LANGUAGES else LANGUAGES[0]


def written(notice: Notice) -> Notice:
    """The notice with every lazy string turned into text in the current locale. Plain
    strings also matter for safety: a lazy string reaches a template through its
    `__html__`, unescaped, and its values (titles, names, comments) are people's input."""
    return replace(notice, subject=str(notice.subject), intro=str(notice.intro),
                   items=[replace(i, title=str(i.title), note=str(i.note))
                          for i in notice.items])


def render(user: User, notice: Notice, digest: bool = False) -> tuple[str, str]:
    context = {"user": user, "notice": notice, "digest": digest, "when": local_time,
               "account_url": absolute("auth.account"), "home_url": absolute("main.home")}
    return (render_template("mail/notice.txt", **context),
            render_template("mail/notice.html", **context))


def compose(user: User, notice: Notice, digest: bool = False) -> tuple[str, str, str]:
    """Subject, plain text and HTML of a notice, in the recipient's language whatever the
    language of the request (or job) sending it."""
    with force_locale(language_of(user)):
        notice = written(notice)
        text, html = render(user, notice, digest)
    return notice.subject, text, html


def queue(recipients: dict[int, tuple[User, Notice]]) -> int:
    """Queue one notice per person in the caller's transaction, as each prefers:
    immediate, held for the daily digest, or none. Returns the number queued or held."""
    modes = preferences(recipients)
    queued = 0
    for uid, (user, notice) in recipients.items():
        mode = modes.get(uid, MailMode.IMMEDIATE)
        if mode is MailMode.NONE or not user.email or not user.active:
            continue
        subject, text, html = compose(user, notice)
        held = mode is MailMode.DIGEST
        db.session.add(MailOutbox(
            user_id=user.id, to_addr=user.email, to_name=user.full_name, kind=notice.kind,
            subject=subject[:300], body_text=text, body_html=html,
            link=notice.items[0].url[:500] if notice.items else "",
            state=MailState.HELD if held else MailState.QUEUED))
        queued += 1
        if not held:
            g.mail_dirty = True
    return queued


# -- who is told what when a draft or revision moves ---------------------------------

def _members(agency_id: int, roles: set[Role] | None = None) -> list[User]:
    """Active people of the agency with an e-mail address (with the given roles), their
    memberships loaded for the policy in the same round trip."""
    stmt = select(User).join(Membership).where(
        Membership.agency_id == agency_id, User.active.is_(True), User.email.is_not(None),
        User.email != "")
    if roles:
        stmt = stmt.where(Membership.role.in_([r.value for r in roles]))
    return list(db.session.scalars(stmt.distinct().options(selectinload(User.memberships))))


TOLD_OF = {"submit", "review_agreed", "review_changes_requested", "approve", "reject", "issue"}


def revision_moved(revision, actor, action: str) -> None:
    """Queue the mails a document command's event calls for (see the module docstring).
    Called in the command's transaction; the actor is never told of their own act."""
    if action not in TOLD_OF:
        return
    from isodoc import policy
    from isodoc.documents.models import Decision, RevisionState
    from isodoc.policy import Action

    document = revision.document
    agency = document.agency
    code, title = document.code, revision.title
    actor_id = getattr(actor, "id", None)
    who = getattr(actor, "full_name", None) or _l("Hệ thống")
    draft_url = absolute("documents.draft", agency_code=agency.code, slug=document.slug,
                         seq=revision.seq)
    doc_url = absolute("documents.show", agency_code=agency.code, slug=document.slug)
    item = Item(f"{code}: {title}", draft_url,
                _l("%(agency)s · dự thảo %(seq)s", agency=agency.name, seq=revision.seq))
    names = {"who": who, "code": code, "title": title, "agency": agency.name}
    told: dict[int, tuple[User, Notice]] = {}

    def tell(users: Iterable[User], notice: Notice) -> None:
        for u in users:
            if u.id != actor_id and u.id not in told and u.email and u.active:
                told[u.id] = (u, notice)

    author = revision.author
    last = revision.last_comment or ""
    if action == "submit":
        reviewers = [r.reviewer for r in revision.reviews if r.decision == Decision.PENDING]
        tell(reviewers, Notice(
            "review_request", _l("[isodoc] Mời bạn xem xét dự thảo %(code)s: %(title)s",
                                 **names),
            _l("%(who)s đã trình dự thảo %(code)s «%(title)s» của %(agency)s và mời bạn xem "
               "xét. Hãy đọc dự thảo rồi chọn «Đồng ý» hoặc «Đề nghị sửa».", **names), [item]))
    elif action == "review_agreed" and revision.state == RevisionState.REVIEWED:
        tell([author], Notice(
            "own_reviewed", _l("[isodoc] Dự thảo %(code)s của bạn đã được xem xét xong",
                               **names),
            _l("Mọi người xem xét đã đồng ý với dự thảo %(code)s «%(title)s»; dự thảo đang "
               "chờ lãnh đạo phê duyệt.", **names), [item]))
        approvers = [u for u in _members(agency.id, {Role.APPROVER})
                     if policy.can(u, Action.DOC_APPROVE, revision)]
        tell(approvers, Notice(
            "approve_request", _l("[isodoc] Dự thảo %(code)s chờ bạn phê duyệt", **names),
            _l("Dự thảo %(code)s «%(title)s» của %(agency)s đã được xem xét xong và chờ bạn "
               "phê duyệt hoặc trả lại.", **names), [item]))
    elif action == "review_changes_requested":
        tell([author], Notice(
            "own_changes", _l("[isodoc] Dự thảo %(code)s của bạn được đề nghị sửa", **names),
            _l("%(who)s đề nghị sửa dự thảo %(code)s «%(title)s». Hãy sửa rồi trình xem xét "
               "lại.", **names), [item], quote=last))
    elif action == "approve":
        tell([author], Notice(
            "own_approved", _l("[isodoc] Dự thảo %(code)s của bạn đã được phê duyệt", **names),
            _l("%(who)s đã phê duyệt dự thảo %(code)s «%(title)s»; thư ký ISO sẽ ban hành.",
               **names), [item]))
        secretaries = [u for u in _members(agency.id, {Role.SECRETARY})
                       if policy.can(u, Action.DOC_ISSUE, revision)]
        tell(secretaries, Notice(
            "issue_request", _l("[isodoc] %(code)s đã được phê duyệt, chờ ban hành", **names),
            _l("%(who)s đã phê duyệt dự thảo %(code)s «%(title)s» của %(agency)s. Hãy ban "
               "hành với ngày hiệu lực.", **names), [item]))
    elif action == "reject":
        tell([author], Notice(
            "own_rejected", _l("[isodoc] Dự thảo %(code)s của bạn bị trả lại", **names),
            _l("%(who)s đã trả lại dự thảo %(code)s «%(title)s». Hãy sửa theo ý kiến dưới "
               "đây rồi trình lại.", **names), [item], quote=last))
    elif action == "issue":
        names |= {"number": revision.number, "when": format_date(revision.effective_date)}
        issued = Item(_l("%(code)s lần %(number)s: %(title)s", **names), doc_url,
                      _l("%(agency)s · hiệu lực từ %(when)s", **names))
        in_force = revision.effective_date <= today_local()
        tell([author], Notice(
            "own_issued", _l("[isodoc] %(code)s lần %(number)s đã được ban hành", **names),
            _l("Dự thảo %(code)s «%(title)s» của bạn đã được ban hành lần %(number)s, hiệu "
               "lực từ %(when)s. Hãy đọc và bấm «Xác nhận đã đọc» trên trang tài liệu.",
               **names) if in_force else
            _l("Dự thảo %(code)s «%(title)s» của bạn đã được ban hành lần %(number)s, hiệu "
               "lực từ %(when)s.", **names), [issued]))
        if in_force:  # a revision that takes effect later is told on its day (`daily`)
            members = [u for u in _members(agency.id) if not agency.is_dissolved()]
            tell(members, acknowledge_notice(code, title, revision.number, agency.name,
                                             revision.effective_date, doc_url))
            # `daily` tells what comes into force today: these people know already
            key = acknowledge_key(urlsplit(doc_url).path, revision.effective_date)
            remembered(told, today_local(), key)
    if told:
        queue(told)


def acknowledge_notice(code: str, title: str, number: int | None, agency_name: str,
                       effective, url: str) -> Notice:
    names = {"code": code, "title": title, "number": number, "agency": agency_name,
             "when": format_date(effective)}
    return Notice(
        "acknowledge_request",
        _l("[isodoc] Văn bản mới: %(code)s lần %(number)s, hiệu lực từ %(when)s", **names),
        _l("%(agency)s đã ban hành %(code)s «%(title)s» lần %(number)s, hiệu lực từ "
           "%(when)s. Hãy đọc và bấm «Xác nhận đã đọc» trên trang tài liệu.", **names),
        [Item(_l("%(code)s lần %(number)s: %(title)s", **names), url,
              _l("%(agency)s · hiệu lực từ %(when)s", **names))])


def acknowledge_key(path: str, effective) -> str:
    return f"acknowledge:{path}:{effective.isoformat()}"


def remembered(told: dict[int, tuple[User, Notice]], day: date, key: str) -> None:
    """Record that these people were told `key` today, so `daily` does not repeat it."""
    ids = [uid for uid, (_user, notice) in told.items()
           if notice.kind in ("acknowledge_request", "own_issued")]
    if not ids:
        return
    known = set(db.session.scalars(select(MailReminder.user_id).where(
        MailReminder.user_id.in_(ids), MailReminder.day == day, MailReminder.item == key)))
    for uid in ids:
        if uid not in known:
            db.session.add(MailReminder(user_id=uid, day=day, item=key))


# -- sending -------------------------------------------------------------------------

def build_message(row: MailOutbox) -> MIMEMultipart:
    """Plain text with an HTML alternative, bodies in UTF-8. Built with the classic
    (compat32) classes on purpose: EmailMessage's default policy folds a long Vietnamese
    subject into encoded words and drops the space at the fold ("phê duyệt" arrives as
    "phêduyệt"); `Header` keeps every space inside the encoded words."""
    message = MIMEMultipart("alternative")
    message["Subject"] = Header(row.subject, "utf-8")
    sender_name, sender = parseaddr(current_app.config["ISODOC_MAIL_FROM"])
    message["From"] = formataddr((sender_name, sender), charset="utf-8")
    message["To"] = formataddr((row.to_name, row.to_addr), charset="utf-8")
    message["Date"] = format_datetime(row.created_at.replace(tzinfo=UTC))
    message["Message-ID"] = make_msgid(f"mail-{row.id}", domain="isodoc")
    message["Auto-Submitted"] = "auto-generated"
    message.attach(MIMEText(row.body_text, "plain", "utf-8"))
    message.attach(MIMEText(row.body_html, "html", "utf-8"))
    return message


class Transport:
    """SMTP as configured, or .eml files when no host is set."""

    def __init__(self) -> None:
        config = current_app.config
        self.host = config["ISODOC_SMTP_HOST"]
        self.tls = config["ISODOC_SMTP_TLS"]
        self.port = config["ISODOC_SMTP_PORT"] or {"ssl": 465, "starttls": 587}.get(self.tls, 25)
        self.timeout = config["ISODOC_SMTP_TIMEOUT"]
        self.user, self.password = config["ISODOC_SMTP_USER"], config["ISODOC_SMTP_PASSWORD"]
        self.folder = Path(config["ISODOC_MAIL_PATH"])
        self.smtp: smtplib.SMTP | None = None

    def send(self, message: MIMEMultipart, row: MailOutbox) -> None:
        if not self.host:
            self._write(message, row)
            return
        if self.smtp is None:
            self.smtp = self._connect()
        self.smtp.send_message(message)

    def _connect(self) -> smtplib.SMTP:
        if self.tls not in TLS_MODES:  # recorded as the mail's error, seen on the admin page
            raise smtplib.SMTPException(f"ISODOC_SMTP_TLS={self.tls!r}: use none, starttls "
                                        "or ssl")
        context = ssl.create_default_context()
        if self.tls == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                                  context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.tls == "starttls":
                smtp.starttls(context=context)
        if self.user:
            smtp.login(self.user, self.password)
        return smtp

    def _write(self, message: MIMEMultipart, row: MailOutbox) -> None:
        global _eml_logged
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{row.created_at:%Y%m%d-%H%M%S}-{row.id}.eml"
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(message.as_bytes())
        temporary.replace(path)  # a reader never sees half a file
        with _eml_lock:
            if not _eml_logged:
                _eml_logged = True
                log.warning("ISODOC_SMTP_HOST is not set: mails are written as .eml files "
                            "under %s", self.folder)

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.smtp = None


def _claim(limit: int) -> list[int]:
    """Claim up to `limit` due rows for this drain: a conditional UPDATE per row, so
    two workers draining at once never send the same mail."""
    now = utcnow()
    due = db.session.scalars(select(MailOutbox.id).where(or_(
        and_(MailOutbox.state == MailState.QUEUED, MailOutbox.next_attempt_at <= now),
        and_(MailOutbox.state == MailState.SENDING, MailOutbox.claimed_at < now - RECLAIM_AFTER),
    )).order_by(MailOutbox.id).limit(limit)).all()
    claimed = []
    for mail_id in due:
        done = db.session.execute(update(MailOutbox).where(
            MailOutbox.id == mail_id, or_(
                MailOutbox.state == MailState.QUEUED,
                and_(MailOutbox.state == MailState.SENDING,
                     MailOutbox.claimed_at < now - RECLAIM_AFTER)))
            .values(state=MailState.SENDING, claimed_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if done:
            claimed.append(mail_id)
    db.session.commit()
    return claimed


def backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def drain(limit: int = BATCH) -> dict[str, int]:
    """Send the due mails (at most `limit`); each outcome is committed as it happens."""
    ids = _claim(limit)
    result = {"sent": 0, "retry": 0, "failed": 0}
    if not ids:
        return result
    transport = Transport()
    try:
        for mail_id in ids:
            row = db.session.get(MailOutbox, mail_id)
            row.attempts += 1
            try:
                transport.send(build_message(row), row)
            except (smtplib.SMTPException, OSError) as exc:
                transport.close()  # a broken connection is not reused
                row.last_error = f"{type(exc).__name__}: {exc}"[:500]
                if row.attempts >= MAX_ATTEMPTS:
                    row.state = MailState.FAILED
                    result["failed"] += 1
                    log.error("mail %s to %s failed for good: %s", row.id, row.to_addr,
                              row.last_error)
                else:
                    row.state = MailState.QUEUED
                    row.next_attempt_at = utcnow() + backoff(row.attempts)
                    result["retry"] += 1
                    log.warning("mail %s to %s not sent (attempt %d), retried later: %s",
                                row.id, row.to_addr, row.attempts, row.last_error)
            else:
                row.state, row.sent_at, row.last_error = MailState.SENT, utcnow(), None
                result["sent"] += 1
            db.session.commit()
    finally:
        transport.close()
    return result


def drain_all(max_rounds: int = 100) -> dict[str, int]:
    """`isodoc mail drain`: every due mail, batch after batch (bounded)."""
    total = {"sent": 0, "retry": 0, "failed": 0}
    for _round in range(max_rounds):
        done = drain()
        for key in total:
            total[key] += done[key]
        if not any(done.values()):
            break
    return total


def drain_after_request(response):
    """Send what the request queued once its response has gone out: the person never
    waits for SMTP, and a failure only leaves the mail queued for a retry."""
    if g.pop("mail_dirty", False):
        app = current_app._get_current_object()

        def drain_later() -> None:
            with app.app_context():
                try:
                    drain()
                except Exception:  # noqa: BLE001 — the response is already sent
                    log.exception("mail outbox drain failed")

        response.call_on_close(drain_later)
    return response


# -- the daily job -------------------------------------------------------------------

def reminders_for(user: User, day: date) -> list[tuple[str, Item]]:
    """What is due or overdue in the person's "Việc của tôi" (the same lists, so mail and
    work list agree): revisions that come into force today (to read), finding steps due
    within DUE_SOON_DAYS or late, management-review decisions due within DUE_SOON_DAYS
    or late, overdue periodic reviews, risk reviews due and risk actions due within
    DUE_SOON_DAYS or late. Each with a key that names it for the
    day's idempotency."""
    from isodoc.documents.worklist import work_for
    from isodoc.findings.worklist import finding_work
    from isodoc.reviews.worklist import review_work as review_action_work
    from isodoc.risks.worklist import action_work as risk_action_work
    from isodoc.risks.worklist import review_work as risk_review_work

    found = []
    for w in finding_work(user):
        if w.due is not None and w.due <= day + timedelta(days=DUE_SOON_DAYS):
            found.append((f"finding:{w.url}",
                          Item(f"{w.code}: {w.title}", absolute_path(w.url),
                               f"{w.agency} · {w.note}")))
    for w in review_action_work(user):
        if w.due is not None and w.due <= day + timedelta(days=DUE_SOON_DAYS):
            found.append((f"review-action:{w.url}",
                          Item(f"{w.code}: {w.title}", absolute_path(w.url),
                               f"{w.agency} · {w.note}")))
    work = work_for(user)
    for w in work["acknowledge"]:
        if w.due == day:  # came into force today
            found.append((acknowledge_key(urlsplit(w.url).path, w.due), Item(
                _("%(code)s: %(title)s — có hiệu lực từ hôm nay, hãy đọc và xác nhận đã đọc",
                  code=w.code, title=w.title),
                absolute_path(w.url), f"{w.agency} · {w.note}")))
    for w in work["periodic"]:
        found.append((f"periodic:{w.url}",
                      Item(_("%(code)s: %(title)s — xem xét định kỳ", code=w.code,
                             title=w.title), absolute_path(w.url), f"{w.agency} · {w.note}")))
    for w in risk_review_work(user):
        found.append((f"risk-review:{w.url}", Item(
            _("%(code)s: %(title)s — xem xét lại", code=w.code, title=w.title),
            absolute_path(w.url), f"{w.agency} · {w.note}")))
    for w in risk_action_work(user):
        if w.due is not None and w.due <= day + timedelta(days=DUE_SOON_DAYS):
            found.append((f"risk-action:{w.url}", Item(
                f"{w.code}: {w.title}", absolute_path(w.url), f"{w.agency} · {w.note}")))
    return found


def digest_notice(day: date, items: list[Item], held: list[MailOutbox]) -> Notice:
    """The daily digest: held mails and what is due, as one mail (lazy: `compose`)."""
    count, when = len(held) + len(items), format_date(day)
    return Notice("digest", lazy_ngettext("[isodoc] Bản tin ngày %(day)s: %(num)d việc của bạn",
                                          "[isodoc] Bản tin ngày %(day)s: %(num)d việc của bạn",
                                          count, day=when),
                  _l("Những việc đang chờ bạn và thay đổi về tài liệu của bạn đến ngày "
                     "%(day)s.", day=when), items, held=held)


def reminder_notice(day: date, items: list[Item]) -> Notice:
    when = format_date(day)
    return Notice("reminder",
                  lazy_ngettext("[isodoc] Nhắc việc ngày %(day)s: %(num)d việc đến hạn hoặc "
                                "quá hạn", "[isodoc] Nhắc việc ngày %(day)s: %(num)d việc đến "
                                "hạn hoặc quá hạn", len(items), day=when),
                  _l("Những việc sau đang chờ bạn và đã đến hạn, sắp đến hạn hoặc quá hạn."),
                  items)


def daily(day: date | None = None) -> dict[str, int]:
    """A command (`isodoc mail daily`): for each person with an address, tell what is due
    today that they were not told today, plus the mails held for their digest, in one
    mail. Running it twice a day sends nothing new the second time. Sent mails older
    than KEEP_SENT leave the outbox."""
    from contextlib import nullcontext

    from isodoc.documents import services

    day = day or services.today_local()  # the work list's today
    context = nullcontext() if has_request_context() else current_app.test_request_context(
        "/", base_url=current_app.config["ISODOC_BASE_URL"])
    counts = {"reminders": 0, "digests": 0}
    with context:
        people = db.session.scalars(select(User).where(
            User.active.is_(True), User.email.is_not(None), User.email != "",
            User.memberships.any()).options(selectinload(User.memberships))
            .order_by(User.id)).all()
        modes = preferences(u.id for u in people)
        for user in people:
            mode = modes.get(user.id, MailMode.IMMEDIATE)
            if mode is MailMode.NONE:
                continue
            told = set(db.session.scalars(select(MailReminder.item).where(
                MailReminder.user_id == user.id, MailReminder.day == day)))
            with force_locale(language_of(user)):  # the work list's notes in their language
                due = [(key, item) for key, item in reminders_for(user, day)
                       if key not in told]
            held = db.session.scalars(select(MailOutbox).where(
                MailOutbox.user_id == user.id, MailOutbox.state == MailState.HELD)
                .order_by(MailOutbox.id)).all() if mode is MailMode.DIGEST else []
            if not due and not held:
                continue
            for key, _item in due:
                db.session.add(MailReminder(user_id=user.id, day=day, item=key[:300]))
            items = [i for _key, i in due]
            if held:
                notice = digest_notice(day, items, list(held))
                kind_counter = "digests"
            else:
                notice = reminder_notice(day, items)
                kind_counter = "reminders"
            subject, text, html = compose(user, notice, digest=bool(held))
            db.session.add(MailOutbox(
                user_id=user.id, to_addr=user.email, to_name=user.full_name, kind=notice.kind,
                subject=subject[:300], body_text=text, body_html=html,
                link=absolute("main.home")))
            for row in held:
                row.state = MailState.DIGESTED
            counts[kind_counter] += 1
        # the outbox and the reminders stay bounded: what is done and old goes
        db.session.execute(delete(MailOutbox).where(
            MailOutbox.state.in_([MailState.SENT, MailState.DIGESTED]),
            MailOutbox.created_at < utcnow() - KEEP_SENT))
        db.session.execute(delete(MailReminder).where(MailReminder.day < day - KEEP_REMINDERS))
        db.session.flush()
    return counts


# -- the person's setting ------------------------------------------------------------

def set_mode(user: User, actor, mode: str) -> MailMode:
    """A command: the person's own choice of how to receive mail."""
    from isodoc import audit, policy
    from isodoc.errors import InvalidInput
    from isodoc.policy import Action

    policy.require(actor, Action.ACCOUNT_OWN, user)
    try:
        chosen = MailMode(mode)
    except ValueError:
        raise InvalidInput(_("Hãy chọn một cách nhận thư trong danh sách.")) from None
    row = db.session.get(MailPreference, user.id)
    if row is None:
        db.session.add(MailPreference(user_id=user.id, mode=chosen))
    else:
        row.mode = chosen
    with force_locale(LANGUAGES[0]):  # the log keeps the province's language
        summary = chosen.label
    audit.record("account.mail_mode", "user", user.username, actor=actor, summary=summary)
    return chosen
