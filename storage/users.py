"""Workspace accounts and login attempts: who may sign in, as which role, and how many recent failures there were.

Only hashes are stored; hashing and checking passwords belong to the caller (the shells share one hasher).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import LoginAttemptRow, UserRow


@dataclass(frozen=True, slots=True)
class User:
    """An account as the shells see it (no password hash)."""

    id: int
    login: str
    full_name: str
    role: str
    body: str | None
    telegram_id: int | None
    active: bool
    session_epoch: int
    created_at: datetime

    @property
    def label(self) -> str:
        """How the person appears in the audit log, the same from the web and from a linked Telegram account."""
        return f"{self.full_name} ({self.login})" if self.full_name else self.login


def _user(row: UserRow) -> User:
    return User(row.id, row.login, row.full_name or "", row.role, row.body, row.telegram_id, row.active,
                row.session_epoch or 0, row.created_at)


def _row(session: Session, login: str) -> UserRow | None:
    return session.scalar(select(UserRow).where(UserRow.login == login))


def add_user(session: Session, login: str, full_name: str, role: str, body: str | None, password_hash: str,
             at: datetime) -> User:
    if _row(session, login) is not None:
        raise ValueError(f"пользователь {login!r} уже есть")
    row = UserRow(login=login, full_name=full_name, role=role, body=body, password_hash=password_hash, active=True,
                  session_epoch=0, created_at=at, password_changed_at=at)
    session.add(row)
    session.flush()
    return _user(row)


def get_user(session: Session, user_id: int) -> User | None:
    row = session.get(UserRow, user_id)
    return _user(row) if row is not None else None


def by_login(session: Session, login: str) -> User | None:
    row = _row(session, login)
    return _user(row) if row is not None else None


def by_telegram(session: Session, telegram_id: int) -> User | None:
    row = session.scalar(select(UserRow).where(UserRow.telegram_id == telegram_id, UserRow.active.is_(True)))
    return _user(row) if row is not None else None


def credentials(session: Session, login: str) -> tuple[User, str] | None:
    """The account and its password hash, for checking a login."""
    row = _row(session, login)
    return (_user(row), row.password_hash) if row is not None else None


def list_users(session: Session) -> list[User]:
    return [_user(row) for row in session.scalars(select(UserRow).order_by(UserRow.login))]


def set_password(session: Session, login: str, password_hash: str, at: datetime, *, new_sessions: bool = True) -> bool:
    """A new hash; with ``new_sessions`` every session signed in with the old password ends."""
    row = _row(session, login)
    if row is None:
        return False
    row.password_hash = password_hash
    row.password_changed_at = at
    if new_sessions:
        row.session_epoch = (row.session_epoch or 0) + 1
    return True


def set_active(session: Session, login: str, active: bool) -> bool:
    row = _row(session, login)
    if row is None:
        return False
    if row.active and not active:
        row.session_epoch = (row.session_epoch or 0) + 1  # a disabled account is signed out everywhere
    row.active = active
    return True


def set_role(session: Session, login: str, role: str, body: str | None) -> bool:
    row = _row(session, login)
    if row is None:
        return False
    row.role, row.body = role, body
    row.session_epoch = (row.session_epoch or 0) + 1  # the new rights apply from the next sign-in
    return True


def link_telegram(session: Session, login: str, telegram_id: int | None) -> bool:
    """Tie (or, with None, untie) a Telegram account to the person; one Telegram account belongs to one person."""
    row = _row(session, login)
    if row is None:
        return False
    if telegram_id is not None:
        other = session.scalar(select(UserRow).where(UserRow.telegram_id == telegram_id, UserRow.id != row.id))
        if other is not None:
            raise ValueError(f"Telegram id {telegram_id} уже связан с пользователем {other.login!r}")
    row.telegram_id = telegram_id
    return True


# --- login attempts ---------------------------------------------------------------------------------------


def record_attempt(session: Session, login: str, address: str, success: bool, at: datetime) -> None:
    session.add(LoginAttemptRow(login=login[:100], address=address[:64], at=at, success=success))


def recent_failures(session: Session, since: datetime, *, login: str | None = None, address: str | None = None) -> int:
    """Failures after ``since`` (and after the last success of the same name or address)."""
    key = LoginAttemptRow.login == login if login is not None else LoginAttemptRow.address == address
    last_success = session.scalar(select(func.max(LoginAttemptRow.at)).where(key, LoginAttemptRow.success.is_(True)))
    start = max(since, last_success) if last_success is not None else since
    query = select(func.count()).select_from(LoginAttemptRow).where(
        key, LoginAttemptRow.success.is_(False), LoginAttemptRow.at > start)
    return int(session.scalar(query) or 0)


def oldest_failure_since(session: Session, since: datetime, *, login: str | None = None,
                         address: str | None = None) -> datetime | None:
    """The first counted failure: the lock lifts a window after it."""
    key = LoginAttemptRow.login == login if login is not None else LoginAttemptRow.address == address
    return session.scalar(select(func.min(LoginAttemptRow.at)).where(
        key, LoginAttemptRow.success.is_(False), LoginAttemptRow.at > since))
