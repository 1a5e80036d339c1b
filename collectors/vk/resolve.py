"""Turning what an analyst pastes (``https://vk.com/name``, ``name``, ``club123``, ``id123``) into a ``SourceInfo``.

Screen names go through ``utils.resolveScreenName`` (``[]`` when VK does not know the name), then
``groups.getById`` for communities or ``users.get`` for people; ``club123``/``public123``/``event123`` and
``id123`` skip the first call.
"""

from __future__ import annotations

import re

from collectors.source import SourceInfo
from collectors.urls import parse_source_url
from collectors.vk.client import VkClient
from collectors.vk.errors import NOT_FOUND_CODES, VkApiFailure
from collectors.vk.parse import Malformed, group_info, groups_of, resolved_object, user_info
from config.errors import InputError, SourceClosed, SourceUnavailable

_BARE = re.compile(r"^@?([A-Za-z0-9_.]{2,64})$")
_NUMBERED_GROUP = re.compile(r"^(?:club|public|event)(\d+)$")
_NUMBERED_USER = re.compile(r"^id(\d+)$")
GROUP_TYPES = {"group", "page", "event"}
GROUP_FIELDS = "members_count,activity,description,verified,site"
USER_FIELDS = "screen_name,followers_count"


class VkResolver:
    """Resolves VK community and user walls to ``kind="vk_wall"`` sources."""

    def __init__(self, client: VkClient) -> None:
        self.client = client

    def resolve(self, url: str) -> SourceInfo:
        handle = screen_name_of(url)
        try:
            if match := _NUMBERED_GROUP.match(handle):
                return self._group(int(match.group(1)), handle)
            if match := _NUMBERED_USER.match(handle):
                return self._user(int(match.group(1)), handle)
            try:
                found = resolved_object(self.client.call("utils.resolveScreenName", {"screen_name": handle}))
            except Malformed as exc:
                raise SourceUnavailable(f"VK utils.resolveScreenName: неожиданный ответ ({exc})") from None
            if found is None:
                raise _not_found(handle)
            kind, object_id = found
            if kind in GROUP_TYPES:
                return self._group(object_id, handle)
            if kind == "user":
                return self._user(object_id, handle)
            raise SourceClosed(f"VK: {handle!r} — это не сообщество и не страница человека (тип {kind})", "not_wall")
        except VkApiFailure as exc:
            if exc.code in NOT_FOUND_CODES:
                raise _not_found(handle) from None
            raise

    def close(self) -> None:
        self.client.close()

    def _group(self, group_id: int, handle: str) -> SourceInfo:
        payload = self.client.call("groups.getById", {"group_id": group_id, "fields": GROUP_FIELDS})
        try:
            groups = groups_of(payload)
            info = group_info(groups[0]) if groups else None
        except Malformed as exc:
            raise SourceUnavailable(f"VK groups.getById: неожиданный ответ ({exc})") from None
        if info is None:
            raise _not_found(handle)
        return info

    def _user(self, user_id: int, handle: str) -> SourceInfo:
        payload = self.client.call("users.get", {"user_ids": user_id, "fields": USER_FIELDS})
        users = [entry for entry in payload if isinstance(entry, dict)] if isinstance(payload, list) else []
        if not users:
            raise _not_found(handle)
        try:
            return user_info(users[0])
        except Malformed as exc:
            raise SourceUnavailable(f"VK users.get: неожиданный ответ ({exc})") from None


def screen_name_of(text: str) -> str:
    """The screen name in a VK URL or a bare name (``@name`` too); ``InputError`` for anything else."""
    raw = text.strip()
    bare = _BARE.match(raw)
    if bare and not re.match(r"^(?:m\.|www\.)?vk\.(?:com|ru)$", bare.group(1), re.IGNORECASE):
        return bare.group(1)
    parsed = parse_source_url(raw)
    if parsed.kind != "vk_wall":
        raise InputError(f"это не адрес VK: {text!r} (ожидается https://vk.com/имя)")
    return parsed.handle


def _not_found(handle: str) -> SourceClosed:
    return SourceClosed(f"VK: сообщество или страница «{handle}» не найдено", "not_found")

