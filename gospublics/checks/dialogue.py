"""Dialogue with residents: comments open, questions answered and how fast."""

from __future__ import annotations

from gospublics.checks.context import CheckContext
from gospublics.records import CheckResult
from gospublics.wording import answer_deadline, counted, duration, pct


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
    """Questions answered within the body's deadline (the responses component's verdicts, in working time), of
    those that can be judged, and the median working time to the answer."""
    limits = ctx.thresholds
    found = ctx.answers
    if found is None or found.judged == 0:
        text = ("вопросов жителей в комментариях за период не было" if found is None or found.appeals == 0
                else f"{counted(found.appeals, 'вопрос', 'вопроса', 'вопросов')}, срок ответа ещё не истёк")
        return CheckResult("answers", None, None, limits.min_answered_share, text)
    share = found.within_deadline / found.judged
    max_minutes = limits.max_median_answer / 60
    median_minutes = found.median_working_minutes
    fast = median_minutes is None or median_minutes <= max_minutes
    ok = share >= limits.min_answered_share and fast
    deadline = answer_deadline(q.deadline_minutes for q in ctx.questions)
    median = ""
    if median_minutes is not None and found.median_minutes is not None:
        median = f", медиана ответа {duration(found.median_minutes)} ({duration(median_minutes)} рабочего времени)"
    text = (f"{counted(found.judged, 'вопрос', 'вопроса', 'вопросов')} жителей: отвечено {deadline} "
            f"{found.within_deadline} ({pct(share)}), без ответа после срока {found.overdue}{median}; норма — не "
            f"меньше {pct(limits.min_answered_share)} в срок, медиана не больше {duration(max_minutes)} рабочего времени")
    credit = 1.0 if ok else min(share / limits.min_answered_share if limits.min_answered_share else 1.0, 1.0) * \
        (1.0 if fast else 0.5)
    return CheckResult("answers", ok, round(share, 3), limits.min_answered_share, text, credit,
                       {"questions": found.judged, "in_time": found.within_deadline, "unanswered": found.overdue,
                        "median_minutes": median_minutes, "deadline": deadline})
