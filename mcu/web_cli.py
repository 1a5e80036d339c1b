"""`mcu web` (the workspace) and `mcu users` (its accounts): add, list, passwd, role, disable, enable, link.

Passwords are typed at a hidden prompt or read from a file (``-`` for stdin), never taken from the command line,
where shell history and the process list would keep them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import click
from rich.table import Table

from config import InputError, Settings
from mcu.clock import WallClock
from mcu.database import open_database
from mcu.shell import app, bad_option, log, out, state, usage_error
from mcu.stories_cli import _author


def _workspace_settings(demo: bool, workdir: Path) -> Settings:
    settings = state.settings
    if demo:
        from mcu.demo import demo_settings

        if not (workdir / "mcu.db").exists():
            raise InputError(f"в {workdir} нет базы демо: сначала выполните `mcu demo --dir {workdir}`")
        return demo_settings(settings, workdir)
    return settings


@app.command()
@click.option("--host", default=None, help="Адрес (по умолчанию web.host: 127.0.0.1 — только этот компьютер).")
@click.option("--port", default=None, type=click.IntRange(1, 65535), help="Порт (по умолчанию web.port: 8080).")
@click.option("--demo", is_flag=True, help="Открыть базу, которую оставил `mcu demo`.")
@click.option("--dir", "workdir", type=click.Path(path_type=Path, file_okay=False), default=Path("mcu-demo"),
              show_default=True, help="Каталог демо (с --demo).")
def web(host: Optional[str], port: Optional[int], demo: bool, workdir: Path) -> None:
    """Рабочее место МЦУ в браузере: очередь историй, история, источники, сводки, поиск. Остановка — Ctrl+C."""
    from mcu.pipeline import Pipeline
    from mcu.web.server import build_app, serve

    settings = _workspace_settings(demo, workdir)
    db = open_database(settings)
    pipeline = Pipeline(settings, db, console=lambda text: log.info("%s", text))
    try:
        application = build_app(settings, pipeline)
        where = f"http://{host or settings.web.host}:{port or settings.web.port}"
        out.print(f"Рабочее место: {where} (остановка — Ctrl+C)")
        with db.transaction() as session:
            from storage import users

            if not users.list_users(session):
                out.print("Учётных записей ещё нет: создайте первую командой `mcu users add ИМЯ --role mcu_head`.")
        serve(application, settings, host, port)
    finally:
        pipeline.close()
        db.dispose()


# --- users --------------------------------------------------------------------------------------------------


def _password(password_file: Optional[Path], confirm: bool = True) -> str:
    if password_file is not None:
        try:
            text = sys.stdin.read() if str(password_file) == "-" else password_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"не удалось прочитать файл с паролем {password_file}: {exc.strerror}") from None
        return text.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InputError("пароль вводится в терминале или берётся из файла: --password-file ФАЙЛ (или - для stdin)")
    return str(click.prompt("Пароль", hide_input=True, confirmation_prompt=confirm and "Пароль ещё раз"))


def _check_role(settings: Settings, role: str, body: Optional[str]) -> None:
    """Argument mistakes exit with code 2, like every other command's."""
    from mcu.accounts import known_roles

    if role not in known_roles(settings):
        raise bad_option("--role", f"неизвестная роль {role!r}; есть: {', '.join(known_roles(settings))}")
    if role == "executor" and not body:
        raise usage_error("для роли executor укажите орган: --body КОД")
    if role != "executor" and body:
        raise usage_error("--body нужен только роли executor (ответственный исполнитель)")


password_option = click.option("--password-file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
                               default=None, help="Взять пароль из файла (- — из stdin) вместо вопроса в терминале.")


@app.group(invoke_without_command=True)
@click.pass_context
def users(ctx: click.Context) -> None:
    """Учётные записи рабочего места: список; add, passwd, role, disable, enable, link."""
    if ctx.invoked_subcommand is not None:
        return
    from mcu.accounts import role_title
    from storage import users as user_store

    settings = state.settings
    db = open_database(settings)
    try:
        with db.transaction() as session:
            found = user_store.list_users(session)
    finally:
        db.dispose()
    if not found:
        out.print("Учётных записей нет: `mcu users add ИМЯ --role РОЛЬ`.")
        return
    table = Table("имя", "ФИО", "роль", "орган", "Telegram", "активна")
    for user in found:
        table.add_row(user.login, user.full_name or "—", role_title(settings, user.role), user.body or "—",
                      str(user.telegram_id) if user.telegram_id else "—", "да" if user.active else "нет")
    out.print(table)


@users.command("add")
@click.argument("login")
@click.option("--role", required=True, help="Роль: glava, curator, mcu_head, deputy, pos, incidents, gospabliki, executor.")
@click.option("--name", "full_name", default="", help="Имя и фамилия, как их показывать в журнале.")
@click.option("--body", default=None, help="Для роли executor: код органа, чьи обращения видит исполнитель.")
@click.option("--telegram-id", type=int, default=None, help="Числовой id Telegram человека: его нажатия кнопок бота попадут в журнал под этим именем.")
@password_option
def users_add(login: str, role: str, full_name: str, body: Optional[str], telegram_id: Optional[int],
              password_file: Optional[Path]) -> None:
    """Создать учётную запись LOGIN с ролью; пароль — из вопроса в терминале или из файла."""
    from mcu.accounts import create_user, link_telegram, role_title

    settings = state.settings
    _check_role(settings, role, body)
    password = _password(password_file)
    db = open_database(settings)
    try:
        now = WallClock().now()
        user = create_user(db, settings, login, password, role, full_name=full_name, body=body, now=now)
        if telegram_id is not None:
            link_telegram(db, login, telegram_id, _author(None), now)
    finally:
        db.dispose()
    out.print(f"Учётная запись {user.login} создана: {role_title(settings, user.role)}.")


@users.command("passwd")
@click.argument("login")
@password_option
def users_passwd(login: str, password_file: Optional[Path]) -> None:
    """Сменить пароль LOGIN (все его сеансы в браузере закончатся)."""
    from mcu.accounts import change_password

    password = _password(password_file)
    db = open_database(state.settings)
    try:
        change_password(db, login, password, WallClock().now())
    finally:
        db.dispose()
    out.print(f"Пароль {login} изменён.")


@users.command("role")
@click.argument("login")
@click.argument("role")
@click.option("--body", default=None, help="Для роли executor: код органа.")
def users_role(login: str, role: str, body: Optional[str]) -> None:
    """Сменить роль LOGIN (права меняются со следующего входа)."""
    from mcu.accounts import change_role, role_title

    settings = state.settings
    _check_role(settings, role, body)
    db = open_database(settings)
    try:
        change_role(db, settings, login, role, body)
    finally:
        db.dispose()
    out.print(f"{login}: теперь {role_title(settings, role)}.")


def _switch(login: str, active: bool) -> None:
    from storage import users as user_store

    db = open_database(state.settings)
    try:
        with db.transaction() as session:
            if not user_store.set_active(session, login, active):
                raise InputError(f"пользователя {login!r} нет")
    finally:
        db.dispose()
    out.print(f"Учётная запись {login} {'включена' if active else 'отключена: вход закрыт, сеансы закончены'}.")


@users.command("disable")
@click.argument("login")
def users_disable(login: str) -> None:
    """Отключить учётную запись (вход закрыт, открытые сеансы заканчиваются)."""
    _switch(login, False)


@users.command("enable")
@click.argument("login")
def users_enable(login: str) -> None:
    """Включить учётную запись снова."""
    _switch(login, True)


@users.command("link")
@click.argument("login")
@click.option("--telegram-id", type=int, default=None, help="Числовой id пользователя Telegram (его сообщает, например, @userinfobot).")
@click.option("--unlink", is_flag=True, help="Снять связь.")
def users_link(login: str, telegram_id: Optional[int], unlink: bool) -> None:
    """Связать учётную запись с аккаунтом Telegram: нажатия кнопок бота пишутся в журнал под тем же именем."""
    from mcu.accounts import link_telegram

    if unlink == (telegram_id is not None):
        raise usage_error("укажите --telegram-id ЧИСЛО или --unlink")
    db = open_database(state.settings)
    try:
        link_telegram(db, login, None if unlink else telegram_id, _author(None), WallClock().now())
    finally:
        db.dispose()
    out.print(f"{login}: " + ("связь с Telegram снята." if unlink else f"связан с Telegram id {telegram_id}."))
