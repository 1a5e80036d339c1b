"""A fake Telegram Bot API on loopback: a stateful stand-in for the methods an alerting bot uses (FACTS §3.3).

It keeps what the real service keeps — the bot's messages per chat, the queue of updates, the callback queries not
yet answered — and answers with the real envelope and shapes (``tests/data/telegram``). Refusals carry the real
descriptions and, as on the real service, the HTTP status equals ``error_code``. Parameters are read from a query
string, a JSON body, a form or ``multipart/form-data``, and method names are case-insensitive, as documented.

Methods: ``getMe``, ``sendMessage``, ``editMessageText``, ``editMessageReplyMarkup``, ``answerCallbackQuery``,
``getUpdates``, ``deleteWebhook``, ``sendPhoto``, ``sendDocument``; any other method gets the real 404.

Faults a client has to survive are switches on the fake: queued answers (``script``, ``script_for``), a dead service
behind the proxy (``down``/``up``: 502 with an HTML page), slow answers (``delay``), a second poller (409), chats
that do not exist or blocked the bot (``unknown_chats``, ``blocked_chats``), and broken transport (``fault``):
a connection closed with no answer, an answer that never comes in time, a body that is not JSON, a 500.
Every request records when it arrived and when its answer left (``received``, ``answered``: ``time.monotonic()``)
and the fault it met (``fault``, or None).
"""

from __future__ import annotations

import copy
import json
import mimetypes
import re
import struct
import threading
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.fakes.server import LoopbackServer, QuietHandler

DATA = Path(__file__).resolve().parent.parent / "data" / "telegram"

MAX_TEXT = 4096  # characters after entity parsing
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes of UTF-8, not characters: Cyrillic takes two
HTML_TAGS = frozenset({
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre",
    "blockquote", "tg-emoji", "tg-time",
})
FIRST_MESSAGE_ID = 100
FIRST_UPDATE_ID = 815432901  # as in tg_bot_getUpdates.json
FIRST_CALLBACK_QUERY_ID = 4382918273645501234
GROUP_TITLE = "Оповещения мониторинга"
# What an empty ``allowed_updates`` means: every kind except these three.
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
BUTTON_ACTIONS = frozenset({
    "url", "callback_data", "web_app", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay",
})
# What nginx in front of api.telegram.org answers when the service behind it is gone.
BAD_GATEWAY = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)

ChatKey = int | str  # a numeric chat id, or an "@username" of a public channel


def saved(name: str) -> dict[str, Any]:
    """A saved real answer, read afresh each time so callers may change their copy."""
    answer: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return answer


def error(key: str) -> dict[str, Any]:
    """One of the real error bodies in ``tg_bot_errors.json`` (``"429"``, ``"400_chat_not_found"``…)."""
    body: dict[str, Any] = saved("tg_bot_errors.json")["errors"][key]
    return body


class ApiError(Exception):
    """A refusal with its real body; raised anywhere inside a method, answered with HTTP status = ``error_code``."""

    def __init__(self, answer: dict[str, Any]) -> None:
        super().__init__(answer["description"])
        self.answer = answer

    @classmethod
    def saved(cls, key: str) -> ApiError:
        return cls(error(key))


def bad_request(description: str) -> ApiError:
    return ApiError({"ok": False, "error_code": 400, "description": f"Bad Request: {description}"})


def parse_error(reason: str) -> ApiError:
    """The family of "can't parse entities" refusals a malformed HTML text gets."""
    return bad_request(f"can't parse entities: {reason}")


# ------------------------------------------------------------------------------------------------ request parameters


@dataclass(frozen=True)
class Upload:
    """A file part of a ``multipart/form-data`` request, as the server received it."""

    name: str  # the form field it came in
    file_name: str
    content_type: str
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)


def read_params(query: str, content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Parameters from the query string and the body in whichever encoding the client chose (the body wins)."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    uploads: dict[str, Upload] = {}
    kind = content_type.split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        fields, uploads = read_multipart(content_type, body)
        params.update(fields)
    elif kind == "application/x-www-form-urlencoded":
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif body.strip():
        try:
            decoded = json.loads(body)
        except ValueError:
            decoded = {"_raw": body.decode("utf-8", "replace")}
        params.update(decoded if isinstance(decoded, dict) else {"_raw": decoded})
    return params, uploads


def header_param(header: str, name: str) -> str | None:
    """``name=value`` from a header such as ``Content-Disposition``; RFC 5987 ``name*=utf-8''…`` included."""
    for match in re.finditer(r';\s*([\w-]+)(\*?)=("(?:[^"\\]|\\.)*"|[^;]*)', ";" + header):
        if match[1].lower() != name:
            continue
        value = match[3].strip()
        if match[2]:  # charset''percent-encoded
            return unquote(value.split("'", 2)[-1])
        return value[1:-1].replace('\\"', '"') if value.startswith('"') else value
    return None


def read_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, Upload]]:
    """Split a form by its boundary by hand: the ``email`` parser may rewrite line ends inside binary files."""
    boundary = header_param(content_type, "boundary")
    fields: dict[str, str] = {}
    uploads: dict[str, Upload] = {}
    if not boundary:
        return fields, uploads
    for chunk in body.split(b"--" + boundary.encode("latin-1"))[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        data = data.removesuffix(b"\r\n")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            header, _, value = line.partition(":")
            headers[header.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        name = header_param(disposition, "name")
        file_name = header_param(disposition, "filename")
        if name is None:
            continue
        if file_name is None:
            fields[name] = data.decode("utf-8", "replace")
        else:
            uploads[name] = Upload(name, file_name, headers.get("content-type", ""), data)
    return fields, uploads


def json_param(value: Any) -> Any:
    """Objects arrive as JSON text in forms, query strings and multipart requests, as they are in JSON bodies."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def int_param(params: dict[str, Any], name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f'field "{name}" must be of type Integer') from None


def chat_key(value: Any) -> ChatKey:
    """``chat_id`` as the API reads it: an integer (forms send it as text) or the ``@username`` of a channel."""
    if value is None or value == "":
        raise bad_request("chat_id is empty")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"@\w+", text):
        return text.lower()
    raise ApiError.saved("400_chat_not_found")


def same_chat(key: ChatKey, declared: set[Any]) -> bool:
    """Whether a test declared this chat, however it spelled the id (``-1001`` or ``"-1001"``)."""
    for item in declared:
        try:
            if chat_key(item) == key:
                return True
        except ApiError:
            continue
    return False


def inline_markup(value: Any) -> dict[str, Any] | None:
    """``reply_markup`` checked as the server does; returns what a Message echoes (inline keyboards only)."""
    if value is None or value == "":
        return None
    markup = json_param(value)
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None  # reply keyboards and their removal are not part of the Message
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays')
    for button in (button for row in rows for button in row):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
        if not BUTTON_ACTIONS & button.keys():
            raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA:
            raise ApiError.saved("400_button_data")
    return {"inline_keyboard": rows} if any(rows) else None


# ------------------------------------------------------------------------------------------------------- HTML mode


@dataclass(frozen=True)
class Rendered:
    """A text as Telegram stores it: tags gone, entities decoded, formatting as ``entities`` (UTF-16 offsets)."""

    text: str
    entities: tuple[dict[str, Any], ...] = ()

    def fields(self, text_key: str = "text", entities_key: str = "entities") -> dict[str, Any]:
        """The Message fields: ``text``/``entities`` or ``caption``/``caption_entities``."""
        return {text_key: self.text, **({entities_key: list(self.entities)} if self.entities else {})}


@dataclass
class _OpenTag:
    name: str
    at: int  # index of its "<" in the source, for byte offsets in errors
    offset: int  # UTF-16 offset in the rendered text
    attributes: dict[str, str]


_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]+)|#[xX]([0-9a-fA-F]+));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_NAME = re.compile(r"[^\s>]*")
_ATTRIBUTE = re.compile(r"""([^\s=>"'/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']*)))?""")
_SIMPLE = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "span": "spoiler", "tg-spoiler": "spoiler",
    "code": "code", "pre": "pre",
}


def byte_offset(text: str, index: int) -> int:
    """Telegram reports positions in bytes of UTF-8."""
    return len(text[:index].encode("utf-8", "surrogatepass"))


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def decode_entity(match: re.Match[str]) -> str | None:
    """The character of ``&lt;`` / ``&#123;`` / ``&#x1F600;``, or None for a number that is no character."""
    if match[1]:
        return _NAMED[match[1]]
    code = int(match[2]) if match[2] else int(match[3], 16)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else None


def parse_html(text: str, *, strict_ampersand: bool = True) -> Rendered:
    """Parse ``parse_mode=HTML`` like the server: supported tags only, properly nested, ``<>&`` escaped.

    The real parser keeps an ``&`` that starts no entity as a literal character; ``strict_ampersand`` (the default)
    refuses it instead, because the documentation requires escaping it and an unescaped one is a client bug.
    """
    out: list[str] = []
    offset = 0  # UTF-16 units written so far
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "&":
            match = _ENTITY.match(text, i)
            decoded = decode_entity(match) if match else None
            if match and decoded is not None:
                out.append(decoded)
                offset += utf16_length(decoded)
                i = match.end()
                continue
            if strict_ampersand:
                raise parse_error(f"Can't find end of the entity starting at byte offset {byte_offset(text, i)}")
        if char != "<":
            out.append(char)
            offset += utf16_length(char)
            i += 1
        elif text.startswith("</", i):
            i = _close_tag(text, i, stack, offset, entities)
        else:
            tag, i = _open_tag(text, i, offset)
            stack.append(tag)
    if stack:
        raise parse_error(f"Can't find end of the entity starting at byte offset {byte_offset(text, stack[-1].at)}")
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)  # a language belongs to <pre><code class="language-…">
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return Rendered("".join(out), tuple(entities))


def _open_tag(text: str, at: int, offset: int) -> tuple[_OpenTag, int]:
    """Read ``<name attr="value"…>`` starting at ``at``; returns the tag and the index after ``>``."""
    position = at + 1
    name_match = _TAG_NAME.match(text, position)
    assert name_match is not None  # the pattern matches the empty string
    position = name_match.end()
    if position >= len(text):
        raise parse_error(f"Unclosed start tag at byte offset {byte_offset(text, at)}")
    name = name_match[0].lower()
    if name not in HTML_TAGS:
        raise parse_error(f'Unsupported start tag "{name}" at byte offset {byte_offset(text, at)}')
    attributes: dict[str, str] = {}
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            raise parse_error(f'Unclosed start tag "{name}" at byte offset {byte_offset(text, at)}')
        if text[position] == ">":
            break
        attribute = _ATTRIBUTE.match(text, position)
        if attribute is None:
            raise parse_error(f'Empty attribute name in the tag "{name}" at byte offset {byte_offset(text, at)}')
        value = next((v for v in attribute.groups()[1:] if v is not None), "")
        attributes[attribute[1].lower()] = _ENTITY.sub(lambda m: decode_entity(m) or m[0], value)
        position = attribute.end()
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise parse_error(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(text, at)}')
    return _OpenTag(name, at, offset, attributes), position + 1


def _close_tag(text: str, at: int, stack: list[_OpenTag], offset: int, entities: list[dict[str, Any]]) -> int:
    """Read ``</name>`` at ``at``, close the innermost tag into an entity; returns the index after ``>``."""
    end = text.find(">", at)
    if end < 0:
        raise parse_error(f"Unclosed end tag at byte offset {byte_offset(text, at)}")
    name = text[at + 2:end].strip().lower()
    if not stack:
        raise parse_error(f"Unexpected end tag at byte offset {byte_offset(text, at)}")
    tag = stack.pop()
    if name and name != tag.name:
        raise parse_error(
            f'Unmatched end tag at byte offset {byte_offset(text, at)}, expected "</{tag.name}>", found "</{name}>"'
        )
    entity = _entity(tag, offset)
    if entity is None:
        return end + 1
    last = entities[-1] if entities else None
    if tag.name == "pre" and last and last["type"] == "code" and (last["offset"], last["length"]) == (
        entity["offset"], entity["length"]
    ):
        entities[-1] = {**entity, **({"language": last["language"]} if "language" in last else {})}
    else:
        entities.append(entity)
    return end + 1


def _entity(tag: _OpenTag, end: int) -> dict[str, Any] | None:
    """The MessageEntity a closed tag makes; None for an empty one (Telegram drops those)."""
    length = end - tag.offset
    if length <= 0:
        return None
    entity: dict[str, Any] = {"offset": tag.offset, "length": length}
    attributes = tag.attributes
    if tag.name in _SIMPLE:
        entity["type"] = _SIMPLE[tag.name]
        language = attributes.get("class", "")
        if tag.name == "code" and language.startswith("language-"):
            entity["language"] = language.removeprefix("language-")
    elif tag.name == "blockquote":
        entity["type"] = "expandable_blockquote" if "expandable" in attributes else "blockquote"
    elif tag.name == "a":
        href = attributes.get("href", "")
        mention = re.fullmatch(r"tg://user\?id=(\d+)", href)
        if mention:
            entity.update(type="text_mention", user={"id": int(mention[1]), "is_bot": False, "first_name": ""})
        elif href:
            entity.update(type="text_link", url=href)
        else:
            return None
    elif tag.name == "tg-emoji":
        entity.update(type="custom_emoji", custom_emoji_id=attributes.get("emoji-id", ""))
    else:  # tg-time
        unix = attributes.get("unix", "")
        entity.update(type="date_time", unix_time=int(unix) if unix.isdigit() else 0)
        if attributes.get("format"):
            entity["date_time_format"] = attributes["format"]
    return {"type": entity.pop("type"), **entity}


def render(text: Any, parse_mode: Any, entities: Any = None, *, strict_ampersand: bool = True) -> Rendered:
    """A text or caption after entity parsing; Markdown modes are passed through unparsed (not modelled)."""
    source = "" if text is None else str(text)
    mode = str(parse_mode or "").lower()
    if mode == "html":
        return parse_html(source, strict_ampersand=strict_ampersand)
    if mode not in ("", "markdown", "markdownv2"):
        raise bad_request("unsupported parse_mode")
    given = json_param(entities)
    return Rendered(source, tuple(given) if isinstance(given, list) and not mode else ())


# ----------------------------------------------------------------------------------------------------------- media


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG; None for anything else (the server cannot process it either)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data.startswith(b"\xff\xd8"):
        position = 2
        while position + 9 <= len(data) and data[position] == 0xFF:
            marker = data[position + 1]
            (length,) = struct.unpack(">H", data[position + 2:position + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start-of-frame segment
                height, width = struct.unpack(">HH", data[position + 5:position + 9])
                return width, height
            position += 2 + length
    return None


def photo_sizes(width: int, height: int, size: int, file_id: str) -> list[dict[str, Any]]:
    """The ladder of sizes Telegram makes of a photo (90/320/800 px previews, the photo itself up to 1280 px)."""
    longest = max(width, height)
    sides = [side for side in (90, 320, 800) if side < longest] + [min(longest, 1280)]
    ladder = []
    for number, side in enumerate(sides):
        scale = side / longest
        w, h = max(1, round(width * scale)), max(1, round(height * scale))
        ladder.append({
            "file_id": f"{file_id}{number}", "file_unique_id": f"AQAD{zlib.crc32(file_id.encode()):08x}{number}",
            "file_size": max(1, round(size * scale * scale)), "width": w, "height": h,
        })
    return ladder


def mime_type(upload: Upload) -> str:
    """The part's type, or what its file name says when the client sent none or a generic one."""
    given = upload.content_type.split(";")[0].strip().lower()
    if given and given != "application/octet-stream":
        return given
    return mimetypes.guess_type(upload.file_name)[0] or "application/octet-stream"


# ------------------------------------------------------------------------------------------------------------ fake


class FakeBotApi(LoopbackServer):
    """The Bot API at ``base_url`` for ``token``; state and switches are plain attributes.

    ``requests`` logs every call made with the right token as ``{"method", "payload", "uploads", "status"}``
    (the canonical method name, the parameters as received, the files, the HTTP status answered).
    ``messages[(chat_id, message_id)]`` holds the bot's messages: ``text`` and ``parse_mode`` as last sent,
    ``reply_markup`` (the inline keyboard shown, or None), ``edits`` (successful edits) and ``message`` (the
    Message as the API returns it now). Photos and documents are kept there too (``text`` None, ``caption``).
    """

    _HANDLERS: ClassVar[dict[str, str]] = {
        "getMe": "_get_me",
        "sendMessage": "_send_message",
        "editMessageText": "_edit_message_text",
        "editMessageReplyMarkup": "_edit_message_reply_markup",
        "answerCallbackQuery": "_answer_callback_query",
        "getUpdates": "_get_updates",
        "deleteWebhook": "_delete_webhook",
        "sendPhoto": "_send_photo",
        "sendDocument": "_send_document",
    }
    _CANONICAL: ClassVar[dict[str, str]] = {name.lower(): name for name in _HANDLERS}

    def __init__(self, token: str = "123:TEST") -> None:
        self.token = token
        self.requests: list[dict[str, Any]] = []
        self.messages: dict[tuple[ChatKey, int], dict[str, Any]] = {}
        self.unknown_chats: set[Any] = set()  # chat ids answered "400 chat not found"
        self.blocked_chats: set[Any] = set()  # chat ids answered "403 bot was blocked by the user"
        self.max_poll_wait = 0.5  # long polls wait at most this long, whatever ``timeout`` asks, so tests stay fast
        self.delay = 0.0  # seconds every answer waits (after the work is done, as on a slow network)
        self.strict_ampersand = True  # see parse_html
        self.is_down = False
        self.stall = 30.0  # how long a "stall" fault keeps the client waiting (the fake's stop ends it early)
        self._faults: deque[tuple[str | None, str, bool]] = deque()  # (method or None, kind, processed)
        self._script: deque[dict[str, Any]] = deque()
        self._scripts_for: dict[str, deque[dict[str, Any]]] = {}
        self._updates: list[dict[str, Any]] = []  # not yet confirmed, ascending update_id
        self._next_update_id = FIRST_UPDATE_ID
        self._next_message_id: dict[ChatKey, int] = {}
        self._open_queries: set[str] = set()
        self._next_query_id = FIRST_CALLBACK_QUERY_ID
        self._allowed_updates: frozenset[str] | None = None  # None: everything but NOT_BY_DEFAULT
        self._poll_generation = 0  # bumped by every getUpdates; an older waiting poll sees it and gets 409
        self._files: dict[str, dict[str, Any]] = {}  # file_id -> Message content, for sending a file again by id
        self._users: dict[int, dict[str, Any]] = {}  # people met in pushed updates, for private chat shapes
        self._lock = threading.Condition()
        self._stopping = threading.Event()
        self._serve(self._handler_class())

    # ------------------------------------------------------------------------------------------ test-facing API

    def script(self, *answers: dict[str, Any]) -> None:
        """Answer the next calls, whatever their method, with these bodies (status = ``error_code``)."""
        with self._lock:
            self._script.extend(answers)

    def script_for(self, method: str, *answers: dict[str, Any]) -> None:
        """Answer the next calls of ``method`` only with these bodies; served before ``script``'s queue."""
        with self._lock:
            self._scripts_for.setdefault(method.lower(), deque()).extend(answers)

    def down(self) -> None:
        """The service dies behind its proxy: every request gets 502 with an HTML page until ``up``."""
        self.is_down = True

    def up(self) -> None:
        self.is_down = False

    FAULTS: ClassVar[frozenset[str]] = frozenset({"close", "stall", "malformed", "error500"})

    def fault(self, kind: str, method: str | None = None, times: int = 1, processed: bool = False) -> None:
        """Break the next ``times`` calls (of ``method``, or any): ``close`` hangs up with no answer, ``stall``
        answers only after ``stall`` seconds (past any client timeout), ``malformed`` answers 200 with a cut-off
        JSON body, ``error500`` answers the real 500 envelope. With ``processed`` the call still takes effect
        (the message is sent) and only its answer is lost, as when the network fails on the way back."""
        if kind not in self.FAULTS:
            raise ValueError(f"unknown fault {kind!r}")
        with self._lock:
            self._faults.extend([(method.lower() if method else None, kind, processed)] * times)

    def sent(self) -> list[dict[str, Any]]:
        """Payloads of every ``sendMessage`` call, refused and scripted ones included."""
        return self._payloads("sendMessage")

    def edits(self) -> list[dict[str, Any]]:
        """Payloads of every ``editMessageText`` and ``editMessageReplyMarkup`` call."""
        return self._payloads("editMessageText", "editMessageReplyMarkup")

    def answered(self) -> list[dict[str, Any]]:
        """Payloads of every ``answerCallbackQuery`` call."""
        return self._payloads("answerCallbackQuery")

    def files(self) -> list[dict[str, Any]]:
        """Every uploaded file: method, chat_id, field, file_name, content_type, size, caption, data."""
        with self._lock:
            return [
                {"method": r["method"], "chat_id": r["payload"].get("chat_id"), "field": upload.name,
                 "file_name": upload.file_name, "content_type": upload.content_type, "size": upload.size,
                 "caption": r["payload"].get("caption"), "data": upload.data}
                for r in self.requests for upload in r["uploads"].values()
            ]

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by a getUpdates offset."""
        with self._lock:
            return copy.deepcopy(self._updates)

    def push_callback(self, chat_id: Any, message_id: int, data: str, user_id: int = 301234567,
                      first_name: str = "Ольга", username: str | None = "olga_duty") -> dict[str, Any]:
        """Someone presses a button under a message: queue a ``callback_query`` update and return it.

        ``message`` is the stored message as it is now, or an InaccessibleMessage (``date`` 0) when the fake
        never sent it — as the real API does for messages it cannot show.
        """
        with self._lock:
            key = chat_key(chat_id)
            user = self._remember_user(user_id, first_name, username)
            stored = self.messages.get((key, message_id))
            message = copy.deepcopy(stored["message"]) if stored else {
                "chat": self._chat(key), "message_id": message_id, "date": 0}
            query_id = str(self._next_query_id)
            self._next_query_id += 1
            self._open_queries.add(query_id)
            return self._push({"callback_query": {
                "id": query_id, "from": user, "message": message, "chat_instance": self._chat_instance(key),
                "data": data,
            }})

    def push_message(self, chat_id: Any, text: str, user_id: int = 301234567, first_name: str = "Ольга",
                     username: str | None = "olga_duty") -> dict[str, Any]:
        """Someone writes to the bot: queue a ``message`` update (``/commands`` get their entity) and return it."""
        with self._lock:
            key = chat_key(chat_id)
            user = self._remember_user(user_id, first_name, username)
            message: dict[str, Any] = {
                "message_id": self._take_message_id(key), "from": user, "chat": self._chat(key),
                "date": int(time.time()), "text": text,
            }
            command = re.match(r"/\w+(@\w+)?", text)
            if command:
                message["entities"] = [{"offset": 0, "length": utf16_length(command[0]), "type": "bot_command"}]
            return self._push({"message": message})

    # ------------------------------------------------------------------------------------------------- plumbing

    def _handler_class(self) -> type[QuietHandler]:
        fake = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                self._dispatch()

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                self._dispatch()

            def _dispatch(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, data, content_type = fake._respond(self.path, self.headers.get("Content-Type", ""), body)
                if status is None:  # hang up without a word
                    self.close_connection = True
                    return
                self.reply(status, data, {"Content-Type": content_type})

        return Handler

    def _respond(self, path: str, content_type: str, body: bytes) -> tuple[int | None, bytes, str]:
        """One request end to end: the proxy, the token, the log, faults, the method; then the configured delay."""
        url = urlsplit(path)
        prefix = f"/bot{self.token}/"
        record: dict[str, Any] | None = None
        fault: str | None = None
        if url.path.startswith(prefix):
            given = url.path[len(prefix):].strip("/")
            params, uploads = read_params(url.query, content_type, body)
            record = {"method": self._CANONICAL.get(given.lower(), given), "payload": params, "uploads": uploads,
                      "status": None, "fault": None, "received": time.monotonic(), "answered": None}
            with self._lock:
                self.requests.append(record)
                fault, processed = self._take_fault(record["method"])
        status: int | None
        if self.is_down:
            status, data, kind = 502, BAD_GATEWAY, "text/html"
        elif fault is not None and not processed:
            status, data, kind = 500, b"", "application/json"
        else:
            answer = error("401") if record is None else self._answer(record)
            status = 200 if answer.get("ok") else int(answer.get("error_code", 500))
            data, kind = json.dumps(answer, ensure_ascii=False).encode("utf-8"), "application/json"
        if fault == "close":
            status = None
        elif fault == "malformed":
            status, data = 200, b'{"ok":true,"result":{"message_id":'
        elif fault == "error500":
            status, data = 500, json.dumps({"ok": False, "error_code": 500, "description": "Internal Server Error"},
                                           ensure_ascii=False).encode("utf-8")
        elif fault == "stall":
            self._stopping.wait(self.stall)
        if record is not None:
            record["status"], record["fault"] = status, fault
        if self.delay > 0:
            self._stopping.wait(self.delay)
        if record is not None:
            record["answered"] = time.monotonic()
        return status, data, kind

    def _take_fault(self, method: str) -> tuple[str | None, bool]:
        """The next fault queued for this method (or for any), if one is (the caller holds the lock)."""
        for index, (wanted, kind, processed) in enumerate(self._faults):
            if wanted is None or wanted == method.lower():
                del self._faults[index]
                return kind, processed
        return None, False

    def _answer(self, record: dict[str, Any]) -> dict[str, Any]:
        """A scripted answer if one is queued, otherwise the method's own (a refusal being an ApiError)."""
        method = record["method"]
        with self._lock:
            queued = self._scripts_for.get(method.lower())
            if queued:
                return queued.popleft()
            if self._script:
                return self._script.popleft()
            handler = self._HANDLERS.get(method)
            if handler is None:
                return {"ok": False, "error_code": 404, "description": "Not Found"}
            try:
                result = getattr(self, handler)(record["payload"], record["uploads"])
            except ApiError as refusal:
                return refusal.answer
            except Exception as crash:  # a bug of the fake: say so instead of dropping the connection
                return {"ok": False, "error_code": 500, "description": f"Internal Server Error (fake): {crash!r}"}
            return {"ok": True, "result": result}

    def _before_stop(self) -> None:
        self._stopping.set()
        with self._lock:
            self._lock.notify_all()  # waiting long polls return at once

    def _payloads(self, *methods: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r["payload"] for r in self.requests if r["method"] in methods]

    # ------------------------------------------------------------------------------------------------- state

    def _bot(self) -> dict[str, Any]:
        """The bot as ``from``: the saved bot, with the id a real token starts with."""
        bot = saved("tg_bot_sendMessage_ok.json")["result"]["from"]
        prefix = self.token.split(":")[0]
        return {**bot, "id": int(prefix)} if prefix.isdigit() else bot

    def _chat(self, key: ChatKey) -> dict[str, Any]:
        """Chat shape by id: ``-100…`` supergroup, other negative ids basic groups, positive private chats."""
        if isinstance(key, str):
            name = key[1:]
            return {"id": -1_000_000_000_000 - zlib.crc32(name.encode()), "title": name, "username": name,
                    "type": "channel"}
        if key < 0:
            return {"id": key, "title": GROUP_TITLE, "type": "supergroup" if str(key).startswith("-100") else "group"}
        person = self._users.get(key, {"first_name": "Дежурный"})
        return {"id": key, **person, "type": "private"}

    def _chat_instance(self, key: ChatKey) -> str:
        """A stable opaque id per chat, as ``chat_instance`` is."""
        return str(-6241783920183746251 + zlib.crc32(str(key).encode()))

    def _remember_user(self, user_id: int, first_name: str, username: str | None) -> dict[str, Any]:
        person = {"first_name": first_name, **({"username": username} if username else {})}
        self._users[user_id] = person
        return {"id": user_id, "is_bot": False, **person, "language_code": "ru"}

    def _take_message_id(self, key: ChatKey) -> int:
        message_id = self._next_message_id.get(key, FIRST_MESSAGE_ID)
        self._next_message_id[key] = message_id + 1
        return message_id

    def _push(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_update_id, **body}
        self._next_update_id += 1
        self._updates.append(update)
        self._lock.notify_all()
        return copy.deepcopy(update)

    def _target(self, params: dict[str, Any]) -> ChatKey:
        """The chat a method addresses, refused as the real API refuses missing and blocking chats."""
        key = chat_key(params.get("chat_id"))
        if same_chat(key, self.unknown_chats):
            raise ApiError.saved("400_chat_not_found")
        if same_chat(key, self.blocked_chats):
            raise ApiError.saved("403_blocked")
        return key

    def _render(self, text: Any, params: dict[str, Any], entities_key: str = "entities") -> Rendered:
        return render(text, params.get("parse_mode"), params.get(entities_key), strict_ampersand=self.strict_ampersand)

    def _store(self, key: ChatKey, content: dict[str, Any], markup: dict[str, Any] | None,
               params: dict[str, Any]) -> dict[str, Any]:
        """A new message of the bot in chat ``key``; returns the Message."""
        message = {"message_id": self._take_message_id(key), "from": self._bot(), "chat": self._chat(key),
                   "date": int(time.time()), **content}
        if markup:
            message["reply_markup"] = markup
        self.messages[(key, message["message_id"])] = {
            "text": params.get("text"), "parse_mode": params.get("parse_mode"), "reply_markup": markup, "edits": 0,
            "message": message, **({"caption": params["caption"]} if "caption" in params else {}),
        }
        return message

    def _editable(self, params: dict[str, Any]) -> dict[str, Any]:
        """The stored message an edit addresses."""
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")  # inline-mode messages are not modelled
        key = self._target(params)
        message_id = int_param(params, "message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        stored = self.messages.get((key, message_id))
        if stored is None:
            raise bad_request("message to edit not found")
        return stored

    def _apply_edit(self, stored: dict[str, Any], markup: dict[str, Any] | None,
                    content: dict[str, Any] | None = None, **source: Any) -> dict[str, Any]:
        """Replace content and/or keyboard; the real API refuses an edit that changes nothing."""
        old = stored["message"]
        same_content = content is None or all(old.get(k) == content.get(k) for k in ("text", "entities"))
        if same_content and old.get("reply_markup") == markup:
            raise ApiError.saved("400_not_modified")
        new = {k: v for k, v in old.items() if k not in ("reply_markup", "edit_date")}
        if content is not None:
            new = {k: v for k, v in new.items() if k not in ("text", "entities")} | content
        if markup:
            new["reply_markup"] = markup
        new["edit_date"] = max(int(time.time()), old["date"])
        stored.update(source, message=new, reply_markup=markup, edits=stored["edits"] + 1)
        return new

    # ------------------------------------------------------------------------------------------------ methods

    def _get_me(self, params: dict[str, Any], uploads: dict[str, Upload]) -> dict[str, Any]:
        return {**self._bot(), "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}

    def _send_message(self, params: dict[str, Any], uploads: dict[str, Upload]) -> dict[str, Any]:
        key = self._target(params)
        rendered = self._checked_text(params)
        return self._store(key, rendered.fields(), inline_markup(params.get("reply_markup")), params)

    def _checked_text(self, params: dict[str, Any]) -> Rendered:
        rendered = self._render(params.get("text"), params)
        if not rendered.text.strip():
            raise bad_request("message text is empty")
        if len(rendered.text) > MAX_TEXT:
            raise ApiError.saved("400_too_long")
        return rendered

    def _edit_message_text(self, params: dict[str, Any], uploads: dict[str, Upload]) -> dict[str, Any]:
        stored = self._editable(params)
        if "text" not in stored["message"]:
            raise bad_request("there is no text in the message to edit")
        rendered = self._checked_text(params)
        # As on the real API, an edit without reply_markup removes the keyboard.
        markup = inline_markup(params.get("reply_markup"))
        return self._apply_edit(stored, markup, rendered.fields(), text=params.get("text"),
                                parse_mode=params.get("parse_mode"))

    def _edit_message_reply_markup(self, params: dict[str, Any], uploads: dict[str, Upload]) -> dict[str, Any]:
        stored = self._editable(params)
        return self._apply_edit(stored, inline_markup(params.get("reply_markup")))

    def _answer_callback_query(self, params: dict[str, Any], uploads: dict[str, Upload]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if not query_id:
            raise bad_request('parameter "callback_query_id" is required')
        if query_id not in self._open_queries:  # never issued, or answered already
            raise ApiError.saved("400_query_old")
        self._open_queries.discard(query_id)
        return True

    def _delete_webhook(self, params: dict[str, Any], uploads: dict[str, Upload]) -> bool:
        if str(params.get("drop_pending_updates", "")).lower() in ("true", "1"):
            self._updates.clear()
        return True

    def _get_updates(self, params: dict[str, Any], uploads: dict[str, Upload]) -> list[dict[str, Any]]:
        """Confirm by ``offset``, then return what is pending or long-poll for it (runs holding the lock)."""
        self._poll_generation += 1
        mine = self._poll_generation
        self._lock.notify_all()  # an earlier poll still waiting loses with 409
        offset = int_param(params, "offset") or 0
        limit = min(max(int_param(params, "limit") or 100, 1), 100)  # the server clamps rather than refuses
        try:
            timeout = max(0.0, float(params.get("timeout") or 0))
        except ValueError:
            raise bad_request('field "timeout" must be of type Integer') from None
        if "allowed_updates" in params:
            allowed = json_param(params["allowed_updates"])
            self._allowed_updates = frozenset(allowed) if isinstance(allowed, list) and allowed else None
        self._confirm(offset)
        deadline = time.monotonic() + min(timeout, self.max_poll_wait)
        while True:
            if self._poll_generation != mine:
                raise ApiError.saved("409")
            ready = self._deliverable()
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0 or self._stopping.is_set():
                return copy.deepcopy(ready[:limit])
            self._lock.wait(remaining)

    def _confirm(self, offset: int) -> None:
        """A positive offset forgets every earlier update; a negative one keeps only the last ``-offset``."""
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    def _deliverable(self) -> list[dict[str, Any]]:
        """Pending updates of the allowed kinds; the others are dropped, as the server never delivers them."""
        allowed = self._allowed_updates

        def wanted(update: dict[str, Any]) -> bool:
            kind = next(k for k in update if k != "update_id")
            return kind not in NOT_BY_DEFAULT if allowed is None else kind in allowed

        self._updates = [u for u in self._updates if wanted(u)]
        return self._updates

    def _send_photo(self, params: dict[str, Any], uploads: dict[str, Upload]) -> dict[str, Any]:
        return self._send_media("photo", params, uploads)

    def _send_document(self, params: dict[str, Any], uploads: dict[str, Upload]) -> dict[str, Any]:
        return self._send_media("document", params, uploads)

    def _send_media(self, kind: str, params: dict[str, Any], uploads: dict[str, Upload]) -> dict[str, Any]:
        key = self._target(params)
        caption = self._render(params.get("caption"), params, "caption_entities")
        if len(caption.text) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        markup = inline_markup(params.get("reply_markup"))
        content = self._media(kind, params.get(kind), uploads)
        if caption.text:
            content |= caption.fields("caption", "caption_entities")
        return self._store(key, content, markup, params)

    def _media(self, kind: str, value: Any, uploads: dict[str, Upload]) -> dict[str, Any]:
        """The Message content of a photo or document: a new upload, a known file_id, or a refusal."""
        upload = uploads.get(kind)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = uploads.get(value.removeprefix("attach://"))
        if upload is not None:
            return self._uploaded(kind, upload)
        if not value:
            raise bad_request(f"there is no {kind} in the request")
        known = self._files.get(str(value))
        if known is not None and kind in known:
            return copy.deepcopy(known)
        if str(value).startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")  # the fake never fetches
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _uploaded(self, kind: str, upload: Upload) -> dict[str, Any]:
        if not upload.data:
            raise bad_request("file must be non-empty")
        number = len(self._files) + 1
        if kind == "photo":
            size = image_size(upload.data)
            if size is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            width, height = size
            if width + height > 10_000 or max(width, height) > 20 * min(width, height):
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
            content: dict[str, Any] = {"photo": photo_sizes(width, height, upload.size, f"AgACAgIAAxkBAAI{number:06d}")}
            file_ids = [photo["file_id"] for photo in content["photo"]]
        else:
            file_id = f"BQACAgIAAxkBAAI{number:06d}"
            content = {"document": {
                "file_name": upload.file_name, "mime_type": mime_type(upload), "file_id": file_id,
                "file_unique_id": f"AgAD{zlib.crc32(upload.data):08x}", "file_size": upload.size,
            }}
            file_ids = [file_id]
        for file_id in file_ids:
            self._files[file_id] = content
        return copy.deepcopy(content)
