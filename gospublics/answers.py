"""Residents' questions under the page's posts and the page's answers to them, as ``QuestionAnswer`` records.

TEMPORARY LINKING, to be replaced by the responses component's public function when it lands on main (it owns
appeals, official replies and working-time deadlines); this module is the one place that links them until then.

A question is a comment the NLP marked ``needs_response`` (or, not analysed yet, one with «?»), not written by
the page itself. Its answer is the page's first own comment under the same post after it. The deadline is
``answer_deadline`` after the question (calendar time, until the responses component brings working hours).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import timedelta

from gospublics.records import Page, PageComment, QuestionAnswer

EXCERPT = 160


def is_page_reply(comment: PageComment, page: Page, accounts: Iterable[str]) -> bool:
    """Written by the page: its account id when the collector recorded one, else its display name."""
    own = {account.lower() for account in accounts}
    if comment.author_id:
        return comment.author_id.lower() in own
    names = {name.strip().lower() for name in (page.platform_title, page.title) if name}
    return bool(comment.author) and comment.author.strip().lower() in names


def is_question(comment: PageComment) -> bool:
    if comment.needs_response is not None:
        return comment.needs_response
    return "?" in comment.text


def link_answers(page: Page, comments: Sequence[PageComment], deadline: float,
                 accounts: Iterable[str] = ()) -> list[QuestionAnswer]:
    """Questions in time order, each with the page's first later reply under the same post (or none)."""
    own = list(accounts)
    by_post: dict[str, list[PageComment]] = defaultdict(list)
    for comment in comments:
        by_post[comment.post_id].append(comment)
    found: list[QuestionAnswer] = []
    for thread in by_post.values():
        thread.sort(key=lambda c: (c.published_at, c.id))
        replies = [c for c in thread if is_page_reply(c, page, own)]
        for comment in thread:
            if comment in replies or not is_question(comment):
                continue
            answer = next((r for r in replies if r.published_at > comment.published_at), None)
            found.append(QuestionAnswer(
                page=page.key,
                question_id=comment.id,
                asked_at=comment.published_at,
                answered_at=answer.published_at if answer else None,
                deadline_at=comment.published_at + timedelta(seconds=deadline),
                url=comment.url,
                excerpt=comment.text[:EXCERPT],
            ))
    return sorted(found, key=lambda q: (q.asked_at, q.question_id))


def page_accounts(page: Page) -> tuple[str, ...]:
    """The author ids the page writes under: «vk:-123» for a community, «ok:…», «tg:…»."""
    accounts = []
    if page.external_id:
        prefix = {"vk": "vk", "ok": "ok", "telegram": "tg"}.get(page.platform, page.platform)
        accounts.append(f"{prefix}:{page.external_id}")
        if page.platform == "telegram" and page.external_id.isdigit():
            accounts.append(f"tg:-100{page.external_id}")
    return tuple(accounts)
