"""Named entities from natasha's NER (people, places, organisations), adapted to our ``Entity`` records.

Spans are put into the nominative case with pymorphy3 rather than natasha's morphology tagger: the tagger
costs as much again as NER itself, and for names and place phrases inflecting up to the head noun is enough.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import lru_cache

import pymorphy3

from nlp.annotation import Entity

log = logging.getLogger(__name__)

_KINDS = {"PER": "person", "LOC": "place", "ORG": "organisation"}
MAX_NER_CHARS = 3000  # NER cost grows with length; the start of a post names its subject
# A capitalised word that does not open a sentence: names of people, places and bodies look like this.
_NAME_LIKE = re.compile(r"(?<![.!?…\n]\s)(?<!^)(?<![.!?…\n])\b[А-ЯЁA-Z][а-яёa-z]+|\b[А-ЯЁ]{2,}\b")
_WORD = re.compile(r"\S+")
_NOUNS = {"NOUN"}
_AGREEING = {"ADJF", "PRTF", "NUMR"}


def may_name_something(text: str) -> bool:
    """Cheap gate before NER: most short comments («у нас тоже», «когда дадут?») name nobody."""
    return bool(_NAME_LIKE.search(text.strip()))


def _shape(word: str, like: str) -> str:
    """Give ``word`` the capitalisation of ``like`` (ТАСС stays upper, Иванову → Иванов)."""
    if like.isupper() and len(like) > 1:
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


class Nominative:
    """Puts a span into the nominative: people word by word, other phrases up to their first noun."""

    def __init__(self, morph: pymorphy3.MorphAnalyzer) -> None:
        self._parse = lru_cache(maxsize=50_000)(lambda word: morph.parse(word)[0])

    def _inflect(self, word: str) -> tuple[str, bool]:
        """The nominative of one word and whether it is a noun (the head that ends agreement)."""
        if word.isupper() and len(word) > 1:
            return word, True  # an abbreviation: АЭС, МЧС, ЖКХ
        parse = self._parse(word)
        if parse.tag.POS in _NOUNS or parse.tag.POS in _AGREEING:
            form = parse.inflect({"nomn"}) if "plur" not in parse.tag else parse.inflect({"nomn", "plur"})
            return _shape(form.word if form else word, word), parse.tag.POS in _NOUNS
        return word, False

    def person(self, words: Sequence[str]) -> str:
        return " ".join(_shape(self._parse(w).normal_form, w) for w in words)

    def phrase(self, words: Sequence[str]) -> str:
        result: list[str] = []
        for index, word in enumerate(words):
            form, is_noun = self._inflect(word)
            result.append(form)
            if is_noun:
                return " ".join(result + list(words[index + 1 :]))
        return " ".join(result)


class NerTagger:
    """Loads natasha's embeddings and NER model once (≈1 s); ``extract`` is then a few ms a post."""

    def __init__(self, morph: pymorphy3.MorphAnalyzer | None = None) -> None:
        from natasha import NewsEmbedding, NewsNERTagger

        self._ner = NewsNERTagger(NewsEmbedding())
        self._nominative = Nominative(morph or pymorphy3.MorphAnalyzer())

    def extract(self, text: str) -> list[Entity]:
        return self.extract_many([text])[0]

    def extract_many(self, texts: Sequence[str]) -> list[list[Entity]]:
        """Entities of each text; texts that name nobody skip the model, the rest go through it together."""
        results: list[list[Entity]] = [[] for _ in texts]
        todo = [(i, t[:MAX_NER_CHARS]) for i, t in enumerate(texts) if t.strip() and may_name_something(t)]
        if not todo:
            return results
        try:
            markups = list(self._ner.map([t for _, t in todo]))
        except Exception:  # slovnet fails on rare token shapes; names are a bonus, not a reason to lose the post
            log.debug("natasha не разобрала пакет, разбираю по одному")
            markups = []
            for _, text in todo:
                try:
                    markups.extend(self._ner.map([text]))
                except Exception:
                    markups.append(None)
        for (index, text), markup in zip(todo, markups, strict=True):
            if markup is None:
                continue
            found: list[Entity] = []
            for span in markup.spans:
                written = text[span.start : span.stop]
                words = _WORD.findall(written)
                if not words:
                    continue
                normal = self._nominative.person(words) if span.type == "PER" else self._nominative.phrase(words)
                entity = Entity(_KINDS.get(span.type, span.type.lower()), written, normal)
                if entity not in found:
                    found.append(entity)
            results[index] = found
        return results
