"""Every statement of a problem is an appeal: a failure, lack or bad state of something, with or without a question."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collectors import Post
from config import Settings
from nlp import Analyzer, Lemmatizer, PostContext, tokenize
from nlp.problems import ProblemDetector

AT = datetime(2026, 1, 14, 8, 0, tzinfo=timezone.utc)


def needs(analyzer: Analyzer, text: str, platform: str = "vk", **context: object) -> bool:
    post = Post(id="t", platform=platform, source="somebody", published_at=AT, text=text)
    return analyzer.analyze(post, PostContext(**context) if context else None).needs_response  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "Во втором микрорайоне не работает уличное освещение",
        "У нас в подъезде течёт крыша, на пятом этаже лужи",
        "мусор не вывозят уже третий день",
        "на остановке у рынка разбитое стекло, дети ходят",
        "третьи сутки без горячей воды",
        "возле школы открытый люк, никто не закрывает",
        "сломаны перила на лестнице к набережной",
    ],
)
def test_a_plain_statement_of_a_problem_needs_an_answer(product_analyzer: Analyzer, text: str) -> None:
    assert needs(product_analyzer, text)


@pytest.mark.parametrize(
    "text",
    [
        "Уважаемые жители! 20 марта с 9 до 17 плановое отключение холодной воды в связи с ремонтом сети",
        "Спасибо коммунальщикам: крышу починили, больше не течёт!",
        "Продам гараж, свет есть, яма сухая, недорого",
        "Поздравляем с Днём города! Концерт на площади в 18:00",
        "Сегодня прекрасная погода, гуляли в парке",
    ],
)
def test_announcements_thanks_adverts_and_news_are_not_appeals(product_analyzer: Analyzer, text: str) -> None:
    assert not needs(product_analyzer, text)


def test_a_formal_appeal_sent_through_a_website_is_not_news(analyzer: Analyzer) -> None:
    appeal = "Прошу принять меры: в доме 5 третьего микрорайона второй месяц протекает кровля над 4 подъездом."
    assert needs(analyzer, appeal, platform="web")
    news = "В доме 5 третьего микрорайона протекает кровля над 4 подъездом, сообщили в управляющей компании."
    assert not needs(analyzer, news, platform="web")


def test_problem_lexicon_reads_lemmas_and_the_config_extends_it(settings: Settings, lemmatizer: Lemmatizer) -> None:
    def strength(detector: ProblemDetector, text: str) -> float:
        tokens = tokenize(text)
        return detector.detect(tokens, [lemmatizer.lemma(t) for t in tokens]).strength

    builtin = ProblemDetector(lemmatizer)
    assert strength(builtin, "фонари не горят") == 1.0
    assert strength(builtin, "не горит фонарь") == 1.0
    assert strength(builtin, "третий день не работает") >= 0.8
    assert strength(builtin, "всё хорошо") == 0.0
    extended = ProblemDetector(lemmatizer, extra={"object": ["батут"], "failure": ["сдуться"]})
    assert strength(builtin, "батут сдулся") < strength(extended, "батут сдулся") == 1.0


@pytest.mark.parametrize(
    "text",
    [
        "Сегодня год как не стало мамы. Скучаю очень, так грустно",
        "Светлая память, соболезнования родным. Не могу поверить",
        "расстались после шести лет, не хочу ни с кем говорить(((",
    ],
)
def test_sad_personal_posts_are_negative_but_no_complaint(analyzer: Analyzer, product_analyzer: Analyzer, text: str) -> None:
    post = Post(id="t", platform="vk", source="s", published_at=AT, text=text)
    assert analyzer.analyze(post).sentiment.label == "negative"  # the rules; the classifier learns it from the corpus
    result = product_analyzer.analyze(post)
    assert "personal" in result.signals
    assert "complaint" not in result.signals and not result.needs_response


def test_a_complaint_with_sad_words_stays_a_complaint(product_analyzer: Analyzer) -> None:
    text = "Грустно смотреть: в подъезде опять не горит свет, управляющая компания не отвечает"
    result = product_analyzer.analyze(Post(id="t", platform="vk", source="s", published_at=AT, text=text))
    assert "personal" not in result.signals and result.needs_response
