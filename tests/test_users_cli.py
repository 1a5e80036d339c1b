"""`mcu users` and `mcu web` from the terminal: accounts with hashed passwords that never pass through the
command line, roles, disabling, Telegram links that make the bot's audit name the same person."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from sqlalchemy import select

from mcu.bot import _actor
from mcu.cli import main
from storage import Database, users
from storage.models import UserRow
from tests.cli_helpers import write_config


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = write_config(tmp_path)
    assert main(["--config", str(path), "init"]) == 0
    return path


def _run(config: Path, *args: str) -> int:
    return main(["--config", str(config), *args])


def _password_file(tmp_path: Path, text: str = "длинный-пароль-1") -> Path:
    path = tmp_path / "pw.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_users_add_list_passwd_disable(config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = _password_file(tmp_path)
    assert _run(config, "users", "add", "olga", "--role", "deputy", "--name", "Ольга Петрова",
                "--password-file", str(secret)) == 0
    assert "создана: Заместитель руководителя МЦУ" in capsys.readouterr().out
    db = Database.from_url(f"sqlite:///{tmp_path / 'mcu.db'}")
    try:
        with db.transaction() as session:
            row = session.scalar(select(UserRow).where(UserRow.login == "olga"))
            assert row is not None and row.password_hash.startswith("$argon2id$")
            assert "длинный-пароль-1" not in row.password_hash
            epoch = row.session_epoch
        assert _run(config, "users") == 0
        listed = capsys.readouterr().out
        assert "olga" in listed and "Ольга Петрова" in listed
        assert _run(config, "users", "passwd", "olga", "--password-file", str(_password_file(tmp_path, "другой-пароль-2"))) == 0
        assert _run(config, "users", "disable", "olga") == 0
        with db.transaction() as session:
            user = users.by_login(session, "olga")
            assert user is not None and not user.active and user.session_epoch == epoch + 2
    finally:
        db.dispose()


@pytest.mark.parametrize(("args", "message", "code"), [
    (("users", "add", "x1", "--role", "mayor"), "неизвестная роль 'mayor'", 2),
    (("users", "add", "ispolnitel", "--role", "executor"), "укажите орган", 2),
    (("users", "add", "Олег", "--role", "pos"), "имя входа", 1),
    (("users", "passwd", "nobody"), "пользователя 'nobody' нет", 1),
])
def test_users_mistakes_get_one_russian_line(config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             args: tuple[str, ...], message: str, code: int) -> None:
    assert _run(config, *args, "--password-file", str(_password_file(tmp_path))) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_short_password_and_password_without_terminal_are_refused(config: Path, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(config, "users", "add", "ivan", "--role", "pos", "--password-file", str(_password_file(tmp_path, "короткий"))) == 1
    assert "пароль короче 10 символов" in capsys.readouterr().err
    assert _run(config, "users", "add", "ivan", "--role", "pos") == 1  # stdin is not a terminal under pytest
    assert "--password-file" in capsys.readouterr().err


def test_linked_telegram_account_shows_as_the_same_person(config: Path, tmp_path: Path) -> None:
    assert _run(config, "users", "add", "olga", "--role", "incidents", "--name", "Ольга Петрова",
                "--password-file", str(_password_file(tmp_path))) == 0
    assert _run(config, "users", "link", "olga", "--telegram-id", "4242") == 0
    assert _run(config, "users", "add", "petr", "--role", "pos", "--password-file", str(_password_file(tmp_path))) == 0
    assert _run(config, "users", "link", "petr", "--telegram-id", "4242") == 1  # one Telegram account, one person
    db = Database.from_url(f"sqlite:///{tmp_path / 'mcu.db'}")
    try:
        with db.transaction() as session:
            assert _actor({"id": 4242, "first_name": "Оля", "username": "olga_tg"}, session) == "Ольга Петрова (olga)"
            assert _actor({"id": 7, "first_name": "Чужой"}, session) == "Чужой (id 7)"
    finally:
        db.dispose()
    assert _run(config, "users", "link", "olga", "--unlink") == 0


def test_web_refuses_a_busy_port_with_one_line(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert _run(config, "web", "--port", str(port)) == 1
    err = capsys.readouterr().err
    assert f"не могу слушать 127.0.0.1:{port}" in err and "Traceback" not in err
