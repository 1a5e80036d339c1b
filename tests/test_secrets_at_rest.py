"""No secret at rest: an API or proxy that echoes the request (token included) in its error text, and one that
answers malformed JSON, leave the token nowhere — not in the database file, logs, digests, exports, the files
sent to Telegram, nor anything `mcu` prints."""

from __future__ import annotations

import secrets
import sqlite3
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from config.secret import MASK, Secret, mask_secrets
from tests.cli_helpers import mcu, write_config
from tests.fakes.telegram import FakeBotApi
from tests.fakes.vk import FakeVk


@pytest.mark.parametrize(("text", "hidden"), [
    ("https://api.vk.ru/method/wall.get?owner_id=-1&access_token=vk1.a.Zx9-_y&v=5.199", "vk1.a.Zx9-_y"),
    ("POST https://api.telegram.org/bot123456:AAE-x_y/sendMessage failed", "123456:AAE-x_y"),
    ('{"request_params": [{"key": "access_token", "value": "abc123def"}]}', "abc123def"),
    ("signature mismatch: sig=9f86d081884c7d65", "9f86d081884c7d65"),
    ("api_hash: 0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"),
    ("Authorization: Bearer eyJhbGciOi.J9", "eyJhbGciOi.J9"),
    ("session " + "1BJWap1sBu" * 30, "1BJWap1sBu" * 30),  # a telethon StringSession
    ("token 7213994512:AAHk2gd8-ZwPr1qXmC5bTz0aBcDeFgHiJkL leaked", "7213994512:AAHk2gd8-ZwPr1qXmC5bTz0aBcDeFgHiJkL"),
])
def test_token_shapes_are_masked_even_when_unknown(text: str, hidden: str) -> None:
    masked = mask_secrets(text)
    assert hidden not in masked and MASK in masked


def test_known_secrets_are_masked_anywhere_and_plain_text_is_left_alone() -> None:
    Secret("env:TEST_SECRET", "plain-looking-secret")
    assert mask_secrets("echo: plain-looking-secret!") == f"echo: {MASK}!"
    ordinary = "VK wall.get: ошибка 100: One of the parameters specified was missing; https://site.ru/news/" + "novost-" * 30
    assert mask_secrets(ordinary) == ordinary


def _scan(root: Path, needles: list[bytes]) -> list[str]:
    """Every file under ``root`` that holds one of ``needles`` (the database and its -wal/-shm included)."""
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.name}: {needle[:12]!r}" for needle in needles if needle in data]
    return found


def test_echoed_and_malformed_answers_leave_no_token_anywhere(tmp_path: Path) -> None:
    now = datetime.now(timezone.utc)
    vk_token = "vk1.a." + secrets.token_urlsafe(60)
    bot_token = f"{secrets.randbelow(10**9) + 10**9}:AA" + secrets.token_urlsafe(30)
    printed: list[str] = []
    with FakeVk(vk_token, now=now) as vk, FakeBotApi(bot_token) as bot:
        vk.add_wall(-1001, "gorod_demo", "Город (демо)", posts=6, comments=2, start=now - timedelta(minutes=20))
        roles = {"deputy": {"title": "Заместитель руководителя МЦУ", "telegram_chats": [111]}}
        config = write_config(
            tmp_path,
            sources=[{"name": "Город", "kind": "vk_wall", "url": "https://vk.com/gorod_demo"}],
            api={"vk": {"base_url": vk.base_url, "token": {"env": "MCU_VK_TOKEN"}},
                 "telegram_bot": {"base_url": bot.base_url, "token": {"env": "MCU_BOT_TOKEN"}, "timeout": "5s"}},
            collection={"retries": 0, "timeout": "5s"},
            alerts={"routes": [], "jsonl_path": str(tmp_path / "alerts.jsonl")},
            digest={"roles": ["deputy"], "out_dir": str(tmp_path / "digests")},
            roles=roles,
        )
        env = {"MCU_VK_TOKEN": vk_token, "MCU_BOT_TOKEN": bot_token}

        def run(*args: str, code: int | None = 0) -> subprocess.CompletedProcess[str]:
            result = mcu("--config", str(config), "--verbose", *args, cwd=tmp_path, env=env)
            printed.extend((result.stdout, result.stderr))
            assert code is None or result.returncode == code, (args, result.stdout, result.stderr)
            return result

        run("init")
        vk.script("wall.get", "echo")  # the proxy repeats the request, token and all
        echoed = run("collect", "--once", code=1)
        assert "ошибка 100" in echoed.stderr and MASK in echoed.stderr
        assert "ошибка" in run("status").stdout
        with sqlite3.connect(tmp_path / "mcu.db") as connection:
            (stored,) = connection.execute("SELECT last_error FROM sources WHERE name = 'Город'").fetchone()
        assert "ошибка 100" in stored and f"access_token={MASK}" in stored, stored

        bot.script_for("sendPhoto", {"ok": False, "error_code": 400,
                                     "description": f"Bad Request: https://api.telegram.org/bot{bot_token}/sendPhoto"})
        run("digest", "--period", "day", "--format", "md", "--send", code=1)  # the Bot API echoes its URL
        sent = run("digest", "--period", "day", "--format", "html", "--send")
        assert "Сводка отправлена в Telegram" in sent.stdout
        digest_text = (tmp_path / "digests").glob("*.html")
        assert any("Город" in path.read_text(encoding="utf-8") and MASK in path.read_text(encoding="utf-8")
                   for path in digest_text), "сводка говорит, что источник падал, без токена"

        for answer in ("malformed", "truncated"):
            vk.script("wall.get", answer)
            broken = run("collect", "--once", code=1)
            assert "Traceback" not in broken.stderr and "не является JSON" in broken.stderr
        collected = run("collect", "--once")
        assert "новых 18" in collected.stdout
        run("process")
        for fmt in ("jsonl", "csv", "xlsx"):
            run("export", "posts", "--format", fmt, "-o", str(tmp_path / f"posts.{fmt}"))
        run("digest", "--period", "week", "--format", "docx", "--send")

        uploads = b"".join(f["data"] for f in bot.files()) + str(bot.requests).encode()
    needles = [vk_token.encode(), bot_token.encode(), bot_token.split(":")[1].encode()]
    assert _scan(tmp_path, needles) == [], "токен на диске"
    assert not any(n in uploads for n in needles), "токен ушёл в Telegram"
    assert not any(n.decode() in text for text in printed for n in needles), "токен в выводе"
    assert (tmp_path / "mcu.db").exists() and any((tmp_path / "digests").iterdir())
