"""Smileys as Russian social media writes them: «)», «))))», «(((», «:(», «=)», «xD», «О_о», and emoji.

A bare closing bracket is the most common Russian smiley («спасибо)»), a run of opening ones the most common sad
face («опять без воды(((»). Brackets that pair up are parentheses and stay text; a list marker («1)», «а)») is not a
smiley either. Each smiley becomes a kind (``smile``, ``laugh``, ``sad``…) that features and the sentiment rules read;
the smiley itself leaves the text, so «xD» and «О_о» do not turn into word tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# Kinds of smileys and how each colours a text: >0 positive, <0 negative, 0 neither (surprise).
POLARITY: dict[str, float] = {
    "smile": 1.0, "laugh": 1.0, "wink": 0.5, "tongue": 0.5, "love": 1.0, "approve": 1.0,
    "sad": -1.0, "cry": -1.0, "angry": -1.0, "annoyed": -0.7, "disapprove": -1.0,
    "surprise": 0.0, "irony": 0.0, "thanks": 0.5, "danger": -1.0,
}
MAX_REPEAT = 3  # «)))))))» is as glad as «)))»: a run counts once, up to this many times by its length

# Text smileys other than bare brackets. Order matters: longer and more specific first.
_TEXT_SMILEYS: tuple[tuple[str, str], ...] = (
    (r">:-?\(+|:-?@", "angry"),
    (r"[:=;]['’]-?\(+", "cry"),
    (r"(?<!\d)[:=]-?\(+", "sad"),
    (r"(?<!\d)[:=]-?[DДd]+(?![\w])|(?<![\w])[xXхХ]+[DДd]+(?![\w])|(?<![\w])[xXхХ]-?\)+", "laugh"),
    (r";-?\)+|;-?[DД]+(?![\w])", "wink"),
    (r"(?<!\d)[:=]-?[PpРр]+(?![\w])", "tongue"),
    (r"(?<!\d)[:=]-?\)+|(?<!\d)[:=]-?\]+|(?<!\d)[:=]3(?!\d)|\^[_\-.]?\^|(?<![\w])[:=]\*", "smile"),
    (r"(?<![\w])[oOоО0][_.][oOоО0](?![\w])|(?<!\d)[:=]-?[oOоО0](?![\w])", "surprise"),
    (r"(?<![\w])-_+-(?![\w])|(?<![\w])—_+—", "annoyed"),
    (r"<3+(?!\d)", "love"),
)
_TEXT_PATTERN = re.compile("|".join(f"(?P<k{i}>{pattern})" for i, (pattern, _) in enumerate(_TEXT_SMILEYS)))
_TEXT_KINDS = {f"k{i}": kind for i, (_, kind) in enumerate(_TEXT_SMILEYS)}
# Cheap gate: a text without these characters has no text smileys (most formal texts).
_MAYBE = re.compile(r"[()_^<:;=]|[xXхХ][DДd)]")
_BRACKETS = re.compile(r"[()]+")
_LIST_MARKER = re.compile(r"(?:^|[\s(;,])(?:\d{1,2}|[а-яa-z])$", re.IGNORECASE)
# Laughter written out: «ахаха», «хахах», «хех», «ржу», «лол» — a positive reaction, kept in the text too.
_LAUGHTER = re.compile(r"(?<![а-яё])(?:а?(?:ха){2,}х?|(?:хе){2,}|хех|хи(?:хи)+|ржу+|ору+|лол|аха(?:ха)*х?)(?![а-яё])",
                       re.IGNORECASE)

# Emoji by kind; the rest of the emoji stay unmarked.
_EMOJI_KINDS: dict[str, str] = {}
for _kind, _chars in (
    ("laugh", "😂🤣😆😹😁😄😃😀😅"),
    ("smile", "😊🙂☺😌😇🤗😎🥳🌞☀✨🌸🌹💐🌷🎉🎊🎆🎄🎁🏆🥇"),
    ("love", "❤😍🥰😘💕💖💗💓💞💘♥🧡💛💚💙💜🤍"),
    ("approve", "👍👏🙌💪🔥✅🆗👌"),
    ("wink", "😉😜😝😛🤪"),
    ("sad", "😢😞😔😟🙁☹😕😩😫💔🥺😿😓😥"),
    ("cry", "😭"),
    ("angry", "😡😠🤬👿💢😤"),
    ("annoyed", "😒🙄🤦🤷🤨😑😐"),
    ("disapprove", "👎🤮🤢💩"),
    ("surprise", "😱😮😲😯😳🤯😨😰🙀⁉"),
    ("irony", "🙃😏🤡"),
    ("thanks", "🙏🤝"),
    ("danger", "☢⚠🚨🥶"),
):
    for _char in _chars:
        _EMOJI_KINDS[_char] = _kind


def _bare_brackets(text: str) -> tuple[str, list[str]]:
    """Unpaired «)» runs are smiles, unpaired «(» runs are sad faces; paired brackets are parentheses."""
    if "(" not in text and ")" not in text:
        return text, []
    kinds: list[str] = []
    chars = list(text)
    opened: list[int] = []  # positions of «(» that may still close
    smiles: list[tuple[int, int]] = []
    for match in _BRACKETS.finditer(text):
        start, end = match.span()
        run = match.group(0)
        if set(run) == {")"}:
            closing = len(run)
            while closing and opened:  # close what was opened: «(см. выше)» is a parenthesis
                opened.pop()
                closing -= 1
            if not closing or (len(run) == 1 and _LIST_MARKER.search(text[max(0, start - 4):start])):
                continue  # all paired, or a list marker: «1) подъезд», «а) сроки»
            smiles.append((end - closing, end))
            kinds += ["smile"] * min(closing, MAX_REPEAT)
        elif set(run) == {"("}:
            if len(run) == 1 and ")" in text[end:]:
                opened.append(start)  # may be a parenthesis: wait for its «)»
                continue
            smiles.append((start, end))  # «((», or a «(» nothing closes: «жаль(»
            kinds += ["sad"] * min(len(run), MAX_REPEAT)
    for start, end in smiles:
        for position in range(start, end):
            chars[position] = " "
    return "".join(chars), kinds


def extract_smileys(text: str) -> tuple[str, tuple[str, ...]]:
    """The text with its text smileys blanked out, and the kind of each smiley in order of appearance.

    Emoji are not touched here (``nlp.normalize`` takes them out); use :func:`emoji_kinds` for them.
    """
    kinds: list[str] = []
    if _MAYBE.search(text):
        def _take(match: re.Match[str]) -> str:
            kind = _TEXT_KINDS[match.lastgroup or ""]
            repeat = max(1, min(MAX_REPEAT, sum(match.group(0).count(c) for c in ")(DДd") or 1))
            kinds.extend([kind] * repeat)
            return " "

        text = _TEXT_PATTERN.sub(_take, text)
        text, bare = _bare_brackets(text)
        kinds += bare
    kinds += ["laugh"] * min(len(_LAUGHTER.findall(text)), MAX_REPEAT)
    return text, tuple(kinds)


def emoji_kinds(emojis: Iterable[str]) -> tuple[str, ...]:
    """The kind of each emoji that has one («😂» laugh, «😡» angry…), in order."""
    return tuple(_EMOJI_KINDS[e] for e in emojis if e in _EMOJI_KINDS)


def smiley_polarity(kinds: Sequence[str]) -> float:
    """Sum of the smileys' colours: «спасибо)))» +3, «опять(((» −3, «О_о» 0."""
    return sum(POLARITY.get(kind, 0.0) for kind in kinds)


def smiley_tokens(kinds: Sequence[str]) -> list[str]:
    """Feature tokens for the classifiers: one ``__smiley_<kind>__`` per kind present, plus the overall colour."""
    tokens = [f"__smiley_{kind}__" for kind in dict.fromkeys(kinds)]
    polarity = smiley_polarity(kinds)
    if polarity > 0:
        tokens.append("__smiley_positive__")
    elif polarity < 0:
        tokens.append("__smiley_negative__")
    return tokens
