"""Russian wording for click's own messages (usage, help headings, argument errors).

click translates through ``gettext`` bound at import in each of its modules; no Russian catalog ships with it,
so the shell rebinds those names to a small dictionary. Unknown messages stay as they are.
"""

from __future__ import annotations

import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

MESSAGES = {
    "Usage:": "Использование:",
    "Options": "Параметры",
    "Commands": "Команды",
    "Positional arguments": "Аргументы",
    "Show this message and exit.": "Показать эту справку и выйти.",
    "Show the version and exit.": "Показать версию и выйти.",
    "%(prog)s, version %(version)s": "%(prog)s, версия %(version)s",
    "Error: {message}": "Ошибка: {message}",
    "Aborted!": "Прервано.",
    "No such command {name!r}.": "нет такой команды {name!r}.",
    "No such option {name!r}.": "нет такого параметра {name!r}.",
    "No such option: {name}": "нет такого параметра: {name}",
    "Missing argument": "не указан аргумент",
    "Missing option": "не указан параметр",
    "Missing parameter": "не указан параметр",
    "Missing command.": "не указана команда.",
    "Missing {param_type}": "не указан {param_type}",
    "Missing parameter: {param_name}": "не указан параметр: {param_name}",
    "Invalid value for {param_hint}: {message}": "неверное значение {param_hint}: {message}",
    "Invalid value: {message}": "неверное значение: {message}",
    "Option {name!r} does not take a value.": "параметр {name!r} не принимает значения.",
    "Try '{command} {option}' for help.": "Справка: '{command} {option}'.",
    "{value!r} is not a valid {number_type}.": "{value!r} — не {number_type}.",
    "{value} is not in the range {range}.": "{value} вне диапазона {range}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} не существует.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} — каталог.",
    "{name} {filename!r} is a file.": "{name} {filename!r} — файл.",
    "default: {default}": "по умолчанию: {default}",
    "env var: {var}": "переменная окружения: {var}",
    "file": "файл",
    "path": "путь",
    "directory": "каталог",
    "integer": "целое число",
    "float": "число",
}
PLURALS = {
    "{value!r} is not {choice}.": ("{value!r} — не {choice}.", "{value!r} — не одно из: {choices}."),
    "Got unexpected extra argument ({args})": ("лишний аргумент ({args})", "лишние аргументы ({args})"),
    "Did you mean {possibility}?": ("Может быть, {possibility}?", "(Может быть, одно из: {possibilities}?)"),
    "Option {name!r} requires an argument.": ("параметру {name!r} нужно значение.", "параметру {name!r} нужно {nargs} значения."),
    "Takes {nargs} values but 1 was given.": ("нужно {nargs} значения, дано одно.", "нужно {nargs} значения, дано {len}."),
}


def _gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    forms = PLURALS.get(singular)
    if forms is None:
        return singular if count == 1 else plural
    return forms[0] if count == 1 else forms[1]


def install() -> None:
    """Rebind click's translation functions; safe to call more than once."""
    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.types):
        if hasattr(module, "_"):
            module._ = _gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext  # type: ignore[attr-defined]
