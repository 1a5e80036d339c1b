"""Who may see and do what in the workspace: one table of role × permission, one function to ask it.

Views never test roles themselves; they ask ``permission_allowed`` (Datasette's idea). The table can be replaced
per role in config (``web.permissions``) for a municipality whose roles differ.
"""

from __future__ import annotations

from collections.abc import Mapping

from config import Settings
from config.schema import EXECUTOR_ROLE, WORKSPACE_PERMISSIONS
from storage.users import User

_READ_ALL = ("queue", "story", "appeals", "ratings", "gospublics", "reports", "search")
_ANALYST = ("queue", "story", "story.act", "story.edit", "silences", "silences.edit", "appeals", "ratings",
            "roadmap.edit", "reports", "reports.generate", "search", "sources")

# The regulation's roles: the head of the town and the curator read; the МЦУ's head and deputy do everything;
# each analyst works the queue and their own area (and edits the дорожная карта, as `mcu roadmap` lets analysts);
# a body's executor sees only its own appeals.
DEFAULT_TABLE: Mapping[str, tuple[str, ...]] = {
    "glava": ("queue", "story", "appeals", "ratings", "gospublics", "reports"),
    "curator": (*_READ_ALL, "sources"),
    "mcu_head": WORKSPACE_PERMISSIONS,
    "deputy": WORKSPACE_PERMISSIONS,
    "pos": _ANALYST,
    "incidents": _ANALYST,
    "gospabliki": (*_ANALYST, "gospublics"),
    EXECUTOR_ROLE: ("appeals",),
}


def granted(settings: Settings, role: str) -> frozenset[str]:
    """What a role may: from config when it names the role, else the built-in table (unknown roles: nothing)."""
    configured = settings.web.permissions.get(role)
    return frozenset(configured if configured is not None else DEFAULT_TABLE.get(role, ()))


def permission_allowed(settings: Settings, user: User | None, permission: str) -> bool:
    if permission not in WORKSPACE_PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    return user is not None and user.active and permission in granted(settings, user.role)
