"""Is a post about the town? A 0..1 score from the gazetteer, the source, and other towns' names."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from config.schema import GazetteerSettings
from nlp.lexicon import PhraseMatcher
from nlp.morph import Lemmatizer

_ORDINALS = ("первый", "второй", "третий", "четвертый", "пятый", "шестой", "седьмой", "восьмой", "девятый",
             "десятый", "одиннадцатый", "двенадцатый")
_DISTRICT_WORDS = {"мкр", "микрорайон", "микр", "мкрн", "мкр-н"}
_NUMBER_BEFORE = re.compile(r"(?<!\d)(\d{1,2})\s*-?\s*(?:й|ой|ий|м|ом|го|ого|ом)?\s*(?:мкр|микрорайон|микр)", re.IGNORECASE)
# «в 7 и 9 микрорайонах», «1, 2 и 3-й мкр»: every number of the list is a district. A conjunction is required, so
# that «д. 5, 3 мкр» (a house, then its district) stays one district.
_ENDING = r"(?:\s*-?\s*(?:й|ой|ий|м|ом|го|ого|х))?"
_NUMBER_LIST_BEFORE = re.compile(
    rf"(?<![\d.,])((?:\d{{1,2}}{_ENDING}\s*,\s*)*\d{{1,2}}{_ENDING}\s+(?:и|или)\s+\d{{1,2}}){_ENDING}\s*(?:мкр|микрорайон|микр)",
    re.IGNORECASE)
_NUMBER_AFTER = re.compile(r"(?:мкр|микрорайон|микр)\.?\s*(?:н\.?)?\s*(?:№\s*)?(\d{1,2})(?!\d)", re.IGNORECASE)


def _ordinals_listed_before(lemmas: Sequence[str], last: int) -> list[str]:
    """«в седьмом и девятом микрорайонах»: the ordinal before the district word and those listed before it
    (lemmas carry no commas, so «первом, втором и третьем» reads as adjacent ordinals and a conjunction)."""
    found = [lemmas[last]]
    index = last - 1
    while index >= 0:
        if lemmas[index] in ("и", "или") and index > 0 and lemmas[index - 1] in _ORDINALS:
            index -= 1
        elif lemmas[index] not in _ORDINALS:
            break
        found.append(lemmas[index])
        index -= 1
    return found


@dataclass(frozen=True, slots=True)
class RelevanceEvidence:
    score: float
    places: tuple[str, ...]
    town_terms: tuple[str, ...]
    other_towns: tuple[str, ...]
    # Something ties the text to the town: its name, a gazetteer place, a town source, a parent about the town.
    # Without a tie a text is not about the town, whatever a classifier makes of its words (see ``cap_untied``).
    tied: bool = True

    @property
    def about_town(self) -> bool:
        """Tied, and not only news of another town («В Рославле…» posted in our community): what a comment under
        this post inherits."""
        return self.tied and not (self.other_towns and not self.town_terms and not self.places)


class RelevanceScorer:
    """Combines independent pieces of evidence as ``1 - Π(1 - wᵢ)`` and damps other towns' news."""

    TOWN = 0.9
    DERIVED = 0.85
    DISTRICT = 0.7
    PLANT = 0.55
    INSTITUTION = 0.35
    TOWN_SOURCE = 0.6
    PARENT = 0.7

    def __init__(self, gazetteer: GazetteerSettings, lemmatizer: Lemmatizer) -> None:
        self._gazetteer = gazetteer
        self._town = PhraseMatcher(lemmatizer, gazetteer.town).add_inflections(lemmatizer)
        self._derived = PhraseMatcher(lemmatizer, gazetteer.derived)
        self._plant = PhraseMatcher(lemmatizer, gazetteer.plant)
        # Numbered institutions («школа №3») tie a text to the town through nlp.places (``known_place``), which reads
        # them in every spelling; as evidence of how much a text is about the town they weigh nothing extra.
        named = [name for name in gazetteer.institutions if not any(ch.isdigit() for ch in name)]
        self._institutions = PhraseMatcher(lemmatizer, [*named, *gazetteer.streets])
        self._others = PhraseMatcher(lemmatizer, gazetteer.other_towns).add_inflections(lemmatizer)

    def names_town(self, lemmas: Sequence[str]) -> bool:
        """The town or a word derived from it: «Десногорск», «десногорский», «десногорцы»."""
        return bool(self._town.find(lemmas) or self._derived.find(lemmas))

    def districts(self, text: str, lemmas: Sequence[str]) -> list[str]:
        """Microdistricts mentioned, as «3 мкр», within the configured range."""
        limit = self._gazetteer.districts_max
        found: list[tuple[int, int]] = []
        lowered = text.lower()
        if "мкр" in lowered or "микр" in lowered:  # most texts name no district: the patterns need not run
            found += [(m.start(1), int(m.group(1))) for pattern in (_NUMBER_BEFORE, _NUMBER_AFTER) for m in pattern.finditer(text)]
            found += [(m.start(1) + n.start(), int(n.group())) for m in _NUMBER_LIST_BEFORE.finditer(text)
                      for n in re.finditer(r"\d{1,2}", m.group(1))]
        numbers = [number for _, number in sorted(found)]
        for index, lemma in enumerate(lemmas[:-1]):
            if lemma in _ORDINALS and lemmas[index + 1] in _DISTRICT_WORDS:
                numbers += [_ORDINALS.index(o) + 1 for o in reversed(_ordinals_listed_before(lemmas, index))]
        seen: list[str] = []
        for number in numbers:
            key = f"{number} мкр"
            if 1 <= number <= limit and key not in seen:
                seen.append(key)
        return seen

    def score(
        self,
        text: str,
        lemmas: Sequence[str],
        *,
        town_source: bool = False,
        parent_relevance: float | None = None,
        parent_tied: bool = False,
        known_place: bool = False,
        source_ties: bool = True,
        signed_by_town: bool = False,
    ) -> RelevanceEvidence:
        """``parent_tied``: the parent post is about the town (a comment counts by its parent); ``known_place``:
        the text names an institution of the gazetteer in a form the phrase lists miss («в 3-й школе»); ``source_ties``:
        false for a comment whose parent is known — a comment counts by its parent, not by the community."""
        town = self._town.find(lemmas)
        derived = self._derived.find(lemmas)
        districts = self.districts(text, lemmas)
        plant = self._plant.find(lemmas)
        institutions = self._institutions.find(lemmas)
        others = [t for t in self._others.find(lemmas) if t not in town]
        weights: list[float] = []
        weights += [self.TOWN] * bool(town) + [self.DERIVED] * bool(derived)
        weights += [self.DISTRICT] * bool(districts)
        weights += [self.PLANT] * min(len(plant), 2)
        weights += [self.INSTITUTION] * bool(institutions)
        if town_source:
            weights.append(self.TOWN_SOURCE)
        if parent_relevance is not None:
            weights.append(self.PARENT * parent_relevance)
        remaining = 1.0
        for weight in weights:
            remaining *= 1.0 - weight
        score = 1.0 - remaining
        if others and not (town or derived or districts):
            # «В Рославле нет отопления» is not a Desnogorsk alert, even in a town community.
            score *= 0.25
        places = tuple(dict.fromkeys([*(self._gazetteer.town[:1] if town or derived else []), *districts]))
        tied = bool(town or derived or districts or plant or institutions or known_place or parent_tied
                    or ((town_source or signed_by_town) and source_ties))
        return RelevanceEvidence(round(min(score, 1.0), 3), places, tuple(town + derived), tuple(others), tied)


UNTIED_SHARE = 0.98  # an untied text keeps its rank among untied ones, but stays just below the threshold


def cap_untied(score: float, evidence: RelevanceEvidence, threshold: float) -> float:
    """A text nothing ties to the town scores below ``threshold``: everyday chatter, recipes, adverts and other
    regions' news read like local posts to a classifier, but only a tie makes them ours."""
    if evidence.tied:
        return score
    return min(score, score * UNTIED_SHARE * threshold)
