"""Workspace accounts for both shells: create and change them (`mcu users`), check a login (the web).

Passwords are hashed with argon2id (argon2-cffi's defaults, rehashed when they change); a login is refused,
whatever the password, while the name or the client address has too many recent failures.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from config import InputError, Settings
from config.schema import EXECUTOR_ROLE, LoginThrottleSettings
from storage import Database, alert_state, users
from storage.users import User

LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 10
_hasher = PasswordHasher()
# Checked when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("не пароль ни одного пользователя")


class LoginRefused(Exception):
    """Wrong name or password (the message never says which)."""


class LoginThrottled(Exception):
    """Too many recent failures; ``minutes`` until the next try may succeed."""

    def __init__(self, minutes: int) -> None:
        super().__init__(minutes)
        self.minutes = minutes


def known_roles(settings: Settings) -> list[str]:
    return [*settings.roles, EXECUTOR_ROLE]


def role_title(settings: Settings, role: str) -> str:
    if role == EXECUTOR_ROLE:
        return "Ответственный исполнитель"
    return settings.roles[role].title if role in settings.roles else role


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"пароль короче {MIN_PASSWORD} символов")
    if password.strip() != password:
        raise InputError("пароль не должен начинаться или кончаться пробелом")


def _check_role(settings: Settings, role: str, body: str | None) -> None:
    if role not in known_roles(settings):
        raise InputError(f"неизвестная роль {role!r}; есть: {', '.join(known_roles(settings))}")
    if role == EXECUTOR_ROLE and not body:
        raise InputError("для роли executor укажите орган: --body КОД")
    if role != EXECUTOR_ROLE and body:
        raise InputError("--body нужен только роли executor (ответственный исполнитель)")


def create_user(db: Database, settings: Settings, login: str, password: str, role: str, *, full_name: str = "",
                body: str | None = None, now: datetime) -> User:
    if not LOGIN.match(login):
        raise InputError("имя входа: латинские строчные буквы, цифры, точка, дефис или подчёркивание, 2–64 символа")
    _check_role(settings, role, body)
    check_password_rules(password)
    with db.transaction() as session:
        try:
            return users.add_user(session, login, full_name.strip(), role, body, _hasher.hash(password), now)
        except ValueError as exc:
            raise InputError(str(exc)) from None


def change_password(db: Database, login: str, password: str, now: datetime) -> None:
    check_password_rules(password)
    with db.transaction() as session:
        if not users.set_password(session, login, _hasher.hash(password), now):
            raise InputError(f"пользователя {login!r} нет")


def change_role(db: Database, settings: Settings, login: str, role: str, body: str | None) -> None:
    _check_role(settings, role, body)
    with db.transaction() as session:
        if not users.set_role(session, login, role, body):
            raise InputError(f"пользователя {login!r} нет")


def link_telegram(db: Database, login: str, telegram_id: int | None, actor: str, now: datetime) -> None:
    """Tie the person's Telegram account to the web account: their button presses then show under one name."""
    with db.transaction() as session:
        try:
            if not users.link_telegram(session, login, telegram_id):
                raise InputError(f"пользователя {login!r} нет")
        except ValueError as exc:
            raise InputError(str(exc)) from None
        what = f"Telegram id {telegram_id}" if telegram_id is not None else "связь с Telegram снята"
        alert_state.audit(session, None, "user_link", actor, now, detail=f"{login}: {what}")


@dataclass(frozen=True, slots=True)
class Throttle:
    failures: int
    address_failures: int
    window: timedelta

    @classmethod
    def from_settings(cls, settings: LoginThrottleSettings) -> "Throttle":
        return cls(settings.failures, settings.address_failures, timedelta(seconds=settings.window))


def _locked_for(db: Database, throttle: Throttle, login: str, address: str, now: datetime) -> int | None:
    since = now - throttle.window
    with db.transaction() as session:
        for limit, key in ((throttle.failures, {"login": login}), (throttle.address_failures, {"address": address})):
            if users.recent_failures(session, since, **key) >= limit:
                oldest = users.oldest_failure_since(session, since, **key) or now
                return max(1, math.ceil((oldest + throttle.window - now).total_seconds() / 60))
    return None


def authenticate(db: Database, login: str, password: str, address: str, throttle: Throttle, now: datetime) -> User:
    """The account for a right name and password; every attempt is recorded, failures count towards a lock."""
    login = login.strip().lower()[:100]
    locked = _locked_for(db, throttle, login, address, now)
    if locked is not None:
        with db.transaction() as session:
            users.record_attempt(session, login, address, False, now)
        raise LoginThrottled(locked)
    with db.transaction() as session:
        found = users.credentials(session, login)
    user, stored = found if found is not None else (None, _DUMMY_HASH)
    try:
        _hasher.verify(stored, password)
        ok = user is not None and user.active
    except (VerificationError, InvalidHashError):
        ok = False
    with db.transaction() as session:
        users.record_attempt(session, login, address, ok, now)
        if ok and user is not None and _hasher.check_needs_rehash(stored):
            users.set_password(session, login, _hasher.hash(password), now, new_sessions=False)
    if not ok or user is None:
        raise LoginRefused()
    return user
