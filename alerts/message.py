"""The Russian alert text: what happened, where, how fast, why, and links."""

from __future__ import annotations

from datetime import tzinfo

from risk.scoring import level_rank
from risk.story import StoryView
from risk.wording import plural

LEVEL_TITLES = {"low": "низкий", "medium": "средний", "high": "высокий", "critical": "критический"}
LEVEL_MARKS = {"low": "⚪", "medium": "🟡", "high": "🟠", "critical": "🔴"}
TELEGRAM_LIMIT = 4096


def render(
    story: StoryView, tz: tzinfo, *, update: bool, previous_level: str | None, new_posts: int, refuted: bool = False
) -> str:
    """Plain text; the Telegram sink escapes it for HTML."""
    level = story.assessment.level
    head = f"{LEVEL_MARKS.get(level, '')} {'Обновление' if update else 'Информационный риск'}: уровень {LEVEL_TITLES.get(level, level)} ({story.assessment.score:.0f}/100)"
    lines = [head.strip(), f"Тема: {story.topic_title}"]
    if story.places:
        lines.append("Где: " + ", ".join(story.places))
    if update:
        change = []
        if new_posts > 0:
            change.append("+" + plural(new_posts, "сообщение", "сообщения", "сообщений"))
        if previous_level and previous_level != level:
            arrow = "↑" if level_rank(level) > level_rank(previous_level) else "↓"
            change.append(f"уровень {arrow} {LEVEL_TITLES.get(level, level)}")
        if refuted:
            change.append("опровержение")
        if change:
            lines.append("Изменения: " + ", ".join(change))
    first = story.first_seen_at.astimezone(tz).strftime("%d.%m %H:%M")
    lines.append(
        f"Сообщений: {story.post_count}, источников: {story.source_count} ({', '.join(story.platforms)}), с {first}"
    )
    lines.append(f"Суть: {story.title}")
    if story.assessment.reasons:
        lines.append("Почему:")
        lines += [f"• {reason}" for reason in story.assessment.reasons]
    if story.links:
        lines.append("Ссылки:")
        lines += [f"{link}" for link in story.links[:3]]
    lines.append(f"История №{story.id}")
    return "\n".join(lines)


def fit_telegram(text: str, limit: int = TELEGRAM_LIMIT, more: str | None = None) -> str:
    """Telegram rejects longer messages; cut at a line end, say so, and point to the rest."""
    if len(text) <= limit:
        return text
    tail = f"\n… (сокращено; полностью: {more})" if more else "\n… (сокращено)"
    cut = text[: limit - len(tail)].rsplit("\n", 1)[0]
    return cut + tail
