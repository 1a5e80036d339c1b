"""A fake Telegram Bot API on loopback: records requests, answers from saved real responses."""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path
from typing import Any

from tests.fakes.server import LoopbackServer, QuietHandler

DATA = Path(__file__).resolve().parent.parent / "data" / "telegram"


def saved(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def error(key: str) -> dict[str, Any]:
    """One of the real error bodies in ``tg_bot_errors.json`` (``"429"``, ``"400_chat_not_found"``…)."""
    return saved("tg_bot_errors.json")["errors"][key]


class FakeBotApi(LoopbackServer):
    """Answers ``/bot<token>/<method>``; queue scripted answers with ``script``, otherwise success."""

    def __init__(self, token: str = "123:TEST") -> None:
        self.token = token
        self.requests: list[dict[str, Any]] = []
        self._script: deque[dict[str, Any]] = deque()
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                try:
                    payload = json.loads(body or b"{}")
                except ValueError:
                    payload = {"_raw": body.decode("utf-8", "replace")}
                prefix = f"/bot{fake.token}/"
                if not self.path.startswith(prefix):
                    self._answer(error("401"))
                    return
                method = self.path[len(prefix):]
                fake.requests.append({"method": method, "payload": payload})
                answer = fake._script.popleft() if fake._script else fake._ok(method, payload)
                self._answer(answer)

            def _answer(self, answer: dict[str, Any]) -> None:
                status = 200 if answer.get("ok") else int(answer.get("error_code", 500))
                data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
                self.reply(status, data, {"Content-Type": "application/json"})

        self._serve(Handler)

    def _ok(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        answer = saved("tg_bot_sendMessage_ok.json")
        if method == "sendMessage":
            answer["result"]["chat"]["id"] = payload.get("chat_id")
            answer["result"]["text"] = payload.get("text")
        return answer

    def script(self, *answers: dict[str, Any]) -> None:
        self._script.extend(answers)

    def sent(self) -> list[dict[str, Any]]:
        return [r["payload"] for r in self.requests if r["method"] == "sendMessage"]

