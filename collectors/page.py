"""What a platform tells about an official page at one moment: its facts, its recent feed and per-post marks.

``PageReader`` implementations (VK ``groups.getById`` + ``wall.get``, OK ``group.getInfo`` +
``mediatopic.getTopics``, Telegram ``GetFullChannelRequest`` + history, the t.me/s preview) turn payloads into
these records with pure parsers; storage keeps them as snapshots over time.

``None`` in a fact always means «the platform did not say» (a field missing from the answer, or a platform that
has no such thing), never «no»: checks treat it as «нет данных», not as a failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from collectors.post import Post
from collectors.records import RecordProblem

# Page statuses a reader can report; anything but "ok" means the feed could not be read.
OK, CLOSED, DELETED, NOT_FOUND = "ok", "closed", "deleted", "not_found"
STATUSES = (OK, CLOSED, DELETED, NOT_FOUND)


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact block entry (VK ``contacts``): who, phone, e-mail; any may be missing."""

    description: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class PageFacts:
    """One observation of a page. ``handle`` is the screen name now (it may change), ``external_id`` stays."""

    platform: str
    handle: str
    external_id: str | None
    title: str
    url: str
    observed_at: datetime
    status: str = OK
    status_detail: str | None = None
    followers: int | None = None
    description: str | None = None
    status_text: str | None = None  # VK community status line
    has_avatar: bool | None = None
    has_cover: bool | None = None
    site: str | None = None
    contacts: tuple[Contact, ...] = ()
    links: tuple[str, ...] = ()  # the page's links block
    address: str | None = None
    state_mark: bool | None = None  # the state-organisation mark (VK: ``verified``)
    comments_open: bool | None = None
    wall: str | None = None  # VK: open | limited | restricted | disabled
    pinned_id: str | None = None
    posts_total: int | None = None
    missing: tuple[str, ...] = ()  # fields asked for that the answer lacked

    @property
    def readable(self) -> bool:
        return self.status == OK


@dataclass(frozen=True, slots=True)
class PostMark:
    """What a feed post carries that ``Post`` has no field for: pinned, whose post it reposts, its links."""

    post_id: str
    pinned: bool = False
    reposted_from: tuple[str, ...] = ()  # normalised account keys: «vk:-123», «vk:name», «telegram:name», «ok:123»
    links: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PageRead:
    """A page's facts and its feed since the horizon (the pinned post included, however old)."""

    facts: PageFacts
    posts: tuple[Post, ...] = ()
    marks: tuple[PostMark, ...] = ()
    problems: tuple[RecordProblem, ...] = field(default_factory=tuple)
    calls: int = 0


@dataclass(frozen=True, slots=True)
class PageRef:
    """The page to read: how (``kind`` of the source), its screen name, and its id once resolved."""

    kind: str
    handle: str
    external_id: str | None = None
    url: str | None = None


class PageReader(Protocol):
    def read(self, page: PageRef, since: datetime) -> PageRead:
        """Facts now and posts published after ``since``; a closed, deleted or unknown page comes back with that
        ``status`` and no posts (never an exception); other failures raise the errors of ``config.errors``."""
        ...

    def close(self) -> None: ...


def account_key(platform: str, handle: str) -> str:
    """The one spelling of an account we compare: «vk:name», «telegram:name», «ok:123» (lower case)."""
    return f"{platform}:{handle.strip().lstrip('@').lower()}"
