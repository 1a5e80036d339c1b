"""`mcu alerts` from the terminal: the open alerts, what the buttons do, silences and the audit log."""

from __future__ import annotations

import re
from pathlib import Path

from mcu.calibration import bundled_timelines
from tests.cli_helpers import mcu, one_russian_line, write_config

HEATING = next(p for p in bundled_timelines() if p.name == "heating.jsonl")


def test_analyst_takes_closes_and_silences_from_the_terminal(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    run = lambda *args: mcu("--config", str(config), *args, cwd=tmp_path)  # noqa: E731
    assert run("init").returncode == 0
    assert "Открытых оповещений нет" in run("alerts").stdout
    assert run("replay", "--db", f"sqlite:///{tmp_path / 'mcu.db'}", str(HEATING)).returncode == 0

    listed = run("alerts")
    assert listed.returncode == 0 and "ждёт" in listed.stdout, listed.stdout
    story = re.search(r"│\s*(\d+)\s*│", listed.stdout).group(1)  # type: ignore[union-attr]

    taken = run("alerts", "ack", story, "--by", "Иванова")
    assert taken.returncode == 0 and "взято в работу" in taken.stdout
    assert "в работе" in run("alerts").stdout and "Иванова" in run("alerts").stdout
    closed = run("alerts", "close", story, "--by", "Иванова")
    assert closed.returncode == 0 and story not in re.findall(r"│\s*(\d+)\s*│", run("alerts").stdout)
    assert "закрыто" in run("alerts", "--all").stdout
    audit = run("alerts", "audit", story)
    assert "taken" in audit.stdout and "closed" in audit.stdout and "Иванова" in audit.stdout

    silenced = run("alerts", "silence", "--topic", "housing", "--place", "3 мкр", "--for", "6h",
                   "--reason", "плановое отключение воды", "--by", "Петров")
    assert silenced.returncode == 0 and "Тишина №1" in silenced.stdout
    assert "плановое отключение воды" in run("alerts", "silences").stdout
    assert run("alerts", "unsilence", "1").returncode == 0
    assert "Действующих тишин нет" in run("alerts", "silences").stdout
    assert "silence" in run("alerts", "audit").stdout


def test_alert_commands_explain_mistakes(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    run = lambda *args: mcu("--config", str(config), *args, cwd=tmp_path)  # noqa: E731
    assert run("init").returncode == 0
    assert "оповещений не было" in one_russian_line(run("alerts", "ack", "7").stderr)
    assert "укажите срок тишины" in one_russian_line(run("alerts", "silence", "--topic", "housing", "--reason", "x").stderr)
    assert "заглушит всё" in one_russian_line(run("alerts", "silence", "--for", "1h", "--reason", "x").stderr)
    assert "темы 'tv' нет" in one_russian_line(run("alerts", "silence", "--topic", "tv", "--for", "1h", "--reason", "x").stderr)
    assert "тишины №5 нет" in one_russian_line(run("alerts", "unsilence", "5").stderr)
