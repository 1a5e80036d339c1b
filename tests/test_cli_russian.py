"""What `mcu` prints is Russian — help, usage lines, argument errors, encoding problems — and argument errors
exit with code 2, as the README says."""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from mcu.cli import app, main
from tests.cli_helpers import write_config

# What click says in English when nobody translates it.
ENGLISH = re.compile(r"\[OPTIONS\]|\bCOMMAND\b|\[ARGS\]|Usage:|Options:|Commands:|\bINTEGER\b|\bTEXT\b|\bFLOAT\b|"
                     r"\bFILENAME\b|\bPATH\b|\bNAME\b|\bFILES?\b|\bSTORY_ID\b|\bTARGET\b|\bOTHERS\b|Show this message|"
                     r"Error:|No such|not a valid|is not|integer|Missing|default:|codec|Unicode|Traceback")


def run(capsys: pytest.CaptureFixture[str], *args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        code = main(list(args))
    finally:
        sys.stdin = sys.__stdin__
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from command_paths(command, (*prefix, name))


def test_every_help_page_is_russian(capsys: pytest.CaptureFixture[str]) -> None:
    pages = [(), *command_paths(app)]
    assert len(pages) > 25
    for path in pages:
        code, out, err = run(capsys, *path, "--help")
        assert code == 0 and err == "", path
        assert out.startswith("Использование: mcu"), (path, out[:80])
        found = ENGLISH.findall(out)
        assert not found, (path, found)


def test_bare_mcu_shows_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys)
    assert code == 0 and out.startswith("Использование: mcu [ПАРАМЕТРЫ] КОМАНДА [АРГУМЕНТЫ]...") and err == ""


@pytest.mark.parametrize(("args", "expected"), [
    (("statu",), "нет такой команды 'statu'"),
    (("collect", "--bogus"), "нет такого параметра '--bogus'"),
    (("stories", "--limit", "x"), "'x' — не целое число"),
    (("stories", "--limit", "0"), "0 вне диапазона 1<=x<=1000"),
    (("export", "posts", "--format", "doc"), "'doc' — не одно из: 'jsonl', 'csv', 'xlsx'"),
    (("sources", "add"), "не указан аргумент 'URL'"),
    (("sources", "enable"), "не указан аргумент 'ИМЯ'"),
    (("stories", "merge", "1"), "не указан аргумент '№...'"),
    (("collect", "--since", "yesterday"), "неверное значение '--since': не понимаю дату 'yesterday'"),
    (("export", "posts", "--from", "2026-02-01", "--to", "2026-01-01"), "--from должно быть раньше --to"),
    (("alerts", "silence", "--reason", "учения", "--for", "6h"), "тишина без условий заглушит всё"),
    (("alerts", "silence", "--reason", "учения", "--topic", "housing", "--for", "вечно"), "неверное значение '--for'"),
    (("replay", "nothing.jsonl", "--tick", "0s"), "неверное значение '--tick': шаг должен быть больше нуля"),
])
def test_argument_errors_are_one_russian_line_with_code_2(capsys: pytest.CaptureFixture[str], args: tuple[str, ...],
                                                          expected: str) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Ошибка в команде: ") and expected in lines[0], err
    assert re.search(r"Справка: mcu[ a-z]* --help$", lines[0])
    assert not ENGLISH.findall(lines[0].replace("Справка", "")), lines[0]


def test_argument_errors_needing_the_database_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = str(write_config(tmp_path))
    assert run(capsys, "--config", config, "init")[0] == 0
    for args in (("collect", "--once", "--source", "нет-такого"), ("export", "posts", "--topic", "nonsense"),
                 ("sources", "add", "https://vk.com/gorod", "--interval", "часто")):
        code, _, err = run(capsys, "--config", config, *args)
        assert code == 2 and err.startswith("Ошибка в команде: неверное значение"), (args, err)


def test_input_that_is_not_utf8_is_explained_in_russian(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cp1251 = '{"id": "1", "platform": "vk", "source": "s", "published_at": "2026-01-14T08:00:00+03:00", ' \
             '"text": "Десногорск"}\n'.encode("cp1251")
    code, out, err = run(capsys, "analyze", stdin=cp1251)
    assert code == 0 and out == ""
    assert "stdin: строка 1 пропущена: строка не в кодировке UTF-8" in err and not ENGLISH.findall(err)
    config = tmp_path / "cp1251.yaml"
    config.write_bytes("town: {name: Десногорск}\n".encode("cp1251"))
    code, _, err = run(capsys, "--config", str(config), "status")
    assert code == 78 and "не в кодировке UTF-8" in err and not ENGLISH.findall(err)
    labels = tmp_path / "labels.csv"
    labels.write_bytes("text,topic\nНет воды,housing\n".encode("cp1251"))
    code, _, err = run(capsys, "eval", str(labels))
    assert code == 1 and "не в кодировке UTF-8" in err and not ENGLISH.findall(err)
