"""Does a post need an answer from the authorities: a complaint, a question or a request to them, or a plain
statement of a problem («во дворе неделю не горят фонари»)?"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nlp.annotation import Sentiment
from nlp.lexicon import PhraseMatcher
from nlp.morph import Lemmatizer
from nlp.problems import NO_PROBLEM, Problem

_REQUESTS = [
    "просить", "прошу", "требовать", "помочь", "помогите", "разобраться", "принять меры", "обратить внимание",
    "навести порядок", "решить вопрос", "решить проблема", "ответить", "примите меры", "сделать что-нибудь",
    "сделать что-то", "убрать", "починить", "отремонтировать", "вывезти",
]
_QUESTION_WORDS = {"когда", "почему", "зачем", "сколько", "кто", "куда", "долго", "ли", "что", "где", "какой"}
_COMPLAINT = ["сколько можно", "никто не", "до сих пор", "опять", "снова", "не работать", "нет", "невозможно", "надоесть"]
PROBLEM_TOPICS = {"housing", "waste", "roads", "transport", "energy", "improvement", "health", "social", "education", "safety", "ecology"}


@dataclass(frozen=True, slots=True)
class Appeal:
    needs_response: bool
    kinds: tuple[str, ...]  # question | request | complaint | problem


class AppealDetector:
    def __init__(self, lemmatizer: Lemmatizer, authorities: Sequence[str]) -> None:
        self._requests = PhraseMatcher(lemmatizer, _REQUESTS)
        self._complaints = PhraseMatcher(lemmatizer, _COMPLAINT)
        self._authorities = PhraseMatcher(lemmatizer, authorities)

    def detect(
        self,
        text: str,
        lemmas: Sequence[str],
        sentiment: Sentiment,
        topics: Sequence[str],
        *,
        official: bool = False,
        news: bool = False,
        problem: Problem = NO_PROBLEM,
        personal: bool = False,
        addressed: bool = False,
    ) -> Appeal:
        """``problem``: what the problem detector found; ``personal``: the negativity is about the author's own
        life (grief, loneliness), which is no complaint to anyone; ``addressed``: put to an authority by where it
        is written (its own page), whether or not the text names one."""
        kinds: list[str] = []
        addressed = addressed or bool(self._authorities.find(lemmas))
        topical = bool(PROBLEM_TOPICS.intersection(topics))
        if "?" in text and (addressed or topical or _QUESTION_WORDS.intersection(lemmas)):
            kinds.append("question")
        if self._requests.find(lemmas):
            kinds.append("request")
        if sentiment.label == "negative" and not personal and (self._complaints.find(lemmas) or addressed):
            kinds.append("complaint")
        if problem.stated and not official and not news:
            kinds.append("problem")
        needs = not official and not news and (
            ("request" in kinds and (addressed or topical))
            or ("question" in kinds and (addressed or topical))
            or ("complaint" in kinds and (addressed or topical))
            or "problem" in kinds
        )
        return Appeal(bool(needs), tuple(kinds))
