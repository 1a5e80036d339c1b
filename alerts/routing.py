"""Which roles hear about a level: the config's routes, first match wins unless ``continue``."""

from __future__ import annotations

from collections.abc import Sequence

from config.schema import RouteSettings


def route(level: str, routes: Sequence[RouteSettings]) -> tuple[str, ...]:
    """Roles for ``level`` in config order, each once; no route means digest only."""
    roles: list[str] = []
    for rule in routes:
        if level not in rule.levels:
            continue
        roles += [r for r in rule.roles if r not in roles]
        if not rule.continue_:
            break
    return tuple(roles)
