"""Russian wording for click's own messages (usage, help headings, argument errors).

click translates through ``gettext`` bound at import in each of its modules; no Russian catalog ships with it,
so the shell rebinds those names to a small dictionary. Unknown messages stay as they are. What click does not
translate — the usage line's ``[OPTIONS] COMMAND [ARGS]...`` and the names of parameter types («integer range»)
— comes from ``RuGroup`` and the type names set by ``install``.
"""

from __future__ import annotations

from typing import Any

import click
import click._termui_impl
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.shell_completion
import click.termui
import click.types
import click.utils

OPTIONS_METAVAR = "[ПАРАМЕТРЫ]"
SUBCOMMAND_METAVAR = "КОМАНДА [АРГУМЕНТЫ]..."
SUBCOMMANDS_METAVAR = "КОМАНДА1 [АРГУМЕНТЫ]... [КОМАНДА2 [АРГУМЕНТЫ]...]..."
# Parameter type names: they show in help as metavars (INTEGER RANGE) and in errors ('x' — не integer range).
TYPE_NAMES = {
    click.types.IntParamType: "целое число",
    click.types.IntRange: "целое число",
    click.types.FloatParamType: "число",
    click.types.FloatRange: "число",
    click.types.StringParamType: "текст",
    click.types.BoolParamType: "да/нет",
    click.types.Choice: "вариант",
    click.types.DateTime: "дата",
    click.types.UUIDParameterType: "UUID",
}

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
    "Choose from:\n\t{choices}": "Допустимо:\n\t{choices}",
    "Could not open file {filename!r}: {message}": "не удалось открыть файл {filename!r}: {message}",
    "{name} {filename!r} is not readable.": "{name} {filename!r} недоступен для чтения.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} недоступен для записи.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} не исполняемый.",
    "{value!r} is not a valid UUID.": "{value!r} — не UUID.",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} — не да/нет. Допустимо: {states}",
    "Argument {name!r} takes {nargs} values.": "аргументу {name!r} нужно {nargs} значения.",
    "Error: invalid input": "Ошибка: неверный ввод",
    "Error: The two entered values do not match.": "Ошибка: введённые значения не совпадают.",
    "Repeat for confirmation": "Повторите для подтверждения",
    "Do you want to continue?": "Продолжить?",
    "Press any key to continue...": "Нажмите любую клавишу…",
    "Confirm the action without prompting.": "Подтвердить без вопроса.",
    "deprecated": "устарело",
    "unknown error": "неизвестная ошибка",
    "(dynamic)": "(вычисляется)",
}
PLURALS = {
    "{value!r} is not {choice}.": ("{value!r} — не {choice}.", "{value!r} — не одно из: {choices}."),
    "Got unexpected extra argument ({args})": ("лишний аргумент ({args})", "лишние аргументы ({args})"),
    "Did you mean {possibility}?": ("Может быть, {possibility}?", "(Может быть, одно из: {possibilities}?)"),
    "Option {name!r} requires an argument.": ("параметру {name!r} нужно значение.", "параметру {name!r} нужно {nargs} значения."),
    "Takes {nargs} values but 1 was given.": ("нужно {nargs} значения, дано одно.", "нужно {nargs} значения, дано {len}."),
    "{len_type} values are required, but {len_value} was given.": (
        "нужно значений: {len_type}, дано {len_value}.", "нужно значений: {len_type}, дано {len_value}."),
    "{value!r} does not match the format {format}.": (
        "{value!r} не подходит под формат {format}.", "{value!r} не подходит ни под один формат: {formats}."),
}


class RuCommand(click.Command):
    """A command whose usage line is Russian: ``mcu export [ПАРАМЕТРЫ] …``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)


class RuGroup(click.Group):
    """A group whose usage line and subcommands (and their subcommands) are Russian."""

    command_class = RuCommand
    group_class = type  # subgroups are RuGroup too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        metavar = SUBCOMMANDS_METAVAR if kwargs.get("chain") else SUBCOMMAND_METAVAR
        if kwargs.get("invoke_without_command"):
            metavar = f"[{metavar.split(' ', 1)[0]}] {metavar.split(' ', 1)[1]}"
        kwargs.setdefault("subcommand_metavar", metavar)
        super().__init__(*args, **kwargs)


def _gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    forms = PLURALS.get(singular)
    if forms is None:
        return singular if count == 1 else plural
    return forms[0] if count == 1 else forms[1]


def install() -> None:
    """Rebind click's translation functions and name its types in Russian; safe to call more than once."""
    for kind, name in TYPE_NAMES.items():
        kind.name = name
    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.types,
                   click.termui, click.utils, click.shell_completion, click._termui_impl):
        if hasattr(module, "_"):
            module._ = _gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext  # type: ignore[attr-defined]
