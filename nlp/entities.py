"""Named entities from natasha's NER (people, places, organisations), adapted to our ``Entity`` records.

Spans are put into the nominative case with pymorphy3 rather than natasha's morphology tagger: the tagger
costs as much again as NER itself, and for names and place phrases inflecting up to the head noun is enough.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence, Set as AbstractSet
from functools import lru_cache

import pymorphy3

from nlp.annotation import Entity

log = logging.getLogger(__name__)

_KINDS = {"PER": "person", "LOC": "place", "ORG": "organisation"}
MAX_NER_CHARS = 3000  # NER cost grows with length; the start of a post names its subject
# A capitalised word that does not open a sentence: names of people, places and bodies look like this.
_NAME_LIKE = re.compile(r"(?<![.!?…\n]\s)(?<!^)(?<![.!?…\n])\b[А-ЯЁA-Z][а-яёa-z]+|\b[А-ЯЁ]{2,}\b")
_WORD = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
# Shouted or polite capitals that name nobody: «НЕ», «СРОЧНО», «КТО», «Вы».
_NOT_NAMES = {"PREP", "CONJ", "PRCL", "NPRO", "ADVB", "PRED", "INTJ", "COMP", "VERB", "INFN"}
_NOUNS = {"NOUN"}
_AGREEING = {"ADJF", "PRTF", "NUMR"}


_NAME_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr"})
_ABBREVIATION_TAGS = frozenset({"Abbr", "Orgn", "Geox"})
_QUOTES = "«\"“„'"


def names_by_itself(morph: pymorphy3.MorphAnalyzer, word: str, text: str, start: int) -> bool:
    """Can one word found at ``start`` be a name by itself? A word in capitals must be an abbreviation («МФЦ»,
    «МЧС»), not a shouted word («ОФИЦИАЛЬНО», «ФЕЙК»). Inside a sentence a capital says it is a name («на
    Солнечной», «в Пятёрочке»). At a sentence start it must be in quotes («Сокол») or a word the dictionary does
    not know or knows as a name («Десногорск», «Сафоново»): a capitalised ordinary word there («Родным…»,
    «Печать…») is NER's guess, not a place or a body."""
    lower = word.lower()

    def name_like(tags: frozenset[str]) -> bool:
        return not morph.word_is_known(lower) or any(tags & set(p.tag.grammemes) for p in morph.parse(lower))

    if word.isupper() and len(word) > 1:
        return name_like(_ABBREVIATION_TAGS)
    before = text[:start].rstrip()
    if before and before[-1] not in ".!?…:\n" or before.endswith(tuple(_QUOTES)):
        return True
    return name_like(_NAME_TAGS)


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
        self.parse = lru_cache(maxsize=50_000)(lambda word: morph.parse(word)[0])

    def _inflect(self, word: str) -> tuple[str, bool]:
        """The nominative of one word and whether it is a noun (the head that ends agreement)."""
        if word.isupper() and len(word) > 1:
            return word, True  # an abbreviation: АЭС, МЧС, ЖКХ
        parse = self.parse(word)
        if parse.tag.POS in _NOUNS or parse.tag.POS in _AGREEING:
            form = parse.inflect({"nomn"}) if "plur" not in parse.tag else parse.inflect({"nomn", "plur"})
            return _shape(form.word if form else word, word), parse.tag.POS in _NOUNS
        return word, False

    def person(self, words: Sequence[str]) -> str:
        return " ".join(_shape(self.parse(w).normal_form, w) for w in words)

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
        from natasha import NewsNERTagger

        from nlp.embeddings import news_embedding

        self._ner = NewsNERTagger(news_embedding())
        self._morph = morph or pymorphy3.MorphAnalyzer()
        self._nominative = Nominative(self._morph)

    def _is_candidate(self, word: str, known: AbstractSet[str]) -> bool:
        parse = self._nominative.parse(word.lower())
        return parse.tag.POS not in _NOT_NAMES and parse.normal_form.replace("ё", "е") not in known

    def naming_sentences(self, text: str, known: AbstractSet[str] = frozenset()) -> str:
        """Only the sentences with a capitalised word that may be a name not already ``known`` (lemmas).

        NER costs in proportion to the words it reads, and most sentences of a post name nobody new.
        """
        kept = [
            sentence
            for sentence in _SENTENCE_END.split(text[:MAX_NER_CHARS])
            if any(self._is_candidate(m.group(0), known) for m in _NAME_LIKE.finditer(sentence.strip()))
        ]
        return "\n".join(kept)

    def extract(self, text: str, known: AbstractSet[str] = frozenset()) -> list[Entity]:
        return self.extract_many([text], known)[0]

    def extract_many(self, texts: Sequence[str], known: AbstractSet[str] = frozenset()) -> list[list[Entity]]:
        """Entities of each text, read in one batch sorted by length (less padding); ``known`` lemmas are not sought."""
        results: list[list[Entity]] = [[] for _ in texts]
        todo = [(i, part) for i, t in enumerate(texts) if may_name_something(t) and (part := self.naming_sentences(t, known))]
        if not todo:
            return results
        todo.sort(key=lambda item: len(item[1]))
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
                if not words or (span.type != "PER" and len(words) == 1
                                 and not names_by_itself(self._morph, words[0], text, span.start)):
                    continue
                normal = self._nominative.person(words) if span.type == "PER" else self._nominative.phrase(words)
                entity = Entity(_KINDS.get(span.type, span.type.lower()), written, normal)
                if entity not in found:
                    found.append(entity)
            results[index] = found
        return results
