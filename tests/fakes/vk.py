"""A fake VK API on loopback: walls, comments, search and resolution built from saved real response shapes.

``POST /method/<name>`` (form-encoded, as vk_api sends it; GET works too) always answers HTTP 200 with JSON —
errors as ``{"error": {...}}`` from ``vk_errors.json`` with this request's ``request_params`` — unless a
scripted answer says otherwise (``"http500"``, ``"malformed"``, ``"stall"``). Content is generated from
templates: ``add_wall(..., posts=N, comments=M, replies=R)`` gives N posts × M comments, every third top-level
comment with a thread of R replies. Every request is logged in ``requests``.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.fakes.server import LoopbackServer, QuietHandler

DATA = Path(__file__).resolve().parent.parent / "data" / "vk"
NOW = datetime(2026, 1, 23, 12, 0, tzinfo=timezone.utc)

TEXTS = (
    "Уважаемые жители! {n}-го числа с 10:00 до 16:00 будет отключено холодное водоснабжение по ул. Ленина.",
    "Подскажите, когда откроют поликлинику после ремонта? Вопрос №{n}",
    "Опять прорыв трубы у нас во дворе, третий раз за месяц. Куда звонить? #{n}",
    "Скидки до {n}% на зимнюю резину в шинном центре «Колесо». #реклама",
    "В 3 мкр не горят фонари уже неделю 😡 обращение {n}",
)
COMMENT_TEXTS = ("А горячая вода будет?", "Спасибо, что предупредили заранее!", "У нас то же самое 😢", "Когда починят?")
NAMES = (("Игорь", "Петров"), ("Мария", "Иванова"), ("Анна", "Смирнова"), ("Олег", "Кузнецов"), ("Наталья", "Волкова"))


def saved(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def error_body(code: int, method: str, params: dict[str, str]) -> dict[str, Any]:
    """The saved real error ``code`` with ``request_params`` of this request (the token left out, as VK does)."""
    body = copy.deepcopy(saved("vk_errors.json")["errors"][str(code)])
    shown = [{"key": "method", "value": method}, {"key": "oauth", "value": "1"}]
    shown += [{"key": k, "value": v} for k, v in params.items() if k not in ("access_token", "method")]
    body["error"]["request_params"] = shown
    return body


def echo_body(method: str, params: dict[str, str]) -> dict[str, Any]:
    """What a misconfigured proxy or a verbose mirror answers: error 100 whose text and ``request_params`` repeat
    the whole request, access token included."""
    body = copy.deepcopy(saved("vk_errors.json")["errors"]["100"])
    body["error"]["error_msg"] += f": https://api.vk.ru/method/{method}?{urlencode(params)}"
    body["error"]["request_params"] = [{"key": k, "value": v} for k, v in params.items()]
    return body


_POST = saved("vk_wall_get.json")["response"]["items"][3]  # a plain user post without attachments
_COMMENT = saved("vk_wall_getComments.json")["response"]["items"][0]
_GROUP = saved("vk_groups_getById.json")["response"]["groups"][0]
_PROFILE = saved("vk_wall_getComments.json")["response"]["profiles"][0]


@dataclass
class FakeComment:
    id: int
    from_id: int
    date: int
    text: str
    likes: int = 0
    deleted: bool = False  # shown as VK's placeholder {"deleted": true, "text": "", "from_id": 0}
    replies: list["FakeComment"] = field(default_factory=list)


@dataclass
class FakePost:
    id: int
    date: int
    text: str
    from_id: int
    views: int = 100
    likes: int = 5
    reposts: int = 1
    comments: list[FakeComment] = field(default_factory=list)
    is_pinned: bool = False
    copy_text: str | None = None
    signer_id: int | None = None
    comments_denied: bool = False  # wall.getComments answers 212

    def comment_count(self) -> int:
        return sum(1 + len([r for r in c.replies if not r.deleted]) for c in self.comments if not c.deleted)


@dataclass
class FakeWall:
    owner_id: int
    screen_name: str
    name: str
    members_count: int = 1000
    is_closed: int = 0
    deactivated: str | None = None
    group_type: str = "page"
    wall_error: int | None = None  # wall.get / wall.getById answer this error (15 closed, 18 banned, 30 private)
    posts: dict[int, FakePost] = field(default_factory=dict)


class FakeVk(LoopbackServer):
    """Serves ``/method/<name>``; configure with ``add_wall``/``add_post``/``add_comment``, script with ``script``."""

    def __init__(self, token: str = "vk-test-token", *, now: datetime = NOW, search_cap: int = 1000,
                 legacy_groups: bool = False, stall: float = 1.0) -> None:
        self.token = token
        self.now = now
        self.search_cap = search_cap
        self.legacy_groups = legacy_groups
        self.stall = stall
        self.walls: dict[int, FakeWall] = {}
        self.users: dict[int, tuple[str, str]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._script: dict[str, deque[Any]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._next_comment = 1
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8")
                self._serve(dict(parse_qsl(body, keep_blank_values=True)))

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                self._serve(dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True)))

            def _serve(self, params: dict[str, str]) -> None:
                path = urlsplit(self.path).path
                method = path.rsplit("/", 1)[-1] if path.startswith("/method/") else ""
                status, payload = fake._answer(method, params)
                data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
                self.reply(status, data, {"Content-Type": "application/json; charset=utf-8"})

        self._serve(Handler)

    # --- lifecycle -------------------------------------------------------------------------------------------


    # --- content ---------------------------------------------------------------------------------------------

    def add_wall(self, owner_id: int, screen_name: str, name: str | None = None, *, posts: int = 0,
                 comments: int = 0, replies: int = 0, start: datetime | None = None,
                 step: timedelta = timedelta(hours=1), members: int = 1000, **options: Any) -> FakeWall:
        """A wall with ``posts`` posts, the newest at ``start`` (default: an hour before ``now``), one per ``step``
        going back; each with ``comments`` top-level comments, every third with ``replies`` replies."""
        wall = FakeWall(owner_id, screen_name, name or f"Сообщество {screen_name}", members, **options)
        self.walls[owner_id] = wall
        newest = start or self.now - timedelta(hours=1)
        for index in range(posts):
            date = newest - step * (posts - 1 - index)
            post = self.add_post(owner_id, TEXTS[index % len(TEXTS)].format(n=index + 1), date=date)
            for number in range(comments):
                comment = self.add_comment(owner_id, post.id, COMMENT_TEXTS[number % len(COMMENT_TEXTS)],
                                           date=date + timedelta(minutes=number + 1))
                if replies and number % 3 == 0:
                    for reply in range(replies):
                        self.add_comment(owner_id, post.id, f"Ответ {reply + 1}", reply_to=comment.id,
                                         date=date + timedelta(minutes=number + 1, seconds=reply + 1))
        return wall

    def add_post(self, owner_id: int, text: str, *, date: datetime | None = None, from_id: int | None = None,
                 **options: Any) -> FakePost:
        wall = self.walls[owner_id]
        post_id = max(wall.posts, default=0) + 1
        post = FakePost(post_id, int((date or self.now).timestamp()), text,
                        owner_id if from_id is None else from_id, **options)
        wall.posts[post_id] = post
        return post

    def add_comment(self, owner_id: int, post_id: int, text: str, *, date: datetime | None = None,
                    from_id: int | None = None, reply_to: int | None = None, likes: int = 0) -> FakeComment:
        with self._lock:
            cid = self._next_comment
            self._next_comment += 1
        author = from_id if from_id is not None else 500_000_000 + cid % len(NAMES)
        if author > 0:
            self.users.setdefault(author, NAMES[author % len(NAMES)])
        comment = FakeComment(cid, author, int((date or self.now).timestamp()), text, likes)
        post = self.walls[owner_id].posts[post_id]
        if reply_to is None:
            post.comments.append(comment)
        else:
            next(c for c in post.comments if c.id == reply_to).replies.append(comment)
        return comment

    def post(self, owner_id: int, post_id: int) -> FakePost:
        return self.walls[owner_id].posts[post_id]

    def delete_post(self, owner_id: int, post_id: int) -> None:
        del self.walls[owner_id].posts[post_id]

    def find_comment(self, owner_id: int, post_id: int, cid: int) -> tuple[list[FakeComment], FakeComment]:
        for top in self.post(owner_id, post_id).comments:
            if top.id == cid:
                return self.post(owner_id, post_id).comments, top
            for reply in top.replies:
                if reply.id == cid:
                    return top.replies, reply
        raise KeyError(cid)

    def delete_comment(self, owner_id: int, post_id: int, cid: int, *, placeholder: bool = False) -> None:
        """Gone without a trace, or (``placeholder``) shown as VK's deleted stub."""
        siblings, comment = self.find_comment(owner_id, post_id, cid)
        if placeholder:
            comment.deleted = True
        else:
            siblings.remove(comment)

    # --- scripting and inspection ----------------------------------------------------------------------------

    def script(self, method: str, *answers: Any) -> None:
        """Answers for the next calls of ``method``: an error code (int), ``"http500"``, ``"malformed"`` (not
        JSON), ``"truncated"`` (JSON cut off mid-item), ``"echo"`` (error 100 repeating the request with its token),
        ``"stall"`` (answer after ``stall`` seconds), or a raw JSON body (dict/list)."""
        self._script[method].extend(answers)

    def calls(self, method: str | None = None) -> int:
        return sum(1 for name, _ in self.requests if method is None or name == method)

    def params(self, method: str) -> list[dict[str, str]]:
        return [params for name, params in self.requests if name == method]

    # --- the API ---------------------------------------------------------------------------------------------

    def _answer(self, method: str, params: dict[str, str]) -> tuple[int, Any]:
        with self._lock:
            self.requests.append((method, {k: v for k, v in params.items() if k != "access_token"}))
            scripted = self._script[method].popleft() if self._script[method] else None
        if scripted == "stall":
            time.sleep(self.stall)
        elif scripted == "http500":
            return 500, b"<html><body>500 Internal Server Error</body></html>"
        elif scripted == "malformed":
            return 200, b"<html>upstream error</html>"
        elif scripted == "truncated":
            return 200, b'{"response": {"count": 3, "items": [{"id": 1, "owner_id": -1, "da'
        elif scripted == "echo":
            return 200, echo_body(method, params)
        elif isinstance(scripted, int):
            return 200, error_body(scripted, method, params)
        elif scripted is not None:
            return 200, scripted
        if params.get("access_token") != self.token:
            return 200, error_body(5, method, params)
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return 200, error_body(100, method, params)
        try:
            return 200, {"response": handler(params)}
        except _ApiError as exc:
            return 200, error_body(exc.code, method, params)

    def _wall(self, params: dict[str, str]) -> FakeWall:
        if "owner_id" in params:
            wall = self.walls.get(int(params["owner_id"]))
        else:
            wall = next((w for w in self.walls.values() if w.screen_name == params.get("domain")), None)
        if wall is None:
            raise _ApiError(100)
        if wall.wall_error:
            raise _ApiError(wall.wall_error)
        return wall

    def _m_wall_get(self, params: dict[str, str]) -> dict[str, Any]:
        wall = self._wall(params)
        ordered = sorted(wall.posts.values(), key=lambda p: (not p.is_pinned, -p.id))
        offset, count = int(params.get("offset", 0)), min(100, int(params.get("count", 20)))
        page = ordered[offset : offset + count]
        body: dict[str, Any] = {"count": len(ordered), "items": [self._post_json(wall, p) for p in page]}
        if params.get("extended") == "1":
            body.update(self._names([wall.owner_id] + [p.from_id for p in page] + [p.signer_id or 0 for p in page]))
        return body

    def _m_wall_getById(self, params: dict[str, str]) -> dict[str, Any]:
        items, owners = [], []
        for key in params.get("posts", "").split(","):
            owner, _, pid = key.rpartition("_")
            wall = self.walls.get(int(owner)) if owner else None
            if wall is None or wall.wall_error or int(pid) not in wall.posts:
                continue  # VK leaves out what it cannot show
            post = wall.posts[int(pid)]
            items.append(self._post_json(wall, post))
            owners += [wall.owner_id, post.from_id]
        body: dict[str, Any] = {"items": items}
        if params.get("extended") == "1":
            body.update(self._names(owners))
        return body

    def _m_wall_getComments(self, params: dict[str, str]) -> dict[str, Any]:
        wall = self._wall(params)
        post = wall.posts.get(int(params.get("post_id", 0)))
        if post is None:
            raise _ApiError(100)
        if post.comments_denied:
            raise _ApiError(212)
        offset, count = int(params.get("offset", 0)), min(100, int(params.get("count", 10)))
        if "comment_id" in params:
            level = next((c.replies for c in post.comments if c.id == int(params["comment_id"])), None)
            if level is None:
                raise _ApiError(100)
        else:
            level = post.comments
        ordered = sorted(level, key=lambda c: c.id, reverse=params.get("sort") == "desc")
        page = ordered[offset : offset + count]
        thread_items = min(10, int(params.get("thread_items_count", 0)))
        items = [self._comment_json(wall, post, c, thread_items) for c in page]
        authors = [c.from_id for c in page] + [r.from_id for c in page for r in c.replies[:thread_items]]
        body: dict[str, Any] = {"count": post.comment_count(), "current_level_count": len(level), "can_post": True,
                                "show_reply_button": True, "groups_can_post": True, "items": items}
        if params.get("extended") == "1":
            body.update(self._names(authors))
        return body

    def _m_newsfeed_search(self, params: dict[str, str]) -> dict[str, Any]:
        query = params.get("q", "").lower()
        start = int(params.get("start_time", int((self.now - timedelta(days=1)).timestamp())))
        end = int(params.get("end_time", int(self.now.timestamp())))
        found = [(wall, post) for wall in self.walls.values() if not wall.wall_error and not wall.is_closed
                 for post in wall.posts.values() if query in post.text.lower() and start <= post.date <= end]
        found.sort(key=lambda pair: (pair[1].date, pair[0].owner_id, pair[1].id), reverse=True)
        reachable = found[: self.search_cap]
        offset = int(params.get("start_from", "0").split("/", 1)[0] or 0)
        count = min(200, int(params.get("count", 30)))
        page = reachable[offset : offset + count]
        body: dict[str, Any] = {"items": [self._post_json(w, p) for w, p in page], "count": len(page),
                                "total_count": len(found)}
        if offset + count < len(reachable) and page:
            last_wall, last = page[-1]
            body["next_from"] = f"{offset + count}/5_{last_wall.owner_id}_{last.id}"
        if params.get("extended") == "1":
            body.update(self._names([w.owner_id for w, _ in page] + [p.from_id for _, p in page]))
        return body

    def _m_utils_resolveScreenName(self, params: dict[str, str]) -> Any:
        name = params.get("screen_name", "")
        wall = next((w for w in self.walls.values() if w.screen_name == name), None)
        if wall is None:
            return []  # VK's answer for an unknown name
        kind = "user" if wall.owner_id > 0 else wall.group_type
        return {"object_id": abs(wall.owner_id), "type": kind}

    def _m_groups_getById(self, params: dict[str, str]) -> Any:
        wanted = (params.get("group_ids") or params.get("group_id") or "").split(",")
        groups = []
        for key in wanted:
            wall = next((w for w in self.walls.values() if w.owner_id < 0 and
                         (str(-w.owner_id) == key or w.screen_name == key)), None)
            if wall is None:
                raise _ApiError(100)
            groups.append(self._group_json(wall))
        return groups if self.legacy_groups else {"groups": groups, "profiles": []}

    def _m_users_get(self, params: dict[str, str]) -> Any:
        users = []
        for key in params.get("user_ids", "").split(","):
            wall = next((w for w in self.walls.values() if w.owner_id > 0 and
                         (str(w.owner_id) == key or w.screen_name == key)), None)
            if wall is None:
                raise _ApiError(113)
            first, _, last = wall.name.partition(" ")
            user = {"id": wall.owner_id, "first_name": first, "last_name": last, "screen_name": wall.screen_name,
                    "followers_count": wall.members_count, "is_closed": bool(wall.is_closed),
                    "can_access_closed": not wall.is_closed}
            if wall.deactivated:
                user["deactivated"] = wall.deactivated
            users.append(user)
        return users

    # --- JSON shapes (from the saved real answers) -----------------------------------------------------------

    def _post_json(self, wall: FakeWall, post: FakePost) -> dict[str, Any]:
        item = copy.deepcopy(_POST)
        item.update(id=post.id, owner_id=wall.owner_id, from_id=post.from_id, date=post.date, text=post.text,
                    hash=f"h{wall.owner_id}_{post.id}")
        item["comments"]["count"] = post.comment_count()
        item["likes"]["count"] = post.likes
        item["reposts"]["count"] = post.reposts
        item["views"]["count"] = post.views
        if post.is_pinned:
            item["is_pinned"] = 1
        if post.signer_id:
            item["signer_id"] = post.signer_id
        if post.copy_text is not None:
            item["copy_history"] = [{"type": "post", "id": 9981, "owner_id": -98765432, "from_id": -98765432,
                                     "date": post.date - 3600, "post_type": "post", "text": post.copy_text}]
        return item

    def _comment_json(self, wall: FakeWall, post: FakePost, comment: FakeComment, thread_items: int) -> dict[str, Any]:
        item = copy.deepcopy(_COMMENT)
        item.update(id=comment.id, from_id=comment.from_id, date=comment.date, text=comment.text, post_id=post.id,
                    owner_id=wall.owner_id)
        item["likes"]["count"] = comment.likes
        item["thread"]["count"] = len(comment.replies)
        item["thread"]["items"] = [self._comment_json(wall, post, r, 0) for r in comment.replies[:thread_items]]
        for reply in item["thread"]["items"]:
            reply.pop("thread", None)
            reply["parents_stack"] = [comment.id]
        if comment.deleted:
            item.update(deleted=True, text="", from_id=0)
            item.pop("likes", None)
        return item

    def _group_json(self, wall: FakeWall) -> dict[str, Any]:
        group = copy.deepcopy(_GROUP)
        group.update(id=-wall.owner_id, name=wall.name, screen_name=wall.screen_name, is_closed=wall.is_closed,
                     type=wall.group_type, members_count=wall.members_count)
        if wall.deactivated:
            group["deactivated"] = wall.deactivated
        return group

    def _names(self, owners: list[int]) -> dict[str, Any]:
        profiles, groups = [], []
        for owner in dict.fromkeys(owners):
            if owner < 0 and owner in self.walls:
                groups.append(self._group_json(self.walls[owner]))
            elif owner > 0:
                first, last = self.users.get(owner) or _user_name(self.walls.get(owner)) or NAMES[owner % len(NAMES)]
                profile = copy.deepcopy(_PROFILE)
                profile.update(id=owner, first_name=first, last_name=last, screen_name=f"id{owner}")
                profiles.append(profile)
        return {"profiles": profiles, "groups": groups}


def _user_name(wall: FakeWall | None) -> tuple[str, str] | None:
    if wall is None:
        return None
    first, _, last = wall.name.partition(" ")
    return first, last


class _ApiError(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code
