"""The mandatory federal and regional component of a post: a repost of a listed account, a link to a listed account
or site, or a listed hashtag (config ``gospublics.federal_regional``)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from collectors.page import account_key
from collectors.urls import parse_source_url
from config.errors import InputError
from config.gospublics import FederalRegional
from gospublics.contacts import find_contacts, host_of
from gospublics.records import PagePost

_HASHTAG = re.compile(r"#([\wё]+)", re.IGNORECASE)
_PLATFORM = {"vk_wall": "vk", "ok_group": "ok", "tme": "telegram", "telegram": "telegram"}


def normal_tag(tag: str) -> str:
    return "#" + tag.lstrip("#").lower().replace("ё", "е")


def account_of(address: str) -> str | None:
    """An account key from a URL (``https://vk.com/name``, ``t.me/name``, ``ok.ru/group/1``) or a key itself."""
    text = address.strip()
    if re.match(r"^(vk|ok|telegram):\S+$", text):
        return text.lower()
    try:
        parsed = parse_source_url(text)
    except InputError:
        return None
    platform = _PLATFORM.get(parsed.kind)
    return account_key(platform, parsed.handle) if platform else None


class Agenda:
    """Tells whether a post carries the federal and regional component, and why."""

    def __init__(self, settings: FederalRegional) -> None:
        self.accounts = {key for address in settings.accounts if (key := account_of(address))}
        self.exact_hosts = {host for site in settings.sites if not site.startswith("*.") and (host := host_of(site))}
        self.suffixes = {host for site in settings.sites if site.startswith("*.") and (host := host_of(site[2:]))}
        self.hashtags = {normal_tag(tag) for tag in settings.hashtags}

    @property
    def configured(self) -> bool:
        return bool(self.accounts or self.exact_hosts or self.suffixes or self.hashtags)

    def _site(self, host: str) -> bool:
        return host in self.exact_hosts or any(host.endswith("." + suffix) for suffix in self.suffixes)

    def reasons(self, post: PagePost) -> list[str]:
        """Why the post counts (empty when it does not): «репост …», «ссылка на …», «#хэштег»."""
        found: list[str] = []
        for source in post.reposted_from:
            if source.lower() in self.accounts:
                found.append(f"репост {source}")
        urls: Iterable[str] = (*post.links, *find_contacts([post.text]).urls)
        for url in urls:
            account = account_of(url)
            host = host_of(url)
            if account is not None and account in self.accounts:
                found.append(f"ссылка на {account}")
            elif host and self._site(host):
                found.append(f"ссылка на {host}")
        for tag in _HASHTAG.findall(post.text):
            if normal_tag(tag) in self.hashtags:
                found.append(normal_tag(tag))
        return list(dict.fromkeys(found))

    def carries(self, post: PagePost) -> bool:
        return bool(self.reasons(post))
