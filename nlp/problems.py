"""Statements of a problem: a resident describing something broken, missing, dirty, late or dangerous.

«Не работает освещение», «течёт крыша», «не вывозят мусор третий день», «во дворе неделю не горят фонари» need an
answer although they ask nothing and address no one. The detector reads lemmas: a *failure* («не гореть»,
«течь»), a *lack* («нет», «без») or a bad *state* («разбитый») next to an *object* of town life («фонарь», «крыша»,
the config's topic words), made stronger by *duration* («третий день», «до сих пор»). Announcements, adverts and
problems already solved («воду дали») are not statements of a problem. The lexicon is ``resources/problems.txt``
plus the config's ``nlp.problems``: analysts extend both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from nlp.lexicon import PhraseMatcher
from nlp.lexicons import tagged_terms
from nlp.morph import Lemmatizer

KINDS = ("object", "failure", "lack", "state", "duration", "announcement", "advert", "resolved")
OBJECT_WINDOW = 6  # a failure and its object within this many words: «фонари во дворе третий день не горят»
LACK_WINDOW = 4  # «нет горячей воды», «без света уже неделю»
STATE_WINDOW = 3  # «разбитая дорога», «дорога разбитая»
STRONG = 1.0  # failure, lack or state of an object
PERSISTENT = 0.8  # a failure without a known object, but lasting («третий день не работает») or of some other
# thing named next to it («сломаны перила»): the lexicon cannot list every object of town life
WEAK = 0.4  # a failure alone: «сломалось»
ANNOUNCEMENT_VOICE = 3  # so many different marks of an announcement: its «we» is the organisation's
FIRST_PERSON = frozenset({"я", "мы", "мой", "наш"})  # a resident's voice: «у нас», «мой дом»
_PAST = re.compile(r"(?:л|ла|ло|ли|лся|лась|лось|лись)$")  # «починили», «дали»: resolved only when done


@dataclass(frozen=True, slots=True)
class Problem:
    """How surely a text states a problem (0..1) and what it found: ``objects``, ``failures`` as written in the
    lexicon, and ``cancelled`` by what (announcement, advert, resolved) when it is not a problem after all."""

    strength: float = 0.0
    objects: tuple[str, ...] = ()
    failures: tuple[str, ...] = ()
    lasting: bool = False
    cancelled: str | None = None

    @property
    def stated(self) -> bool:
        return self.strength >= PERSISTENT


NO_PROBLEM = Problem()


def _near(spans: Sequence[tuple[int, int, str]], start: int, end: int) -> list[str]:
    return [term for s, e, term in spans if s < end and e > start]


class ProblemDetector:
    def __init__(
        self,
        lemmatizer: Lemmatizer,
        objects: Iterable[str] = (),
        extra: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """``objects``: more object words (the config's topic lemmas); ``extra``: the config's lexicon by kind."""
        terms: dict[str, list[str]] = {kind: [] for kind in KINDS}
        for term, kind in tagged_terms("problems.txt"):
            terms.setdefault(kind, []).append(term)
        terms["object"] += list(objects)
        for kind, words in (extra or {}).items():
            terms.setdefault(kind, []).extend(words)
        self._lemmatizer = lemmatizer
        self._matchers = {kind: PhraseMatcher(lemmatizer, words) for kind, words in terms.items() if words}

    def _spans(self, kind: str, lemmas: Sequence[str]) -> list[tuple[int, int, str]]:
        matcher = self._matchers.get(kind)
        return matcher.spans(lemmas) if matcher is not None else []

    def first_person(self, tokens: Sequence[str], lemmas: Sequence[str], *, plural_verbs: bool = True) -> bool:
        """Written in the first person («у нас», «прошу», «проживаю»): a resident's voice, not an announcement's.
        ``plural_verbs=False`` leaves out «рекомендуем», «приносим»: an organisation speaks so too. Verbs are
        parsed only when no pronoun says so already."""
        if not FIRST_PERSON.isdisjoint(lemmas):
            return True
        wanted = ("sing", "plur") if plural_verbs else ("sing",)
        return any(self._lemmatizer.first_person_number(token) in wanted for token in tokens[:400])

    @staticmethod
    def _done(tokens: Sequence[str], index: int) -> bool:
        """«починили», «дали», «наконец»: a past, not negated, fix (tokens and lemmas align one to one)."""
        if index >= len(tokens):
            return False
        token = tokens[index]
        return token.startswith("наконец") or (bool(_PAST.search(token)) and (index == 0 or tokens[index - 1] != "не"))

    def _some_noun(self, tokens: Sequence[str], start: int, end: int) -> bool:
        return any(self._lemmatizer.is_noun(token) for token in tokens[max(0, start):end] if len(token) > 2)

    def detect(
        self, tokens: Sequence[str], lemmas: Sequence[str], *, negative: bool = False, positive: bool = False
    ) -> Problem:
        """``negative``/``positive``: the text's sentiment (a solved problem told angrily is still a complaint,
        a glad text mentioning an old failure is not one)."""
        # «больше не течёт», «не опасно»: a negated failure is the absence of a problem
        failures = [span for span in self._spans("failure", lemmas)
                    if span[2].startswith("не ") or span[0] == 0 or lemmas[span[0] - 1] not in ("не", "ни")]
        lacks = self._spans("lack", lemmas)
        states = self._spans("state", lemmas)
        if not (failures or lacks or states):
            return NO_PROBLEM
        objects = self._spans("object", lemmas)
        lasting = bool(self._spans("duration", lemmas))
        found_objects: list[str] = []
        found_failures: list[str] = []
        strength = 0.0
        for start, end, term in failures:
            near = _near(objects, start - OBJECT_WINDOW, end + OBJECT_WINDOW)
            found_failures.append(term)
            found_objects += near
            if near:
                strength = STRONG
            elif lasting or self._some_noun(tokens, start - OBJECT_WINDOW // 2, end + OBJECT_WINDOW // 2):
                strength = max(strength, PERSISTENT)
            else:
                strength = max(strength, WEAK)
        for start, end, term in lacks:
            near = _near(objects, end, end + LACK_WINDOW)
            if near:
                found_failures.append(term)
                found_objects += near
                strength = STRONG
        for start, end, term in states:
            near = _near(objects, start - STATE_WINDOW, end + STATE_WINDOW)
            if near:
                found_failures.append(term)
                found_objects += near
                strength = STRONG
        if not strength:
            return NO_PROBLEM
        cancelled = None
        if self._spans("advert", lemmas):
            cancelled = "advert"
        elif (voice := self._spans("announcement", lemmas)) and not self.first_person(
            # Several marks of an announcement («уважаемые жители… в связи с плановыми работами… приносим
            # извинения») speak for the organisation, whose «we» is no resident's.
            tokens, lemmas, plural_verbs=len({term for _, _, term in voice}) < ANNOUNCEMENT_VOICE
        ):
            cancelled = "announcement"
        elif positive and not lasting:
            cancelled = "positive"
        elif not negative and not lasting and any(self._done(tokens, s) for s, _, _ in self._spans("resolved", lemmas)):
            cancelled = "resolved"
        return Problem(
            0.0 if cancelled else strength,
            tuple(dict.fromkeys(found_objects)),
            tuple(dict.fromkeys(found_failures)),
            lasting,
            cancelled,
        )
