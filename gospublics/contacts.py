"""Contacts written on a page: phones, e-mails and web addresses found in its fields and texts, and comparison with
the contacts the registry expects.

Phones are compared by digits: «+7 (48153) 7-44-00», «8-48153-74400» and «7-44-00» are one number (a short
local number matches the end of a full one). Sites are compared by host without «www.».
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

_PHONE = re.compile(r"(?<![\w])(?:\+7|8)?[\s\-(]*\d{3,5}[\s\-)]*\d{1,3}[\s\-]?\d{2}[\s\-]?\d{2}(?!\d)|(?<![\d\-])\d{1,3}-\d{2}-\d{2}(?![\d\-])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zа-я]{2,}", re.IGNORECASE)
_URL = re.compile(r"(?:https?://)?(?:www\.)?(?:[a-zа-яё0-9-]+\.)+(?:ru|рф|su|com|org|net|info|online|site|me)(?:/[^\s,;)»\"']*)?",
                  re.IGNORECASE)
SOCIAL_HOSTS = ("vk.com", "vk.ru", "m.vk.com", "ok.ru", "m.ok.ru", "t.me", "telegram.me", "youtube.com", "rutube.ru",
                "dzen.ru", "max.ru")
MIN_PHONE_DIGITS = 5


def phone_digits(text: str) -> str:
    """The number's digits in one form: 11-digit numbers start with 7 (an 8 prefix is the same number)."""
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    if len(digits) == 10:
        digits = "7" + digits
    return digits


def same_phone(a: str, b: str) -> bool:
    first, second = phone_digits(a), phone_digits(b)
    if min(len(first), len(second)) < MIN_PHONE_DIGITS:
        return False
    return first.endswith(second) or second.endswith(first)


def host_of(address: str) -> str | None:
    text = address.strip()
    if not text:
        return None
    if "://" not in text:
        text = "https://" + text
    try:
        host = (urlsplit(text).hostname or "").lower()
    except ValueError:
        return None
    host = host.removeprefix("www.")
    return host or None


def is_social(host: str) -> bool:
    return any(host == social or host.endswith("." + social) for social in SOCIAL_HOSTS)


@dataclass(frozen=True, slots=True)
class FoundContacts:
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        return bool(self.phones or self.emails)

    def hosts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(h for url in self.urls if (h := host_of(url))))


def find_contacts(texts: Iterable[str | None]) -> FoundContacts:
    """Phones (at least five digits), e-mails and web addresses in the texts, each once, in order of appearance."""
    phones: list[str] = []
    emails: list[str] = []
    urls: list[str] = []
    for text in texts:
        if not text:
            continue
        for match in _EMAIL.finditer(text):
            emails.append(match.group(0).lower())
        without_mail = _EMAIL.sub(" ", text)
        for match in _URL.finditer(without_mail):
            urls.append(match.group(0).rstrip("."))
        for match in _PHONE.finditer(_URL.sub(" ", without_mail)):
            number = match.group(0).strip(" -()")
            if len(re.sub(r"\D", "", number)) >= MIN_PHONE_DIGITS and not _looks_like_date(number):
                phones.append(number)
    return FoundContacts(tuple(dict.fromkeys(phones)), tuple(dict.fromkeys(emails)), tuple(dict.fromkeys(urls)))


def _looks_like_date(text: str) -> bool:
    return bool(re.fullmatch(r"(?:19|20)\d\d\D?\d\d\D?\d\d|\d\d\D\d\d\D(?:19|20)\d\d", text.strip()))
