"""Texts that are not ordinary Russian prose: only smileys, only a link, only мат, Latin transliteration, Ukrainian
and Belarusian. Each gets a sensible annotation and never an exception."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collectors import Post
from nlp import Analyzer, Annotation, Lemmatizer
from nlp.translit import detransliterate, east_slavic_to_russian

AT = datetime(2026, 1, 14, 8, 0, tzinfo=timezone.utc)


def annotate(analyzer: Analyzer, text: str) -> Annotation:
    result = analyzer.analyze(Post(id="t", platform="vk", source="somebody", published_at=AT, text=text))
    record = result.to_record()
    assert 0.0 <= record["relevance"] <= 1.0 and record["topics"] and record["sentiment"]["label"]
    return result


@pytest.mark.parametrize("text", ["))))", "😂😂😂", "=)", "xD", "👍"])
def test_only_glad_smileys_are_positive_and_not_about_the_town(analyzer: Analyzer, text: str) -> None:
    result = annotate(analyzer, text)
    assert result.sentiment.label == "positive"
    assert result.relevance < 0.5 and not result.needs_response


@pytest.mark.parametrize("text", ["((((", ":(", "😢😢"])
def test_only_sad_smileys_are_negative_but_no_appeal(analyzer: Analyzer, text: str) -> None:
    result = annotate(analyzer, text)
    assert result.sentiment.label == "negative" and not result.needs_response


@pytest.mark.parametrize("text", ["https://vk.com/wall-123_456", "www.example.com/page?id=5", "t.me/some_channel"])
def test_only_a_link_is_neutral_and_not_about_the_town(product_analyzer: Analyzer, text: str) -> None:
    result = annotate(product_analyzer, text)
    assert result.sentiment.label == "neutral" and result.relevance < 0.5 and not result.needs_response


def test_only_mat_is_toxic_and_nothing_else(product_analyzer: Analyzer) -> None:
    result = annotate(product_analyzer, "бля, пиздец, нахуй")
    assert result.toxicity >= 0.5 and result.relevance < 0.5 and not result.needs_response


def test_latin_transliteration_is_read_as_russian(product_analyzer: Analyzer) -> None:
    result = annotate(product_analyzer, "privet, v desnogorske opyat net vody v 4 mkr, kogda dadut?")
    assert result.relevance >= 0.5
    assert "housing" in {t.code for t in result.topics}
    assert result.needs_response
    assert "Десногорск" in {e.normal for e in result.entities}


@pytest.mark.parametrize(
    "text",
    [
        "Hello everyone, see you at the party tonight!",
        "iPhone 15 Pro Max 256GB",
        "Смотрите www.desnogorsk.ru",
        "Let's go Energiya!! 🏒",
    ],
)
def test_english_and_brand_names_are_left_alone(lemmatizer: Lemmatizer, text: str) -> None:
    assert detransliterate(text, lemmatizer.morph.word_is_known) is None


def test_transliteration_finds_the_spelling_the_dictionary_knows(lemmatizer: Lemmatizer) -> None:
    known = lemmatizer.morph.word_is_known
    assert detransliterate("spasibo bolshoe vsem kto pomog", known) == "спасибо большое всем кто помог"
    assert detransliterate("u nas v podezde techet krysha", known) == "у нас в подъезде течет крыша"


@pytest.mark.parametrize(
    "text",
    ["У Десногорську немає світла вже третій день", "У Дзеснагорску няма святла ўжо трэці дзень, калі дадуць?"],
)
def test_ukrainian_and_belarusian_get_a_sensible_annotation(product_analyzer: Analyzer, text: str) -> None:
    result = annotate(product_analyzer, text)
    assert "energy" in {t.code for t in result.topics} or "housing" in {t.code for t in result.topics}


def test_ukrainian_letters_keep_words_whole() -> None:
    assert east_slavic_to_russian("У Десногорську немає світла") == "У Десногорску нет света"
    assert east_slavic_to_russian("Обычный русский текст") == "Обычный русский текст"


def test_mixed_scripts_and_junk_never_raise(product_analyzer: Analyzer) -> None:
    for text in ["Ї" * 500, "z" * 10_000, "4to 6to 3a ))) (((", "'" * 100, "privet " * 3000, "ў’ʼ'", "a)b(c)d(e"]:
        annotate(product_analyzer, text)
