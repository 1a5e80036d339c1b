"""A fake Telegram Bot API on loopback: records requests, answers from saved real responses."""

from __future__ import annotations

import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data" / "telegram"


def saved(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def error(key: str) -> dict[str, Any]:
    """One of the real error bodies in ``tg_bot_errors.json`` (``"429"``, ``"400_chat_not_found"``…)."""
    return saved("tg_bot_errors.json")["errors"][key]


class FakeBotApi:
    """Answers ``/bot<token>/<method>``; queue scripted answers with ``script``, otherwise success."""

    def __init__(self, token: str = "123:TEST") -> None:
        self.token = token
        self.requests: list[dict[str, Any]] = []
        self._script: deque[dict[str, Any]] = deque()
        fake = self

        class Handler(BaseHTTPRequestHandler):
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
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _ok(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        answer = saved("tg_bot_sendMessage_ok.json")
        if method == "sendMessage":
            answer["result"]["chat"]["id"] = payload.get("chat_id")
            answer["result"]["text"] = payload.get("text")
        return answer

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, *answers: dict[str, Any]) -> None:
        self._script.extend(answers)

    def sent(self) -> list[dict[str, Any]]:
        return [r["payload"] for r in self.requests if r["method"] == "sendMessage"]

    def __enter__(self) -> "FakeBotApi":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
