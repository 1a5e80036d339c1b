"""Turn an OK group URL into a ``SourceInfo``: the group id, title, audience and whether it is open."""

from __future__ import annotations

from collectors.ok.client import OkClient
from collectors.ok.parse import parse_group_info, parse_url_info
from collectors.source import SourceInfo
from collectors.urls import parse_source_url
from config.errors import InputError, SourceClosed, SourceUnavailable

GROUP_FIELDS = "uid,name,description,members_count,shortname,access_type,pic_avatar"
NUMERIC_HINT = "укажите числовой адрес группы вида https://ok.ru/group/<ID> (ID есть в адресе страниц группы)"


def lookup_group_id(client: OkClient, shortname: str) -> str:
    """The numeric id of the group at ``https://ok.ru/<shortname>``.

    UNVERIFIED: ``url.getInfo`` (param ``url``, answer ``{"type": "GROUP", "objectId": ...}``) is not covered
    by our fact sheet and is tested only against our fake; every failure says to use the numeric URL instead.
    """
    url = f"https://ok.ru/{shortname}"
    try:
        payload = client.call("url.getInfo", url=url)
    except SourceClosed as exc:
        raise SourceClosed(f"группа ОК {url} не найдена: {NUMERIC_HINT}", exc.code) from exc
    except SourceUnavailable as exc:
        raise SourceUnavailable(f"не удалось узнать ID группы ОК по адресу {url} ({exc}); {NUMERIC_HINT}") from exc
    gid = parse_url_info(payload)
    if gid is None:
        raise SourceClosed(f"{url} не является группой ОК или не найден: {NUMERIC_HINT}", "not_found")
    return gid


def group_info(client: OkClient, gid: str) -> SourceInfo:
    """``group.getInfo`` for one group id; ``SourceClosed`` when OK does not know it."""
    return parse_group_info(client.call("group.getInfo", uids=gid, fields=GROUP_FIELDS), gid=gid)


class OkGroupResolver:
    """Resolves ``https://ok.ru/group/<id>`` (one call) and ``https://ok.ru/<shortname>`` (two calls)."""

    def __init__(self, client: OkClient) -> None:
        self._client = client

    def resolve(self, url: str) -> SourceInfo:
        text = url.strip()
        if text.isascii() and text.isdigit():  # a bare group id is what analysts copy from the group's page
            return group_info(self._client, text)
        parsed = parse_source_url(text)
        if parsed.kind != "ok_group":
            raise InputError(f"это не адрес группы Одноклассников: {url!r} (ожидается https://ok.ru/group/ID)")
        handle = parsed.handle
        gid = handle if handle.isascii() and handle.isdigit() else lookup_group_id(self._client, handle)
        return group_info(self._client, gid)
