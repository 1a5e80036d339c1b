"""Recognise a source from what an analyst pastes: a URL of a VK/OK community, a Telegram channel, or a site."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from config.errors import InputError

_VK_HOSTS = {"vk.com", "vk.ru", "m.vk.com", "m.vk.ru", "www.vk.com", "www.vk.ru"}
_OK_HOSTS = {"ok.ru", "m.ok.ru", "www.ok.ru", "odnoklassniki.ru", "www.odnoklassniki.ru"}
_TG_HOSTS = {"t.me", "telegram.me", "www.t.me"}
_HANDLE = re.compile(r"^[A-Za-z0-9_.]{2,64}$")


@dataclass(frozen=True, slots=True)
class ParsedUrl:
    """The platform, the kind of collector to use, and the handle as written in the URL (not yet resolved)."""

    kind: str
    handle: str
    url: str


def parse_source_url(text: str, *, telegram_kind: str = "tme") -> ParsedUrl:
    """``https://vk.com/name`` → vk_wall; ``https://t.me/name`` → telegram (``telegram_kind``);
    ``https://ok.ru/group/ID`` → ok_group; any other http(s) URL → a site (``rss`` if it looks like a feed)."""
    raw = text.strip()
    if not raw:
        raise InputError("пустой адрес источника")
    if "://" not in raw:
        raw = "https://" + raw
    parts = urlsplit(raw)
    host = (parts.hostname or "").lower()
    path = [segment for segment in parts.path.split("/") if segment]
    if not host or "." not in host:
        raise InputError(f"не понимаю адрес источника {text!r}: нужен URL вида https://vk.com/имя")
    if host in _VK_HOSTS:
        if not path or not _HANDLE.match(path[0]):
            raise InputError(f"в адресе VK нет имени сообщества: {text!r}")
        return ParsedUrl("vk_wall", path[0], f"https://vk.com/{path[0]}")
    if host in _OK_HOSTS:
        if len(path) >= 2 and path[0] == "group" and path[1].isdigit():
            return ParsedUrl("ok_group", path[1], f"https://ok.ru/group/{path[1]}")
        if path and _HANDLE.match(path[0]) and path[0] not in {"group", "profile"}:
            return ParsedUrl("ok_group", path[0], f"https://ok.ru/{path[0]}")
        raise InputError(f"в адресе ОК нет группы: {text!r} (ожидается https://ok.ru/group/ID или https://ok.ru/имя)")
    if host in _TG_HOSTS:
        if path and path[0] == "s":
            path = path[1:]
        if not path or not _HANDLE.match(path[0]) or path[0].startswith("+") or path[0] == "joinchat":
            raise InputError(f"нужен публичный канал Telegram: https://t.me/имя, а не {text!r}")
        return ParsedUrl(telegram_kind, path[0], f"https://t.me/{path[0]}")
    url = f"{parts.scheme or 'https'}://{host}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
    looks_like_feed = bool(re.search(r"(rss|atom|feed)(\.xml|/|$)|\.xml$", parts.path.lower()))
    return ParsedUrl("rss" if looks_like_feed else "site", host, url)
