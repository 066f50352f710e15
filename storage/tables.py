"""The tables as SQLAlchemy Core ``Table`` objects, for the set-based queries of every
storage module (the one place they are declared)."""

from __future__ import annotations

from sqlalchemy import Table

from storage import models, models_kpi, models_learning, models_sinks


def _table(model: type[models.Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


CONVERSATIONS = _table(models.ConversationRow)
EVENTS = _table(models.EventRow)
AGENTS = _table(models.AgentRow)
TURNS = _table(models.TurnRow)
ALERTS = _table(models.AlertRow)
FLAGS = _table(models.FlagRow)
SCRIPTS = _table(models.ScriptRow)
LIBRARY_META = _table(models.LibraryMetaRow)
SUGGESTIONS = _table(models.SuggestionRow)
FEEDBACK = _table(models.FeedbackRow)
DELIVERIES = _table(models.DeliveryRow)
CURSORS = _table(models.ChannelCursorRow)
REPORT_RUNS = _table(models.ReportRunRow)
CONSOLE_SESSIONS = _table(models.ConsoleSessionRow)
APP_SECRETS = _table(models.AppSecretRow)
EMBEDDINGS = _table(models_learning.EmbeddingRow)
PROPOSALS = _table(models_learning.ProposalRow)
ALERT_OUTBOX = _table(models_sinks.AlertOutboxRow)
SINK_DELIVERIES = _table(models_sinks.SinkDeliveryRow)
KPI_STATE = _table(models_kpi.KpiStateRow)
KPI_TURN_SUMS = _table(models_kpi.KpiTurnSumRow)
KPI_RESPONSE_BINS = _table(models_kpi.KpiResponseBinRow)
KPI_CUSTOMERS = _table(models_kpi.KpiCustomerRow)
KPI_ALERT_DAYS = _table(models_kpi.KpiAlertDayRow)
