"""Russian internet smileys: brackets, text faces and emoji become kinds that features and sentiment read."""

from __future__ import annotations

import pytest

from nlp.normalize import normalize
from nlp.smileys import extract_smileys, smiley_polarity, smiley_tokens


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("спасибо)", ("smile",)),
        ("ура))))))))", ("smile", "smile", "smile")),
        ("опять без воды(((", ("sad", "sad", "sad")),
        ("жаль(", ("sad",)),
        ("ну :( как так", ("sad",)),
        ("=) привет", ("smile",)),
        ("xD ну ты даёшь", ("laugh",)),
        ("О_о это что было", ("surprise",)),
        ("o_O", ("surprise",)),
        (":-D", ("laugh",)),
        (";) до встречи", ("wink",)),
    ],
)
def test_text_smileys_are_recognised_and_leave_the_text(text: str, kinds: tuple[str, ...]) -> None:
    clean, found = extract_smileys(text)
    assert found == kinds
    assert not set(clean) & set("():=;_"), clean


@pytest.mark.parametrize(
    "text",
    [
        "(см. выше) всё верно",
        "Документы: 1) заявление 2) паспорт",
        "Счёт 2:0, матч в 18:00 (по Москве)",
        "ул. Ленина (д. 5), подъезд 2",
    ],
)
def test_parentheses_times_and_lists_are_not_smileys(text: str) -> None:
    clean, found = extract_smileys(text)
    assert found == ()
    assert clean == text


def test_normalized_text_carries_smileys_and_emoji_kinds() -> None:
    result = normalize("Ахаха, вот это новости)) 😂👍")
    assert result.smileys.count("smile") == 2
    assert "laugh" in result.smileys and "approve" in result.smileys
    assert ")" not in result.text


def test_polarity_and_feature_tokens() -> None:
    assert smiley_polarity(("smile", "smile")) > 0 > smiley_polarity(("sad",))
    assert smiley_polarity(("surprise",)) == 0
    assert smiley_tokens(("smile", "smile", "laugh")) == ["__smiley_smile__", "__smiley_laugh__", "__smiley_positive__"]
    assert smiley_tokens(("sad",)) == ["__smiley_sad__", "__smiley_negative__"]
    assert smiley_tokens(()) == []
