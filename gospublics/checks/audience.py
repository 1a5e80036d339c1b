"""Content for its purpose and audience: the federal and regional component, and engagement against the page's
kind and its own past."""

from __future__ import annotations

from gospublics.checks.context import CheckContext
from gospublics.checks.publishing import _at_least
from gospublics.figures import agenda_share, engagement_rate
from gospublics.records import CheckResult
from gospublics.wording import counted, num, pct


def federal_regional(ctx: CheckContext) -> CheckResult:
    limit = ctx.thresholds.min_federal_regional_share
    if not ctx.agenda.configured:
        return CheckResult("federal_regional", None, None, limit,
                           "в конфигурации не заданы страницы, сайты и хэштеги федеральной и региональной повестки")
    carrying, share = agenda_share(ctx.posts, ctx.agenda)
    if share is None:
        return CheckResult("federal_regional", False, 0.0, limit, "постов за период нет: федеральной и региональной "
                           "повестки нет", 0.0)
    ok = share >= limit
    text = (f"федеральная и региональная повестка (репосты, ссылки, хэштеги) — в {carrying} из "
            f"{counted(len(ctx.posts), 'поста', 'постов', 'постов')} ({pct(share)}), норма — не меньше {pct(limit)}")
    return CheckResult("federal_regional", ok, round(share, 3), limit, text, _at_least(share, limit))


def engagement(ctx: CheckContext) -> CheckResult:
    """Fails when the rate is below a share of the kind's median or of the page's own previous period."""
    rate = engagement_rate(ctx.posts, ctx.followers)
    limits = ctx.thresholds
    if rate is None:
        why = "нет числа подписчиков" if not ctx.followers else "нет постов с реакциями"
        return CheckResult("engagement", None, None, None, f"вовлечённость не оценить: {why}")
    wanted: list[tuple[float, str]] = []
    if ctx.kind_engagement is not None:
        wanted.append((ctx.kind_engagement * limits.min_engagement_vs_kind,
                       f"медиана вида «{ctx.kind_title}» {num(ctx.kind_engagement, 2)} %"))
    if ctx.past_engagement is not None:
        wanted.append((ctx.past_engagement * limits.min_engagement_vs_own,
                       f"за предыдущий период {num(ctx.past_engagement, 2)} %"))
    head = f"вовлечённость {num(rate, 2)} % (реакции на пост на подписчика)"
    if not wanted:
        return CheckResult("engagement", None, round(rate, 3), None, f"{head}; сравнить не с чем")
    required = max(limit for limit, _ in wanted)
    ok = rate >= required
    text = f"{head}; {', '.join(label for _, label in wanted)}; нужно не меньше {num(required, 2)} %"
    return CheckResult("engagement", ok, round(rate, 3), round(required, 3), text, _at_least(rate, required))
