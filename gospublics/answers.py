"""Residents' questions on a page and the page's answers, judged by the responses component.

The responses component owns appeals, official replies, the bodies' deadlines (office hours, Russian working days
and holidays, a deadline per platform and kind of appeal) and reply detection. This module only adapts at the
boundary: the page becomes an account of its body, its comments become the component's ``ThreadPost`` records,
and the component's verdicts become ``QuestionAnswer`` records (for alerts and the report) and ``PageAnswers``
figures (for the checks and the export).

A question is a comment the NLP marked ``needs_response``; a comment not analysed yet counts when it asks («?»),
so a page checked before the analysis pass is not judged on nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from gospublics.records import Page, PageComment, QuestionAnswer
from responses import Account, Assessor, PageAnswers, ThreadPost, assess_all, page_figures

EXCERPT = 160


@dataclass(frozen=True, slots=True)
class PageDialogue:
    """The page's questions with the answers found (oldest first) and the responses component's figures for them
    (``None`` when residents asked nothing in the period)."""

    questions: tuple[QuestionAnswer, ...] = ()
    figures: PageAnswers | None = None


def page_accounts(page: Page) -> tuple[Account, ...]:
    """The page as its body's account, once per screen name it has had: the responses component then knows its
    replies by id («vk:-123», «ok:…», «tg:-100…» or «tg:name»), by page, or by the name it signs with."""
    names = tuple(dict.fromkeys(name for name in (page.platform_title, page.title) if name))
    return tuple(Account(page.platform, page.external_id, handle, None, names) for handle in page.handles)


def body_accounts(pages: Iterable[Page]) -> dict[str, list[Account]]:
    """Accounts of every registered page by body id, for ``responses.build_assessor(extra_accounts=…)``."""
    found: dict[str, list[Account]] = defaultdict(list)
    for page in pages:
        found[page.body].extend(page_accounts(page))
    return dict(found)


def asks(comment: PageComment) -> bool:
    if comment.needs_response is not None:
        return comment.needs_response
    return "?" in comment.text


def thread_posts(page: Page, comments: Sequence[PageComment]) -> list[ThreadPost]:
    """The page's comments as the responses component reads them; every screen name of the page is one source,
    so a thread collected partly under an old name stays one thread."""
    return [
        ThreadPost(
            key=f"{page.platform}:{page.handle}:{comment.id}", platform=page.platform, source=page.handle,
            id=comment.id, published_at=comment.published_at, text=comment.text, parent_id=comment.post_id,
            url=comment.url, author=comment.author, author_id=comment.author_id, needs_response=asks(comment),
            kinds=comment.kinds or (("question",) if comment.needs_response is None else ()),
        )
        for comment in comments
    ]


def judge(page: Page, comments: Sequence[PageComment], assessor: Assessor, now: datetime) -> PageDialogue:
    """Residents' questions in the page's comments, each with the first official reply in its thread and the
    deadline of the body's rule, judged at ``now``."""
    verdicts = assess_all(thread_posts(page, comments), assessor, now)
    questions = tuple(
        QuestionAnswer(
            page=page.key,
            question_id=verdict.appeal.id,
            asked_at=verdict.appeal.published_at,
            answered_at=verdict.first_reply.at if verdict.first_reply is not None else None,
            deadline_at=verdict.deadlines.first_at,
            url=verdict.appeal.url,
            excerpt=verdict.appeal.text[:EXCERPT],
            status=verdict.sla_status,
            working_minutes=verdict.working_minutes_to_reply,
            deadline_minutes=verdict.deadlines.first_minutes,
        )
        for verdict in verdicts
    )
    figures = page_figures(verdicts, assessor)
    return PageDialogue(tuple(sorted(questions, key=lambda q: (q.asked_at, q.question_id))),
                        figures[0] if figures else None)
