"""The checks of an official page, each a small pure function ``CheckContext → CheckResult`` (codes: config)."""

from __future__ import annotations

from collections.abc import Callable

from config.gospublics import CHECK_CODES
from gospublics.checks.actuality import contacts_actual, pinned_actual
from gospublics.checks.audience import engagement, federal_regional
from gospublics.checks.context import CheckContext
from gospublics.checks.design import design
from gospublics.checks.dialogue import answers, comments_open
from gospublics.checks.publishing import cadence, last_post, silence, weekends, working_hours
from gospublics.records import CheckResult

CHECKS: dict[str, Callable[[CheckContext], CheckResult]] = {
    "cadence": cadence,
    "silence": silence,
    "last_post": last_post,
    "working_hours": working_hours,
    "weekends": weekends,
    "federal_regional": federal_regional,
    "engagement": engagement,
    "answers": answers,
    "comments_open": comments_open,
    "pinned_actual": pinned_actual,
    "contacts_actual": contacts_actual,
    "design": design,
}
assert tuple(CHECKS) == CHECK_CODES  # config validates weights against the same list

TITLES = {
    "cadence": "Частота публикаций",
    "silence": "Самый долгий перерыв",
    "last_post": "Последний пост",
    "working_hours": "Дневные часы",
    "weekends": "Выходные",
    "federal_regional": "Федеральная и региональная повестка",
    "engagement": "Вовлечённость",
    "answers": "Ответы жителям",
    "comments_open": "Комментарии открыты",
    "pinned_actual": "Закреплённый пост актуален",
    "contacts_actual": "Контакты актуальны",
    "design": "Оформление",
}


def run_checks(ctx: CheckContext) -> tuple[CheckResult, ...]:
    return tuple(check(ctx) for check in CHECKS.values())


__all__ = ["CHECKS", "TITLES", "CheckContext", "run_checks"]
