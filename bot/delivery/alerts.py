"""The one way out for alerts.

Whatever records an alert (the ingest transaction for a late reply or a forbidden
phrase, the sweep for a passed threshold, the outbox for a reply a platform
refused), the rows that :func:`storage.alerts.record` hands back come here, and
only here: each is counted, handed to the alert sinks' relay (group chats and
webhooks, :mod:`bot.delivery.sinks`, from the outbox row stored with the alert), and
pushed to the people who should see it (supervisors: every kind but warnings;
the agent concerned: warnings, failed deliveries, and overdue reminders merged by
:class:`bot.delivery.reminders.OverdueMerger`).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from bot.delivery.reminders import OverdueMerger
from bot.metrics import Metrics
from bot.payloads import alert_payload
from bot.publisher import Publisher
from monitors.rules import FOR_AGENT, FOR_SUPERVISORS, AlertKind
from storage.alerts import Alert

log = logging.getLogger(__name__)


class AlertDispatch:
    """Counts and delivers newly recorded alerts (every kind, every origin)."""

    def __init__(
        self,
        publisher: Publisher,
        metrics: Metrics,
        merge_seconds: float,
        names: dict[str, str] | None = None,
    ) -> None:
        self._names = names or {}
        self._publisher = publisher
        self._metrics = metrics
        self._recorded: list[Callable[[], None]] = []
        self._overdue = OverdueMerger(merge_seconds, self._show_overdue)

    def on_recorded(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` whenever new alerts are delivered (the sink relay's wake-up)."""
        self._recorded.append(callback)

    async def deliver(self, alerts: Sequence[Alert]) -> None:
        """Count and deliver ``alerts``. A failed push is logged; the others still go out."""
        if alerts:
            for callback in self._recorded:
                callback()
        overdue: dict[str, list[Alert]] = defaultdict(list)
        for alert in alerts:
            self._metrics.alerts.labels(alert.kind.value).inc()
            if alert.kind is AlertKind.OVERDUE and alert.agent_id is not None:
                overdue[alert.agent_id].append(alert)
            try:
                await self._deliver_one(alert)
            except Exception:
                log.exception("could not deliver alert %s", alert.id)
        for agent_id, group in overdue.items():
            try:
                await self._overdue.offer(agent_id, group)
            except Exception:
                log.exception("could not deliver overdue reminders to %s", agent_id)

    def answered(self, channel: str, conversation_id: str, message_id: str) -> None:
        """A reply ended this turn: drop its overdue reminder if one is being held."""
        self._overdue.discard((channel, conversation_id, message_id))

    async def close(self) -> None:
        """Stop holding merged reminders."""
        await self._overdue.close()

    def _payload(self, alert: Alert) -> dict[str, Any]:
        """The contract's alert object, with the agent's roster name when there is one."""
        payload = alert_payload(alert)
        name = self._names.get(alert.agent_id or "")
        if name is not None:
            payload["agent_name"] = name
        return payload

    async def _deliver_one(self, alert: Alert) -> None:
        payload = self._payload(alert)
        if alert.kind in FOR_SUPERVISORS:
            await self._publisher.to_supervisors("alert", payload, alert.agent_id)
        if alert.kind in FOR_AGENT and alert.kind is not AlertKind.OVERDUE and alert.agent_id:
            await self._publisher.to_agent(alert.agent_id, "alert", payload)

    async def _show_overdue(self, agent_id: str, alerts: list[Alert]) -> None:
        payload = self._payload(alerts[0])
        if len(alerts) > 1:
            payload["count"] = len(alerts)
            payload["merged"] = [self._payload(alert) for alert in alerts]
        await self._publisher.to_agent(agent_id, "alert", payload)
