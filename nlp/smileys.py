"""Smileys as Russian social media writes them: «)», «))))», «(((», «:(», «=)», «xD», «О_о», and emoji.

A bare closing bracket is the most common Russian smiley («спасибо)»), a run of opening ones the most common sad
face («опять без воды(((»). Brackets that pair up are parentheses and stay text; a list marker («1)», «а)») is not a
smiley either. Each smiley becomes a kind (``smile``, ``laugh``, ``sad``…) that features and the sentiment rules read;
the smiley itself leaves the text, so «xD» and «О_о» do not turn into word tokens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

# Kinds of smileys and how each colours a text: >0 positive, <0 negative, 0 neither (surprise).
POLARITY: dict[str, float] = {
    "smile": 1.0, "laugh": 1.0, "wink": 0.5, "tongue": 0.5, "love": 1.0, "approve": 1.0,
    "sad": -1.0, "cry": -1.0, "angry": -1.0, "annoyed": -0.7, "disapprove": -1.0,
    "surprise": 0.0, "irony": 0.0, "thanks": 0.5, "danger": -1.0,
}
MAX_REPEAT = 3  # «)))))))» is as glad as «)))»: a run counts once, up to this many times by its length

# Text smileys other than bare brackets, by the character they start with: most texts hold none of these, and a
# pattern that fails on its first character is cheap. Order matters: longer and more specific first.
_PUNCT_SMILEYS: tuple[tuple[str, str], ...] = (
    (r">:-?\(+|(?<!\d):-?@", "angry"),
    (r"(?<!\d)[:=;]['’]-?\(+", "cry"),
    (r"(?<!\d)[:=]-?\(+", "sad"),
    (r"(?<!\d)[:=]-?[DДd]+(?!\w)", "laugh"),
    (r";-?\)+|;-?[DД]+(?!\w)", "wink"),
    (r"(?<!\d)[:=]-?[PpРр]+(?!\w)", "tongue"),
    (r"(?<!\d)[:=]-?\)+|(?<!\d)[:=]-?\]+|(?<!\d)[:=]3(?!\d)|\^[_\-.]?\^|(?<!\w)[:=]\*", "smile"),
    (r"(?<!\d)[:=]-?[oOоО0](?!\w)", "surprise"),
    (r"<3+(?!\d)", "love"),
)
_WORD_SMILEYS: tuple[tuple[str, str], ...] = (  # «xD», «х)»: a letter first, so looked for only after a quick check
    (r"(?<!\w)[xXхХ]+(?:[DДd]+|-?\)+)(?!\w)", "laugh"),
)
_UNDERSCORE_SMILEYS: tuple[tuple[str, str], ...] = (  # «О_о», «-_-»: only in texts with an underscore
    (r"(?<!\w)[oOоО0]_+[oOоО0](?!\w)", "surprise"),
    (r"(?<!\w)[-—]_+[-—](?!\w)", "annoyed"),
)


def _compile(smileys: tuple[tuple[str, str], ...], first: str = "") -> tuple[re.Pattern[str], dict[str, str]]:
    pattern = "|".join(f"(?P<k{i}>{p})" for i, (p, _) in enumerate(smileys))
    return re.compile(f"(?={first})(?:{pattern})" if first else pattern), {f"k{i}": k for i, (_, k) in enumerate(smileys)}


_PUNCT = _compile(_PUNCT_SMILEYS, r"[:;=>^<]")
_WORD = _compile(_WORD_SMILEYS)
_UNDERSCORE = _compile(_UNDERSCORE_SMILEYS)
_WORD_CHECK = re.compile(r"[xXхХ][DДd)\-]")
_PUNCT_CHECK = re.compile(r"[:;=][-'’]?[()DДdPpРр\]3*@oOоО0]|>:|\^.?\^|<3")
_BRACKETS = re.compile(r"[()]+")
_LIST_MARKER = re.compile(r"(?:^|[\s(;,])(?:\d{1,2}|[а-яa-z])$", re.IGNORECASE)
# Laughter written out: «ахаха», «хахах», «хех», «ржу», «лол» — a positive reaction, kept in the text too.
_LAUGHTER = re.compile(r"(?<![а-яё])(?:а?(?:ха){2,}х?|(?:хе){2,}|хех|хи(?:хи)+|ржу+|ору+|лол|аха(?:ха)*х?)(?![а-яё])",
                       re.IGNORECASE)

_LAUGHTER_CHECK = re.compile(r"х[аеи]х|ха-|ржу|ору|лол", re.IGNORECASE)

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

    def _take(found: dict[str, str]) -> Callable[[re.Match[str]], str]:
        def take(match: re.Match[str]) -> str:
            repeat = max(1, min(MAX_REPEAT, sum(match.group(0).count(c) for c in ")(DДd") or 1))
            kinds.extend([found[match.lastgroup or ""]] * repeat)
            return " "

        return take

    if _PUNCT_CHECK.search(text):
        text = _PUNCT[0].sub(_take(_PUNCT[1]), text)
    if _WORD_CHECK.search(text):
        text = _WORD[0].sub(_take(_WORD[1]), text)
    if "_" in text:
        text = _UNDERSCORE[0].sub(_take(_UNDERSCORE[1]), text)
    text, bare = _bare_brackets(text)
    kinds += bare
    if _LAUGHTER_CHECK.search(text):
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
