"""How a post's text records facts the ``Post`` record has no field for: forwarding.

A forwarded post keeps its text and gets a first line «Переслано из «<source>»», the same for both kinds,
so a re-read gives the same text and the store sees no false edit. Edits need no mark: the store compares text.
"""

from __future__ import annotations

FORWARD_MARK = "Переслано из"


def mark_forwarded(text: str, source: str | None) -> str:
    """Prefix ``text`` with the forward line; ``source`` is the original channel's or author's name, if known."""
    head = f"{FORWARD_MARK} «{source}»" if source else f"{FORWARD_MARK} другого канала"
    return f"{head}\n{text}" if text else head
