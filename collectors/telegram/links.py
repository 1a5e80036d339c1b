"""Public links of Telegram channels, posts and comments (always t.me, whatever mirror we read through)."""

from __future__ import annotations

PUBLIC_BASE = "https://t.me"


def channel_url(handle: str) -> str:
    """``https://t.me/<handle>``: the address an analyst opens."""
    return f"{PUBLIC_BASE}/{handle}"


def post_url(handle: str, post_id: int | str) -> str:
    """``https://t.me/<handle>/<id>``."""
    return f"{PUBLIC_BASE}/{handle}/{post_id}"


def comment_url(handle: str, post_id: int | str, comment: int | str) -> str:
    """A comment in the linked discussion group, as Telegram links it: ``…/<post>?comment=<id>``."""
    return f"{PUBLIC_BASE}/{handle}/{post_id}?comment={comment}"
