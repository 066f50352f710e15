"""Socket.IO names in one place: namespaces, rooms and the path."""

from __future__ import annotations

#: Where the Socket.IO server is mounted.
PATH = "socket.io"
#: Agents' consoles.
AGENT_NS = "/agent"
#: Supervisors', QA reviewers' and admins' consoles.
SUPERVISOR_NS = "/supervisor"


def agent_room(agent_id: str) -> str:
    """The room an agent's connections join."""
    return f"agent:{agent_id}"
