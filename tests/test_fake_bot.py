"""The fake Bot API itself: real shapes, the real refusals, state across calls, long polling and faults."""

from __future__ import annotations

import json
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fakes.telegram import FakeBotApi, error, saved

GROUP = -1001987654321
PERSON = 301234567
SAMPLE = saved("tg_bot_sendMessage_ok.json")["result"]
SAMPLE_HTML = "<b>⚠️</b> Новое упоминание: «прорыв трубы» — vk.com/wall-123456789_48210"
KEYBOARD = SAMPLE["reply_markup"]


class Bot:
    """A bare client: every call returns (HTTP status, decoded body) so tests see exactly what the fake answered."""

    def __init__(self, fake: FakeBotApi, timeout: float = 5) -> None:
        self.fake = fake
        self.http = httpx.Client(base_url=f"{fake.base_url}/bot{fake.token}/", timeout=timeout)

    def __call__(self, method: str, **params: Any) -> tuple[int, Any]:
        response = self.http.post(method, json=params)
        return response.status_code, response.json()

    def ok(self, method: str, **params: Any) -> Any:
        status, body = self(method, **params)
        assert status == 200 and body["ok"] is True, body
        return body["result"]

    def refused(self, method: str, **params: Any) -> tuple[int, str]:
        status, body = self(method, **params)
        assert body["ok"] is False and status == body["error_code"], (status, body)
        return status, body["description"]


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi("7012345678:TEST") as running:
        yield running


@pytest.fixture
def bot(fake: FakeBotApi) -> Iterator[Bot]:
    client = Bot(fake)
    yield client
    client.http.close()


def shape(value: Any) -> Any:
    """Keys all the way down (lists by their first item): what "the same shape as the real answer" means."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x10\x0d\x0a" * width for _ in range(height))  # \r\n bytes inside on purpose
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


# 1. sendMessage ---------------------------------------------------------------------------------------------------


def test_send_message_answers_the_real_message(bot: Bot, fake: FakeBotApi) -> None:
    result = bot.ok("sendMessage", chat_id=str(GROUP), text=SAMPLE_HTML, parse_mode="HTML", reply_markup=KEYBOARD)
    assert shape(result) == shape(SAMPLE)
    assert {**result, "message_id": 0, "date": 0} == {**SAMPLE, "message_id": 0, "date": 0}
    assert result["chat"]["id"] == GROUP and abs(result["date"] - time.time()) < 5
    stored = fake.messages[(GROUP, result["message_id"])]
    assert stored["text"] == SAMPLE_HTML and stored["parse_mode"] == "HTML"
    assert stored["reply_markup"] == KEYBOARD and stored["edits"] == 0 and stored["message"] == result
    assert fake.sent() == [{"chat_id": str(GROUP), "text": SAMPLE_HTML, "parse_mode": "HTML", "reply_markup": KEYBOARD}]


def test_message_ids_count_per_chat_and_chat_types_follow_the_id(bot: Bot) -> None:
    first = bot.ok("sendMessage", chat_id=GROUP, text="раз")
    second = bot.ok("sendMessage", chat_id=GROUP, text="два")
    private = bot.ok("sendMessage", chat_id=PERSON, text="лично")
    basic = bot.ok("sendMessage", chat_id=-4123, text="группа")
    assert [first["message_id"], second["message_id"], private["message_id"]] == [100, 101, 100]
    assert first["chat"]["type"] == "supergroup" and basic["chat"]["type"] == "group"
    assert private["chat"]["type"] == "private" and private["chat"]["id"] == PERSON
    assert "reply_markup" not in first and "entities" not in first


@pytest.mark.parametrize("encoding", ["json", "form", "query", "multipart"])
def test_parameters_arrive_in_every_encoding(fake: FakeBotApi, encoding: str) -> None:
    params = {"chat_id": str(GROUP), "text": "<i>Ответ</i>", "parse_mode": "HTML", "reply_markup": json.dumps(KEYBOARD)}
    url = f"{fake.base_url}/bot{fake.token}/sendMessage"
    with httpx.Client(timeout=5) as http:
        if encoding == "json":
            response = http.post(url, json={**params, "reply_markup": KEYBOARD})
        elif encoding == "form":
            response = http.post(url, data=params)
        elif encoding == "query":
            response = http.get(url, params=params)
        else:
            response = http.post(url, data=params, files={"unused": ("x.txt", b"x", "text/plain")})
    result = response.json()["result"]
    assert result["chat"]["id"] == GROUP and result["text"] == "Ответ"
    assert result["entities"] == [{"type": "italic", "offset": 0, "length": 5}]
    assert result["reply_markup"] == KEYBOARD


def test_method_names_are_case_insensitive(bot: Bot, fake: FakeBotApi) -> None:
    bot.ok("SENDMESSAGE", chat_id=1, text="a")
    bot.ok("sendmessage", chat_id=1, text="b")
    assert [p["text"] for p in fake.sent()] == ["a", "b"]
    assert bot.ok("getme")["id"] == 7012345678


# 2. validation ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("Привет <br> мир", 'can\'t parse entities: Unsupported start tag "br" at byte offset 13'),
        ("цена < 100", 'can\'t parse entities: Unsupported start tag "" at byte offset 9'),
        ("<b>Авария<br/></b>", 'can\'t parse entities: Unsupported start tag "br/" at byte offset 15'),
        ("<span class=red>x</span>", 'can\'t parse entities: Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("ok <b>жирный <i>курсив</i>", "can't parse entities: Can't find end of the entity starting at byte offset 3"),
        ("Том & Джерри", "can't parse entities: Can't find end of the entity starting at byte offset 7"),
        ("&nbsp;", "can't parse entities: Can't find end of the entity starting at byte offset 0"),
        ("<b>a</i>", 'can\'t parse entities: Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("a</b>", "can't parse entities: Unexpected end tag at byte offset 1"),
        ("", "message text is empty"),
        ("<b> </b>\n", "message text is empty"),
        ("я" * 4097, "message is too long"),
    ],
)
def test_html_text_is_refused_like_the_real_api(bot: Bot, text: str, description: str) -> None:
    assert bot.refused("sendMessage", chat_id=1, text=text, parse_mode="HTML") == (400, f"Bad Request: {description}")


def test_parse_error_bodies_match_the_saved_ones(bot: Bot) -> None:
    _, description = bot.refused("sendMessage", chat_id=1, text="x" * 14 + "<br>", parse_mode="HTML")
    assert description == error("400_parse")["description"].replace("17", "14")
    assert bot.refused("sendMessage", chat_id=1, text="я" * 4097)[1] == error("400_too_long")["description"]


def test_length_counts_the_text_after_tags_and_entities(bot: Bot) -> None:
    result = bot.ok("sendMessage", chat_id=1, text="<b>" + "&lt;" * 4096 + "</b>", parse_mode="HTML")
    assert result["text"] == "<" * 4096 and result["entities"] == [{"type": "bold", "offset": 0, "length": 4096}]
    assert bot.ok("sendMessage", chat_id=1, text="<b>x</b> &amp; y")["text"] == "<b>x</b> &amp; y"  # no parse_mode


def test_html_entities_are_decoded_with_utf16_offsets(bot: Bot) -> None:
    text = ('&lt;&#x1F600;&gt; <b>жир <i>😀к</i></b> <a href="https://vk.com/wall-1_2?a=1&amp;b=2">ссылка</a> '
            '<pre><code class="language-python">x = 1</code></pre> <code>c</code> <tg-spoiler>s</tg-spoiler> '
            '&quot;&#33;')
    result = bot.ok("sendMessage", chat_id=1, text=text, parse_mode="HTML")
    assert result["text"] == '<😀> жир 😀к ссылка x = 1 c s "!'
    assert result["entities"] == [
        {"type": "bold", "offset": 5, "length": 7},
        {"type": "italic", "offset": 9, "length": 3},
        {"type": "text_link", "offset": 13, "length": 6, "url": "https://vk.com/wall-1_2?a=1&b=2"},
        {"type": "pre", "offset": 20, "length": 5, "language": "python"},
        {"type": "code", "offset": 26, "length": 1},
        {"type": "spoiler", "offset": 28, "length": 1},
    ]


def test_lenient_ampersand_like_the_real_parser_when_asked(bot: Bot, fake: FakeBotApi) -> None:
    fake.strict_ampersand = False
    assert bot.ok("sendMessage", chat_id=1, text="Том & Джерри", parse_mode="HTML")["text"] == "Том & Джерри"


@pytest.mark.parametrize(
    ("data", "accepted"),
    [("я" * 32, True), ("я" * 33, False), ("a" * 64, True), ("a" * 65, False), ("", False)],
)
def test_callback_data_is_limited_in_bytes(bot: Bot, data: str, accepted: bool) -> None:
    markup = {"inline_keyboard": [[{"text": "✅", "callback_data": data}]]}
    status, body = bot("sendMessage", chat_id=1, text="x", reply_markup=markup)
    assert body == ({"ok": True, "result": body.get("result")} if accepted else error("400_button_data"))
    assert status == (200 if accepted else 400)


def test_inline_keyboard_needs_an_action_per_button(bot: Bot) -> None:
    markup = {"inline_keyboard": [[{"text": "просто текст"}]]}
    _, description = bot.refused("sendMessage", chat_id=1, text="x", reply_markup=markup)
    assert description.endswith("Text buttons are unallowed in the inline keyboard")


def test_unknown_and_blocked_chats(bot: Bot, fake: FakeBotApi) -> None:
    fake.unknown_chats.add(GROUP)
    fake.blocked_chats.add("301234567")
    calls: list[tuple[str, dict[str, Any]]] = [("sendMessage", {"text": "x"}),
                                               ("editMessageText", {"message_id": 100, "text": "y"})]
    for method, params in calls:
        assert bot(method, chat_id=str(GROUP), **params) == (400, error("400_chat_not_found"))
        assert bot(method, chat_id=PERSON, **params) == (403, error("403_blocked"))
    assert bot("sendMessage", chat_id="not a chat", text="x") == (400, error("400_chat_not_found"))
    assert bot.refused("sendMessage", text="x") == (400, "Bad Request: chat_id is empty")
    assert not fake.messages


# 3. edits ---------------------------------------------------------------------------------------------------------


def test_edit_message_text_edits_the_stored_message(bot: Bot, fake: FakeBotApi) -> None:
    sent = bot.ok("sendMessage", chat_id=GROUP, text=SAMPLE_HTML, parse_mode="HTML", reply_markup=KEYBOARD)
    done = "<b>✅ </b>Обработано: «прорыв трубы» — vk.com/wall-123456789_48210"
    edited = bot.ok("editMessageText", chat_id=GROUP, message_id=sent["message_id"], text=done, parse_mode="HTML",
                    reply_markup=KEYBOARD)
    real = saved("tg_bot_editMessageText_ok.json")["result"]
    assert shape(edited) == shape(real)
    moments = {"message_id": 0, "date": 0, "edit_date": 0}
    assert {**edited, **moments} == {**real, **moments}
    assert edited["edit_date"] >= edited["date"] == sent["date"]
    stored = fake.messages[(GROUP, sent["message_id"])]
    assert stored["text"] == done and stored["edits"] == 1 and stored["message"] == edited
    assert [e["text"] for e in fake.edits()] == [done]


def test_edits_that_change_nothing_are_refused(bot: Bot) -> None:
    sent = bot.ok("sendMessage", chat_id=GROUP, text="<b>Итог</b>", parse_mode="HTML", reply_markup=KEYBOARD)
    same = {"chat_id": GROUP, "message_id": sent["message_id"], "reply_markup": KEYBOARD}
    for text in ("<b>Итог</b>", "<strong>Итог</strong>"):  # the same content spelled differently
        assert bot("editMessageText", text=text, parse_mode="HTML", **same) == (400, error("400_not_modified"))
    assert bot("editMessageReplyMarkup", **same) == (400, error("400_not_modified"))
    assert bot.ok("editMessageText", text="Итог", **same)["text"] == "Итог"  # the bold is gone: a change


def test_keyboard_edits(bot: Bot, fake: FakeBotApi) -> None:
    sent = bot.ok("sendMessage", chat_id=GROUP, text="Новое", reply_markup=KEYBOARD)
    where = {"chat_id": GROUP, "message_id": sent["message_id"]}
    other = {"inline_keyboard": [[{"text": "Вернуть", "callback_data": "undo:1"}]]}
    assert bot.ok("editMessageReplyMarkup", reply_markup=other, **where)["reply_markup"] == other
    without = bot.ok("editMessageText", text="Принято", **where)  # no reply_markup: the keyboard goes, as for real
    assert "reply_markup" not in without and fake.messages[(GROUP, sent["message_id"])]["reply_markup"] is None
    assert fake.messages[(GROUP, sent["message_id"])]["edits"] == 2 and len(fake.edits()) == 2


def test_editing_a_message_that_is_not_there(bot: Bot) -> None:
    assert bot.refused("editMessageText", chat_id=GROUP, message_id=999, text="x") == (
        400, "Bad Request: message to edit not found")
    assert bot.refused("editMessageReplyMarkup", chat_id=GROUP, message_id="999") == (
        400, "Bad Request: message to edit not found")


# 4-5. callbacks and getUpdates ------------------------------------------------------------------------------------


def test_callback_update_has_the_real_shape_and_the_current_message(bot: Bot, fake: FakeBotApi) -> None:
    sent = bot.ok("sendMessage", chat_id=GROUP, text=SAMPLE_HTML, parse_mode="HTML", reply_markup=KEYBOARD)
    pushed = fake.push_callback(GROUP, sent["message_id"], "ack:vk:-123456789_48210")
    fake.push_message(PERSON, "/status")
    updates = bot.ok("getUpdates")
    real = saved("tg_bot_getUpdates.json")["result"]
    assert shape(updates) == shape(real[:1]) and shape(updates[1]) == shape(real[1])
    assert updates[0] == pushed and updates[0]["callback_query"]["message"] == sent
    assert updates[1]["update_id"] == updates[0]["update_id"] + 1
    message = updates[1]["message"]
    assert message["chat"] == {"id": PERSON, "first_name": "Ольга", "username": "olga_duty", "type": "private"}
    assert message["entities"] == [{"offset": 0, "length": 7, "type": "bot_command"}]


def test_callback_on_an_unknown_message_carries_an_inaccessible_message(fake: FakeBotApi) -> None:
    update = fake.push_callback(GROUP, 4711, "ack:1", user_id=42, first_name="Пётр", username=None)
    query = update["callback_query"]
    assert query["message"] == {"chat": {"id": GROUP, "title": "Оповещения мониторинга", "type": "supergroup"},
                                "message_id": 4711, "date": 0}
    assert query["from"] == {"id": 42, "is_bot": False, "first_name": "Пётр", "language_code": "ru"}


def test_answer_callback_query_once(bot: Bot, fake: FakeBotApi) -> None:
    query_id = fake.push_callback(GROUP, 100, "ack:1")["callback_query"]["id"]
    assert bot("answerCallbackQuery", callback_query_id=query_id, text="Принято") == (
        200, saved("tg_bot_answerCallbackQuery_ok.json"))
    assert bot("answerCallbackQuery", callback_query_id=query_id) == (400, error("400_query_old"))
    assert bot("answerCallbackQuery", callback_query_id="123") == (400, error("400_query_old"))
    assert [a["callback_query_id"] for a in fake.answered()] == [query_id, query_id, "123"]


def test_get_updates_offset_confirms_and_limit_counts(bot: Bot, fake: FakeBotApi) -> None:
    ids = [fake.push_message(PERSON, f"сообщение {n}")["update_id"] for n in range(5)]
    assert [u["update_id"] for u in bot.ok("getUpdates", limit=2)] == ids[:2]
    assert [u["update_id"] for u in bot.ok("getUpdates")] == ids  # nothing confirmed without an offset
    assert [u["update_id"] for u in bot.ok("getUpdates", offset=ids[2])] == ids[2:]
    assert [u["update_id"] for u in bot.ok("getUpdates")] == ids[2:]  # the first two are gone for good
    assert [u["update_id"] for u in bot.ok("getUpdates", offset=-1)] == ids[-1:]  # counts from the end
    assert bot.ok("getUpdates", offset=ids[-1] + 1) == [] and fake.pending_updates() == []


def test_allowed_updates_filters_kinds(bot: Bot, fake: FakeBotApi) -> None:
    fake.push_message(PERSON, "привет")
    fake.push_callback(GROUP, 100, "ack:1")
    only = bot.ok("getUpdates", allowed_updates=json.dumps(["callback_query"]))
    assert [next(k for k in u if k != "update_id") for u in only] == ["callback_query"]
    assert len(bot.ok("getUpdates")) == 1  # the setting sticks when omitted


def test_long_poll_returns_as_soon_as_an_update_arrives(bot: Bot, fake: FakeBotApi) -> None:
    fake.max_poll_wait = 3
    threading.Timer(0.1, fake.push_callback, args=(GROUP, 100, "ack:1")).start()
    started = time.monotonic()
    updates = bot.ok("getUpdates", timeout=30)
    assert len(updates) == 1 and 0.05 < time.monotonic() - started < 1


def test_long_poll_gives_up_after_max_poll_wait(bot: Bot, fake: FakeBotApi) -> None:
    fake.max_poll_wait = 0.2
    started = time.monotonic()
    assert bot.ok("getUpdates", timeout=30) == []
    assert 0.15 < time.monotonic() - started < 1
    started = time.monotonic()
    assert bot.ok("getUpdates") == [] and time.monotonic() - started < 0.15  # timeout 0: no wait at all


def test_a_second_poller_terminates_the_first_with_409(bot: Bot, fake: FakeBotApi) -> None:
    fake.max_poll_wait = 3
    other = Bot(fake)
    first: list[tuple[int, Any]] = []
    poller = threading.Thread(target=lambda: first.append(other("getUpdates", timeout=30)))
    started = time.monotonic()
    poller.start()
    while not fake.requests:  # the first poll is waiting in the fake
        time.sleep(0.01)
    assert bot.ok("getUpdates") == []
    poller.join(2)
    other.http.close()
    assert first == [(409, error("409"))] and time.monotonic() - started < 1


# 6. files ---------------------------------------------------------------------------------------------------------


def test_send_photo_multipart(fake: FakeBotApi, bot: Bot) -> None:
    image = png(1600, 900)
    fields = {"chat_id": str(GROUP), "caption": "<b>Фото</b> с места", "parse_mode": "HTML"}
    response = bot.http.post("sendPhoto", data=fields, files={"photo": ("место.png", image, "image/png")})
    message = response.json()["result"]
    assert [(p["width"], p["height"]) for p in message["photo"]] == [(90, 51), (320, 180), (800, 450), (1280, 720)]
    assert set(message["photo"][0]) == {"file_id", "file_unique_id", "file_size", "width", "height"}
    assert message["caption"] == "Фото с места"
    assert message["caption_entities"] == [{"type": "bold", "offset": 0, "length": 4}]
    assert fake.files() == [{"method": "sendPhoto", "chat_id": str(GROUP), "field": "photo", "file_name": "место.png",
                             "content_type": "image/png", "size": len(image), "caption": "<b>Фото</b> с места",
                             "data": image}]
    again = bot.ok("sendPhoto", chat_id=GROUP, photo=message["photo"][-1]["file_id"])  # a file is sent once
    assert again["photo"] == message["photo"] and again["message_id"] == message["message_id"] + 1


def test_send_document_multipart(fake: FakeBotApi, bot: Bot) -> None:
    report = b"%PDF-1.4\r\n" + bytes(range(256)) * 10
    response = bot.http.post("sendDocument", data={"chat_id": PERSON, "caption": "Сводка за сутки"},
                             files={"document": ("сводка.pdf", report, "application/octet-stream")})
    document = response.json()["result"]["document"]
    assert document["file_name"] == "сводка.pdf" and document["mime_type"] == "application/pdf"
    assert document["file_size"] == len(report) and {"file_id", "file_unique_id"} <= set(document)
    assert fake.files()[0]["data"] == report and fake.files()[0]["chat_id"] == str(PERSON)
    assert fake.messages[(PERSON, 100)]["caption"] == "Сводка за сутки"


def test_file_refusals(fake: FakeBotApi, bot: Bot) -> None:
    def upload(method: str, field: str, data: bytes, **extra: str) -> tuple[int, str]:
        body = bot.http.post(method, data={"chat_id": "1", **extra}, files={field: ("f.png", data, "image/png")}).json()
        return body["error_code"], body["description"]

    assert upload("sendPhoto", "photo", png(10, 10), caption="я" * 1025) == (
        400, "Bad Request: message caption is too long")
    assert upload("sendPhoto", "photo", b"not an image") == (400, "Bad Request: IMAGE_PROCESS_FAILED")
    assert upload("sendDocument", "document", b"x", caption="<i>", parse_mode="HTML")[1].startswith(
        "Bad Request: can't parse entities")
    assert bot.refused("sendPhoto", chat_id=1, photo="https://example.test/a.png") == (
        400, "Bad Request: failed to get HTTP URL content")
    assert bot.refused("sendDocument", chat_id=1, document="BQAC-unknown") == (
        400, "Bad Request: wrong file identifier/HTTP URL specified")
    assert bot.refused("editMessageText", chat_id=1, message_id=100, text="x")[1] == (
        "Bad Request: message to edit not found")  # nothing was stored by refused uploads


# 7-8. faults, token, unknown methods -------------------------------------------------------------------------------


def test_script_is_method_agnostic_and_script_for_is_not(bot: Bot, fake: FakeBotApi) -> None:
    fake.script_for("SendMessage", error("429"))
    fake.script(error("403_kicked"))
    assert bot("getMe") == (403, error("403_kicked"))  # the general queue serves any method
    assert bot("sendMessage", chat_id=1, text="x") == (429, error("429"))
    assert bot.ok("sendMessage", chat_id=1, text="x")["message_id"] == 100  # scripted answers stored nothing
    assert [r["status"] for r in fake.requests] == [403, 429, 200] and len(fake.sent()) == 2


def test_down_answers_502_without_json_until_up(bot: Bot, fake: FakeBotApi) -> None:
    fake.down()
    response = bot.http.post("sendMessage", json={"chat_id": 1, "text": "x"})
    assert response.status_code == 502 and "Bad Gateway" in response.text
    with pytest.raises(ValueError):
        response.json()
    assert not fake.messages and fake.requests[-1]["status"] == 502
    fake.up()
    assert bot.ok("sendMessage", chat_id=1, text="x")["message_id"] == 100


def test_delay_makes_clients_time_out_after_the_work_is_done(fake: FakeBotApi) -> None:
    fake.delay = 1.0
    with (
        httpx.Client(base_url=f"{fake.base_url}/bot{fake.token}/", timeout=0.2) as http,
        pytest.raises(httpx.ReadTimeout),
    ):
        http.post("sendMessage", json={"chat_id": 1, "text": "дойдёт дважды?"})
    assert fake.messages[(1, 100)]["text"] == "дойдёт дважды?"  # delivered, though the client saw a timeout


def test_wrong_token_and_unknown_method(fake: FakeBotApi, bot: Bot) -> None:
    with httpx.Client(timeout=5) as http:
        response = http.post(f"{fake.base_url}/bot1:WRONG/sendMessage", json={"chat_id": 1, "text": "x"})
    assert (response.status_code, response.json()) == (401, error("401"))
    assert bot("sendSticker", chat_id=1) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    assert [r["method"] for r in fake.requests] == ["sendSticker"]
