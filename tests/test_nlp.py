"""The NLP baseline on tables of Russian posts: relevance, topics, sentiment, appeals, entities, toxicity."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collectors import Post
from nlp import Analyzer, Annotation, PostContext
from nlp.entities import names_by_itself

AT = datetime(2026, 1, 14, 8, 0, tzinfo=timezone.utc)


def annotate(analyzer: Analyzer, text: str, source: str = "somebody", platform: str = "vk", **context: object) -> Annotation:
    post = Post(id="t", platform=platform, source=source, published_at=AT, text=text)
    return analyzer.analyze(post, PostContext(**context) if context else None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("В Десногорске третий день нет горячей воды", 0.85, 1.0),
        ("Десногорцы, кто знает, когда откроют каток?", 0.8, 1.0),
        ("В третьем микрорайоне опять прорвало трубу", 0.6, 1.0),
        ("На САЭС плановый ремонт энергоблока", 0.5, 1.0),
        ("В Рославле нет отопления, люди мёрзнут", 0.0, 0.3),
        ("В Смоленске открыли новый мост", 0.0, 0.3),
        ("Продам гараж, недорого", 0.0, 0.2),
    ],
)
def test_relevance(analyzer: Analyzer, text: str, low: float, high: float) -> None:
    assert low <= annotate(analyzer, text).relevance <= high


def test_town_community_makes_local_chatter_relevant(analyzer: Analyzer) -> None:
    assert annotate(analyzer, "Опять отключили воду, сколько можно", town_source=True).relevance >= 0.5
    assert annotate(analyzer, "В Рославле отключили воду", town_source=True).relevance < 0.5


def test_comment_inherits_from_its_post(analyzer: Analyzer) -> None:
    assert annotate(analyzer, "Когда дадут тепло?!", parent_relevance=0.95).relevance >= 0.5


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Третий день нет отопления, батареи ледяные", "housing"),
        ("Мусорные контейнеры не вывозят неделю, регоператор молчит", "waste"),
        ("На САЭС выброс, дозиметр зашкаливает", "npp"),
        ("Пожар в гараже, приехали пожарные МЧС", "emergency"),
        ("Запись к терапевту в поликлинике на месяц вперёд", "health"),
        ("Детская площадка во дворе сломана, фонари не горят", "improvement"),
        ("Хоккейный турнир в субботу, приходите болеть", "culture"),
        ("Автобус по маршруту 2 не пришёл, расписание не соблюдают", "transport"),
        ("Купил хлеб", "other"),
    ],
)
def test_topics(analyzer: Analyzer, text: str, topic: str) -> None:
    codes = [t.code for t in annotate(analyzer, text).topics]
    assert topic in codes, codes


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Спасибо коммунальщикам, тепло дали быстро!", "positive"),
        ("Ужас, третий день холодно, дети мёрзнут, это издевательство", "negative"),
        ("Нет воды с утра", "negative"),
        ("Завтра с 10 до 12 плановое отключение воды во 2 мкр", "neutral"),
        ("Не плохо", "positive"),
        ("Не хорошо так поступать с людьми", "negative"),
        ("Праздник удался 🎉😊", "positive"),
    ],
)
def test_sentiment(analyzer: Analyzer, text: str, label: str) -> None:
    sentiment = annotate(analyzer, text).sentiment
    assert sentiment.label == label, sentiment
    assert -1.0 <= sentiment.score <= 1.0


@pytest.mark.parametrize(
    ("text", "needs"),
    [
        ("Администрация, когда дадут тепло в 3 мкр?", True),
        ("Прошу разобраться с ямами на дороге у школы", True),
        ("Сколько можно, мусор не вывозят неделю!", True),
        ("Спасибо врачам за помощь", False),
        ("Концерт в субботу в 18:00", False),
    ],
)
def test_needs_response(analyzer: Analyzer, text: str, needs: bool) -> None:
    assert annotate(analyzer, text).needs_response is needs


def test_official_sources_do_not_need_answers(analyzer: Analyzer) -> None:
    text = "Когда дадут тепло? Отвечаем: авария устранена, подача восстановлена"
    assert annotate(analyzer, text, official=True, town_source=True).needs_response is False


def test_entities_are_nominative(analyzer: Analyzer) -> None:
    result = annotate(analyzer, "Жители 4 мкр Десногорска пожаловались губернатору и Ивану Петрову")
    normals = {(e.kind, e.normal) for e in result.entities}
    assert ("place", "Десногорск") in normals
    assert ("place", "4 микрорайон") in normals
    assert ("official", "Губернатор Смоленской области") in normals
    assert ("person", "Иван Петров") in normals


@pytest.mark.parametrize(("text", "districts"), [
    ("Ещё два двора благоустроят в 7 и 9 микрорайонах", {"7 мкр", "9 мкр"}),
    ("В 1, 2 и 3-м мкр завтра нет воды", {"1 мкр", "2 мкр", "3 мкр"}),
    ("В седьмом и девятом микрорайонах отключат свет", {"7 мкр", "9 мкр"}),
    ("В д. 5, 3 мкр течёт крыша", {"3 мкр"}),  # a house, then its district: one district
    ("Третий день в пятом микрорайоне нет света", {"5 мкр"}),
])
def test_every_district_of_a_list_is_a_place(analyzer: Analyzer, text: str, districts: set[str]) -> None:
    # A round-up naming many districts is about none of them: the story matcher must see the whole list.
    places = {e.normal for e in annotate(analyzer, text).entities if e.kind == "place"}
    assert {d.replace("мкр", "микрорайон") for d in districts} == {p for p in places if "микрорайон" in p}


def test_ner_keeps_names_inside_sentences_and_drops_capitalised_words_opening_them(ner) -> None:  # type: ignore[no-untyped-def]
    inside = {e.text for e in ner.extract("Вчера ходили в Пятёрочку на Солнечной, там просрочка")}
    assert {"Пятёрочку", "Солнечной"} <= inside  # a shop and a street named by ordinary words
    opening = {e.text for e in ner.extract("Родным и близким соболезнования. Печать поставили в МФЦ")}
    assert "Родным" not in opening and "Печать" not in opening and "МФЦ" in opening


@pytest.mark.parametrize(("word", "name"), [("МФЦ", True), ("ГИБДД", True), ("МЧС", True), ("ОФИЦИАЛЬНО", False),
                                            ("ФЕЙК", False), ("РОДНЫМ", False)])
def test_a_word_in_capitals_is_a_name_only_when_it_is_an_abbreviation(lemmatizer, word: str, name: bool) -> None:  # type: ignore[no-untyped-def]
    assert names_by_itself(lemmatizer.morph, word, f"Это {word} сказали", 4) is name


def test_other_towns_are_places_without_ner(analyzer: Analyzer) -> None:
    result = annotate(analyzer, "В Рославле и в Сосновом Бору снова нет воды")
    assert {("place", "Рославль"), ("place", "Сосновый Бор")} <= {(e.kind, e.normal) for e in result.entities}


def test_ner_reads_only_sentences_that_may_name_someone_new(ner) -> None:  # type: ignore[no-untyped-def]
    text = "Опять нет воды.\nНЕ СРОЧНО, но КТО ответит?\nВ Десногорске жарко.\nДиректор Петров обещал починить."
    assert ner.naming_sentences(text, frozenset({"десногорск"})) == "Директор Петров обещал починить."
    assert ner.naming_sentences("Опять нет воды. Когда дадут?") == ""
    found = ner.extract_many(["Ничего нового.", text, "Сегодня Иван Сидоров открыл каток."], frozenset({"десногорск"}))
    assert found[0] == []
    assert [e.normal for e in found[1]] == ["Петров"]
    assert ("person", "Иван Сидоров") in {(e.kind, e.normal) for e in found[2]}


def test_signals_name_escalation_and_officials(analyzer: Analyzer) -> None:
    result = annotate(analyzer, "Глава города молчит, пишем коллективное обращение в прокуратуру")
    assert "escalation:прокуратура" in result.signals
    assert "escalation:коллективное обращение" in result.signals
    assert "official:Глава муниципального образования" in result.signals


@pytest.mark.parametrize(("text", "toxic"), [("Да пошли вы, б***ь", True), ("Это х**ня какая-то", True),
                                             ("Уроды, опять всё сломали", True), ("Хороший день", False)])
def test_toxicity(analyzer: Analyzer, text: str, toxic: bool) -> None:
    assert (annotate(analyzer, text).toxicity >= 0.5) is toxic


@pytest.mark.parametrize("text", ["", "😀😀😀", "   \n\t ", "\u200b\u200b", "a" * 100_000, "Дeсногорск " * 5000])
def test_odd_and_huge_texts_give_valid_annotations(analyzer: Analyzer, text: str) -> None:
    result = annotate(analyzer, text)
    record = result.to_record()
    assert set(record) >= {"id", "relevance", "topics", "sentiment", "needs_response", "entities", "toxicity"}
    assert 0.0 <= result.relevance <= 1.0 and result.topics


def test_lemmas_are_cached(analyzer: Analyzer) -> None:
    analyzer.lemmatizer.lemma.cache_clear()
    annotate(analyzer, "батареи батареи батареи")
    info = analyzer.lemmatizer.lemma.cache_info()
    assert info.hits >= 2


def test_officials_by_surname_in_any_case(settings, lemmatizer) -> None:  # type: ignore[no-untyped-def]
    officials = [*settings.nlp.officials, settings.nlp.officials[0].model_copy(update={"title": "Глава (по фамилии)",
                                                                                           "terms": ["Семёнов"]})]
    configured = settings.model_copy(update={"nlp": settings.nlp.model_copy(update={"officials": officials})})
    analyzer = Analyzer(configured, lemmatizer)
    for text in ("Семёнов опять молчит", "Обращаемся к Семёнову", "Письмо Семенову отправили", "спросите у Семёнова"):
        assert "official:Глава (по фамилии)" in annotate(analyzer, text).signals, text
    assert "official:Глава (по фамилии)" not in annotate(analyzer, "Семёновская улица").signals


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Ну наконец-то)))", "positive"),
        ("Сегодня был у бабушки)))", "positive"),
        ("опять всё отменили(((", "negative"),
        ("эх :(", "negative"),
        ("Всем привет! С днём рождения, мама!", "positive"),
        ("Поздравляю с юбилеем, счастья и здоровья!", "positive"),
        ("Хочу сказать спасибо соседям", "positive"),
        ("Охуенно красиво сегодня на набережной, просто офигенно", "positive"),
    ],
)
def test_smileys_and_speech_acts_colour_sentiment(analyzer: Analyzer, text: str, label: str) -> None:
    assert annotate(analyzer, text).sentiment.label == label


@pytest.mark.parametrize(
    "text",
    [
        "Быстрый ужин за 20 минут: курицу обжарить с луком, добавить сливки и сыр",
        "Отдам котят в добрые руки, приучены к лотку",
        "Кто-нибудь смотрел вчерашний матч? Судья просто слепой",
        "Во дворе неделю не горят фонари, управляющая компания не отвечает",
    ],
)
def test_nothing_ties_a_text_to_the_town_so_it_is_not_about_the_town(product_analyzer: Analyzer, text: str) -> None:
    """Whatever the classifier makes of the words, a text with no tie to the town stays below the threshold."""
    assert annotate(product_analyzer, text).relevance < 0.5


def test_a_tie_lets_the_classifier_decide(analyzer: Analyzer, product_analyzer: Analyzer) -> None:
    text = "Во дворе неделю не горят фонари, управляющая компания не отвечает"

    def tied(**context: object) -> bool:
        return analyzer.prepare(text, parent_text=context.pop("parent_text", None),  # type: ignore[arg-type]
                                context=PostContext(**context)).relevance.tied  # type: ignore[arg-type]

    assert not tied()
    assert tied(town_source=True)  # posted in a town community
    assert tied(parent_relevance=0.9)  # a comment on a town post
    assert not tied(parent_relevance=0.2)  # a comment on another town's post
    assert tied(parent_text="В 5 мкр опять авария")
    assert not tied(parent_text="В Брянске опять авария")
    # untied, the classifier's verdict is capped below the threshold; tied, it stands
    assert annotate(product_analyzer, text).relevance < annotate(product_analyzer, text, town_source=True).relevance
    assert annotate(product_analyzer, "В 5 мкр неделю не горят фонари").relevance >= 0.5


def test_a_comment_counts_by_its_parent_text(product_analyzer: Analyzer) -> None:
    tied = annotate(product_analyzer, "у нас так же, третий день", parent_text="В Десногорске нет горячей воды")
    untied = annotate(product_analyzer, "у нас так же, третий день", parent_text="В Брянске нет горячей воды")
    assert tied.relevance >= 0.5 > untied.relevance


def test_a_community_signed_with_the_town_name_is_a_town_source(analyzer: Analyzer) -> None:
    def context(author: str, parent: str | None = None) -> PostContext:
        return analyzer.context_for(Post(id="t", platform="vk", source="unlisted", published_at=AT, text="…",
                                         author=author, parent_id=parent))

    assert context("Школа №3 г. Десногорска").signed_by_town
    assert context("Подслушано Десногорск").signed_by_town
    assert not context("Барахолка Смоленск").signed_by_town
    assert not context("Десногорец Иван", parent="p1").signed_by_town  # a comment counts by its parent
    post = Post(id="t", platform="vk", source="unlisted", published_at=AT, text="Уважаемые родители! Собрание в 18:00")
    assert analyzer.prepare(post.text, context=context("Школа №3 г. Десногорска")).relevance.tied


def test_a_comment_in_a_town_community_counts_by_its_post_not_the_community(product_analyzer: Analyzer) -> None:
    other = annotate(product_analyzer, "жаль детей, стоять на морозе", town_source=True,
                     parent_text="В Ярцеве школьники жалуются, что автобус до школы не приходит")
    ours = annotate(product_analyzer, "жаль детей, стоять на морозе", town_source=True,
                    parent_text="Школьный автобус в 7 мкр опять не пришёл")
    assert other.relevance < 0.5 <= ours.relevance


def test_place_aliases_group_places_but_tie_nothing(analyzer: Analyzer, product_analyzer: Analyzer) -> None:
    """«больница» is the МСЧ when a post is about the town; said anywhere it ties nothing to the town. A numbered
    school of the gazetteer ties in any spelling."""
    assert annotate(product_analyzer, "Мама в больнице вторую неделю, молитесь за неё").relevance < 0.5
    assert not analyzer.prepare("Мама в больнице вторую неделю").relevance.tied
    for text in ("В 3-й школе опять холодно", "в школе № 3 холодно", "третья школа опять без тепла"):
        assert analyzer.prepare(text).relevance.tied, text
    assert not analyzer.prepare("в школе № 17 холодно").relevance.tied
