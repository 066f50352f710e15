"""Socket.IO names in one place: namespaces, rooms and the path."""

from __future__ import annotations

#: Where the Socket.IO server is mounted.
PATH = "socket.io"
#: Agents' consoles.
AGENT_NS = "/agent"
#: Supervisors', QA reviewers' and admins' consoles.
SUPERVISOR_NS = "/supervisor"
#: Web chat customers (DESIGN.md section 13).
CUSTOMER_NS = "/customer"


#: The room of everyone on /supervisor who sees the whole team.
SUPERVISORS_ROOM = "supervisors"


def group_room(group: str) -> str:
    """The room a group leader's /supervisor connections join, one per group they lead."""
    return f"group:{group}"


def agent_room(agent_id: str) -> str:
    """The room an agent's connections join."""
    return f"agent:{agent_id}"


def visitor_room(conversation_id: str) -> str:
    """The room a web chat customer's connections join (their conversation's)."""
    return f"visitor:{conversation_id}"
