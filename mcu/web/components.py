"""Which optional components this installation has: pages of a missing one show what it will bring instead."""

from __future__ import annotations

from importlib.util import find_spec


def missing(component: str) -> str | None:
    """The component's name when it is not installed, else None."""
    return component if find_spec(component) is None else None
