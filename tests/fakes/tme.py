"""A fake t.me web preview on loopback: ``/s/<channel>[?before=N]`` pages in the documented markup (FACTS §3.2).

Channels are generated from templates (N posts, optionally albums, forwards, edits, service messages), pages hold
``page_size`` ids (album photos count) in ascending order, ``?before=N`` gives ids below N, an empty range gives
the "No posts found" page, and an unknown channel answers 302. Scripted answers (429, 500, a stall, a connection
reset, any status/body) are served before anything else; ``requests`` logs every path asked for.
"""

from __future__ import annotations

import html
import socket
import struct
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.server import LoopbackServer, QuietHandler

NOW = datetime(2026, 1, 23, 15, 0, tzinfo=timezone.utc)
TEXTS = (
    "Отключение горячей воды на ул. Ленина, 12–20 с 10:00 до 16:00.",
    "Во дворе дома № 5 по Строителей снова не вывезли мусор 🗑",
    "Ремонт дороги на Солнечной: объезд через 3-й микрорайон.",
    "Глава города проведёт приём граждан в пятницу.",
    "На Смоленской АЭС плановые работы, радиационный фон в норме.",
    "Открыта новая детская площадка в 4-м микрорайоне 🎉",
    "Автобус № 3 меняет расписание с понедельника.",
)


@dataclass
class FakePost:
    """One message of a fake channel; an album of ``album`` media occupies ids ``id .. id+album-1``."""

    id: int
    date: datetime
    text: str
    views: int = 0
    reactions: dict[str, int] = field(default_factory=dict)
    edited: bool = False
    signature: str | None = None
    forwarded_from: tuple[str, str | None] | None = None  # (name, link or None when hidden)
    album: int = 1
    service: bool = False

    @property
    def ids(self) -> range:
        return range(self.id, self.id + self.album)


@dataclass
class FakeChannel:
    name: str
    title: str
    subscribers: int = 12_400
    posts: dict[int, FakePost] = field(default_factory=dict)
    now: datetime = NOW  # generated content ends here (collectors judge their horizon by their clock)

    def add(self, count: int, *, start: datetime | None = None, step: timedelta = timedelta(minutes=30),
            album_every: int = 0, forward_every: int = 0) -> list[FakePost]:
        """Append ``count`` generated posts after the last one, ``step`` apart (ending at ``now`` by default)."""
        next_id = max((max(p.ids) for p in self.posts.values()), default=0) + 1
        moment = start or self.now - step * count
        added = []
        for number in range(count):
            album = 3 if album_every and number % album_every == album_every - 1 else 1
            forwarded = ("Администрация города", "https://t.me/city_adm/77") if forward_every and number % forward_every == 0 else None
            post = FakePost(
                id=next_id, date=moment + step * number, text=f"{TEXTS[next_id % len(TEXTS)]} (пост {next_id})",
                views=100 + next_id * 37, reactions={"👍": next_id % 11, "😢": next_id % 3} if next_id % 4 == 0 else {},
                album=album, forwarded_from=forwarded,
            )
            self.posts[post.id] = post
            added.append(post)
            next_id += album
        return added

    def edit(self, post_id: int, text: str) -> None:
        self.posts[post_id].text = text
        self.posts[post_id].edited = True

    def delete(self, post_id: int) -> None:
        del self.posts[post_id]

    def page(self, before: int | None, size: int) -> tuple[list[FakePost], bool]:
        """Posts of the page (ascending) and whether older ones exist."""
        units = sorted((p for p in self.posts.values() if before is None or p.id < before), key=lambda p: p.id)
        chosen: list[FakePost] = []
        taken = 0
        while units and (not chosen or taken + units[-1].album <= size):
            unit = units.pop()
            chosen.append(unit)
            taken += unit.album
        return sorted(chosen, key=lambda p: p.id), bool(units)


def format_count(value: int) -> str:
    """Rounded like t.me: 401, 4.85K, 12.4K, 1.2M."""
    if value < 1000:
        return str(value)
    if value < 1_000_000:
        digits = 2 if value < 10_000 else 1
        return f"{value / 1000:.{digits}f}".rstrip("0").rstrip(".") + "K"
    return f"{value / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"


def render_message(channel: FakeChannel, post: FakePost) -> str:
    """One message block in the documented structure (see tests/data/tme/zarechny_news.html)."""
    name, esc = channel.name, html.escape
    service = " service_message" if post.service else ""
    parts = [f'<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget_message '
             f'text_not_supported_wrap js-widget_message{service}" data-post="{name}/{post.id}" data-view="fake">'
             '<div class="tgme_widget_message_bubble">']
    if not post.service:
        parts.append('<div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" '
                     f'href="https://t.me/{name}"><span dir="auto">{esc(channel.title)}</span></a></div>')
    if post.forwarded_from:
        source, link = post.forwarded_from
        inner = (f'<a class="tgme_widget_message_forwarded_from_name" href="{esc(link)}"><span dir="auto">{esc(source)}</span></a>'
                 if link else f'<span class="tgme_widget_message_forwarded_from_name" dir="auto">{esc(source)}</span>')
        parts.append(f'<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from&nbsp;{inner}</div>')
    if post.album > 1:
        photos = "".join(
            '<a class="tgme_widget_message_photo_wrap grouped_media_wrap blured js-message_photo" '
            f"style=\"background-image:url('https://cdn4.telesco.pe/file/fake_{i}.jpg')\" href=\"https://t.me/{name}/{i}?single\"></a>"
            for i in post.ids
        )
        parts.append('<div class="tgme_widget_message_grouped_wrap js-message_grouped_wrap"><div class="tgme_widget_message_grouped '
                     f'js-message_grouped"><div class="tgme_widget_message_grouped_layer js-message_grouped_layer">{photos}</div></div></div>')
    if post.text:
        body = "<br/>".join(esc(line) for line in post.text.split("\n"))
        parts.append(f'<div class="tgme_widget_message_text js-message_text" dir="auto">{body}</div>')
    if post.reactions:
        spans = "".join(f'<span class="tgme_reaction"><i class="emoji"><b>{esc(e)}</b></i>{format_count(n)}</span>'
                        for e, n in post.reactions.items())
        parts.append(f'<div class="tgme_widget_message_reactions js-message_reactions">{spans}</div>')
    views = "" if post.service else (f'<span class="tgme_widget_message_views">{format_count(post.views)}</span>'
                                     '<span class="copyonly"> views</span>')
    signature = (f'<span class="tgme_widget_message_from_author" dir="auto">{esc(post.signature)}</span>, '
                 if post.signature else "")
    edited = "edited &nbsp;" if post.edited else ""
    parts.append('<div class="tgme_widget_message_footer compact js-message_footer"><div class="tgme_widget_message_info short '
                 f'js-message_info">{views}<span class="tgme_widget_message_meta">{signature}{edited}<a class="tgme_widget_message_date" '
                 f'href="https://t.me/{name}/{post.id}"><time datetime="{post.date.isoformat()}" class="time">'
                 f'{post.date:%H:%M}</time></a></span></div></div>')
    parts.append("</div></div></div>")
    return "".join(parts)


def render_page(channel: FakeChannel, posts: list[FakePost], *, older: bool) -> str:
    """A whole ``/s/<channel>`` page: header, channel card, history (or "No posts found")."""
    name, esc = channel.name, html.escape
    lowest = posts[0].id if posts else None
    prev = f'<link rel="prev" href="/s/{name}?before={lowest}">' if older and lowest else ""
    more = (f'<div class="tgme_widget_message_centered js-messages_more_wrap"><a href="/s/{name}?before={lowest}" '
            f'class="tme_messages_more js-messages_more" data-before="{lowest}"></a></div>') if older and lowest else ""
    history = "".join(render_message(channel, post) for post in posts) or '<div class="tme_no_messages_found">No posts found</div>'
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{esc(channel.title)} – Telegram</title>'
        f'<meta property="og:title" content="{esc(channel.title)}">{prev}</head>'
        '<body class="widget_frame_base tgme_webpreview_body"><div class="tgme_channel_info"><div class="tgme_channel_info_header">'
        f'<div class="tgme_channel_info_header_title"><span dir="auto">{esc(channel.title)}</span></div>'
        f'<div class="tgme_channel_info_header_username"><a href="https://t.me/{name}">@{name}</a></div></div>'
        '<div class="tgme_channel_info_counters"><div class="tgme_channel_info_counter">'
        f'<span class="counter_value">{format_count(channel.subscribers)}</span> <span class="counter_type">subscribers</span>'
        '</div></div></div><main class="tgme_main"><section class="tgme_channel_history js-message_history">'
        f"{more}{history}</section></main></body></html>"
    )


class FakeTme(LoopbackServer):
    """The fake server; use as a context manager. ``base_url`` goes into ``api.telegram.preview_base_url``."""

    def __init__(self, page_size: int = 20, stall: float = 2.0, now: datetime = NOW) -> None:
        self.page_size = page_size
        self.stall = stall
        self.now = now
        self.channels: dict[str, FakeChannel] = {}
        self.static: dict[str, str] = {}
        self.requests: list[str] = []
        self._script: deque[Any] = deque()
        self._release = threading.Event()
        fake = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms delayed-ACK stall

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                fake.requests.append(self.path)
                answer = fake._script.popleft() if fake._script else None
                if answer == "timeout":
                    fake._release.wait(fake.stall)
                    answer = None
                if answer == "reset":
                    self.close_connection = True
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    return
                if answer is None:
                    status, body, headers = fake._answer(self.path)
                elif isinstance(answer, int):
                    status, body, headers = answer, f"<html><body>HTTP {answer}</body></html>", {}
                else:
                    status, body, *rest = answer
                    headers = rest[0] if rest else {}
                extra = {"Retry-After": "1"} if status == 429 and "Retry-After" not in headers else {}
                self.reply(status, body.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8", **headers, **extra})

        self._serve(Handler)

    # -- configuration ------------------------------------------------------------------------------------------

    def add_channel(self, name: str, posts: int = 0, *, title: str | None = None, subscribers: int = 12_400,
                    step: timedelta = timedelta(minutes=30), start: datetime | None = None,
                    album_every: int = 0, forward_every: int = 0) -> FakeChannel:
        channel = FakeChannel(name=name, title=title or f"Канал {name}", subscribers=subscribers, now=self.now)
        channel.add(posts, step=step, start=start, album_every=album_every, forward_every=forward_every)
        self.channels[name.lower()] = channel
        return channel

    def remove_channel(self, name: str) -> None:
        del self.channels[name.lower()]

    def script(self, *answers: Any) -> None:
        """Next answers, in order: a status (429, 500, 302…), ``"timeout"``, ``"reset"``, or ``(status, body[, headers])``."""
        self._script.extend(answers)

    def pages(self, channel: str) -> list[str]:
        """The requests made for one channel's pages."""
        return [path for path in self.requests if path.split("?", 1)[0].lower() == f"/s/{channel.lower()}"]

    # -- serving ------------------------------------------------------------------------------------------------

    def _answer(self, path: str) -> tuple[int, str, dict[str, str]]:
        if path in self.static:
            return 200, self.static[path], {}
        parts = urlsplit(path)
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) != 2 or segments[0] != "s":
            return 404, "<html><body>not found</body></html>", {}
        channel = self.channels.get(segments[1].lower())
        if channel is None:
            return 302, "", {"Location": f"https://t.me/{segments[1]}"}
        query = parse_qs(parts.query)
        before = int(query["before"][0]) if "before" in query else None
        posts, older = channel.page(before, self.page_size)
        return 200, render_page(channel, posts, older=older), {}

    def _before_stop(self) -> None:
        self._release.set()
