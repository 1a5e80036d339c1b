"""Quality of an official reply, with the reasons for each verdict:

- ``conflict`` — «ошибки при коммуникации»: rudeness, blaming or arguing with the resident, threats, sarcasm,
  disclosure of personal data, or the appeal deleted after the reply;
- ``request`` — asks the resident for details (address, flat, photo, contact) without promising anything yet;
- ``substantive`` — says what will be (or was) done, and by whom or when;
- ``formulaic`` — «ваше обращение передано», «информация принята к сведению»: nothing a resident could check.

Rules read lemmas (any word form matches), so they hold for texts never seen; the phrase lists are in
``responses.phrases`` and config adds to them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from nlp.morph import Lemmatizer
from responses.personal import disclosures
from responses.reading import Reader, Reading, first_name_of
from responses.records import ThreadPost, Verdict

TOXIC = 0.6  # the NLP stage's toxicity from which a reply reads as rude
# Facts a resident can use: an office phone, a room, a street address, a link.
_FACTS = re.compile(r"\(\d{3,5}\)\s*\d|\b\d-\d{2}-\d{2}\b|\bкаб(?:инет)?\.?\s*№?\s*\d|\bул\.\s*[А-ЯЁ]|https?://",
                    re.IGNORECASE)


def _quote(found: Iterable[str], limit: int = 3) -> str:
    return ", ".join(f"«{f}»" for f in list(found)[:limit])


class QualityJudge:
    def __init__(self, reader: Reader, lemmatizer: Lemmatizer, official_names: Iterable[str] = ()) -> None:
        self.reader = reader
        self.lemmatizer = lemmatizer
        self._official_names = tuple(official_names)
        # A reply is judged again for every appeal of its thread and at every later check: its names are read once.
        self._disclosures = lru_cache(maxsize=20_000)(self._disclosed)
        self._resident = lru_cache(maxsize=20_000)(self._first_name)

    def _disclosed(self, text: str, resident: frozenset[str]) -> tuple[str, ...]:
        return tuple(disclosures(text, self.lemmatizer, resident, known_names=self._official_names))

    def _first_name(self, author: str | None) -> frozenset[str]:
        return frozenset(first_name_of(author, self.lemmatizer))

    def conflict_reasons(self, reply: ThreadPost, appeal: ThreadPost | None, reading: Reading,
                         addressed: bool = True) -> list[str]:
        """Why the reply is a communication error. ``addressed``: written to the resident (in the thread); an
        official post to everyone may refute a rumour («не распространяйте ложь») without arguing with anyone."""
        reasons: list[str] = []
        rude = list(reading.found("rude"))
        if reading.toxicity >= TOXIC or reply.toxicity >= TOXIC:
            reasons.append("грубость: нецензурная или оскорбительная лексика")
        elif rude:
            reasons.append(f"грубость: {_quote(rude)}")
        if addressed and (blame := reading.found("blame")):
            reasons.append(f"спор с жителем или обвинение: {_quote(blame)}")
        sarcasm = list(reading.found("sarcasm"))
        if ")))" in reply.text:
            sarcasm.append(")))")
        if addressed and sarcasm:
            reasons.append(f"сарказм: {_quote(sarcasm)}")
        resident = self._resident(appeal.author) if appeal is not None else frozenset()
        reasons += self._disclosures(reply.text, resident)
        return reasons

    def judge(self, reply: ThreadPost, appeal: ThreadPost | None = None, *, deleted_after: bool = False,
              addressed: bool = True) -> Verdict:
        """The verdict on one reply to ``appeal``; ``deleted_after``: the appeal vanished after this reply;
        ``addressed``: a reply in the resident's thread (not an official post to everyone in the story)."""
        reading = self.reader.read(reply.text)
        conflict = self.conflict_reasons(reply, appeal, reading, addressed)
        if deleted_after:
            conflict.append("обращение удалено после ответа официального аккаунта")
        if conflict:
            return Verdict("conflict", tuple(conflict))
        action = list(reading.found("action")) + [f"сделано: {v}" for v in reading.solved]
        done = list(reading.found("done"))
        actors = list(reading.found("actors"))
        when = list(reading.when)
        asks = list(reading.asks)
        formulaic = list(reading.found("formulaic"))
        concrete = bool(action or done) and bool(actors or when or done or reading.solved)
        if asks and not (concrete and when):
            reasons = [f"просит уточнить: {_quote(asks)}"]
            if action:
                reasons.append("что будет сделано — после уточнения")
            return Verdict("request", tuple(reasons))
        if concrete:
            reasons = []
            if done or reading.solved:
                reasons.append(f"сообщает о сделанном: {_quote(done + list(reading.solved))}")
            if reading.found("action"):
                reasons.append(f"что делается: {_quote(reading.found('action'))}")
            if actors:
                reasons.append(f"кто: {_quote(actors)}")
            if when:
                reasons.append(f"когда: {_quote(when)}")
            return Verdict("substantive", tuple(reasons))
        facts = [m.group(0) for m in _FACTS.finditer(reply.text)]
        question = appeal is not None and "question" in appeal.kinds
        if question and not formulaic and (reading.direct or when or facts):
            what = "прямой ответ «да/нет»" if reading.direct else _quote(when + facts)
            return Verdict("substantive", (f"отвечает на вопрос по существу: {what}",))
        reasons = []
        if formulaic:
            reasons.append(f"шаблонные слова: {_quote(formulaic)}")
        missing = [what for what, present in (("что будет сделано", bool(action)), ("кто", bool(actors)),
                                              ("когда", bool(when))) if not present]
        reasons.append("нет конкретики: не сказано " + ", ".join(missing) if missing else "нет конкретики")
        return Verdict("formulaic", tuple(reasons))

    def is_final(self, reply: ThreadPost) -> bool:
        """The reply says the problem is solved (a final answer)."""
        reading = self.reader.read(reply.text)
        return bool(reading.found("done") or reading.solved)
