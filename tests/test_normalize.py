"""Normalisation of social-media noise: a table of cases and properties that hold for any text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nlp.normalize import normalize, split_hashtag


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Дeсногорск", "Десногорск"),  # Latin e inside a Cyrillic word
        ("ВСE ПЛOХO", "ВСЕ ПЛОХО"),
        ("ооочень холодно", "очень холодно"),
        ("ХОЛОДНОООО!!!", "ХОЛОДНО!!!"),
        ("ООО «Ромашка»", "ООО «Ромашка»"),  # a word of one repeated letter is left alone
        ("нет\u200bотопления", "нетотопления"),
        ("смотрите https://vk.com/wall-1_2 тут", "смотрите тут"),
        ("[id123|Иван], ответьте", "Иван, ответьте"),
        ("пишите @desna_admin срочно", "пишите срочно"),
        ("#ДесногорскЖКХ #3мкр", "Десногорск ЖКХ 3 мкр"),
        ("всё ок 👍😊", "всё ок"),
        ("iPhone и Windows", "iPhone и Windows"),  # Latin words stay Latin
    ],
)
def test_cases(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


def test_signals_are_kept_aside() -> None:
    result = normalize("СРОЧНО!!! 😱😱 #САЭС https://t.me/x/1 @chan х**ня какая-то")
    assert result.emojis == ("😱", "😱")
    assert result.hashtags == ("САЭС",)
    assert result.links == ("https://t.me/x/1",)
    assert result.mentions == ("chan",)
    assert result.masked_obscenity == 1
    assert result.caps_ratio > 0.3


def test_split_hashtag() -> None:
    assert split_hashtag("жкх_десногорск") == "жкх десногорск"
    assert split_hashtag("ДесногорскЖКХ") == "Десногорск ЖКХ"
    assert split_hashtag("3мкр") == "3 мкр"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_normalises_without_invisible_characters(raw: str) -> None:
    result = normalize(raw)
    assert all(unicodedata.category(ch) not in {"Cf", "Cc", "Cs", "Co"} or ch in "\n\t" for ch in result.text)
    assert "http://" not in result.text and "https://" not in result.text
    assert 0.0 <= result.caps_ratio <= 1.0
    result.text.encode("utf-8", errors="strict") if "\ud800" not in raw else None


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Zs", "Po", "Nd"))))
@example("##0")  # a doubled hash lost one # per pass
def test_normalising_twice_changes_nothing(raw: str) -> None:
    once = normalize(raw).text
    assert normalize(once).text == once
