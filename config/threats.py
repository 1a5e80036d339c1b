"""Settings of the threats a control centre exists to catch: alarm claims, copy-paste waves, slow-burning problems."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from config.duration import Duration


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AlarmLexicon(_Section):
    """``nlp.alarm``: word lists (lemmas; forms are found by morphology), one per kind of alarm marker.

    A term written with a leading ``=`` matches only that exact word form («=говорят», not «говорит»).
    """

    spread: list[str] = Field(default_factory=list)  # calls to spread: «перешлите всем», «срочно»
    hearsay: list[str] = Field(default_factory=list)  # hearsay and insiders: «говорят», «знакомый сказал»
    danger: list[str] = Field(default_factory=list)  # danger to people: «эвакуация», «выброс», «скупают»
    scale: list[str] = Field(default_factory=list)  # mass scale or duration: «по всему городу», «надолго»
    planned: list[str] = Field(default_factory=list)  # a planned event's register: «плановые работы», «по графику»
    refutation: list[str] = Field(default_factory=list)  # «не соответствует действительности», «фейк»
    reassurance: list[str] = Field(default_factory=list)  # «штатный режим», «угрозы нет»: a refutation if official


class AlarmWeights(_Section):
    """``risk.alarm``: how much each kind of marker makes a text alarming (0..1 in sum, capped at 1)."""

    danger: float = Field(default=0.5, ge=0, le=1)
    scale: float = Field(default=0.3, ge=0, le=1)
    hearsay: float = Field(default=0.3, ge=0, le=1)
    spread: float = Field(default=0.25, ge=0, le=1)
    planned: float = Field(default=0.3, ge=0, le=1)  # multiplier for texts in a planned event's register
    alarming: float = Field(default=0.6, gt=0, le=1)  # from this value a text makes an alarming claim


class WaveSettings(_Section):
    """``risk.wave``: near-duplicate copies of one text across sources (a «вброс»)."""

    similarity: float = Field(default=0.5, gt=0, le=1)  # share of a text's shingles found in the copy group
    window: Duration = 3600.0  # copies are counted in the densest window of this length
    min_copies: int = Field(default=3, ge=2)  # fewer copies are not a wave
    min_sources: int = Field(default=2, ge=2)  # copies in one source are a flood, not a wave
    copies_full: int = Field(default=12, ge=2)  # copies for the full «copies» part of the wave factor
    sources_full: int = Field(default=6, ge=2)  # sources for the full «sources» part
    floor_copies: int = Field(default=5, ge=2)  # an alarming wave this big …
    floor_sources: int = Field(default=3, ge=2)  # … in this many sources within ``window`` is at least high


class RecurrenceSettings(_Section):
    """``risk.recurrence``: the same problem at one place or institution raised by different residents over days."""

    window: Duration = 14 * 86400.0  # a complaint joins an older complaint story about the same place and topic
    min_complaints: int = Field(default=4, ge=2)
    min_authors: int = Field(default=3, ge=2)
    min_days: float = Field(default=2.0, ge=0)  # from the first complaint to the last, in days
    complaints_full: int = Field(default=12, ge=2)  # complaints for the full «count» part of the factor
    days_full: float = Field(default=14.0, gt=0)  # days for the full «duration» part
