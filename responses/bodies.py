"""Responsible bodies and their official accounts: who wrote a post (an official reply or not), and whom an
appeal is addressed to (routing by the page, by the body residents name, by topic and place)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from config.responses import BodySettings
from nlp.lexicon import PhraseMatcher
from nlp.morph import Lemmatizer
from responses.records import ThreadPost

_TG_CHANNEL_PREFIX = "-100"
_TG_MARKED_LENGTH = 14  # "-100" and a ten-digit channel id


@dataclass(frozen=True, slots=True)
class Account:
    """An official account; ``author_ids`` are every form the collectors may write its id in."""

    platform: str
    id: str | None = None
    handle: str | None = None
    discussion: str | None = None
    names: tuple[str, ...] = ()

    @property
    def author_ids(self) -> frozenset[str]:
        prefix = {"telegram": "tg"}.get(self.platform, self.platform)
        ids: set[str] = set()
        if self.id:
            raw = self.id.strip().lower()
            ids.add(f"{prefix}:{raw}")
            if self.platform == "telegram":
                # Bot API writes a channel as -100 and its id (ten digits or more); telethon writes the id alone.
                marked = raw.startswith(_TG_CHANNEL_PREFIX) and len(raw) >= _TG_MARKED_LENGTH
                bare = raw[len(_TG_CHANNEL_PREFIX):] if marked else raw.lstrip("-")
                ids |= {f"tg:{bare}", f"tg:{_TG_CHANNEL_PREFIX}{bare}", f"tg:-{bare}"}
            if self.platform == "vk" and raw.lstrip("-").isdigit() and raw.startswith("-"):
                ids.add(f"vk:club{raw[1:]}")
        if self.handle:
            handle = self.handle.strip().lower()
            ids.add(f"{prefix}:{handle}")
            if self.platform == "vk":
                for stem in ("club", "public"):
                    if handle.startswith(stem) and handle[len(stem):].isdigit():
                        ids.add(f"vk:-{handle[len(stem):]}")
        return frozenset(ids)

    @property
    def pages(self) -> frozenset[str]:
        """The sources (``Post.source``) this account owns: its page, and its channel's discussion group."""
        return frozenset(p.strip().lower() for p in (self.handle, self.discussion) if p)


@dataclass(frozen=True, slots=True)
class Body:
    id: str
    name: str
    title: str
    kind: str = "other"
    parent: str | None = None
    role: str | None = None
    accounts: tuple[Account, ...] = ()
    topics: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    default: bool = False

    @classmethod
    def from_settings(cls, settings: BodySettings) -> "Body":
        accounts = tuple(Account(a.platform, a.id, a.handle, a.discussion, tuple(a.names)) for a in settings.accounts)
        return cls(settings.id, settings.name, settings.title, settings.kind, settings.parent, settings.role, accounts,
                   tuple(settings.topics), tuple(settings.places), tuple(settings.keywords), settings.default)

    def with_accounts(self, extra: Iterable[Account]) -> "Body":
        known = {(a.platform, a.id, a.handle) for a in self.accounts}
        added = tuple(a for a in extra if (a.platform, a.id, a.handle) not in known)
        return replace(self, accounts=self.accounts + added) if added else self


@dataclass(frozen=True, slots=True)
class Routing:
    bodies: tuple[str, ...]
    reasons: tuple[str, ...] = field(default_factory=tuple)


def _name_key(name: str) -> str:
    return " ".join(name.lower().replace("ё", "е").split())


def _is_person(author_id: str) -> bool:
    """A VK user id (positive): on a community wall such a post is a resident's, not the community's."""
    platform, _, raw = author_id.partition(":")
    return platform == "vk" and raw.isdigit()


def _same_author(post: ThreadPost, other: ThreadPost) -> bool:
    if post.author_id and other.author_id:
        return post.author_id.strip().lower() == other.author_id.strip().lower()
    return bool(post.author and other.author and _name_key(post.author) == _name_key(other.author))


class BodyDirectory:
    """Bodies from config plus the accounts analysts added; answers «is this official?» and «whose is this?»."""

    def __init__(self, bodies: Sequence[Body], lemmatizer: Lemmatizer | None = None,
                 official_pages: Iterable[str] = ()) -> None:
        """Without a lemmatizer the directory still knows bodies, accounts and pages, but matches no keywords
        (reports that only need titles and places load no morphology)."""
        self.bodies = tuple(bodies)
        self._by_id = {b.id: b for b in self.bodies}
        self._by_author: dict[str, str] = {}
        self._by_page: dict[tuple[str, str], str] = {}
        self._by_name: dict[tuple[str, str], str] = {}
        for body in self.bodies:
            for account in body.accounts:
                for author_id in account.author_ids:
                    self._by_author.setdefault(author_id, body.id)
                for page in account.pages:
                    self._by_page.setdefault((account.platform, page), body.id)
                for name in account.names:
                    self._by_name.setdefault((account.platform, _name_key(name)), body.id)
        fallback = next((b.id for b in self.bodies if b.default), None)
        self._any_platform = {p.strip().lower(): fallback for p in official_pages if fallback is not None}
        keywords = [k for b in self.bodies for k in b.keywords]
        self._keywords = PhraseMatcher(lemmatizer, keywords) if lemmatizer is not None else None
        self._keyword_owner: dict[str, list[str]] = {}
        for body in self.bodies:
            for keyword in body.keywords:
                self._keyword_owner.setdefault(keyword, []).append(body.id)
        self._lemmatizer = lemmatizer

    def get(self, body_id: str | None) -> Body | None:
        return self._by_id.get(body_id) if body_id else None

    def title(self, body_id: str | None) -> str:
        body = self.get(body_id)
        return body.title if body else (body_id or "—")

    # --- who wrote it -----------------------------------------------------------------------------------

    def page_owner(self, post: ThreadPost) -> str | None:
        """The body whose official page (or Telegram discussion group) the post was written on."""
        page = post.source.strip().lower()
        return self._by_page.get((post.platform, page)) or self._any_platform.get(page)

    def author_body(self, post: ThreadPost, root: ThreadPost | None = None) -> str | None:
        """The body that wrote the post, or None for a resident.

        By author id when the record has one (a renamed account keeps its id). A top-level post on a body's own
        page is the page's, unless its author id is a person's (a resident writing on an open VK wall). A comment
        is the page's when it is written by the same author as the page's own post it sits under (the community
        answering under its post), or when it is signed with an account's known name and carries no id.
        """
        if post.author_id:
            found = self._by_author.get(post.author_id.strip().lower())
            if found is not None:
                return found
        owner = self.page_owner(post)
        if owner is not None and not post.is_comment:
            return None if post.author_id and _is_person(post.author_id) else owner
        if (owner is not None and root is not None and not root.is_comment and root.id == post.parent_id
                and self.author_body(root) == owner and _same_author(post, root)):
            return owner
        if post.author and not post.author_id:
            return self._by_name.get((post.platform, _name_key(post.author)))
        return None

    # --- whom it is addressed to ---------------------------------------------------------------------------

    def named(self, text: str) -> list[str]:
        """Bodies the text names (keywords in any form), in text order."""
        found: list[str] = []
        if self._keywords is None or self._lemmatizer is None:
            return found
        for keyword in self._keywords.find(self._lemmatizer.lemmas(text)):
            for body_id in self._keyword_owner.get(keyword, []):
                if body_id not in found:
                    found.append(body_id)
        return found

    def route(self, post: ThreadPost, parent: ThreadPost | None = None) -> Routing:
        """On a body's page: the page's owner, then any body the resident names. Elsewhere: the bodies named, else
        (for a comment) the bodies its post named, else the first body that answers for the topic at that place,
        else the first for the topic, else the default."""
        reasons: list[str] = []
        chosen: list[str] = []
        owner = self.page_owner(post) or (self.author_body(parent) if parent is not None else None)
        if owner is not None:
            chosen.append(owner)
            reasons.append(f"написано на странице: {self.title(owner)}")
        named = [b for b in self.named(post.text) if b not in chosen]
        if named:
            chosen += named
            reasons.append("названы в тексте: " + ", ".join(self.title(b) for b in named))
        if not chosen and parent is not None and (in_thread := self.named(parent.text)):
            chosen += in_thread  # a comment speaks to whoever the post it sits under named
            reasons.append("названы в посте, под которым комментарий: " + ", ".join(self.title(b) for b in in_thread))
        if chosen:
            return Routing(tuple(chosen), tuple(reasons))
        places = {p.lower() for p in post.places}
        by_topic = [b for b in self.bodies if post.topic in b.topics]
        local = [b for b in by_topic if b.places and places & {p.lower() for p in b.places}]
        general = [b for b in by_topic if not b.places]
        pick = local[:1] or general[:1] or by_topic[:1]
        if pick:
            where = f" ({', '.join(sorted(places & {p.lower() for p in pick[0].places}))})" if local else ""
            return Routing((pick[0].id,), (f"по теме{where}: {pick[0].title}",))
        fallback = next((b for b in self.bodies if b.default), None)
        if fallback is not None:
            return Routing((fallback.id,), (f"исполнитель по умолчанию: {fallback.title}",))
        return Routing((), ("исполнитель не определён: в конфигурации нет подходящего",))
