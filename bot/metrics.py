"""Prometheus metrics, in a registry of the app's own (several apps can share a process)."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from monitors.events import EventType


class Metrics:
    """The gateway's counters and histograms."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events_received = Counter(
            "replywatch_events_received",
            "Events accepted and stored",
            ["type"],
            registry=self.registry,
        )
        self.events_duplicate = Counter(
            "replywatch_events_duplicate", "Events ignored as duplicates", registry=self.registry
        )
        self.commit_seconds = Histogram(
            "replywatch_commit_seconds",
            "Time to commit one group of events",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )
        self.commit_group_events = Histogram(
            "replywatch_commit_group_events",
            "Events per committed group",
            buckets=(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000),
            registry=self.registry,
        )

        self.sweep_seconds = Histogram(
            "replywatch_sweep_seconds",
            "Time of one monitor sweep (claim, record, deliver)",
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1),
            registry=self.registry,
        )
        self.alerts = Counter(
            "replywatch_alerts", "Alerts recorded and delivered", ["kind"], registry=self.registry
        )
        self.sink_deliveries = Counter(
            "replywatch_sink_deliveries",
            "Alert sink (and report webhook) requests by outcome: sent, retried, failed",
            ["sink", "result"],
            registry=self.registry,
        )
        self.deliveries = Counter(
            "replywatch_deliveries",
            "Agents' replies sent out through IM channels, by attempt outcome",
            ["channel", "result"],
            registry=self.registry,
        )
        self.suggestions = Counter(
            "replywatch_suggestions",
            "Customer messages' suggestions by outcome: stored, late (skipped), failed",
            ["result"],
            registry=self.registry,
        )
        self.suggestions_pending = Gauge(
            "replywatch_suggestions_pending",
            "Stored customer messages whose suggestions are not computed yet",
            registry=self.registry,
        )
        # Labelled children bound once: ``labels()`` costs more than the increment.
        self._received_by_type = {t: self.events_received.labels(t.value) for t in EventType}

    def count_events(self, stored: Iterable[EventType], duplicates: int) -> None:
        """Count newly stored events by type, and duplicates."""
        for event_type in stored:
            self._received_by_type[event_type].inc()
        if duplicates:
            self.events_duplicate.inc(duplicates)

    def observe_commit(self, events: int, seconds: float) -> None:
        """Record one committed group."""
        self.commit_seconds.observe(seconds)
        self.commit_group_events.observe(events)

    def render(self) -> bytes:
        """The Prometheus text exposition."""
        return generate_latest(self.registry)
