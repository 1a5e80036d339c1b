"""Up-to-date information: a pinned post or announcement whose event date has passed; contacts that differ from
the ones the registry expects."""

from __future__ import annotations

import re
from datetime import timedelta

from gospublics.checks.context import CheckContext
from gospublics.contacts import FoundContacts, find_contacts, host_of, same_phone
from gospublics.dates import event_date
from gospublics.records import CheckResult
from gospublics.wording import day_month, days


def shown_contacts(ctx: CheckContext) -> FoundContacts:
    """Phones, e-mails and addresses the page shows: its contact block, description, status, pinned post."""
    facts = ctx.facts
    texts: list[str | None] = [ctx.pinned.text if ctx.pinned else None]
    if facts is not None:
        texts += [facts.description, facts.status_text, facts.site, *facts.links]
        texts += [part for contact in facts.contacts for part in (contact.phone, contact.email)]
    return find_contacts(texts)


def pinned_actual(ctx: CheckContext) -> CheckResult:
    """The pinned post announces an event whose date (plus ``outdated_grace``) has passed."""
    if ctx.pinned is None:
        return CheckResult("pinned_actual", None, None, None, "закреплённого поста нет (или платформа его не показывает)")
    when = event_date(ctx.pinned.text, ctx.pinned.published_at, ctx.tz)
    today = ctx.period.end.astimezone(ctx.tz).date()
    grace = timedelta(seconds=ctx.thresholds.outdated_grace)
    if when is not None and today > when + grace:
        passed = (today - when).days
        return CheckResult("pinned_actual", False, when.isoformat(), today.isoformat(),
                           f"закреплённый пост объявляет событие {day_month(when)} — дата прошла {days(passed)} назад",
                           0.0, {"event": when.isoformat(), "url": ctx.pinned.url})
    if when is not None:
        return CheckResult("pinned_actual", True, when.isoformat(), today.isoformat(),
                           f"закреплённый пост объявляет событие {day_month(when)}: дата ещё не прошла", 1.0)
    return CheckResult("pinned_actual", True, None, None, "закреплённый пост не объявляет прошедших событий", 1.0)


def contacts_actual(ctx: CheckContext) -> CheckResult:
    expected = {key: value for key, value in ctx.page.expected.items() if value}
    if not expected:
        return CheckResult("contacts_actual", None, None, None, "в реестре не указаны контакты страницы: сравнить не с чем")
    shown = shown_contacts(ctx)
    differs: list[str] = []
    compared = 0
    if (phone := expected.get("phone")) and shown.phones:
        compared += 1
        if not any(same_phone(phone, number) for number in shown.phones):
            differs.append(f"телефон на странице {', '.join(shown.phones[:2])}, в реестре {phone}")
    if (email := expected.get("email")) and shown.emails:
        compared += 1
        if email.strip().lower() not in shown.emails:
            differs.append(f"e-mail на странице {', '.join(shown.emails[:2])}, в реестре {email}")
    site = expected.get("site")
    page_site = ctx.facts.site if ctx.facts is not None else None
    if site and page_site:
        compared += 1
        if host_of(page_site) != host_of(site):
            differs.append(f"сайт на странице {page_site}, в реестре {site}")
    address = expected.get("address")
    page_address = ctx.facts.address if ctx.facts is not None else None
    if address and page_address:
        compared += 1
        if not _same_address(address, page_address):
            differs.append(f"адрес на странице «{page_address}», в реестре «{address}»")
    if compared == 0:
        return CheckResult("contacts_actual", None, None, None, "страница не показывает контактов, которые можно сравнить "
                           "с реестром")
    if differs:
        return CheckResult("contacts_actual", False, len(differs), 0, "контакты устарели: " + "; ".join(differs), 0.0)
    return CheckResult("contacts_actual", True, 0, 0, "контакты на странице совпадают с реестром", 1.0)


def _same_address(expected: str, shown: str) -> bool:
    """Every number of the expected address (house, microdistrict) appears in the shown one."""
    numbers = re.findall(r"\d+", expected)
    found = set(re.findall(r"\d+", shown))
    return all(number in found for number in numbers) if numbers else expected.lower() in shown.lower()

