"""Who belongs to which group (DESIGN.md section 11), for what group leaders may see:
read from the accounts, kept in memory, refreshed on a heartbeat and whenever an
account changes in this process (so other processes follow within one heartbeat)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.principals import Principal
from storage import users


@dataclass(frozen=True, slots=True)
class Scope:
    """What a principal may see and act on: everything (``groups`` None), or the agents
    and conversations of their groups (a group leader)."""

    groups: frozenset[str] | None = None
    agents: frozenset[str] = frozenset()

    @property
    def everything(self) -> bool:
        """Whether nothing is out of scope."""
        return self.groups is None

    def agent(self, agent_id: str | None) -> bool:
        """Whether the agent is in scope (nobody's work is only for those who see all)."""
        return self.groups is None or (agent_id is not None and agent_id in self.agents)

    def conversation(self, assignee: str | None, group: str | None) -> bool:
        """Whether a conversation is in scope: its agent's, or its group's."""
        return self.agent(assignee) or (
            self.groups is not None and group is not None and group in self.groups
        )


#: What supervisors, QA and admins see.
EVERYTHING = Scope()


class Directory:
    """Agents' groups, in memory."""

    def __init__(self) -> None:
        self._groups: dict[str, frozenset[str]] = {}

    def load(self, members: Iterable[tuple[str, Iterable[str]]]) -> None:
        """Replace what is known: ``(agent id, groups)`` pairs."""
        self._groups = {agent: frozenset(groups) for agent, groups in members}

    async def refresh(self, engine: AsyncEngine) -> None:
        """Read the accounts again."""
        self.load((u.id, u.groups) for u in await users.all_users(engine) if u.active)

    def groups_of(self, agent_id: str | None) -> frozenset[str]:
        """The groups an agent belongs to."""
        return self._groups.get(agent_id or "", frozenset())

    def scope(self, principal: Principal) -> Scope:
        """What ``principal`` may see: everything, unless they lead groups."""
        if principal.role != "group_leader":
            return EVERYTHING
        mine = principal.groups
        agents = frozenset(a for a, groups in self._groups.items() if groups & mine)
        return Scope(mine, agents)
