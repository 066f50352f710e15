"""Each alert sink's message format and signing, and how to read its answer.

- ``wecom``: WeCom (企业微信) group robot, ``{"msgtype": "markdown", ...}``; the answer's
  ``errcode`` must be 0 (45009: rate limited, retried).
- ``dingtalk``: DingTalk (钉钉) custom robot, markdown; with a secret the URL gets
  ``timestamp`` (ms) and ``sign`` = base64(HMAC-SHA256(secret, "timestamp\\nsecret"));
  ``errcode`` 0 (130101: too fast, retried).
- ``feishu``: Feishu/Lark custom bot, ``msg_type`` text; with a secret the body has
  ``timestamp`` (s) and ``sign`` = base64(HMAC-SHA256(key="timestamp\\nsecret", msg=""));
  ``code`` 0 (9499: too many requests, retried).
- ``slack``: Slack incoming webhook, ``{"text": ...}`` in mrkdwn; 200 ``ok``.
- ``webhook``: ReplyWatch's signed webhook (one request per alert, see
  :mod:`bot.delivery.webhooks`), ``X-ReplyWatch-Delivery: alert-<id>``.

Chat sinks get one message per batch (a merged burst lists every alert in it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from urllib.parse import urlencode

from bot.delivery.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    RETRY_STATUSES,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Failure,
    sign,
)
from bot.payloads import alert_payload
from bot.settings import SinkSettings
from monitors.rules import AlertKind
from storage.alerts import Alert

#: The most alerts one chat message lists; the rest are counted.
MAX_LINES = 20
#: Each alert kind's title in a group chat (Chinese, English).
LABELS: dict[AlertKind, tuple[str, str]] = {
    AlertKind.WARNING: ("即将超时", "Reply due soon"),
    AlertKind.OVERDUE: ("回复超时", "Reply overdue"),
    AlertKind.SLOW: ("回复过慢", "Slow reply"),
    AlertKind.UNANSWERED: ("消息长时间未回复", "Message unanswered"),
    AlertKind.FORBIDDEN: ("使用了禁用语", "Forbidden phrase used"),
    AlertKind.DELIVERY_FAILED: ("回复发送失败", "Reply not delivered"),
    AlertKind.ESCALATED: ("会话已转派", "Conversation reassigned"),
    AlertKind.HELP_REQUESTED: ("客服请求主管协助", "Agent asks a supervisor for help"),
    AlertKind.COMPLAINT_OVERDUE: ("投诉处理超时", "Complaint step overdue"),
}
RATE_LIMITED = {"wecom": {45009}, "dingtalk": {130101}, "feishu": {9499}}


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One HTTP request to a sink, covering some of the claimed deliveries."""

    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    covers: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Context:
    """What rendering needs besides the alerts."""

    timezone: tzinfo = UTC
    names: dict[str, str] = field(default_factory=dict)


def _seconds(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}".removesuffix(".0")


def _line(alert: Alert, chinese: bool, context: Context) -> str:
    label = LABELS[alert.kind][0 if chinese else 1]
    at = datetime.fromtimestamp(alert.at, context.timezone).strftime("%m-%d %H:%M:%S")
    agent = context.names.get(alert.agent_id or "", alert.agent_id or "-")
    parts = [f"**{label}**", at]
    if chinese:
        parts += [f"客服 {agent}", f"会话 {alert.conversation_id}"]
        if alert.waited_seconds is not None:
            parts.append(f"已等待 {_seconds(alert.waited_seconds)} 秒")
        if alert.deadline_seconds is not None:
            parts.append(f"时限 {_seconds(alert.deadline_seconds)} 秒")
    else:
        parts += [f"agent {agent}", f"conversation {alert.conversation_id}"]
        if alert.waited_seconds is not None:
            parts.append(f"waited {_seconds(alert.waited_seconds)} s")
        if alert.deadline_seconds is not None:
            parts.append(f"deadline {_seconds(alert.deadline_seconds)} s")
    return " · ".join(parts)


def render_text(alerts: Sequence[Alert], language: str, context: Context) -> tuple[str, str]:
    """A title and a markdown list of ``alerts`` (at most :data:`MAX_LINES` lines)."""
    chinese = language == "zh-CN"
    title = (
        f"ReplyWatch 告警 {len(alerts)} 条" if chinese else f"ReplyWatch: {len(alerts)} alert(s)"
    )
    lines = [f"- {_line(a, chinese, context)}" for a in alerts[:MAX_LINES]]
    if len(alerts) > MAX_LINES:
        more = len(alerts) - MAX_LINES
        lines.append(f"- 另有 {more} 条" if chinese else f"- and {more} more")
    return title, f"### {title}\n" + "\n".join(lines)


def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def _hmac64(key: bytes, message: bytes) -> str:
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def _secret(settings: SinkSettings) -> str:
    return settings.secret.get_secret_value() if settings.secret else ""


def _chat(settings: SinkSettings, alerts: Sequence[Alert], pks: tuple[int, ...], context: Context,
          now: float) -> Outgoing:  # fmt: skip
    title, text = render_text(alerts, settings.language, context)
    secret, url = _secret(settings), settings.url
    if settings.type == "wecom":
        body = _json({"msgtype": "markdown", "markdown": {"content": text}})
    elif settings.type == "dingtalk":
        body = _json({"msgtype": "markdown", "markdown": {"title": title, "text": text}})
        if secret:
            stamp = str(int(now * 1000))
            signed = _hmac64(secret.encode(), f"{stamp}\n{secret}".encode())
            url += ("&" if "?" in url else "?") + urlencode({"timestamp": stamp, "sign": signed})
    elif settings.type == "feishu":
        data: dict[str, object] = {"msg_type": "text", "content": {"text": text}}
        if secret:
            stamp = str(int(now))
            data = {"timestamp": stamp, "sign": _hmac64(f"{stamp}\n{secret}".encode(), b"")} | data
        body = _json(data)
    else:
        body = _json({"text": text.replace("**", "*"), "mrkdwn": True})
    return Outgoing(url, body, {"Content-Type": "application/json"}, pks)


def _webhook(settings: SinkSettings, alert: Alert, pk: int, now: float) -> Outgoing:
    body = _json({"event": "alert", "alert": alert_payload(alert)})
    stamp = str(int(now))
    headers = {
        "Content-Type": "application/json",
        EVENT_HEADER: "alert",
        DELIVERY_HEADER: f"alert-{alert.id}",
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: sign(_secret(settings), stamp, body),
    }
    return Outgoing(settings.url, body, headers, (pk,))


def requests(
    settings: SinkSettings,
    claimed: Sequence[tuple[int, Alert]],
    context: Context,
    now: Callable[[], float] = time.time,
) -> list[Outgoing]:
    """The requests that deliver ``claimed`` ``(delivery pk, alert)`` pairs."""
    if not claimed:
        return []
    if settings.type == "webhook":
        return [_webhook(settings, alert, pk, now()) for pk, alert in claimed]
    pks = tuple(pk for pk, _ in claimed)
    return [_chat(settings, [a for _, a in claimed], pks, context, now())]


def outcome(kind: str, status: int, text: str, retry_after: float | None) -> Failure | None:
    """None when the sink took the message, else why not and whether to retry."""
    if status in RETRY_STATUSES or status >= 500:
        return Failure(f"HTTP {status}", True, retry_after)
    if not 200 <= status < 300:
        return Failure(f"HTTP {status}: {text[:200]}", False)
    if kind in ("webhook", "slack"):
        return None
    try:
        answer = json.loads(text)
        code = int(answer.get("errcode", answer.get("code", answer.get("StatusCode", -1))))
    except (ValueError, TypeError, AttributeError):
        return Failure(f"unreadable answer: {text[:200]}", True)
    if code == 0:
        return None
    message = answer.get("errmsg", answer.get("msg", ""))
    return Failure(f"code {code}: {message}"[:300], code in RATE_LIMITED.get(kind, set()))
