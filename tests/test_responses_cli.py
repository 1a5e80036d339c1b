"""The analyst's commands for answers, in process: bodies (and attaching an account by URL through the VK fake),
appeals, the rating and its справки (DOCX, XLSX, HTML re-read), exports for scripts, the дорожная карта from draft
to a closed item whose complaints keep coming."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml

from mcu.answer_check import bundled_answer_timelines
from mcu.cli import main
from mcu.demo import DEMO_ACCOUNTS
from tests.cli_helpers import write_config
from tests.fakes.vk import FakeVk

CASES = next(p for p in bundled_answer_timelines() if p.name == "responses_cases.jsonl")
WEEK = ["--from", "2026-01-09", "--to", "2026-01-17"]


def config_with_accounts(directory: Path, **changes: object) -> Path:
    path = write_config(directory, **changes)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for body in data["bodies"]:
        body["accounts"] = DEMO_ACCOUNTS.get(body["id"], [])
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("answers")
    config = config_with_accounts(directory)
    assert main(["--config", str(config), "init"]) == 0
    assert main(["--config", str(config), "replay", "--db", f"sqlite:///{directory / 'mcu.db'}", str(CASES)]) == 0
    return config


def test_appeals_list_and_show(replayed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "--config", str(replayed), "appeals", "--days", "3660")
    assert code == 0 and "Комитет по образованию" in out and "просрочено" in out
    code, out, _ = cli(capsys, "--config", str(replayed), "appeals", "--days", "3660", "--status", "breached")
    assert code == 0 and "Автобус" in out and "Фонарь" not in out
    code, out, _ = cli(capsys, "--config", str(replayed), "appeals", "show", "2")
    assert code == 0 and "Исполнители: Администрация" in out and "отписка" in out and "status" in out
    code, _, err = cli(capsys, "--config", str(replayed), "appeals", "show", "999")
    assert code == 1 and "обращения №999 нет" in err


def test_the_rating_in_the_console_and_as_office_files(replayed: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "--config", str(replayed), "ratings", *WEEK)
    assert code == 0 and "Рейтинг ответственных исполнителей: Десногорск, за период" in out
    ranked = [line for line in out.splitlines() if "│" in line and line.split("│")[1].strip().isdigit()]
    assert "МУП «ККП»" in ranked[0] and "Комитет по образованию" in ranked[-1]

    assert cli(capsys, "--config", str(replayed), "ratings", *WEEK, "-o", str(tmp_path / "r.docx"))[0] == 0
    document = docx.Document(str(tmp_path / "r.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["1. Коротко", "2. Рейтинг", "3. Как считается балл", "4. Нарушенные сроки ответа",
                        "5. Ошибки при коммуникации", "6. Все обращения периода"]
    rating_rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert rating_rows[0][:3] == ["Место", "Исполнитель", "Обращений"] and rating_rows[1][1] == "МУП «ККП»"

    assert cli(capsys, "--config", str(replayed), "ratings", *WEEK, "-o", str(tmp_path / "r.xlsx"))[0] == 0
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["Рейтинг", "Сроки", "Конфликты", "Обращения"]
    sheet = book["Рейтинг"]
    assert sheet["B2"].value == "МУП «ККП»" and isinstance(sheet["C2"].value, int) and sheet.freeze_panes == "A2"
    conflicts = book["Конфликты"]
    assert conflicts.max_row == 3  # two conflict replies: a disclosure and a blame

    assert cli(capsys, "--config", str(replayed), "ratings", *WEEK, "-o", str(tmp_path / "r.html"))[0] == 0
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Рейтинг ответственных исполнителей" in html and "<script" not in html
    code, _, err = cli(capsys, "--config", str(replayed), "ratings", "--format", "docx")
    assert code == 2 and "--out" in err


def test_exports_for_scripts(replayed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "--config", str(replayed), "export", "responses", *WEEK)
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(records) == 11
    fields = {"appeal_id", "story_id", "body", "platform", "url", "appeal_at", "first_reply_id", "first_reply_at",
              "minutes_to_reply", "working_minutes_to_reply", "deadline_at", "sla_status", "reply_quality",
              "satisfaction", "reasons"}
    assert all(fields <= set(r) for r in records)
    by_url = {r["url"]: r for r in records}
    breached = by_url["https://vk.com/wall-1_52401"]
    assert (breached["sla_status"], breached["minutes_to_reply"], breached["working_minutes_to_reply"]) == \
        ("breached", 1830.0, 930.0)

    assert cli(capsys, "--config", str(replayed), "export", "responses", *WEEK, "--body", "education", "--format",
               "csv", "-o", str(tmp_path / "r.csv"))[0] == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == 1 and rows[0]["sla_status"] == "overdue"

    code, out, _ = cli(capsys, "--config", str(replayed), "export", "ratings", "--period", "week", "--to", "2026-01-17")
    ratings = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and {r["body"] for r in ratings} >= {"admin", "kkp", "msch", "education"}
    first = min((r for r in ratings if r["rank"] is not None), key=lambda r: r["rank"])
    assert first["body"] == "kkp" and first["score"] is not None and first["period"] == "week"
    assert {"appeals", "answered_share", "median_minutes_to_reply", "within_deadline_share", "formulaic_share",
            "conflicts", "satisfied_share", "repeated_complaints", "score", "rank"} <= set(first)
    assert cli(capsys, "--config", str(replayed), "export", "ratings", "--to", "2026-01-17", "--format", "xlsx",
               "-o", str(tmp_path / "r.xlsx"))[0] == 0
    assert openpyxl.load_workbook(tmp_path / "r.xlsx")["ratings"]["A1"].value == "body"
    code, _, err = cli(capsys, "--config", str(replayed), "export", "responses", "--body", "nobody")
    assert code == 2 and "неизвестный исполнитель" in err


def test_bodies_and_attaching_an_account_by_url(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeVk() as fake:
        fake.add_wall(-135135, "msch135_demo", "МСЧ-135 (демо)", members=4100)
        config = write_config(tmp_path, api={"vk": {"base_url": fake.base_url, "token": {"env": "MCU_VK_TOKEN"}}})
        assert main(["--config", str(config), "init"]) == 0
        code, out, _ = cli(capsys, "--config", str(config), "bodies")
        assert code == 0 and "МСЧ-135" in out and "Школа № 3" in out
        monkeypatch.setenv("MCU_VK_TOKEN", fake.token)
        code, out, err = cli(capsys, "--config", str(config), "bodies", "add", "https://vk.com/msch135_demo",
                             "--body", "msch")
        assert code == 0, err
        assert "Привязан аккаунт vk:msch135_demo (id -135135)" in out and "МСЧ-135" in out
        code, out, _ = cli(capsys, "--config", str(config), "bodies")
        assert "vk:msch135_demo (добавлен)" in out
        code, _, err = cli(capsys, "--config", str(config), "bodies", "add", "https://vk.com/x_demo", "--body", "nobody")
        assert code == 2 and "неизвестный исполнитель 'nobody'" in err


def _recurring_timeline(path: Path, now: datetime) -> Path:
    """Four residents complain about heating in 3 мкр over three weeks; the management company is named."""
    texts = ["В 3 мкр опять нет отопления, батареи холодные! Управляющая компания, когда почините?",
             "Управляющая компания, в 3 мкр снова холодные батареи, сколько можно?",
             "В 3 мкр третий раз за месяц нет тепла, управляющая компания не отвечает!",
             "Управляющая компания, в 3 микрорайоне опять нет отопления, дети мёрзнут"]
    lines = []
    for index, text in enumerate(texts):
        at = (now - timedelta(days=21 - 6 * index)).isoformat()
        lines.append(json.dumps({"id": f"r{index}", "platform": "vk", "source": "demo_gorod", "url": f"https://vk.com/r{index}",
                                 "author": f"Житель {index}", "published_at": at, "text": text, "parent_id": None,
                                 "metrics": {}}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_roadmap_from_draft_to_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = config_with_accounts(tmp_path)
    now = datetime.now(timezone.utc)
    timeline = _recurring_timeline(tmp_path / "recurring.jsonl", now)
    assert main(["--config", str(config), "init"]) == 0
    assert main(["--config", str(config), "replay", "--db", f"sqlite:///{tmp_path / 'mcu.db'}", str(timeline)]) == 0
    capsys.readouterr()
    code, out, _ = cli(capsys, "--config", str(config), "roadmap", "draft", "--by", "Иванова")
    assert code == 0 and "№1 ЖКХ: 3 мкр — Управляющие компании" in out and "обращений за 90 дн.: 4" in out
    code, out, _ = cli(capsys, "--config", str(config), "roadmap", "draft")
    assert "Новых повторяющихся проблем нет" in out
    code, out, _ = cli(capsys, "--config", str(config), "roadmap", "edit", "1", "--measure",
                       "Заменить участок теплотрассы у домов 9–12", "--deadline", "2026-09-01", "--by", "Иванова")
    assert code == 0 and "изменено — measure, deadline" in out
    assert cli(capsys, "--config", str(config), "roadmap", "status", "1", "in_progress", "--by", "Петров")[0] == 0
    code, out, _ = cli(capsys, "--config", str(config), "roadmap", "show", "1")
    assert "Мера: Заменить участок теплотрассы" in out and "Срок: 01.09.2026; статус: выполняется" in out
    assert "Иванова: measure:" in out and "Петров: status: draft → in_progress" in out
    code, _, err = cli(capsys, "--config", str(config), "roadmap", "edit", "1", "--deadline", "скоро")
    assert code == 2 and "не понимаю дату" in err
    code, _, err = cli(capsys, "--config", str(config), "roadmap", "status", "7", "done")
    assert code == 1 and "пункта №7 нет" in err
    for suffix in ("docx", "xlsx"):
        assert cli(capsys, "--config", str(config), "roadmap", "export", "-o", str(tmp_path / f"plan.{suffix}"))[0] == 0
    assert "Устранение причин повторяющихся жалоб жителей" in \
        "\n".join(p.text for p in docx.Document(str(tmp_path / "plan.docx")).paragraphs)
    sheet = openpyxl.load_workbook(tmp_path / "plan.xlsx")["Дорожная карта"]
    assert sheet["B2"].value == "ЖКХ: 3 мкр — Управляющие компании" and sheet["H2"].is_date


def test_a_closed_item_whose_complaints_keep_coming_is_flagged(tmp_path: Path) -> None:
    from config import load_config
    from mcu.ratings import draft_roadmap, roadmap_items
    from storage import Database
    from storage import roadmap as store

    config = config_with_accounts(tmp_path)
    now = datetime.now(timezone.utc)
    timeline = _recurring_timeline(tmp_path / "recurring.jsonl", now)
    assert main(["--config", str(config), "init"]) == 0
    assert main(["--config", str(config), "replay", "--db", f"sqlite:///{tmp_path / 'mcu.db'}", str(timeline)]) == 0
    settings, _ = load_config(str(config))
    db = Database.from_url(settings.database.url)
    try:
        with db.transaction() as session:
            item = draft_roadmap(session, settings, now - timedelta(days=2), "аналитик")[0]
            store.edit(session, store.row(session, item.id), {"status": "done"}, "аналитик",  # type: ignore[arg-type]
                       now - timedelta(days=4))
        with db.transaction() as session:
            flagged = roadmap_items(session, settings, now)[0]
    finally:
        db.dispose()
    assert flagged.status == "done" and flagged.complaints_after_close == 1 and flagged.flagged
