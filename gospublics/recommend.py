"""Recommendations addressed to the page, one per failing check, with the page's own figures in them."""

from __future__ import annotations

from collections.abc import Sequence

from config.gospublics import Thresholds
from gospublics.checks.design import TITLES as ELEMENT_TITLES
from gospublics.records import CheckResult, PageFigures
from gospublics.wording import counted, days, duration, num, pct

DESIGN_ACTIONS = {
    "avatar": "загрузить аватар (герб или логотип учреждения)",
    "cover": "добавить обложку с названием учреждения",
    "description": "заполнить описание: чья это страница, чем занимается учреждение, как связаться",
    "contacts": "указать контакты: телефон и электронную почту",
    "site": "дать ссылку на официальный сайт",
    "pinned_contacts": "закрепить пост с контактами",
    "state_mark": "получить отметку госорганизации",
}
GONE = "восстановить доступ к странице или исключить её из реестра госпабликов"


def _period_words(days_count: float) -> str:
    whole = round(days_count)
    if 28 <= whole <= 31:
        return "за месяц"
    if whole == 7:
        return "за неделю"
    return f"за {days(whole)}"


def recommendations(checks: Sequence[CheckResult], figures: PageFigures, limits: Thresholds,
                    period_days: float) -> tuple[str, ...]:
    """Concrete advice from the failed checks, in check order; silence is folded into the cadence advice."""
    failed = {check.code: check for check in checks if check.ok is False}
    advice: list[str] = []
    over = _period_words(period_days)
    silence = failed.get("silence")
    if "cadence" in failed:
        gap = f", самый долгий перерыв {days(figures.max_silence_days)}" if figures.max_silence_days is not None else ""
        advice.append(f"публиковать не реже {num(limits.min_posts_per_week)} раз в неделю: {over} "
                      f"{counted(figures.posts, 'пост', 'поста', 'постов')}{gap}")
    elif silence is not None:
        advice.append(f"не допускать перерывов дольше {days(limits.max_silence_days)}: "
                      f"{silence.text.split(', норма')[0]}")
    if (check := failed.get("last_post")) is not None:
        since = f"последний пост {days(figures.days_since_last_post)} назад" \
            if figures.days_since_last_post is not None else "постов нет"
        advice.append(f"возобновить публикации: {since}")
    if (check := failed.get("working_hours")) is not None:
        advice.append(f"публиковать в дневные часы {limits.working_hours.replace('-', '–')}: сейчас в них "
                      f"{pct(float(check.value or 0))} постов")
    if (check := failed.get("weekends")) is not None:
        covered, total = check.details.get("covered", 0), check.details.get("weekends", 0)
        advice.append(f"публиковать и в выходные: посты были в {covered} из {total} выходных")
    if (check := failed.get("federal_regional")) is not None:
        advice.append("добавлять федеральную и региональную повестку — репосты страниц правительства области и ЦУР, "
                      f"ссылки на их сайты, хэштеги нацпроектов: сейчас {pct(float(check.value or 0))} постов при норме "
                      f"{pct(limits.min_federal_regional_share)}")
    if (check := failed.get("engagement")) is not None:
        advice.append(f"поднять вовлечённость (вопросы к жителям, фото и видео, опросы вместо пересказа документов): "
                      f"{num(float(check.value or 0), 2)} % при нужных {num(float(check.limit or 0), 2)} %")
    if (check := failed.get("answers")) is not None:
        unanswered = int(check.details.get("unanswered") or 0)
        median = check.details.get("median_minutes")
        tail = f", медиана ответа {duration(median)} рабочего времени" if median is not None else ""
        advice.append(f"отвечать жителям в комментариях {check.details.get('deadline') or 'в срок исполнителя'}: из "
                      f"{counted(int(check.details.get('questions') or 0), 'вопроса', 'вопросов', 'вопросов')} в срок "
                      f"отвечено {check.details.get('in_time', 0)}, без ответа {unanswered}{tail}")
    if "comments_open" in failed:
        advice.append("включить комментарии")
    if (check := failed.get("pinned_actual")) is not None:
        advice.append(f"обновить закреплённый пост: {check.text}")
    if (check := failed.get("contacts_actual")) is not None:
        advice.append(f"исправить контакты на странице: {check.text.removeprefix('контакты устарели: ')}")
    if (check := failed.get("design")) is not None:
        for element in check.details.get("absent", ()):
            advice.append(DESIGN_ACTIONS.get(element, f"добавить: {ELEMENT_TITLES.get(element, element)}"))
    return tuple(advice)
