"""Design standards of an official page: avatar, cover, description, contacts, a link to the official site, a
pinned post with contacts, and the state-organisation mark where the platform has one."""

from __future__ import annotations

from gospublics.checks.actuality import shown_contacts
from gospublics.checks.context import CheckContext
from gospublics.contacts import find_contacts, host_of, is_social
from gospublics.records import CheckResult

TITLES = {
    "avatar": "аватар",
    "cover": "обложка",
    "description": "описание",
    "contacts": "контакты",
    "site": "ссылка на официальный сайт",
    "pinned_contacts": "закреплённый пост с контактами",
    "state_mark": "отметка госорганизации",
}
MIN_DESCRIPTION = 20  # characters: «Официальная страница» alone says nothing about whose it is
# The answer fields that carry contacts and the site on each platform; when they are missing from the answer and
# nothing is found elsewhere, the element is unknown, not absent. Telegram has only the channel's description.
CONTACT_FIELDS = {"vk": {"contacts"}, "ok": {"phone"}}
SITE_FIELDS = {"vk": {"site", "links"}, "ok": {"homepage_url"}}


def elements(ctx: CheckContext) -> dict[str, bool | None]:
    """Each element: present, absent, or ``None`` when the platform has none or did not say."""
    facts = ctx.facts
    if facts is None:
        return {name: None for name in TITLES}
    missing = set(facts.missing)
    platform = ctx.page.platform
    description = facts.description or ""
    contacts = shown_contacts(ctx)
    expected_site = host_of(ctx.page.expected.get("site") or "")
    urls = [url for url in (facts.site, *facts.links, *find_contacts([description, facts.status_text]).urls) if url]
    hosts = [host for url in urls if (host := host_of(url)) and not is_social(host)]
    site = (expected_site in hosts) if expected_site else bool(hosts)
    pinned_known = platform != "telegram" or ctx.page.via == "telegram"  # the t.me preview shows no pinned post
    pinned = ctx.pinned is not None and find_contacts([ctx.pinned.text]).any
    return {
        "avatar": facts.has_avatar,
        "cover": facts.has_cover if platform == "vk" else None,
        "description": None if (not description and "description" in missing) else len(description) >= MIN_DESCRIPTION,
        "contacts": True if contacts.any else (None if _unsaid(CONTACT_FIELDS, platform, missing) else False),
        "site": True if site else (None if _unsaid(SITE_FIELDS, platform, missing) else False),
        "pinned_contacts": pinned if pinned or pinned_known else None,
        "state_mark": facts.state_mark if platform in ctx.settings.state_mark_platforms else None,
    }


def _unsaid(fields: dict[str, set[str]], platform: str, missing: set[str]) -> bool:
    wanted = fields.get(platform)
    return bool(wanted) and wanted <= missing


def design(ctx: CheckContext) -> CheckResult:
    found = elements(ctx)
    known = {name: value for name, value in found.items() if value is not None}
    if not known:
        return CheckResult("design", None, None, None, "оформление не оценить: нет данных о странице")
    present = [name for name, value in known.items() if value]
    absent = [name for name, value in known.items() if not value]
    unknown = [TITLES[name] for name, value in found.items() if value is None]
    tail = f"; нет данных: {', '.join(unknown)}" if unknown else ""
    if absent:
        text = f"оформление: есть {len(present)} из {len(known)}; не хватает: {', '.join(TITLES[n] for n in absent)}{tail}"
    else:
        text = f"оформление по стандарту: {', '.join(TITLES[n] for n in present)}{tail}"
    return CheckResult("design", not absent, len(present), len(known), text, len(present) / len(known),
                       {"absent": absent, "unknown": [n for n, v in found.items() if v is None]})
