"""Alarm markers of a «вброс» (calls to spread, hearsay, danger and scale claims), planned-event wording and
refutations, found by lemma in the analysts' lists (``nlp.alarm``).

A copied rumour is often neutral in tone, so these markers are a signal of their own, independent of sentiment.
Each hit becomes a signal ``alarm:<kind>:<term>`` (or ``planned:<term>``, ``refutation:<term>``,
``reassurance:<term>``) the risk stage weighs and names in its reasons.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from config.threats import AlarmLexicon
from nlp.lexicon import PhraseMatcher
from nlp.morph import Lemmatizer

ALARM_KINDS = ("spread", "hearsay", "danger", "scale")
# A claim right after these words is denied or only supposed, not made. («нет» is left out: it often ends the
# sentence before a claim, and lemmas carry no punctuation: «йода нет. Раскупили всё».)
_NOT_ASSERTED = frozenset({"не", "ни", "если"})
EXACT = "="  # a term written «=говорят» matches that word form only


class ExactMatcher:
    """Word-form phrases matched against tokens, for terms whose lemma is too broad («говорят» → «говорить»)."""

    def __init__(self, terms: Iterable[str]) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for term in terms:
            phrase = tuple(term.lower().replace("ё", "е").split())
            if phrase:
                self._by_first[phrase[0]].append((phrase, term))
        self._firsts = frozenset(self._by_first)

    def find(self, tokens: Sequence[str]) -> list[str]:
        return list(dict.fromkeys(term for _, term in self.occurrences(tokens)))

    def occurrences(self, tokens: Sequence[str]) -> list[tuple[int, str]]:
        """Every occurrence as (start, term)."""
        found: list[tuple[int, str]] = []
        if self._firsts.isdisjoint(tokens):
            return found
        for index, token in enumerate(tokens):
            for phrase, term in self._by_first.get(token, ()):
                if tuple(tokens[index : index + len(phrase)]) == phrase:
                    found.append((index, term))
        return found


def _inside(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    return len(short) <= len(long) and any(long[i : i + len(short)] == short for i in range(len(long) - len(short) + 1))


class _KindMatcher:
    """One list of the lexicon: lemma phrases, and exact word forms for terms marked with ``=``."""

    def __init__(self, lemmatizer: Lemmatizer, terms: Sequence[str]) -> None:
        exact = [t[len(EXACT):].strip() for t in terms if t.startswith(EXACT)]
        self._lemmas = PhraseMatcher(lemmatizer, [t for t in terms if not t.startswith(EXACT) and t.strip()])
        self._exact = ExactMatcher([t for t in exact if t])
        self.phrases = {t: lemmatizer.phrase(t) for t in terms if not t.startswith(EXACT)}
        self.phrases.update({t: tuple(t.lower().replace("ё", "е").split()) for t in exact})

    def find(self, tokens: Sequence[str], lemmas: Sequence[str]) -> list[str]:
        return list(dict.fromkeys([*self._lemmas.find(lemmas), *self._exact.find(tokens)]))

    def find_asserted(self, tokens: Sequence[str], lemmas: Sequence[str]) -> list[str]:
        """Terms the text asserts: not denied or supposed («школу не закроют», «если срочно — через терапевта»)."""
        starts = [(start, term) for start, _, term in self._lemmas.spans(lemmas)] + self._exact.occurrences(tokens)
        return list(dict.fromkeys(term for start, term in sorted(starts, key=lambda hit: hit[0])
                                  if start == 0 or lemmas[start - 1] not in _NOT_ASSERTED))


class AlarmDetector:
    """Signals for one text: ``alarm:danger:эвакуация``, ``planned:плановые работы``, ``refutation:фейк``."""

    def __init__(self, lemmatizer: Lemmatizer, lexicon: AlarmLexicon) -> None:
        self._kinds = [(kind, _KindMatcher(lemmatizer, getattr(lexicon, kind))) for kind in ALARM_KINDS]
        self._planned = _KindMatcher(lemmatizer, lexicon.planned)
        self._refutation = _KindMatcher(lemmatizer, lexicon.refutation)
        self._reassurance = _KindMatcher(lemmatizer, lexicon.reassurance)

    def signals(self, tokens: Sequence[str], lemmas: Sequence[str]) -> list[str]:
        hits = [(kind, term, matcher.phrases.get(term, (term,))) for kind, matcher in self._kinds
                for term in matcher.find_asserted(tokens, lemmas)]
        # «закройте окна» found, the «закроют» inside it is the same words, not a second claim.
        found = [f"alarm:{kind}:{term}" for kind, term, phrase in hits
                 if not any(other != phrase and _inside(phrase, other) for _, _, other in hits)]
        found += [f"planned:{term}" for term in self._planned.find(tokens, lemmas)]
        found += [f"refutation:{term}" for term in self._refutation.find(tokens, lemmas)]
        found += [f"reassurance:{term}" for term in self._reassurance.find(tokens, lemmas)]
        return found
