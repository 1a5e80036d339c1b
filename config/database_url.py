"""The database address from config, checked at load: a bad port or an unknown backend is a config error."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

EXAMPLES = "sqlite:///mcu.db или postgresql+psycopg://user@host:5432/db"
BACKENDS = ("sqlite", "postgresql")


def check_database_url(value: str) -> str:
    """``value`` if SQLAlchemy can use it with one of our backends; ValueError (Russian) otherwise."""
    try:
        parsed = make_url(value)
    except (ArgumentError, ValueError):
        # ValueError: a port that is not a number. The address itself is not repeated: it may hold a password.
        raise ValueError(f"не понимаю адрес базы данных: нужен вид {EXAMPLES}") from None
    backend = parsed.get_backend_name()
    if backend not in BACKENDS:
        raise ValueError(f"база {backend!r} не поддерживается: только SQLite и PostgreSQL ({EXAMPLES})")
    if parsed.port is not None and not 1 <= parsed.port <= 65535:
        raise ValueError(f"порт {parsed.port} вне диапазона 1–65535")
    return value
