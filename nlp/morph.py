"""Tokens and lemmas: pymorphy3 behind an LRU cache, because lemmatisation is the hot path."""

from __future__ import annotations

import re
from functools import lru_cache

import pymorphy3

_TOKEN = re.compile(r"[а-яёa-z0-9]+(?:-[а-яёa-z]+)*", re.IGNORECASE)


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens (digits kept: «3 мкр» matters)."""
    return [t.lower().replace("ё", "е") for t in _TOKEN.findall(text)]


class Lemmatizer:
    """Loads the pymorphy3 dictionaries once; ``lemma`` is cached per word form."""

    def __init__(self, cache_size: int = 200_000) -> None:
        self.morph = pymorphy3.MorphAnalyzer()  # shared with NER's normaliser: the dictionaries load once
        self.lemma = lru_cache(maxsize=cache_size)(self._lemma)
        self.is_noun = lru_cache(maxsize=cache_size // 4)(self._is_noun)
        self.first_person_number = lru_cache(maxsize=cache_size // 4)(self._first_person_number)

    def _lemma(self, word: str) -> str:
        if not word.isalpha():
            return word
        return self.morph.parse(word)[0].normal_form.replace("ё", "е")

    def _is_noun(self, word: str) -> bool:
        """The likeliest reading of a word form is a noun (asked only where a rule needs it: it is not cheap)."""
        return word.isalpha() and self.morph.parse(word)[0].tag.POS == "NOUN"

    def _first_person_number(self, word: str) -> str | None:
        """«прошу», «проживаю» → ``sing``, «пишем», «просим» → ``plur``: a verb form in the first person; None
        for anything else."""
        if not word.isalpha():
            return None
        tag = self.morph.parse(word)[0].tag
        return str(tag.number) if tag.person == "1per" else None

    def lemmas(self, text: str) -> list[str]:
        return [self.lemma(token) for token in tokenize(text)]

    def phrase(self, phrase: str) -> tuple[str, ...]:
        """A dictionary phrase («смоленская аэс») as a lemma sequence («смоленский», «аэс»)."""
        return tuple(self.lemmas(phrase))
