"""Automatic replies (``[automation]``, docs/rules.md): the welcome script when a customer
opens or reopens a conversation, the offline script when a customer writes while
the shop is closed (once per closed period), and the satisfaction survey (``[csat]``)
when a conversation closes, as bot messages through the conversation's channel. Bot
messages neither start nor end a turn.

Each automatic message has an id made from what triggered it (the opening message,
or the conversation and the closed period), so however many processes see the
trigger, the event store keeps it once and it is sent once.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence

from bot.library import Library
from bot.schemas import BOT_PREFIX
from bot.settings import AutomationSettings
from monitors.events import ChatEvent, EventType, SenderRole
from monitors.hours import BusinessHours
from monitors.satisfaction import SURVEY
from storage.ingest import Stored

log = logging.getLogger(__name__)
#: The sender id of automatic messages.
BOT_ID = "replywatch"
PREFIX = BOT_PREFIX


def _opened(item: Stored) -> bool:
    before = item.previous
    return before is None or before.opens_with_next_customer_message


def _closed_now(item: Stored) -> bool:
    """Whether this closing closed an open conversation (not a repeated close)."""
    before, after = item.previous, item.conversation
    return before is not None and before.is_open and after is not None and not after.is_open


def _short(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Automation:
    """Decides which automatic messages the newly stored events call for."""

    def __init__(
        self,
        settings: AutomationSettings,
        hours: BusinessHours | None,
        library: Library,
        can_deliver: Callable[[str], bool],
        names: dict[str, str] | None = None,
        survey_script: str = "",
    ) -> None:
        self._survey = survey_script
        self._names = names or {}
        self._settings = settings
        self._hours = hours
        self._library = library
        self._can_deliver = can_deliver

    def check(self) -> None:
        """Log (once, at start) a configured script that the library lacks."""
        wanted = {
            "automation.welcome_script": self._settings.welcome_script,
            "automation.offline_script": self._settings.offline_script,
            "csat.survey_script": self._survey,
        }
        for key, script_id in wanted.items():
            if script_id and self._library.script(script_id) is None:
                log.error("%s %r is not in the library: it is not sent", key, script_id)

    def replies(self, stored: Sequence[Stored]) -> list[ChatEvent]:
        """Bot messages for the customer messages and the closings among ``stored``."""
        if not (self._settings.welcome_script or self._settings.offline_script or self._survey):
            return []  # the ingest path's common case: nothing to look at
        out = []
        for item in stored:
            event, found = item.event, None
            if event.type is EventType.CLOSED and self._survey and _closed_now(item):
                key = f"{PREFIX}csat-{_short(event.id)}"
                found = self._bot_message(item, self._survey, key, SURVEY)
            elif (
                event.type is EventType.MESSAGE
                and event.sender_role is SenderRole.CUSTOMER
                and item.rating is None  # the survey's answer: nothing to reply
            ):
                found = self._reply_for(item)
            if found is not None:
                out.append(found)
        return out

    def _reply_for(self, item: Stored) -> ChatEvent | None:
        event = item.event
        closed_since = None
        if self._hours is not None and self._settings.offline_script:
            closed_since = self._hours.closed_since(event.ts)
        if closed_since is not None:
            conversation = event.conversation_id or ""
            key = f"{PREFIX}offline-{_short(conversation)}-{int(closed_since)}"
            return self._bot_message(item, self._settings.offline_script, key)
        if self._settings.welcome_script and _opened(item):
            key = f"{PREFIX}welcome-{_short(event.id)}"
            return self._bot_message(item, self._settings.welcome_script, key)
        return None

    def _bot_message(
        self, item: Stored, script_id: str, key: str, reason: str | None = None
    ) -> ChatEvent | None:
        script = self._library.script(script_id)
        if script is None:
            return None
        event, now = item.event, time.time()
        assignee = item.conversation.assignee_id if item.conversation is not None else None
        agent = self._names.get(assignee, assignee) if assignee else None
        return ChatEvent(
            id=key,
            channel=event.channel,
            type=EventType.MESSAGE,
            ts=max(now, event.ts),
            received_at=now,
            conversation_id=event.conversation_id,
            sender_role=SenderRole.BOT,
            sender_id=BOT_ID,
            text=script.render(customer=event.sender_name, agent=agent),
            script_id=script.id,
            reason=reason,
            deliver=self._can_deliver(event.channel),
        )
