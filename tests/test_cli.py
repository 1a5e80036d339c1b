"""The `mcu` command as a user meets it: exit codes, one-line Russian errors, the documented commands."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from mcu.cli import app
from tests.cli_helpers import mcu, one_russian_line, write_config

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
TIMELINES = ROOT / "mcu" / "data" / "timelines"
COMMANDS = {"init", "demo", "run", "collect", "process", "analyze", "replay", "status", "export", "digest", "sources",
            "train", "eval", "stories", "calibrate", "alerts", "purge", "bodies", "appeals", "ratings", "roadmap",
            "responses", "gospublics", "web", "users", "worker"}


def test_help_lists_exactly_the_working_commands(tmp_path: Path) -> None:
    assert set(app.commands) == COMMANDS
    result = mcu("--help", cwd=tmp_path, separate=True)  # `python -m mcu` itself, as installed
    assert result.returncode == 0
    for name, command in app.commands.items():
        assert name in result.stdout
        assert re.search("[а-яА-Я]", command.help or ""), f"у команды {name} нет русской справки"


def test_readme_documents_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"mcu {name}" in readme, f"README не описывает `mcu {name}`"
    assert readme.index("make demo") < readme.index("make test") < readme.index("mcu init")


def test_config_errors_are_one_russian_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("town: {name: X}\nroles: {}\n", encoding="utf-8")
    result = mcu("--config", str(bad), "status", cwd=tmp_path)
    assert result.returncode != 0
    line = one_russian_line(result.stderr)
    assert line.startswith("Ошибка: ошибки в конфигурации") and "gazetteer: обязательный ключ не задан" in line
    missing = mcu("--config", str(tmp_path / "nope.yaml"), "init", cwd=tmp_path)
    assert missing.returncode != 0 and "файл не найден" in one_russian_line(missing.stderr)


def test_usage_errors_are_one_line(tmp_path: Path) -> None:
    result = mcu("statu", cwd=tmp_path)
    assert result.returncode == 2 and one_russian_line(result.stderr).startswith("Ошибка в команде")


def test_status_before_init_says_what_to_do(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = mcu("--config", str(config), "status", cwd=tmp_path)
    assert result.returncode == 1 and "выполните `mcu init`" in one_russian_line(result.stderr)
    assert not (tmp_path / "mcu.db").exists(), "status не должен создавать базу"


def test_collect_process_status_export_digest(tmp_path: Path) -> None:
    timeline = tmp_path / "feed.jsonl"
    shutil.copy(TIMELINES / "heating.jsonl", timeline)
    config = write_config(tmp_path, sources=[{"name": "лента", "kind": "replay", "path": str(timeline), "interval": "1m"}])
    run = lambda *args, **kw: mcu("--config", str(config), *args, cwd=tmp_path, **kw)  # noqa: E731

    assert run("collect", "--once").returncode == 1  # before init
    init = run("init")
    assert init.returncode == 0 and "обновлена" in init.stdout
    assert "уже актуальна" in run("init").stdout

    first = run("collect", "--once")
    assert first.returncode == 0, first.stderr
    records = [json.loads(line) for line in timeline.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = len(records)
    unique = len({(r["platform"], r["source"], r["id"]) for r in records})
    assert f"записей {lines}" in first.stdout
    again = run("collect", "--once")
    assert "записей 0, новых 0" in again.stdout  # the cursor remembers

    processed = run("process")
    assert processed.returncode == 0, processed.stderr
    assert re.search(r"оповещений: [1-9]", processed.stdout), processed.stdout
    assert "Информационный риск" in processed.stdout  # the console sink

    status = run("status")
    assert status.returncode == 0 and "лента" in status.stdout and "Ждут разбора: 0" in status.stdout

    exported = run("export", "posts", "--from", "2026-01-01", "--to", "2026-02-01", "--format", "csv", "-o", str(tmp_path / "posts.csv"))
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "posts.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == unique and {"id", "platform", "text", "annotation", "story_id"} <= set(rows[0])
    alerts = run("export", "alerts")  # decided just now, within the default last week
    decided = [json.loads(line) for line in alerts.stdout.splitlines()]
    assert decided and {"story_id", "level", "at", "recipients", "update", "reasons", "text"} <= set(decided[0])
    housing = run("export", "stories", "--from", "2026-01-01", "--to", "2026-02-01", "--topic", "housing")
    assert all(json.loads(line)["topic"] == "housing" for line in housing.stdout.splitlines())
    assert run("export", "posts", "--topic", "nonsense").returncode == 2  # argument errors, as the README says
    assert run("export", "posts", "--from", "вчера").returncode == 2

    digest = run("digest", "--period", "week", "--end", "2026-01-16T00:00:00+03:00", "-o", str(tmp_path / "d.md"))
    assert digest.returncode == 0, digest.stderr
    text = (tmp_path / "d.md").read_text(encoding="utf-8")
    assert "# Справка об информационных рисках: Десногорск, за неделю" in text and "ЖКХ" in text


def test_collect_reports_a_missing_file_and_status_shows_it(tmp_path: Path) -> None:
    config = write_config(tmp_path, sources=[{"name": "пропавший", "kind": "replay", "path": str(tmp_path / "none.jsonl")}])
    assert mcu("--config", str(config), "init", cwd=tmp_path).returncode == 0
    result = mcu("--config", str(config), "collect", "--once", cwd=tmp_path)
    assert result.returncode == 1 and "файл источника не найден" in one_russian_line(result.stderr)
    status = mcu("--config", str(config), "status", cwd=tmp_path)
    assert "файл источника не найден" in status.stdout
    unknown = mcu("--config", str(config), "collect", "--once", "--source", "нет-такого", cwd=tmp_path)
    assert unknown.returncode == 2 and "источник 'нет-такого' не найден" in unknown.stderr


def test_analyze_reads_stdin_writes_annotations(tmp_path: Path) -> None:
    posts = [
        {"id": "c1", "platform": "vk", "source": "test", "url": None, "author": None,
         "published_at": "2026-01-14T08:00:00+03:00", "parent_id": None, "metrics": {"views": 100},
         "text": "В 4 мкр Десногорска нет отопления с ночи, дети мерзнут. Администрация, когда дадут тепло?"},
        {"id": "c2", "platform": "telegram", "source": "test", "published_at": "2026-01-14T08:10:00+03:00",
         "text": "Спасибо коммунальщикам, тепло в 4 микрорайоне дали!", "parent_id": None, "metrics": {}},
        {"id": "c3", "platform": "web", "source": "test", "published_at": "2026-01-14T08:20:00+03:00", "text": "",
         "parent_id": None, "metrics": {}},
    ]
    stdin = "\n".join([json.dumps(posts[0], ensure_ascii=False), "{broken", json.dumps(posts[1], ensure_ascii=False),
                       json.dumps(posts[2])]) + "\n"
    result = mcu("analyze", cwd=tmp_path, stdin=stdin)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["c1", "c2", "c3"]
    first, second, _ = records
    assert first["relevance"] > 0.8 and first["needs_response"] is True and first["sentiment"]["label"] == "negative"
    assert any(t["code"] == "housing" for t in first["topics"])
    assert second["sentiment"]["label"] == "positive" and second["needs_response"] is False
    assert "строка 2 пропущена" in result.stderr
    assert not (tmp_path / "mcu.db").exists(), "analyze работает без базы"


def test_analyze_judges_a_comment_with_its_post_in_the_same_batch(tmp_path: Path) -> None:
    post = {"id": "p1", "platform": "vk", "source": "group", "published_at": "2026-01-14T08:00:00+03:00",
            "text": "В Десногорске в 3 мкр нет горячей воды", "parent_id": None, "metrics": {}}
    comment = {**post, "id": "p1_c1", "parent_id": "p1", "text": "У нас тоже нет, третий день"}
    orphan = {**comment, "id": "x_c1", "parent_id": "x"}
    stdin = "\n".join(json.dumps(r, ensure_ascii=False) for r in (post, comment, orphan)) + "\n"
    result = mcu("analyze", cwd=tmp_path, stdin=stdin)
    assert result.returncode == 0, result.stderr
    relevance = {r["id"]: r["relevance"] for r in map(json.loads, result.stdout.splitlines())}
    assert relevance["p1_c1"] > relevance["x_c1"] + 0.2


def test_replay_prints_alert_records(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = mcu("--config", str(config), "replay", str(TIMELINES / "npp_rumour.jsonl"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    alerts = [json.loads(line) for line in result.stdout.splitlines()]
    assert alerts and alerts[0]["update"] is False and all(a["update"] for a in alerts[1:])
    assert len({a["story_id"] for a in alerts}) == 1
    assert alerts[-1]["level"] in {"high", "critical"}
    assert "Лента: событий" in result.stderr
    assert not (tmp_path / "mcu.db").exists(), "replay без --db работает во временной базе"


def test_replay_keeps_its_database_when_asked(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    url = f"sqlite:///{tmp_path / 'kept.db'}"
    result = mcu("--config", str(config), "replay", "--db", url, str(TIMELINES / "npp_rumour.jsonl"), cwd=tmp_path)
    assert result.returncode == 0 and (tmp_path / "kept.db").exists()


@pytest.mark.parametrize("args", [("replay", "/no/such/file.jsonl"), ("replay", "--tick", "никогда", "x.jsonl")])
def test_replay_input_errors(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = mcu(*args, cwd=tmp_path)
    assert result.returncode != 0 and "Traceback" not in result.stderr


def test_backfill_since_a_date_rereads_without_duplicates(tmp_path: Path) -> None:
    timeline = tmp_path / "feed.jsonl"
    shutil.copy(TIMELINES / "heating.jsonl", timeline)
    config = write_config(tmp_path, sources=[{"name": "лента", "kind": "replay", "path": str(timeline)}])
    run = lambda *args: mcu("--config", str(config), *args, cwd=tmp_path)  # noqa: E731
    assert run("init").returncode == 0
    records = [json.loads(line) for line in timeline.read_text(encoding="utf-8").splitlines() if line.strip()]
    since = "2026-01-13T12:00:00+03:00"
    later = [r for r in records if r["published_at"] >= since]
    backfill = run("collect", "--since", since)
    assert backfill.returncode == 0, backfill.stderr
    assert f"записей {len(later)}," in backfill.stdout
    full = run("collect", "--since", "2026-01-01")
    assert full.returncode == 0 and f"записей {len(records)}," in full.stdout
    exported = run("export", "posts", "--from", "2026-01-01", "--to", "2026-02-01")
    assert len(exported.stdout.splitlines()) == len({(r["platform"], r["source"], r["id"]) for r in records})
