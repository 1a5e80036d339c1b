"""Dialogue with residents: comments open, questions answered and how fast."""

from __future__ import annotations

from gospublics.checks.context import CheckContext
from gospublics.figures import answer_figures
from gospublics.records import CheckResult
from gospublics.wording import counted, duration, pct


def comments_open(ctx: CheckContext) -> CheckResult:
    facts = ctx.facts
    if facts is not None and facts.wall == "disabled":
        return CheckResult("comments_open", False, False, True, "стена сообщества выключена: жители не могут "
                           "ни писать, ни комментировать", 0.0)
    state = facts.comments_open if facts is not None else None
    if state is None:
        return CheckResult("comments_open", None, None, True, "платформа не сообщает, открыты ли комментарии")
    if state:
        return CheckResult("comments_open", True, True, True, "комментарии открыты", 1.0)
    return CheckResult("comments_open", False, False, True, "комментарии закрыты: жители не могут задать вопрос "
                       "под постом", 0.0)


def answers(ctx: CheckContext) -> CheckResult:
    limits = ctx.thresholds
    found = answer_figures(ctx.questions, ctx.now)
    if found.due == 0:
        text = ("вопросов жителей в комментариях за период не было" if found.questions == 0
                else f"{counted(found.questions, 'вопрос', 'вопроса', 'вопросов')}, срок ответа ещё не истёк")
        return CheckResult("answers", None, None, limits.min_answered_share, text)
    share = found.in_time / found.due
    max_minutes = limits.max_median_answer / 60
    fast = found.median_minutes is None or found.median_minutes <= max_minutes
    ok = share >= limits.min_answered_share and fast
    median = f", медиана ответа {duration(found.median_minutes)}" if found.median_minutes is not None else ""
    text = (f"{counted(found.due, 'вопрос', 'вопроса', 'вопросов')} жителей: отвечено в срок "
            f"({duration(limits.answer_deadline / 60)}) {found.in_time} ({pct(share)}), без ответа {found.unanswered}"
            f"{median}; норма — не меньше {pct(limits.min_answered_share)} в срок, медиана не больше "
            f"{duration(max_minutes)}")
    credit = 1.0 if ok else min(share / limits.min_answered_share if limits.min_answered_share else 1.0, 1.0) * \
        (1.0 if fast else 0.5)
    return CheckResult("answers", ok, round(share, 3), limits.min_answered_share, text, credit,
                       {"questions": found.due, "in_time": found.in_time, "unanswered": found.unanswered,
                        "median_minutes": found.median_minutes})
