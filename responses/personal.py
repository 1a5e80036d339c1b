"""Personal data in an official reply (152-ФЗ): a private mobile number, an address down to the flat, the full
name of someone other than the resident being answered. Office numbers and officials' names are not personal data
in this sense: they are how an institution speaks."""

from __future__ import annotations

import re
from collections.abc import Iterable

from nlp.morph import Lemmatizer

# A Russian mobile number (+7 9xx…, 8 9xx…, 9xx…): an office landline in Desnogorsk is (48153) …
_MOBILE = re.compile(r"(?<!\d)(?:\+?7|8)?[\s(–-]*9\d{2}[\s)–-]*\d{3}[\s–-]*\d{2}[\s–-]*\d{2}(?!\d)")
_FLAT = re.compile(r"\b(?:кв\.?|квартир[аеыу]|квартиры)\s*№?\s*\d{1,4}\b", re.IGNORECASE)
_INITIALS = re.compile(r"\b([А-ЯЁ][а-яё]+)\s+[А-ЯЁ]\.\s?[А-ЯЁ]\.")
_CAPITALISED = re.compile(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?")
# Words of office before a name: the name is an official's, said on purpose.
_OFFICE = {
    "глава", "заместитель", "зам", "начальник", "директор", "заведующий", "главный", "врач", "главврач", "мастер",
    "инженер", "специалист", "руководитель", "председатель", "депутат", "инспектор", "участковый", "уполномоченный",
    "диспетчер", "прораб", "юрист", "секретарь", "сотрудник", "администратор", "губернатор", "министр", "педагог",
    "учитель", "воспитатель", "терапевт", "педиатр", "фельдшер", "доктор",
}


def _name_tags(lemmatizer: Lemmatizer, word: str) -> tuple[set[str], str]:
    tags: set[str] = set()
    normal = word.lower()
    for parse in lemmatizer.morph.parse(word):
        found = {"Name", "Surn", "Patr"} & set(str(parse.tag).replace(" ", ",").split(","))
        if found and parse.score >= 0.05:
            tags |= found
            normal = parse.normal_form
    return tags, normal.replace("ё", "е")


def full_names(text: str, lemmatizer: Lemmatizer) -> list[tuple[str, set[str], int, str]]:
    """Full names in a text: (as written, their lemmas, start offset, the surname's lemma). A name with a surname,
    or a surname with initials; a first name with a patronymic alone is a polite address, not a full name."""
    found: list[tuple[str, set[str], int, str]] = []
    for match in _INITIALS.finditer(text):
        tags, normal = _name_tags(lemmatizer, match.group(1))
        if "Surn" in tags or not tags:
            found.append((match.group(0), {normal}, match.start(), normal))
    words = list(_CAPITALISED.finditer(text))
    index = 0
    while index < len(words):
        run = [words[index]]
        while index + len(run) < len(words) and len(run) < 3:
            following = words[index + len(run)]
            if text[run[-1].end():following.start()].strip():
                break
            run.append(following)
        if len(run) >= 2:
            tagged = [_name_tags(lemmatizer, w.group(0)) for w in run]
            kinds = set().union(*(t for t, _ in tagged))
            if "Surn" in kinds and ("Name" in kinds or "Patr" in kinds) and all(t for t, _ in tagged):
                start, end = run[0].start(), run[-1].end()
                surname = next(n for t, n in tagged if "Surn" in t)
                if not any(start <= s < end for _, _, s, _ in found):
                    found.append((text[start:end], {n for _, n in tagged}, start, surname))
                index += len(run)
                continue
        index += 1
    return found


def disclosures(text: str, lemmatizer: Lemmatizer, resident: Iterable[str] = (), *,
                known_names: Iterable[str] = ()) -> list[str]:
    """Reasons (Russian) for every kind of personal data the reply discloses; empty when there is none.

    ``resident`` are the name lemmas of the person being answered (their own name is no disclosure), and
    ``known_names`` other names it may speak (officials)."""
    reasons: list[str] = []
    if _MOBILE.search(text):
        reasons.append("в ответе номер мобильного телефона")
    if _FLAT.search(text):
        reasons.append("в ответе адрес с номером квартиры")
    own = {n.lower().replace("ё", "е") for n in resident}
    known = {n.lower().replace("ё", "е") for n in known_names}
    for written, lemmas, start, surname in full_names(text, lemmatizer):
        if surname in own or lemmas <= known:
            continue  # the resident's own name (by surname: a shared first name is someone else)
        before = [w.lower() for w in re.findall(r"[А-Яа-яЁё]+", text[max(0, start - 40):start])][-3:]
        if {lemmatizer.lemma(w) for w in before} & _OFFICE:
            continue
        reasons.append(f"в ответе полное имя другого человека: {written}")
        break
    return reasons
