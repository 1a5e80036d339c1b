"""A fake OK REST API (``/fb.do``) on loopback: checks signatures, serves generated groups, records requests.

Topics and comments are rendered from the saved real payloads in ``tests/data/ok`` with generated ids, times
and texts, so a benchmark can ask for 10 groups × 500 topics × 20 comments. Scripted answers per method
simulate trouble: an OK error code, HTTP 500, a non-JSON body, a stall, or any raw JSON body.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.server import LoopbackServer, QuietHandler

DATA = Path(__file__).resolve().parent.parent / "data" / "ok"
NEWEST = datetime(2026, 1, 23, 9, 0, tzinfo=timezone.utc)  # the newest topic of the saved feed page
MOSCOW = timezone(timedelta(hours=3))
ERROR_NAMES = {
    1: "UNKNOWN", 2: "SERVICE", 3: "METHOD", 8: "FLOOD_BLOCKED", 9: "IP_BLOCKED", 10: "PERMISSION_DENIED",
    11: "LIMIT_REACHED", 100: "PARAM", 101: "PARAM_API_KEY", 102: "PARAM_SESSION_EXPIRED", 103: "PARAM_SESSION_KEY",
    104: "PARAM_SIGNATURE", 160: "PARAM_GROUP_ID", 300: "NOT_FOUND", 456: "GROUP_RESTRICTION",
}
FIRST_NAMES = ["Игорь Петров", "Анна Смирнова", "Ольга Кузнецова", "Сергей Иванов", "Мария Попова", "Дмитрий Волков"]


def saved(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def error_body(code: int, message: str = "") -> dict[str, Any]:
    """The saved real error body for ``code`` when there is one, else one in the same ``NAME : text`` pattern."""
    known = saved("ok_errors.json")["errors"].get(str(code))
    if known is not None and not message:
        return dict(known)
    name = ERROR_NAMES.get(code, "UNKNOWN")
    return {"error_code": code, "error_data": None, "error_msg": f"{name} : {message or 'fake error'}"}


def expected_sig(params: dict[str, str], access_token: str, application_secret: str) -> str:
    """The documented rule, written out again on purpose (not imported) so a client bug cannot hide here."""
    session_secret = hashlib.md5(f"{access_token}{application_secret}".encode()).hexdigest()
    pairs = sorted((k, v) for k, v in params.items() if k not in {"sig", "access_token", "session_key"})
    return hashlib.md5(("".join(f"{k}={v}" for k, v in pairs) + session_secret).encode()).hexdigest()


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode().rstrip("=")


def _unb64(text: str) -> str:
    return base64.b64decode(text + "=" * (-len(text) % 4)).decode()


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@dataclass
class FakeComment:
    id: str
    ms: int
    author_id: str
    author_name: str
    text: str
    likes: int = 0
    author_type: str = "USER"


@dataclass
class FakeTopic:
    id: str
    ms: int
    text: str
    likes: int = 0
    reshares: int = 0
    link: tuple[str, str] | None = None  # (title, url)
    comments: list[FakeComment] = field(default_factory=list)
    sticky: bool = False
    extra_media: list[dict[str, Any]] = field(default_factory=list)
    _seq: int = 0

    @property
    def key(self) -> tuple[int, int]:
        return (self.ms, int(self.id))


class FakeGroup:
    """One group: topics kept newest first; edit, delete and add between runs to simulate a living feed."""

    def __init__(self, gid: str, *, shortname: str | None, name: str, members: int, access_type: str) -> None:
        self.gid = gid
        self.shortname = shortname
        self.name = name
        self.members = members
        self.access_type = access_type
        self.topics: list[FakeTopic] = []
        self._by_id: dict[str, FakeTopic] = {}
        # group.getInfo fields beyond the saved answer (``None`` leaves a field out): a page's contacts and site
        self.info: dict[str, Any] = {}
        self._next_id = 155478963200000 + int(gid) % 1000 * 1_000_000

    def add_topic(
        self, text: str, at: datetime, *, comments: int = 0, likes: int = 0, reshares: int = 0,
        link: tuple[str, str] | None = None, sticky: bool = False,
    ) -> FakeTopic:
        self._next_id += 1
        topic = FakeTopic(str(self._next_id), _ms(at), text, likes, reshares, link, sticky=sticky)
        self._by_id[topic.id] = topic
        for index in range(comments):
            self.add_comment(topic.id, f"Комментарий {index + 1} к теме {topic.id}", at + timedelta(minutes=index + 1))
        if self.topics and topic.key > self.topics[-1].key:
            self.topics.append(topic)
            self.topics.sort(key=lambda t: t.key, reverse=True)
        else:
            self.topics.append(topic)  # generated oldest-last: already in order
        return topic

    def topic(self, topic_id: str) -> FakeTopic:
        return self._by_id[topic_id]

    def edit(self, topic_id: str, text: str, *, likes: int | None = None) -> None:
        topic = self.topic(topic_id)
        topic.text = text
        if likes is not None:
            topic.likes = likes

    def delete(self, topic_id: str) -> None:
        self.topics = [t for t in self.topics if t.id != topic_id]
        self._by_id.pop(topic_id, None)

    def add_comment(self, topic_id: str, text: str, at: datetime, *, author: int | None = None) -> FakeComment:
        topic = self.topic(topic_id)
        topic._seq += 1
        number = author if author is not None else topic._seq % len(FIRST_NAMES)
        author_id = str(512345678900 + number)
        ms = _ms(at)
        comment = FakeComment(_b64(f"{ms}:{author_id}:{topic._seq}"), ms, author_id, FIRST_NAMES[number % len(FIRST_NAMES)],
                              text, likes=topic._seq % 5)
        if topic.comments and (comment.ms, comment.id) < (topic.comments[-1].ms, topic.comments[-1].id):
            topic.comments.append(comment)
            topic.comments.sort(key=lambda c: (c.ms, c.id))
        else:
            topic.comments.append(comment)
        return comment

    def delete_comment(self, topic_id: str, comment_id: str) -> None:
        topic = self.topic(topic_id)
        topic.comments = [c for c in topic.comments if c.id != comment_id]


Answer = int | str | tuple[str, float] | dict[str, Any] | list[Any]


class FakeOk(LoopbackServer):
    """Answers ``GET|POST /fb.do``. ``script(method, ...)`` queues answers for a method:

    an ``int`` OK error code (with the ``invocation-error`` header), ``"http500"``, ``"garbage"`` (not JSON),
    ``("stall", seconds)`` (then the normal answer, too late), or a dict/list sent as the JSON body.
    """

    def __init__(self, *, application_key: str = "CBAFAKEAPPKEY", application_secret: str = "fake-app-secret",
                 access_token: str = "fake-access-token") -> None:
        self.application_key = application_key
        self.application_secret = application_secret
        self.access_token = access_token
        self.token_expired = False
        self.getinfo_wrapped = False  # answer group.getInfo as the doc renders it, {"groups": [...]}
        self.known_fields: set[str] | None = None  # group.getInfo answers 100 PARAM for any other field asked
        self.groups: dict[str, FakeGroup] = {}
        self.requests: list[dict[str, Any]] = []
        self._script: dict[str, deque[Answer]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._template_topic = saved("ok_mediatopic_getTopics.json")["media_topics"][0]
        self._template_group = saved("ok_group_getInfo.json")[0]
        self._handlers: dict[str, Callable[[dict[str, str]], Any]] = {
            "mediatopic.getTopics": self._get_topics,
            "mediatopic.getByIds": self._get_by_ids,
            "discussions.getComments": self._get_comments,
            "group.getInfo": self._group_info,
            "url.getInfo": self._url_info,
        }
        fake = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                self._serve("GET", b"")

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                self._serve("POST", self.rfile.read(length))

            def _serve(self, verb: str, body: bytes) -> None:
                parts = urlsplit(self.path)
                params = dict(parse_qsl(parts.query, keep_blank_values=True))
                params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
                status, headers, data = fake._answer(verb, parts.path, params)
                self.reply(status, data, headers)

        self._serve(Handler)

    # -- configuration -----------------------------------------------------------------------------------------

    def add_group(
        self, gid: str = "70000001234567", *, shortname: str | None = None, name: str | None = None,
        topics: int = 0, comments: int = 0, newest: datetime = NEWEST, step: timedelta = timedelta(hours=1),
        members: int = 23817, access_type: str = "OPEN",
    ) -> FakeGroup:
        """A group with ``topics`` topics (the newest at ``newest``, then every ``step``), each with ``comments``."""
        group = FakeGroup(gid, shortname=shortname, name=name or f"Группа {gid}", members=members, access_type=access_type)
        texts = [t["media"][0]["text"] for t in saved("ok_mediatopic_getTopics.json")["media_topics"]]
        for index in range(topics):
            group.add_topic(f"{texts[index % len(texts)]} Новость №{index + 1}.", newest - step * index,
                            comments=comments, likes=index % 97, reshares=index % 7)
        self.groups[gid] = group
        return group

    def script(self, method: str, *answers: Answer) -> None:
        self._script[method].extend(answers)

    def calls(self, method: str | None = None) -> int:
        return sum(1 for r in self.requests if method is None or r["method"] == method)


    # -- the protocol ------------------------------------------------------------------------------------------

    def _answer(self, verb: str, path: str, params: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        method = params.get("method", "")
        with self._lock:
            self.requests.append({"verb": verb, "path": path, "method": method, "params": dict(params)})
            scripted = self._script[method].popleft() if self._script[method] else None
        if isinstance(scripted, tuple) and scripted[0] == "stall":
            time.sleep(scripted[1])
            scripted = None
        if scripted == "http500":
            return 500, {"Content-Type": "text/html"}, b"<html>Internal Server Error</html>"
        if scripted == "garbage":
            return 200, {"Content-Type": "application/json"}, b"<html>not json at all"
        if isinstance(scripted, int):
            return self._error(scripted)
        if isinstance(scripted, (dict, list)):
            return 200, {"Content-Type": "application/json"}, json.dumps(scripted, ensure_ascii=False).encode()
        if path != "/fb.do":
            return 404, {"Content-Type": "text/plain"}, b"not found"
        if params.get("application_key") != self.application_key:
            return self._error(101)
        if params.get("access_token") != self.access_token:
            return self._error(103)
        if self.token_expired:
            return self._error(102)
        if params.get("sig") != expected_sig(params, self.access_token, self.application_secret):
            return self._error(104)
        handler = self._handlers.get(method)
        if handler is None:
            return self._error(3)
        try:
            with self._lock:
                result = handler(params)
        except _ApiError as exc:
            return self._error(exc.code, exc.message)
        return 200, {"Content-Type": "application/json;charset=utf-8"}, json.dumps(result, ensure_ascii=False).encode()

    def _error(self, code: int, message: str = "") -> tuple[int, dict[str, str], bytes]:
        body = json.dumps(error_body(code, message), ensure_ascii=False).encode()
        return 200, {"Content-Type": "application/json;charset=utf-8", "invocation-error": str(code)}, body

    def _group(self, gid: str | None) -> FakeGroup:
        group = self.groups.get(gid or "")
        if group is None:
            raise _ApiError(160, f"Invalid group id {gid}")
        if group.access_type != "OPEN":
            raise _ApiError(10, "Permission denied")
        return group

    def _render_topic(self, group: FakeGroup, topic: FakeTopic, media_limit: int | None = None) -> dict[str, Any]:
        data = copy.deepcopy(self._template_topic)
        media: list[dict[str, Any]] = [{"type": "text", "text": topic.text}]
        if topic.link:
            media.append({"type": "link", "title": topic.link[0], "url": topic.link[1]})
        media.extend(topic.extra_media)
        data.update(
            id=topic.id, created_ms=topic.ms, author_ref=f"group:{group.gid}", owner_ref=f"group:{group.gid}",
            media=media[:media_limit] if media_limit else media, ref=f"media_topic:{topic.id}",
            discussion_summary={"comments_count": len(topic.comments)},
            like_summary={"count": topic.likes, "self": False}, reshare_summary={"count": topic.reshares, "self": False},
        )
        data.pop("is_sticky", None)
        if topic.sticky:
            data["is_sticky"] = True
        return data

    def _entities(self, group: FakeGroup) -> dict[str, Any]:
        return {"groups": [{"uid": group.gid, "name": group.name, "ref": f"group:{group.gid}"}]}

    def _get_topics(self, params: dict[str, str]) -> dict[str, Any]:
        group = self._group(params.get("gid"))
        count = int(params.get("count") or 20)
        anchor = params.get("anchor")
        if anchor:
            try:
                ms, topic_id = _unb64(anchor).lstrip("-").split(":")
                after = (int(ms), int(topic_id))
            except ValueError:
                raise _ApiError(100, "Invalid anchor") from None
            if params.get("direction", "FORWARD") != "FORWARD":
                raise _ApiError(100, "fake supports direction=FORWARD only")
            rest = [t for t in group.topics if t.key < after and not t.sticky]
        else:
            pinned = [t for t in group.topics if t.sticky]
            rest = pinned + [t for t in group.topics if not t.sticky]
        page, remaining = rest[:count], rest[count:]
        result: dict[str, Any] = {
            "media_topics": [self._render_topic(group, t) for t in page],
            "entities": self._entities(group),
            "has_more": bool(remaining),
        }
        if page:
            last = page[-1]
            result["anchor"] = _b64(f"-{last.ms}:{last.id}")
        return result

    def _find_topic(self, topic_id: str) -> tuple[FakeGroup, FakeTopic] | None:
        for group in self.groups.values():
            topic = group._by_id.get(topic_id)
            if topic is not None:
                return group, topic
        return None

    def _get_by_ids(self, params: dict[str, str]) -> dict[str, Any]:
        ids = [i for i in (params.get("topic_ids") or "").split(",") if i]
        if not ids:
            raise _ApiError(100, "Missing required parameter topic_ids")
        limit = params.get("media_limit")
        if len(ids) > 1 and not limit:
            raise _ApiError(100, "media_limit is required for several topics")
        topics, groups = [], {}
        for topic_id in ids:
            found = self._find_topic(topic_id)
            if found is not None and found[0].access_type == "OPEN":
                group, topic = found
                topics.append(self._render_topic(group, topic, int(limit) if limit else None))
                groups[group.gid] = group
        entities = {"groups": [e for g in groups.values() for e in self._entities(g)["groups"]]}
        return {"media_topics": topics, "entities": entities}

    def _get_comments(self, params: dict[str, str]) -> dict[str, Any]:
        if params.get("discussionType") != "GROUP_TOPIC":
            raise _ApiError(100, "Invalid discussionType")
        topic_id = params.get("discussionId") or ""
        found = self._find_topic(topic_id)
        if found is None:
            raise _ApiError(300, f"Discussion {topic_id} not found")
        group, topic = found
        self._group(group.gid)
        count = int(params.get("count") or 20)
        anchor = params.get("anchor") or "FIRST"
        comments = topic.comments
        if anchor != "FIRST":
            try:
                ms = int(_unb64(anchor).split(":")[0])
            except ValueError:
                raise _ApiError(100, "Invalid anchor") from None
            comments = [c for c in comments if (c.ms, c.id) > (ms, anchor)]
        page, remaining = comments[:count], comments[count:]
        users = {c.author_id: c.author_name for c in page if c.author_type == "USER"}
        body: dict[str, Any] = {
            "comments": [
                {"id": c.id, "author_id": c.author_id, **({"author_type": c.author_type} if c.author_type != "USER" else {}),
                 "date": datetime.fromtimestamp(c.ms / 1000, MOSCOW).strftime("%Y-%m-%d %H:%M:%S"), "text": c.text,
                 "like_count": c.likes, "liked_it": False}
                for c in page
            ],
            "entities": {"users": [{"uid": uid, "name": name, "first_name": name.split()[0], "last_name": name.split()[-1]}
                                   for uid, name in users.items()]},
            "has_more": bool(remaining),
            "discussionId": topic_id,
            "discussionType": "GROUP_TOPIC",
        }
        if page:
            body["anchor"] = page[-1].id
        return body

    def _group_info(self, params: dict[str, str]) -> Any:
        if not params.get("fields"):
            raise _ApiError(100, "Missing required parameter fields")
        asked = set(params["fields"].split(","))
        if self.known_fields is not None and asked - self.known_fields:
            raise _ApiError(100, f"Invalid field {sorted(asked - self.known_fields)[0]}")
        groups = []
        for gid in (params.get("uids") or "").split(","):
            group = self.groups.get(gid)
            if group is None:
                continue
            data = copy.deepcopy(self._template_group)
            data.update(uid=group.gid, name=group.name, members_count=group.members, access_type=group.access_type)
            if group.shortname:
                data["shortname"] = group.shortname
            else:
                data.pop("shortname", None)
            for name, value in group.info.items():
                if value is None:
                    data.pop(name, None)
                elif name in asked:
                    data[name] = value
            groups.append(data)
        return {"groups": groups} if self.getinfo_wrapped else groups

    def _url_info(self, params: dict[str, str]) -> dict[str, Any]:
        path = urlsplit(params.get("url") or "").path.strip("/")
        for group in self.groups.values():
            if group.shortname and group.shortname == path:
                return {"type": "GROUP", "objectId": int(group.gid)}
        raise _ApiError(300, f"Url {params.get('url')} not found")


class _ApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
