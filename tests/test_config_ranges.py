"""Config values out of range are config errors at load, in Russian with the key's path and what is allowed —
never a silent wrong value (99:99 as 03:39) nor an English error when the daemon starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from config import ConfigError, Settings, parse_config
from config.schema import SourceSettings
from mcu.clock import WallClock
from mcu.collection import Collection
from mcu.daemon import build_scheduler
from mcu.pipeline import Pipeline
from storage import Database

MINIMAL = """
town: {name: Тестовск}
roles: {deputy: {title: Заместитель}}
gazetteer: {town: [тестовск]}
topics: [{code: other, title: Прочее}]
"""


def problems_of(extra: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(MINIMAL + extra, "test.yaml", Path("."))
    return "; ".join(caught.value.problems)


@pytest.mark.parametrize(("extra", "expected"), [
    ('alerts: {quiet_hours: "99:99-00:00"}', "alerts.quiet_hours: нет такого времени '99:99': часы 00–23, минуты 00–59"),
    ('alerts: {quiet_hours: "22:00-24:00"}', "alerts.quiet_hours: нет такого времени '24:00'"),
    ('alerts: {quiet_hours: "22:00"}', "alerts.quiet_hours: ожидается интервал ЧЧ:ММ-ЧЧ:ММ"),
    ('alerts: {quiet_hours: "07:00-07:00"}', "alerts.quiet_hours: начало и конец интервала совпадают"),
    ('digest: {daily_at: "25:61"}', "digest.daily_at: нет такого времени '25:61'"),
    ('digest: {weekly_at: "9.00"}', "digest.weekly_at: не понимаю время '9.00': пишите ЧЧ:ММ"),
    ("digest: {daily_at: 8:30}", "digest.daily_at: ожидается время в кавычках"),  # YAML 1.1 reads it as 510
    ("database: {url: 'postgresql+psycopg://u@localhost:99999/db'}", "database.url: порт 99999 вне диапазона 1–65535"),
    ("database: {url: 'postgresql+psycopg://u:secret@localhost:http/db'}", "database.url: не понимаю адрес базы данных"),
    ("database: {url: 'mysql://u@localhost/db'}", "database.url: база 'mysql' не поддерживается"),
    ("retention_days: 7", "retention_days: не меньше 30 дней"),
])
def test_out_of_range_values_are_named_with_their_key(extra: str, expected: str) -> None:
    found = problems_of(extra)
    assert expected in found
    assert "secret" not in found, "пароль из адреса базы не повторяется в сообщении"


def test_times_are_normalised() -> None:
    settings = parse_config(MINIMAL + 'alerts: {quiet_hours: "7:05-23:59"}\ndigest: {daily_at: "8:00"}', "t.yaml", Path("."))
    assert settings.alerts.quiet_hours == "07:05-23:59" and settings.digest.daily_at == "08:00"
    assert parse_config(MINIMAL + "alerts: {quiet_hours: null}", "t.yaml", Path(".")).alerts.quiet_hours is None


@pytest.mark.parametrize(("jitter", "expected"), [("0s", None), ("45s", 45), (None, 30)])
def test_source_jitter_is_what_the_config_says(settings: Settings, sqlite_db: Database, jitter: str | None,
                                               expected: int | None) -> None:
    options = {"jitter": jitter} if jitter is not None else {}
    configured = settings.model_copy(update={"sources": [
        SourceSettings(name="a", kind="replay", path="a.jsonl", interval="5m", **options)]})  # type: ignore[arg-type]
    scheduler = build_scheduler(Pipeline(configured, sqlite_db), Collection(configured, sqlite_db), WallClock(),
                                scheduler=BackgroundScheduler())
    scheduler.start(paused=True)
    try:
        assert scheduler.get_job("collect:a").trigger.jitter == expected
    finally:
        scheduler.shutdown(wait=False)
