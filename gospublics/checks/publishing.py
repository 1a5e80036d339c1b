"""Timely publication: posts per week, the longest silence, days since the last post, working hours, weekends."""

from __future__ import annotations

from gospublics.checks.context import CheckContext
from gospublics.figures import days_since, longest_silence, posts_per_week, weekends_covered, working_share
from gospublics.records import CheckResult
from gospublics.wording import counted, day_month, days, num, pct


def _at_least(value: float, limit: float) -> float:
    return 1.0 if value >= limit else (value / limit if limit > 0 else 0.0)


def _at_most(value: float, limit: float) -> float:
    return 1.0 if value <= limit else (limit / value if value > 0 else 0.0)


def cadence(ctx: CheckContext) -> CheckResult:
    limit = ctx.thresholds.min_posts_per_week
    rate = posts_per_week(ctx.posts, ctx.period)
    ok = rate >= limit
    text = (f"{counted(len(ctx.posts), 'пост', 'поста', 'постов')} за {days(ctx.period.days)}: "
            f"{num(rate)} в неделю при норме не меньше {num(limit)}")
    return CheckResult("cadence", ok, round(rate, 2), limit, text, _at_least(rate, limit))


def silence(ctx: CheckContext) -> CheckResult:
    limit = ctx.thresholds.max_silence_days
    gap = longest_silence(ctx.posts, ctx.period, ctx.previous_post_at)
    ok = gap.days <= limit
    where = f" (с {day_month(gap.start.astimezone(ctx.tz).date())} по {day_month(gap.end.astimezone(ctx.tz).date())})"
    text = f"самый долгий перерыв между публикациями — {days(gap.days)}{where}, норма — не больше {days(limit)}"
    return CheckResult("silence", ok, round(gap.days, 1), limit, text, _at_most(gap.days, limit),
                       {"start": gap.start.isoformat(), "end": gap.end.isoformat()})


def last_post(ctx: CheckContext) -> CheckResult:
    limit = ctx.thresholds.max_days_since_last_post
    age = days_since(ctx.last_post_at, ctx.period.end)
    if age is None:
        return CheckResult("last_post", False, None, limit, "на странице нет ни одного поста", 0.0)
    ok = age <= limit
    when = day_month(ctx.last_post_at.astimezone(ctx.tz).date()) if ctx.last_post_at else ""
    text = f"последний пост {when} — {days(age)} назад, норма — не больше {days(limit)}"
    return CheckResult("last_post", ok, round(age, 1), limit, text, _at_most(age, limit))


def working_hours(ctx: CheckContext) -> CheckResult:
    limit = ctx.thresholds.min_working_hours_share
    window = ctx.thresholds.working_hours.replace("-", "–")
    share = working_share(ctx.posts, ctx.thresholds.working_window(), ctx.tz)
    if share is None:
        return CheckResult("working_hours", None, None, limit, "постов за период нет: время публикаций не оценить")
    ok = share >= limit
    text = f"в дневные часы ({window}) опубликовано {pct(share)} постов, норма — не меньше {pct(limit)}"
    return CheckResult("working_hours", ok, round(share, 3), limit, text, _at_least(share, limit))


def weekends(ctx: CheckContext) -> CheckResult:
    limit = ctx.thresholds.min_weekend_share
    kind = ctx.settings.kinds.get(ctx.page.kind)
    if kind is None or not kind.weekends:
        return CheckResult("weekends", None, None, limit, "для этого вида страниц публикации в выходные не обязательны")
    covered, total = weekends_covered(ctx.posts, ctx.period, ctx.tz)
    if total == 0:
        return CheckResult("weekends", None, None, limit, "в периоде нет целых выходных")
    share = covered / total
    ok = share >= limit
    text = f"публикации были в {covered} из {total} выходных " \
           f"({pct(share)}), норма — не меньше {pct(limit)}"
    return CheckResult("weekends", ok, round(share, 3), limit, text, _at_least(share, limit),
                       {"covered": covered, "weekends": total})
