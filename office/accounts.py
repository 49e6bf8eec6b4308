"""Officer accounts: argon2id password hashes, creation and sign-in, for the console and the CLI."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import console as repo
from storage.models import Officer

__all__ = [
    "ROLES",
    "AccountError",
    "add_officer",
    "authenticate",
    "hash_password",
    "verify_password",
]

ROLES = ("officer", "admin")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,49}$")
MIN_PASSWORD = 10

_hasher = PasswordHasher()
# Verifying against this when the username is unknown keeps sign-in timing the same either way.
_DUMMY_HASH = _hasher.hash("not-a-real-password-just-for-timing")


class AccountError(ValueError):
    pass


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def add_officer(
    session: AsyncSession, username: str, display_name: str, password: str, role: str = "officer"
) -> Officer:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError("username: 2-50 characters a-z, 0-9, '.', '_', '-'")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password must have at least {MIN_PASSWORD} characters")
    if await repo.officer_by_username(session, username) is not None:
        raise AccountError(f"username {username!r} already exists")
    name = display_name.strip() or username
    return await repo.create_officer(session, username, name[:100], hash_password(password), role)


async def authenticate(session: AsyncSession, username: str, password: str) -> Officer | None:
    officer = await repo.officer_by_username(session, username.strip().lower())
    if officer is None or not officer.active:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(officer.password_hash, password):
        return None
    if _hasher.check_needs_rehash(officer.password_hash):
        officer.password_hash = hash_password(password)
    return officer
