"""argon2id password hashing (argon2-cffi) and the rules a new password must meet."""

from __future__ import annotations

import re
import secrets
from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

MIN_LENGTH = 10
MAX_LENGTH = 256
MIN_DISTINCT = 4
# A real hash to verify against when the user does not exist, so that a wrong
# username costs one verify, exactly like a wrong password. Computed once per set of
# argon2 parameters: hashing per attempt made unknown names twice as slow (an oracle).
_DUMMY: dict[str, str] = {}
# Runs of neighbouring characters; each is read cyclically and in both directions, so
# "1234567890", "0987654321", "abcdefghij", "qwertyuiop" and "asdfghjkl;" all match.
SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm",
             "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "azertyuiop")
USERNAME_PART_MIN = 5  # shorter parts are single syllables: "nghi" is in many a phrase


def _params() -> dict:
    return current_app.config.get("ISODOC_ARGON2", {}) if has_app_context() else {}


def hasher() -> PasswordHasher:
    return PasswordHasher(**_params())


def hash_password(password: str) -> str:
    return hasher().hash(password)


def dummy_hash(ph: PasswordHasher) -> str:
    key = repr(sorted(_params().items()))
    if key not in _DUMMY:
        _DUMMY[key] = ph.hash(secrets.token_hex(16))
    return _DUMMY[key]


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Exactly one argon2 verify, whether or not the account exists."""
    ph = hasher()
    target = stored_hash if stored_hash is not None else dummy_hash(ph)
    try:
        ok = ph.verify(target, password[:MAX_LENGTH])
    except (VerificationError, InvalidHashError):
        return False
    return ok and stored_hash is not None


def needs_rehash(stored_hash: str) -> bool:
    return hasher().check_needs_rehash(stored_hash)


@cache
def common_passwords() -> frozenset[str]:
    """The list shipped in the package (no download at run time)."""
    text = files("isodoc.auth").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def is_sequence(text: str) -> bool:
    for seq in SEQUENCES:
        for run in (seq, seq[::-1]):
            # Enough turns of the cycle to hold any password of MAX_LENGTH.
            if text in run * (len(text) // len(run) + 2):
                return True
    return False


def username_parts(username: str) -> list[str]:
    parts = [p for p in re.split(r"[._-]", username) if len(p) >= USERNAME_PART_MIN]
    return [p for p in parts if p != username]


def password_problem(password: str, username: str | None = None) -> str | None:
    """What is wrong with `password` as a new password for `username`, in the
    interface's language."""
    from isodoc.i18n import _

    if len(password) < MIN_LENGTH:
        return _("Mật khẩu cần ít nhất %(n)s ký tự.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Mật khẩu dài quá %(n)s ký tự.", n=MAX_LENGTH)
    folded = password.lower()
    if username:
        username = username.lower()
        if username in folded:
            return _("Mật khẩu không được chứa tên đăng nhập.")
        for part in username_parts(username):
            if part in folded:
                return _("Mật khẩu không được chứa «%(part)s», một phần của tên đăng nhập.",
                         part=part)
    if len(set(folded)) < MIN_DISTINCT:
        return _("Mật khẩu cần ít nhất %(n)s ký tự khác nhau, không chỉ lặp lại "
                 "một vài ký tự.", n=MIN_DISTINCT)
    if is_sequence(folded):
        return _("Mật khẩu không được là một dãy ký tự liền nhau "
                 "(như 1234567890, abcdefghij, qwertyuiop).")
    if folded in common_passwords():
        return _("Mật khẩu này quá phổ biến, dễ bị đoán; vui lòng chọn mật khẩu khác.")
    return None


def random_password(username: str | None = None) -> str:
    """16 random URL-safe characters that also meet every rule above."""
    while True:
        password = secrets.token_urlsafe(12)
        if password_problem(password, username) is None:
            return password
