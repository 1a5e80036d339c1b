"""Responses: how the administration and municipal institutions answer residents — appeals, official replies,
deadlines, reply quality, satisfaction, ratings of the bodies, recurring problems for the дорожная карта.

A component like ``risk/``: records in, records out, no database and no shell. Storage keeps appeals and their
events (``storage.responses``), the shell wires it into the pipeline, the CLI and the reports.

Public surface:

- ``build_assessor(settings, lemmatizer, extra_accounts, adopt_unknown=False)`` → ``Assessor``: the bodies of the config (plus accounts
  analysts added), the working calendar, the deadline rules and the rule sets, ready to judge appeals;
- ``Assessor.assess(Context, now)`` → ``AppealVerdict``: one appeal with its thread and story;
- ``assess_all(posts, assessor, now)`` → verdicts for every appeal among ``ThreadPost`` records;
- ``answer_figures(posts, assessor, now)`` → ``PageAnswers`` per page: appeals, answered, within deadline,
  median minutes (calendar and working) — for the госпаблики checks («вопросы жителей и время ответа»);
- ``rate(records, bodies, weights, target_minutes)`` → ``BodyRating`` per body, ranked (see ``ratings``);
- ``recurring(records, now, settings, directory)`` and ``drafts(...)``: recurring problems and roadmap drafts;
- ``WorkCalendar``: working minutes between moments and deadlines in working time (Russian holidays).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from config.schema import Settings
from nlp.morph import Lemmatizer
from responses.answers import PageAnswers, answer_figures, assess_all, page_figures
from responses.assess import Assessor, Context
from responses.bodies import Account, Body, BodyDirectory, Routing
from responses.calendar import WorkCalendar
from responses.phrases import lists
from responses.ratings import rate
from responses.reading import Reader
from responses.records import (
    AppealRecord,
    AppealVerdict,
    BodyRating,
    Notice,
    RecurringProblem,
    Reply,
    ThreadPost,
    Verdict,
)
from responses.roadmap import Draft, drafts, recurring


def work_calendar(settings: Settings) -> WorkCalendar:
    office = settings.responses.office
    return WorkCalendar(settings.town.tz, office.span, shortened_pre_holiday=office.shortened_pre_holiday,
                        extra_days_off=office.extra_days_off, extra_working_days=office.extra_working_days)


def bodies_of(settings: Settings, extra_accounts: Mapping[str, Sequence[Account]] | None = None, *,
              adopt_unknown: bool = False) -> list[Body]:
    """The bodies of the config, each with the accounts analysts attached to it. With ``adopt_unknown``, accounts
    of a body the config does not list (a town without a ``bodies`` section registers госпаблики under any body
    name) make a body of their own, titled by its id: its page's replies are still official, though no topic
    routes to it; without it they are left out (a body taken out of config leaves ratings)."""
    extra = extra_accounts or {}
    bodies = [Body.from_settings(b).with_accounts(extra.get(b.id, ())) for b in settings.bodies]
    if adopt_unknown:
        known = {b.id for b in bodies}
        bodies += [Body(body_id, body_id, body_id, accounts=tuple(accounts))
                   for body_id, accounts in extra.items() if body_id not in known and accounts]
    return bodies


def build_assessor(settings: Settings, lemmatizer: Lemmatizer,
                   extra_accounts: Mapping[str, Sequence[Account]] | None = None, *,
                   adopt_unknown: bool = False) -> Assessor:
    # Official pages listed for risk (gazetteer.official_sources) belong to the default body until an analyst
    # attaches them to the right one: their posts are official answers either way.
    directory = BodyDirectory(bodies_of(settings, extra_accounts, adopt_unknown=adopt_unknown), lemmatizer,
                              settings.gazetteer.official_sources)
    reader = Reader(lemmatizer, lists(settings.responses.phrases))
    official_names = [term for official in settings.nlp.officials for term in official.terms]
    return Assessor(settings.responses, directory, work_calendar(settings), reader, lemmatizer, official_names)


__all__ = [
    "Account",
    "AppealRecord",
    "AppealVerdict",
    "Assessor",
    "Body",
    "BodyDirectory",
    "BodyRating",
    "Context",
    "Draft",
    "Notice",
    "PageAnswers",
    "RecurringProblem",
    "Reply",
    "Routing",
    "ThreadPost",
    "Verdict",
    "WorkCalendar",
    "answer_figures",
    "assess_all",
    "bodies_of",
    "build_assessor",
    "drafts",
    "page_figures",
    "rate",
    "recurring",
    "work_calendar",
]
