"""Decide whether a scored story deserves a new alert, an update of the old one, or silence."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from alerts.alert import Alert, PreviousAlert
from alerts.message import render
from alerts.routing import route
from config.schema import AlertSettings
from risk.alarm import REFUTATION
from risk.scoring import level_rank
from risk.story import StoryView


def decide(
    story: StoryView,
    previous: PreviousAlert | None,
    now: datetime,
    settings: AlertSettings,
    tz: tzinfo,
) -> Alert | None:
    """One alert per story: the first when it reaches a routed level, later ones are updates.

    An update goes out when the level rises, when the claim was refuted (the level falls: people must hear it
    too), or when enough new posts arrived and enough time passed.
    """
    level = story.assessment.level
    recipients = route(level, settings.routes)
    if previous is None:
        if not recipients:
            return None
        text = render(story, tz, update=False, previous_level=None, new_posts=0)
        return Alert(story.id, level, now, recipients, False, story.assessment.reasons, text, story.post_count)
    rose = level_rank(level) > level_rank(previous.level)
    new_posts = story.post_count - previous.post_count
    grew = new_posts >= settings.update_min_new_posts and now - previous.at >= timedelta(
        seconds=settings.update_min_interval
    )
    refuted = not previous.refuted and any(r.startswith(REFUTATION) for r in story.assessment.reasons)
    if not (rose or grew or refuted):
        return None
    # A rise reaches the new level's roles as well as those already told; growth goes to those already told.
    targets = tuple(dict.fromkeys([*(recipients if rose else ()), *previous.recipients]))
    text = render(story, tz, update=True, previous_level=previous.level, new_posts=new_posts, refuted=refuted)
    return Alert(story.id, level, now, targets, True, story.assessment.reasons, text, story.post_count)
