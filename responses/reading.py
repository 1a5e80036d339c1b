"""What the quality and satisfaction rules read in a text: phrase hits by lemma, moments and dates, verbs of a
finished job («починили», «подача восстановлена»), obscenity, and the name a reply opens with."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from nlp.lexicon import PhraseMatcher
from nlp.morph import Lemmatizer, tokenize
from nlp.normalize import normalize
from nlp.toxicity import toxicity
from responses.phrases import SOLVED_OBJECTS

MAX_CHARS = 5000  # a reply or a follow-up longer than this is judged on its opening
_MONTHS = "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
_WHEN_PATTERNS = (
    re.compile(r"(?<![\d.,])([01]?\d|2[0-3])[:.][0-5]\d(?![\d.,]\d)"),  # 18:00, 9.30
    re.compile(rf"\b\d{{1,2}}\s+(?:{_MONTHS})\b", re.IGNORECASE),  # 15 января
    re.compile(r"(?<![\d.])\d{1,2}\.\d{1,2}(?:\.\d{2,4})?(?![\d.]\d)"),  # 15.01, 15.01.2026
    re.compile(r"\bв\s+течени[ие]\s+(?:\d+|одного|двух|трёх|трех|пяти|десяти|суток|дня|недели|месяца|часа)",
               re.IGNORECASE),
    re.compile(r"\bчерез\s+(?:\d+|час|день|неделю|месяц|пару)", re.IGNORECASE),
    re.compile(r"\bдо\s+\d{1,2}(?:[:.]\d{2})?\s*(?:час|ч\b|числа|\b)", re.IGNORECASE),
    re.compile(r"\b20\d\d\s*(?:год|г\.)", re.IGNORECASE),
    re.compile(rf"\b(?:до|к|с)\s+\d{{1,2}}\s+(?:{_MONTHS})", re.IGNORECASE),
)
_OPENING_NAME = re.compile(r"^\s*@?([A-ZА-ЯЁ][a-zа-яё]+(?:\s+[A-ZА-ЯЁ][a-zа-яё]+){0,2})\s*[,!]")
_NEGATIONS = {"не", "ни", "нет"}
_SENTENCES = re.compile(r"[^.!?\n]+[.!?]*")
_GREETING = {"добрый", "день", "утро", "вечер", "здравствуйте", "здравствовать", "уважаемый", "приветствовать"}


@dataclass(frozen=True, slots=True)
class Reading:
    text: str
    lemmas: tuple[str, ...]
    hits: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    when: tuple[str, ...] = ()  # moments and dates by pattern, and words of time
    solved: tuple[str, ...] = ()  # past-tense verbs of a finished job, not negated
    unsolved: tuple[str, ...] = ()  # the same verbs negated («не сделали»)
    toxicity: float = 0.0
    addressee: str | None = None  # «Ольга, добрый день!» → «ольга»
    asks: tuple[str, ...] = ()  # what the text asks the reader to give: «уточните номер дома»
    direct: bool = False  # a sentence opens with «да» or «нет»: a straight answer to a question

    def has(self, name: str) -> bool:
        return bool(self.hits.get(name))

    def found(self, name: str) -> tuple[str, ...]:
        return self.hits.get(name, ())


class Reader:
    """Reads texts against the phrase lists; lists are compiled once (pymorphy lemmas of each phrase)."""

    def __init__(self, lemmatizer: Lemmatizer, phrase_lists: Mapping[str, Sequence[str]]) -> None:
        self.lemmatizer = lemmatizer
        self._matchers = {name: PhraseMatcher(lemmatizer, terms) for name, terms in phrase_lists.items()}
        self._solved = frozenset(lemmatizer.lemma(w) for w in phrase_lists.get("solved", ()))
        self._ask_verbs = frozenset(lemmatizer.lemma(w) for w in phrase_lists.get("ask_verbs", ()))
        self._details = frozenset(lemmatizer.lemma(w) for w in phrase_lists.get("details", ()))
        self.read = lru_cache(maxsize=20_000)(self._read)

    def _tags(self, token: str) -> str:
        return str(self.lemmatizer.morph.parse(token)[0].tag)

    def _addressed(self, token: str) -> bool:
        """An imperative or a second-person form («уточните», «напишите», «сообщите»)."""
        return any("impr" in str(p.tag) or "2per" in str(p.tag) for p in self.lemmatizer.morph.parse(token))

    def _read(self, text: str) -> Reading:
        text = text[:MAX_CHARS]
        normalized = normalize(text)
        tokens = tokenize(normalized.text)
        lemmas = tuple(self.lemmatizer.lemma(t) for t in tokens)
        skip = {"solved", "ask_verbs", "details"}
        hits = {name: tuple(matcher.find(lemmas)) for name, matcher in self._matchers.items() if name not in skip}
        asks, direct = self._asks(text)
        when = [m.group(0).strip() for pattern in _WHEN_PATTERNS for m in pattern.finditer(text)]
        when += list(hits.get("when", ()))
        solved: list[str] = []
        unsolved: list[str] = []
        for index, (token, lemma) in enumerate(zip(tokens, lemmas)):
            if lemma not in self._solved:
                continue
            tag = self._tags(token)
            if "past" not in tag and "PRTS" not in tag:
                continue
            needs = SOLVED_OBJECTS.get(lemma)
            if needs and not set(lemmas[index + 1:index + 4]) & set(needs):
                continue
            window = set(tokens[max(0, index - 3):index])  # «не сделали», «так и не починили», «ничего не убрали»
            (unsolved if window & _NEGATIONS else solved).append(lemma)
        opening = _OPENING_NAME.match(text)
        return Reading(
            text=text,
            lemmas=lemmas,
            hits=hits,
            when=tuple(dict.fromkeys(when)),
            solved=tuple(dict.fromkeys(solved)),
            unsolved=tuple(dict.fromkeys(unsolved)),
            toxicity=toxicity(tokens, normalized),
            addressee=self._person_opening(opening.group(1)) if opening else None,
            asks=tuple(dict.fromkeys([*hits.get("request", ()), *asks])),
            direct=direct,
        )

    def _asks(self, text: str) -> tuple[list[str], bool]:
        """Sentences that ask for details: an imperative of asking with a detail («напишите адрес»), or a question
        about a detail («в каком доме?»); and whether some sentence opens with a straight «да»/«нет»."""
        asks: list[str] = []
        direct = False
        for sentence in _SENTENCES.findall(text):
            tokens = tokenize(sentence)
            if not tokens:
                continue
            lemmas = [self.lemmatizer.lemma(t) for t in tokens]
            opening = [t for t in tokens if t not in _GREETING and not t.isdigit()]
            if opening and opening[0] in {"да", "нет"} and len(tokens) >= 4:
                direct = True
            details = [lemma for lemma in lemmas if lemma in self._details]
            if not details:
                continue
            imperative = [t for t, lemma in zip(tokens, lemmas) if lemma in self._ask_verbs and self._addressed(t)]
            question = sentence.rstrip().endswith("?") and bool({"какой", "где", "вы", "ваш", "который"} & set(lemmas))
            if imperative or question:
                asks.append(" ".join(sentence.split())[:60])
        return asks, direct

    def _person_opening(self, words: str) -> str | None:
        """The first name a reply opens with, if the opening words are a person's name («Ольга Петровна,»)."""
        for word in words.split():
            for parse in self.lemmatizer.morph.parse(word):
                if {"Name", "Surn"} & set(str(parse.tag).replace(" ", ",").split(",")):
                    return parse.normal_form.replace("ё", "е")
        return None


def first_name_of(author: str | None, lemmatizer: Lemmatizer) -> set[str]:
    """Lemmas of the name words of an author («Ольга Миронова» → {ольга, миронов}), to match an addressee."""
    if not author:
        return set()
    found: set[str] = set()
    for word in re.findall(r"[A-Za-zА-Яа-яЁё]+", author):
        for parse in lemmatizer.morph.parse(word):
            if {"Name", "Surn", "Patr"} & set(str(parse.tag).replace(" ", ",").split(",")):
                found.add(parse.normal_form.replace("ё", "е"))
        found.add(word.lower().replace("ё", "е"))
    return found
