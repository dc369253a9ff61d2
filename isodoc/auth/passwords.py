"""argon2id password hashing (argon2-cffi)."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

MIN_LENGTH = 10
MAX_LENGTH = 256
# A real hash to verify against when the user does not exist, so that a wrong
# username costs the same time as a wrong password.
_DUMMY: dict[str, str] = {}


def hasher() -> PasswordHasher:
    params = current_app.config.get("ISODOC_ARGON2", {}) if has_app_context() else {}
    return PasswordHasher(**params)


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    ph = hasher()
    if stored_hash is None:
        key = repr(sorted(current_app.config.get("ISODOC_ARGON2", {}).items()))
        target = _DUMMY.setdefault(key, ph.hash(secrets.token_hex(8)))
    else:
        target = stored_hash
    try:
        ok = ph.verify(target, password[:MAX_LENGTH])
    except (VerificationError, InvalidHashError):
        return False
    return ok and stored_hash is not None


def needs_rehash(stored_hash: str) -> bool:
    return hasher().check_needs_rehash(stored_hash)


def password_problem(password: str) -> str | None:
    if len(password) < MIN_LENGTH:
        return f"Mật khẩu cần ít nhất {MIN_LENGTH} ký tự."
    if len(password) > MAX_LENGTH:
        return f"Mật khẩu dài quá {MAX_LENGTH} ký tự."
    return None


def random_password() -> str:
    return secrets.token_urlsafe(12)
