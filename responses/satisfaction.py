"""Were residents satisfied after the reply? What the author and others say next in the thread (thanks, «опять
отписка», the same complaint again), reactions to the reply against those to the complaint, and whether the author
complained again about the same problem within the repeat window. Each piece of evidence weighs in; the author's
own words weigh most; the reasons name them all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from responses.reading import Reader
from responses.records import ThreadPost, Verdict

AUTHOR, OTHER, REACTIONS, REPEAT = 3.0, 1.0, 0.5, 3.0
OTHERS_CAP = 3.0  # the crowd can tip the balance, not drown the author
DECIDE = 1.0  # a net weight from which the verdict is known
TONE_WORDS = 5  # a follow-up shorter than this tells its mood by its words only, not by its tone


@dataclass(frozen=True, slots=True)
class Mood:
    """How one follow-up reads: +1 content, -1 not, 0 neither; with what showed it."""

    value: int
    why: str = ""


class SatisfactionJudge:
    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def mood(self, post: ThreadPost) -> Mood:
        reading = self.reader.read(post.text)
        if ironic := reading.found("ironic"):
            return Mood(-1, f"«{ironic[0]}»")
        unhappy = list(reading.found("dissatisfied")) + [f"не {v}" for v in reading.unsolved]
        happy = list(reading.found("thanks")) + list(reading.solved)
        if unhappy and len(unhappy) >= len(happy):
            return Mood(-1, f"«{unhappy[0]}»")
        if happy:
            return Mood(1, f"«{happy[0]}»")
        if post.needs_response or "complaint" in post.kinds:
            return Mood(-1, "снова жалоба")
        if len(reading.lemmas) < TONE_WORDS:
            return Mood(0)  # «У дома 18», «Подъезд 2»: details, not a mood
        if post.sentiment == "negative":
            return Mood(-1, "негативный тон")
        if post.sentiment == "positive":
            return Mood(1, "позитивный тон")
        return Mood(0)

    def judge(
        self,
        appeal: ThreadPost,
        reply: ThreadPost | None,
        follow_ups: Sequence[ThreadPost],
        repeat: ThreadPost | None = None,
        repeat_days: int | None = None,
    ) -> Verdict:
        """``follow_ups``: residents' posts after the reply in its thread or story, oldest first; ``repeat``: a later
        appeal of the same author on the same problem (its age in days after the reply in ``repeat_days``)."""
        reasons: list[str] = []
        weight = 0.0
        if reply is None and repeat is None:
            return Verdict("unknown", ("ответа нет — удовлетворённость не оценивается",))
        author = appeal.author_key
        others = 0.0
        for post in follow_ups:
            mood = self.mood(post)
            if not mood.value:
                continue
            if author is not None and post.author_key == author:
                weight += AUTHOR * mood.value
                reasons.append(("автор благодарит: " if mood.value > 0 else "автор недоволен: ") + mood.why)
            elif abs(others + OTHER * mood.value) <= OTHERS_CAP:
                others += OTHER * mood.value
                reasons.append(("другие жители довольны: " if mood.value > 0 else "другие жители недовольны: ") + mood.why)
        weight += others
        if reply is not None:
            if reply.likes >= 3 and reply.likes >= appeal.likes:
                weight += REACTIONS
                reasons.append(f"ответ набрал {reply.likes} отметок «нравится» — не меньше жалобы ({appeal.likes})")
            elif appeal.likes >= 5 and reply.likes * 5 <= appeal.likes:
                weight -= REACTIONS
                reasons.append(f"жалобу поддержали {appeal.likes}, ответ — {reply.likes}")
        if repeat is not None:
            weight -= REPEAT
            when = f" через {repeat_days} дн." if repeat_days is not None else ""
            reasons.append(f"автор снова жалуется на ту же проблему{when}")
        if weight >= DECIDE:
            return Verdict("satisfied", tuple(dict.fromkeys(reasons)))
        if weight <= -DECIDE:
            return Verdict("dissatisfied", tuple(dict.fromkeys(reasons)))
        if not reasons:
            reasons.append("реакции на ответ нет")
        return Verdict("unknown", tuple(dict.fromkeys(reasons)))
