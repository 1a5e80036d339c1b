"""The demo's госпаблики: a dozen official pages of Desnogorsk of known health, loaded from bundled JSON Lines
(registry entries, weekly snapshots of page facts, posts with their feed marks, residents' comments) as the page
readers and collectors would have stored them, then judged for the month before the demo's end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from collectors.page import Contact, PageFacts, PageRead, PostMark
from collectors.post import Post
from collectors.records import post_from_dict
from config import InputError, Settings
from config.gospublics import FederalRegional
from gospublics import Page
from storage import Database, posts
from storage import gospublics as store
from storage.gospublics import page_key

DEMO_FILE = "gospublics.jsonl"
# The demo's regional pages (invented, as are the pages themselves); a real town lists its own in config.
DEMO_AGENDA_ACCOUNTS = ["https://vk.com/demo_smolensk_region", "https://vk.com/demo_cur67",
                        "https://t.me/demo_smolensk_region"]


def demo_file() -> Path:
    return Path(str(resources.files("mcu").joinpath("data", "demo", DEMO_FILE)))


def demo_agenda(settings: Settings) -> Settings:
    """The settings with the demo's regional accounts added to the federal and regional component."""
    agenda = settings.gospublics.federal_regional
    extended = FederalRegional(accounts=[*agenda.accounts, *DEMO_AGENDA_ACCOUNTS], sites=agenda.sites,
                               hashtags=agenda.hashtags)
    return settings.model_copy(update={"gospublics": settings.gospublics.model_copy(update={"federal_regional": extended})})


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path.name}:{number}: не JSON ({exc.msg})") from None


def _facts(record: dict[str, Any], page: Page) -> PageFacts:
    handle = record.get("handle") or page.handle
    values = {key: record[key] for key in ("status", "status_detail", "followers", "description", "status_text",
                                           "has_avatar", "has_cover", "site", "address", "state_mark",
                                           "comments_open", "wall", "pinned_id", "posts_total") if key in record}
    return PageFacts(
        platform=page.platform, handle=handle, external_id=page.external_id, title=page.platform_title or page.title,
        url=page.url.rsplit("/", 1)[0] + f"/{handle}" if page.platform != "ok" else page.url,
        observed_at=datetime.fromisoformat(record["observed_at"]),
        contacts=tuple(Contact(c.get("description"), c.get("phone"), c.get("email")) for c in record.get("contacts", ())),
        links=tuple(record.get("links", ())), missing=tuple(record.get("missing", ())), **values,
    )


def load_demo_pages(db: Database, path: Path | None = None) -> int:
    """Store the bundled pages; returns how many registry entries were made (a repeat listing included)."""
    pages: dict[str, Page] = {}
    entries = 0
    with db.transaction() as session:
        for number, record in _records(path or demo_file()):
            kind = record.get("type")
            if kind == "page":
                page = Page(key=page_key(record["platform"], record["external_id"], record["handle"]),
                            platform=record["platform"], url=record["url"], handle=record["handle"],
                            title=record.get("name") or record["title"], platform_title=record["title"],
                            body=record["body"], kind=record["kind"], external_id=record["external_id"],
                            via=record.get("via", "tme"), expected=dict(record.get("contacts") or {}))
                stored, _ = store.register_page(session, page, datetime.fromisoformat("2025-09-01T00:00:00+03:00"),
                                                "config")
                pages.setdefault(record["url"], stored)
                entries += 1
            elif kind == "facts":
                page = pages[record["page"]]
                facts = _facts(record, page)
                store.save_read(session, page.key, PageRead(facts), facts.observed_at)
            elif kind in ("post", "comment"):
                page = pages[record["page"]]
                post, problems = post_from_dict(record, number)
                if post is None:
                    raise InputError(f"{DEMO_FILE}:{number}: {'; '.join(str(p) for p in problems)}")
                posts.save_posts(session, [post], post.published_at)
                if kind == "post" and (record.get("pinned") or record.get("reposted_from") or record.get("links")):
                    store.save_marks(session, page.key, [_mark(post, record)], post.published_at,
                                     pinned_known=False)
    return entries


def _mark(post: Post, record: dict[str, Any]) -> PostMark:
    return PostMark(post.id, bool(record.get("pinned")), tuple(record.get("reposted_from", ())),
                    tuple(record.get("links", ())))
