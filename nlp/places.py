"""Places and institutions a complaint is about, as stable keys: «школа №3», «детский сад «солнышко»»,
«3 мкр, д. 12», a gazetteer institution («мсч»), an organisation natasha found.

The same key written differently by different residents («в 3-й школе», «школа № 3», «третья школа») must come out
the same: recurring problems are found by grouping complaints on these keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from nlp.annotation import Entity
from nlp.entities import names_by_itself
from nlp.lexicon import PhraseMatcher
from nlp.morph import Lemmatizer

_ORDINALS = ("первый", "второй", "третий", "четвертый", "пятый", "шестой", "седьмой", "восьмой", "девятый",
             "десятый", "одиннадцатый", "двенадцатый")
# Institution words (stems) → the key's name. Longer stems first: «детский сад» before «сад».
_KINDS: tuple[tuple[str, str], ...] = (
    (r"детск\w*\s+сад\w*|детсад\w*|садик\w*|д/с|доу", "детский сад"),
    (r"школ\w*|сош", "школа"),
    (r"гимнази\w*", "гимназия"),
    (r"лице[йяюем]\w*", "лицей"),
    (r"поликлиник\w*", "поликлиника"),
    (r"больниц\w*", "больница"),
    (r"общежити\w*", "общежитие"),
    (r"аптек\w*", "аптека"),
    (r"дк|дом\w*\s+культуры", "дк"),
    (r"подъезд\w*", "подъезд"),
)
_KIND_WORDS = "|".join(f"(?:{stem})" for stem, _ in _KINDS)
_NUMBER_AFTER = re.compile(rf"\b({_KIND_WORDS})\s*(?:№|n|номер)?\s*(\d{{1,3}})(?!\d|[.,:]\d)", re.IGNORECASE)
_NUMBER_BEFORE = re.compile(rf"(?<![\d.,:])(\d{{1,3}})\s*(-?\s*(?:[ао]?я|[оыи]?й|[оеу]?ю|ой|ом|ем|ая))?\s+({_KIND_WORDS})\b",
                            re.IGNORECASE)
# «2 школы», «5 садиков»: a count, not a number; without an ordinal ending only singular forms name one
_COUNTED = re.compile(r"\w*(?:ы|и|ов|ей|ек|ол|ик)$|школ$", re.IGNORECASE)
_NAMED = re.compile(rf"\b({_KIND_WORDS})\s*[«\"“„']([^»\"”“']{{2,30}})[»\"”“']", re.IGNORECASE)
_LEMMA_KINDS = {"школа": "школа", "гимназия": "гимназия", "лицей": "лицей", "садик": "детский сад",
                "детсад": "детский сад", "поликлиника": "поликлиника", "больница": "больница", "общежитие": "общежитие"}
_DISTRICT = r"(?:мкр|мкрн|микр|микрорайон\w*)\.?"
_HOUSE = r"(?:д|дом\w*)\.?\s*(?:№\s*)?(\d{1,3}(?:[а-е](?![а-яё]))?)"
_ADDRESS = (
    # «3 мкр д 12», «3-й микрорайон, дом 12», «мкр 3, д. 12»
    re.compile(rf"(?<!\d)(\d{{1,2}})\s*-?\s*(?:[оыи]?й|м|ом)?\s*{_DISTRICT}[\s,]*{_HOUSE}", re.IGNORECASE),
    re.compile(rf"{_DISTRICT}\s*(\d{{1,2}})[\s,]*{_HOUSE}", re.IGNORECASE),
)
# «дом 12 в 3 мкр», «д. 12, 3 мкр»: the house first
_ADDRESS_HOUSE_FIRST = re.compile(rf"{_HOUSE}[\s,]+(?:в\s+)?(\d{{1,2}})\s*-?\s*(?:[оыи]?й|м|ом)?\s*{_DISTRICT}", re.IGNORECASE)
MAX_ORG_WORDS = 4
# Abbreviations NER takes for organisations that name no place a complaint is about.
_NOT_PLACE_ABBREVIATIONS = frozenset({"сво", "тв", "снилс", "инн", "тко", "жкх", "смс", "sms", "чп", "рф", "ип", "ооо",
                                      "сми", "вк", "ок", "мчс рф"})
_QUOTES = re.compile(r"[«»\"“”„']")
_DIGIT = re.compile(r"\d")


def _kind_of(word: str) -> str:
    for stem, name in _KINDS:
        if re.fullmatch(stem, word, re.IGNORECASE):
            return name
    return word.lower()


def _name(text: str) -> str:
    """«ДК «Юбилейный»» and «ДК Юбилейный» are one key: lower case, no quotes, single spaces."""
    return " ".join(_QUOTES.sub(" ", text.lower().replace("ё", "е")).split())


def address_key(district: int, house: str) -> str:
    return f"{district} мкр, д. {house.replace(' ', '').lower()}"


class PlaceKeys:
    """Keys of the institutions and addresses a text names, from patterns, the gazetteer and NER organisations."""

    def __init__(self, lemmatizer: Lemmatizer, institutions: Sequence[str], districts_max: int,
                 generic: Iterable[str] = (), aliases: Mapping[str, Sequence[str]] | None = None) -> None:
        self._lemmatizer = lemmatizer
        self._canonical = {_name(alias): _name(name) for name, names in (aliases or {}).items() for alias in names}
        self._institutions = PhraseMatcher(lemmatizer, [*institutions, *(a for names in (aliases or {}).values() for a in names)])
        self._gazetteer_keys = frozenset(_name(name) for name in institutions)
        self._districts_max = districts_max
        # Organisations everyone talks to («администрация», «УК») are not a place: they would join everything.
        self._generic = frozenset(lemma for term in generic for lemma in lemmatizer.phrase(term))

    def find(self, text: str, lemmas: Sequence[str], entities: Sequence[Entity] = (),
             written: Sequence[str] | None = None) -> list[str]:
        """``written``: what :meth:`written` already found in this text (spares the patterns a second pass)."""
        keys = list(self.written(text, lemmas) if written is None else written)
        opening = text.lstrip()[:60].lower()
        for entity in entities:
            # «Подслушано: …», «ЧП Десногорск: …» — a community signing its post, not a place it is about.
            if entity.kind != "organisation" or opening.startswith(entity.text.lower()):
                continue
            phrase = self._lemmatizer.phrase(entity.normal)
            if (phrase and len(phrase) <= MAX_ORG_WORDS and phrase[0] not in self._generic
                    and (len(phrase) > 1 or self._named_one_word(entity, text))):
                keys.append(_name(entity.normal))
        return list(dict.fromkeys(self._canonical.get(key, key) for key in keys))

    def _named_one_word(self, entity: Entity, text: str) -> bool:
        """A one-word organisation is a place key only if it is a name, and not one of the abbreviations that name
        no place («СВО», «ТВ»): two complaints must not become one recurring problem through NER's noise."""
        word = entity.text.strip()
        if word.isupper() and word.lower().replace("ё", "е") in _NOT_PLACE_ABBREVIATIONS:
            return False
        return any(names_by_itself(self._lemmatizer.morph, word, text, found.start())
                   for found in re.finditer(re.escape(word), text)) or word not in text

    def known(self, keys: Sequence[str]) -> bool:
        """Does a key name an institution of the gazetteer: «в 3-й школе» is «школа №3» when the gazetteer lists it."""
        return any(key in self._gazetteer_keys for key in keys)  # aliases («больница») group places, they tie nothing

    def written(self, text: str, lemmas: Sequence[str]) -> list[str]:
        """Keys found by the patterns and the gazetteer, without NER's organisations."""
        keys: list[str] = []
        # Cheap tests first: most texts have no number, no quotes and no district, and the patterns cost more.
        numbered = _DIGIT.search(text) is not None
        lowered = text.lower() if numbered else ""
        for match in _NUMBER_AFTER.finditer(text) if numbered else ():
            keys.append(f"{_kind_of(match.group(1))} №{int(match.group(2))}")
        for match in _NUMBER_BEFORE.finditer(text) if numbered else ():
            word = match.group(3).split()[-1]
            if match.group(2) or not _COUNTED.fullmatch(word):
                keys.append(f"{_kind_of(match.group(3))} №{int(match.group(1))}")
        for index, lemma in enumerate(lemmas[:-1]):
            if lemma in _ORDINALS and lemmas[index + 1] in _LEMMA_KINDS:
                keys.append(f"{_LEMMA_KINDS[lemmas[index + 1]]} №{_ORDINALS.index(lemma) + 1}")
        for match in _NAMED.finditer(text) if _QUOTES.search(text) else ():
            keys.append(f"{_kind_of(match.group(1))} {_name(match.group(2))}")
        if "мкр" in lowered or "микр" in lowered:
            for pattern in _ADDRESS:
                for match in pattern.finditer(text):
                    if 1 <= int(match.group(1)) <= self._districts_max:
                        keys.append(address_key(int(match.group(1)), match.group(2)))
            for match in _ADDRESS_HOUSE_FIRST.finditer(text):
                if 1 <= int(match.group(2)) <= self._districts_max:
                    keys.append(address_key(int(match.group(2)), match.group(1)))
        keys += [_name(term) for term in self._institutions.find(lemmas)]
        return keys
