"""Resolvers for both Telegram kinds: ``https://t.me/name`` → ``SourceInfo`` (title, audience, ids)."""

from __future__ import annotations

from collectors.source import SourceInfo
from collectors.telegram.links import channel_url
from collectors.telegram.preview_client import PreviewClient
from collectors.telegram.preview_parse import parse_page
from collectors.telegram.session import TelethonSession
from collectors.urls import parse_source_url
from config.errors import InputError


def channel_name(url: str) -> str:
    """The channel's @username from a t.me link (``https://t.me/name``, ``t.me/s/name``, ``@name``, ``name``)."""
    text = url.strip()
    if text.startswith("@"):
        text = text[1:]
    if "/" not in text and "." not in text:
        text = f"t.me/{text}"
    parsed = parse_source_url(text)
    if parsed.kind != "tme":
        raise InputError(f"это не адрес канала Telegram: {url!r} (нужен https://t.me/имя)")
    return parsed.handle


class PreviewResolver:
    """``kind: tme``: reads the channel card of the newest preview page (one request)."""

    def __init__(self, client: PreviewClient) -> None:
        self.client = client

    def resolve(self, url: str) -> SourceInfo:
        name = channel_name(url)
        header = parse_page(self.client.page(name), name).header
        handle = header.username or name
        return SourceInfo(kind="tme", handle=handle, external_id=handle, title=header.title or handle,
                          url=channel_url(handle), audience=header.audience)

    def close(self) -> None:
        self.client.close()


class TelethonResolver:
    """``kind: telegram``: resolves the username and asks for the full channel (two requests)."""

    def __init__(self, session: TelethonSession) -> None:
        self.session = session

    def resolve(self, url: str) -> SourceInfo:
        name = channel_name(url)
        info = self.session.channel(name, full=True)
        handle = info.username or name
        return SourceInfo(kind="telegram", handle=handle, external_id=str(info.id), title=info.title,
                          url=channel_url(handle), audience=info.audience)

    def close(self) -> None:
        self.session.close()
